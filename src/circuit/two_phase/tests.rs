//! The two-phase circuit with the Freivalds chip, under MockProver and the real prover.

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::{BaseCircuitParams, CircuitBuilderStage};
use halo2_base::gates::flex_gate::MultiPhaseThreadBreakPoints;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof};
use halo2_base::halo2_proofs::poly::commitment::ParamsProver;
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_base::halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_base::halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use halo2_base::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::TwoPhaseCircuit;
use crate::circuit::freivalds::{MatrixProduct, Product};
use crate::circuit::public::recorded_constants;
use crate::circuit::Operand;

const K: usize = 9;

fn fr(v: i64) -> Fr {
    if v >= 0 {
        Fr::from(v as u64)
    } else {
        -Fr::from(v.unsigned_abs())
    }
}

/// A small dense layer: random int8 weights and inputs, int32-ish biases, honest Z.
struct Layer {
    x: Vec<Vec<i64>>,
    w: Vec<Vec<i64>>,
    b: Vec<i64>,
    z: Vec<Vec<i64>>,
}

fn layer(rng: &mut StdRng, n: usize, d_in: usize, d_out: usize) -> Layer {
    let x: Vec<Vec<i64>> = (0..n)
        .map(|_| (0..d_in).map(|_| rng.gen_range(0..=16)).collect())
        .collect();
    let w: Vec<Vec<i64>> = (0..d_in)
        .map(|_| (0..d_out).map(|_| rng.gen_range(-128..=127)).collect())
        .collect();
    let b: Vec<i64> = (0..d_out)
        .map(|_| rng.gen_range(-100_000..=100_000))
        .collect();
    let z = x
        .iter()
        .map(|xn| {
            (0..d_out)
                .map(|j| b[j] + (0..d_in).map(|i| xn[i] * w[i][j]).sum::<i64>())
                .collect()
        })
        .collect();
    Layer { x, w, b, z }
}

/// The keygen circuit's params, break points and constants, for the prover stage.
pub(crate) type Pin = (BaseCircuitParams, MultiPhaseThreadBreakPoints, Vec<Fr>);

/// `pinning`: the keygen circuit's params, break points and constants, for the prover stage.
fn build(stage: CircuitBuilderStage, layers: &[Layer], pinning: Option<Pin>) -> TwoPhaseCircuit {
    build_with(stage, (K, pinning), |ctx| {
        let mut load = |m: &[Vec<i64>]| -> Vec<Vec<_>> {
            m.iter()
                .map(|r| ctx.assign_witnesses(r.iter().map(|v| fr(*v))))
                .collect()
        };
        layers
            .iter()
            .map(|l| {
                let x = load(&l.x)
                    .into_iter()
                    .map(|row| row.into_iter().map(Operand::Base).collect())
                    .collect();
                let w = load(&l.w);
                let z = load(&l.z);
                let b = load(std::slice::from_ref(&l.b)).remove(0);
                Product::Dense(MatrixProduct { x, w, b, z })
            })
            .collect()
    })
}

/// A circuit checking only the products `make` loads (no chains, requantisations or features),
/// at `2^k` rows.
pub(crate) fn build_with(
    stage: CircuitBuilderStage,
    (k, pinning): (usize, Option<Pin>),
    make: impl FnOnce(&mut Context<Fr>) -> Vec<Product>,
) -> TwoPhaseCircuit {
    let mut builder = BaseCircuitBuilder::from_stage(stage).use_k(k);
    builder.set_instance_columns(1);
    let ctx = builder.main(0);
    let products = make(ctx);
    let one = ctx.load_constant(Fr::ONE);
    let zero = ctx.load_zero();
    let constants = match pinning {
        Some((params, bp, constants)) => {
            builder.set_params(params);
            builder.set_break_points(bp);
            constants
        }
        None => {
            builder.calculate_params(Some(20));
            recorded_constants(&builder)
        }
    };
    TwoPhaseCircuit {
        builder,
        constants,
        products,
        chains: Vec::new(),
        requants: Vec::new(),
        pooled: Vec::new(),
        features: None,
        requant_bounds: Default::default(),
        one,
        zero,
        sections: Vec::new(),
        model_column: None,
        testset_column: None,
    }
}

fn mock(layers: &[Layer]) -> Result<(), Vec<VerifyFailure>> {
    let circuit = build(CircuitBuilderStage::Mock, layers, None);
    MockProver::run(K as u32, &circuit, vec![vec![]])
        .expect("mock prover runs")
        .verify()
}

fn two_layers(seed: u64) -> Vec<Layer> {
    let mut rng = StdRng::seed_from_u64(seed);
    let first = layer(&mut rng, 5, 4, 3);
    let mut second = layer(&mut rng, 5, 3, 2);
    // Chain the layers like a network would (the values are what matter here, not ReLU).
    second.x = first
        .z
        .iter()
        .map(|r| r.iter().map(|v| v.rem_euclid(128)).collect())
        .collect();
    second.z = second
        .x
        .iter()
        .map(|xn| {
            (0..2)
                .map(|j| second.b[j] + (0..3).map(|i| xn[i] * second.w[i][j]).sum::<i64>())
                .collect()
        })
        .collect();
    vec![first, second]
}

pub(crate) fn has_permutation_failure(r: Result<(), Vec<VerifyFailure>>) -> bool {
    match r {
        Ok(()) => false,
        Err(failures) => failures
            .iter()
            .any(|f| matches!(f, VerifyFailure::Permutation { .. })),
    }
}

#[test]
fn honest_products_pass_mock_prover() {
    assert_eq!(mock(&two_layers(1)), Ok(()));
}

#[test]
fn changed_z_entry_fails() {
    // Z changed without changing X·W: the Horner sum over Z no longer matches Σ u_i t_i + βσ,
    // so the final copy (dot-product accumulator == A) fails.
    let mut layers = two_layers(2);
    layers[1].z[3][1] += 1;
    assert!(has_permutation_failure(mock(&layers)));
}

#[test]
fn changed_weight_bias_or_input_fails() {
    for tamper in 0..3 {
        let mut layers = two_layers(3);
        match tamper {
            0 => layers[0].w[2][1] -= 1,
            1 => layers[0].b[0] += 7,
            _ => layers[0].x[4][3] += 1,
        }
        assert!(
            has_permutation_failure(mock(&layers)),
            "tamper case {tamper} passed"
        );
    }
}

#[test]
fn compensating_errors_in_two_entries_fail() {
    // +1 and −1 in two different entries of the same row: a plain row sum would not see it,
    // distinct powers of r do.
    let mut layers = two_layers(4);
    layers[0].z[2][0] += 1;
    layers[0].z[2][1] -= 1;
    assert!(has_permutation_failure(mock(&layers)));
}

/// Real keygen, prove and verify (SHPLONK, Blake2b transcript) with a locally generated,
/// UNSAFE test SRS; then a flipped proof byte and a changed product must fail to prove/verify.
#[test]
fn real_prover_round_trip() {
    let params = ParamsKZG::<Bn256>::setup(K as u32, StdRng::seed_from_u64(7)); // UNSAFE: known tau
    let layers = two_layers(5);
    let keygen = build(CircuitBuilderStage::Keygen, &layers, None);
    let vk = keygen_vk(&params, &keygen).expect("vk");
    let pk = keygen_pk(&params, vk, &keygen).expect("pk");
    let pinning = (
        keygen.builder.config_params.clone(),
        keygen.builder.break_points(),
        keygen.constants.clone(),
    );

    let prove_with = |layers: &[Layer], pinning: Pin| -> Vec<u8> {
        let circuit = build(CircuitBuilderStage::Prover, layers, Some(pinning));
        let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
        create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
            &params,
            &pk,
            &[circuit],
            &[&[&[]]],
            StdRng::seed_from_u64(8),
            &mut transcript,
        )
        .expect("proof");
        transcript.finalize()
    };
    let prove = |layers: &[Layer]| prove_with(layers, pinning.clone());
    let verify = |proof: &[u8]| -> bool {
        let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof);
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            params.verifier_params(),
            pk.get_vk(),
            SingleStrategy::new(&params),
            &[&[&[]]],
            &mut transcript,
        )
        .is_ok()
    };

    let proof = prove(&layers);
    assert!(verify(&proof), "honest proof rejected");
    let mut tampered = proof.clone();
    tampered[proof.len() / 2] ^= 1;
    assert!(!verify(&tampered), "proof with a flipped byte accepted");

    // A prover with a wrong Z produces a proof the verifier rejects.
    let mut cheat = two_layers(5);
    cheat[0].z[0][0] += 1;
    let bad = prove(&cheat);
    assert!(!verify(&bad), "proof of a wrong product accepted");

    // Constants laid out from a wrong list (here 1 and 0 swapped, so every cell still has its
    // copy partner) break the gate that ties `val` to the fixed column: rejected.
    let mut wrong = pinning.clone();
    assert_eq!(wrong.2, vec![Fr::ZERO, Fr::ONE], "the chip's two constants");
    wrong.2.reverse();
    assert!(
        !verify(&prove_with(&layers, wrong)),
        "proof with constants that differ from the key's accepted"
    );
}
