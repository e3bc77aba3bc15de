//! The Poseidon chip against the native chain, under MockProver, with negative cases.

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::circuit::public::recorded_constants;
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::circuit::Operand;
use crate::commit::{chain, fr_from_hex, poseidon2, MODEL_TAG};

const K: u32 = 10;

/// A circuit with one chain over `inputs` whose output is public; `tamper` may edit the chain
/// (its cells) after loading, to model a cheating prover.
fn run(
    tag: Fr,
    inputs: &[Fr],
    claimed: Fr,
    tamper: impl FnOnce(&mut Context<Fr>, &mut PoseidonChain),
) -> Result<(), Vec<VerifyFailure>> {
    let mut builder = BaseCircuitBuilder::from_stage(CircuitBuilderStage::Mock).use_k(K as usize);
    builder.set_instance_columns(1);
    let ctx = builder.main(0);
    let loaded = ctx.assign_witnesses(inputs.iter().copied());
    let mut c = PoseidonChain::load(ctx, tag, loaded.into_iter().map(Operand::Base).collect());
    tamper(ctx, &mut c);
    let one = ctx.load_constant(Fr::ONE);
    let zero = ctx.load_zero();
    builder.assigned_instances[0].push(c.out);
    builder.calculate_params(Some(20));
    let circuit = TwoPhaseCircuit {
        constants: recorded_constants(&builder),
        builder,
        products: Vec::new(),
        chains: vec![c],
        requants: Vec::new(),
        pooled: Vec::new(),
        features: None,
        requant_bounds: Default::default(),
        one,
        zero,
        sections: Vec::new(),
        model_column: None,
        testset_column: None,
    };
    MockProver::run(K, &circuit, vec![vec![claimed]])
        .expect("mock prover runs")
        .verify()
}

#[test]
fn round_layout_matches_the_native_permutation() {
    // One element: the chain is P(P(tag, e), 1); its first permutation is poseidon2(tag, e).
    let tag = fr_from_hex(MODEL_TAG).expect("tag is canonical");
    let e = Fr::from(12345);
    let want = poseidon2(poseidon2(tag, e), Fr::ONE);
    assert_eq!(chain(tag, &[e]), want);
    assert_eq!(run(tag, &[e], want, |_, _| {}), Ok(()));
    assert_eq!(chain_rows(1), 2 * ROWS_PER_PERMUTATION);
}

#[test]
fn chain_matches_native_and_circomlib() {
    // poseidon2([1, 2]) is circomlib's published test vector.
    assert_eq!(
        format!("{:?}", poseidon2(Fr::from(1), Fr::from(2))),
        "0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
    );
    let mut rng = StdRng::seed_from_u64(2);
    let tag = fr_from_hex(MODEL_TAG).expect("tag is canonical");
    let elems: Vec<Fr> = (0..4).map(|_| Fr::random(&mut rng)).collect();
    let want = chain(tag, &elems);
    assert_eq!(run(tag, &elems, want, |_, _| {}), Ok(()));
    // The empty chain is P(tag, 0).
    assert_eq!(run(tag, &[], chain(tag, &[]), |_, _| {}), Ok(()));
}

#[test]
fn wrong_claims_fail() {
    let mut rng = StdRng::seed_from_u64(3);
    let tag = fr_from_hex(MODEL_TAG).expect("tag is canonical");
    let elems: Vec<Fr> = (0..3).map(|_| Fr::random(&mut rng)).collect();
    let want = chain(tag, &elems);
    // A different public output.
    assert!(run(tag, &elems, want + Fr::ONE, |_, _| {}).is_err());
    // One changed element: the honest output of the tampered chain is not `want`.
    let mut tampered = elems.clone();
    tampered[1] += Fr::ONE;
    assert!(run(tag, &tampered, want, |_, _| {}).is_err());
    // A cheating prover that keeps the elements but claims `want + 1` as the output witness:
    // the chip's rounds end at the true output, and the link to `out` fails.
    let cheat = |ctx: &mut Context<Fr>, c: &mut PoseidonChain| {
        c.out = ctx.load_witness(want + Fr::ONE);
    };
    assert!(run(tag, &elems, want + Fr::ONE, cheat).is_err());
    // A cheating prover that swaps an element cell after hashing (the chip hashes the new
    // value; the claimed output is the old chain's).
    let swap = |ctx: &mut Context<Fr>, c: &mut PoseidonChain| {
        c.elems[2] = Operand::Base(ctx.load_witness(Fr::from(7)));
    };
    assert!(run(tag, &elems, want, swap).is_err());
}

fn failed_gates(r: Result<(), Vec<VerifyFailure>>) -> Vec<String> {
    r.err()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| match f {
            VerifyFailure::ConstraintNotSatisfied { constraint, .. } => {
                Some(format!("{constraint}"))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn one_wrong_intermediate_value_fails_its_round_gate() {
    let tag = fr_from_hex(MODEL_TAG).expect("tag is canonical");
    let elems = [Fr::from(3), Fr::from(4)];
    let want = chain(tag, &elems);
    // (row within the chain, column, gate that must catch it)
    let cases = [
        (3, 0, "poseidon: round"),          // y_0 of round 1 (full)
        (2 * 2, 2, "poseidon: round"),      // s_2 entering round 2 (full; also round 1's output)
        (2 * 10, 0, "poseidon: round"),     // s_0 entering round 10 (partial)
        (2 * 30 + 1, 0, "poseidon: round"), // y_0 of round 30 (partial)
        (ROWS_PER_PERMUTATION + 2 * 64 + 1, 1, "poseidon: round"), // 2nd permutation, last round
    ];
    for (row, col, gate) in cases {
        let inject = |_: &mut Context<Fr>, c: &mut PoseidonChain| {
            c.fault = Some((row, col, Fr::ONE));
        };
        let failed = failed_gates(run(tag, &elems, want, inject));
        assert!(
            failed.iter().any(|f| f.contains(gate)),
            "row {row} col {col}: expected a {gate} failure, got {failed:?}"
        );
    }
    // y_1 of a partial round must be 1 (it multiplies x_1 through y_1²): −1 would pass the
    // MDS step, so the gate pins it to 1, and 1 − 2 = −1 must fail.
    let minus_one = |_: &mut Context<Fr>, c: &mut PoseidonChain| {
        c.fault = Some((2 * 30 + 1, 1, -Fr::from(2)));
    };
    let failed = failed_gates(run(tag, &elems, want, minus_one));
    assert!(
        failed.iter().any(|f| f.contains("poseidon: round")),
        "{failed:?}"
    );
}
