//! A real plan → setup → prove → verify round trip on the tiny spec, with a locally
//! generated (UNSAFE, seeded) SRS; tampering with the proof or the instances must fail.

use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{prove, verify};
use crate::circuit::accuracy::tests::{cnn, honest_statement, random_witness, tiny_spec};
use crate::circuit::accuracy::Statement;
use crate::prover::keys::{figures_at, plan, setup, ContestKeys};
use crate::prover::srs::SrsKind;
use crate::spec::Spec;

/// The tiny spec, a seeded (UNSAFE, test-only) SRS at its planned k, and its keys.
pub(crate) fn tiny_keys() -> (Spec, ParamsKZG<Bn256>, ContestKeys) {
    keys_for(tiny_spec(), 42)
}

/// `spec`, an SRS at its planned k (≤ 15) from a seeded tau, and its keys.
fn keys_for(spec: Spec, seed: u64) -> (Spec, ParamsKZG<Bn256>, ContestKeys) {
    let figures = plan(&spec).expect("plan");
    assert!(figures.k <= 15, "{} needs k = {}", spec.name, figures.k);
    // UNSAFE: a seeded tau, for tests only.
    let params = ParamsKZG::<Bn256>::setup(figures.k, StdRng::seed_from_u64(seed));
    let keys = setup(
        &spec,
        figures,
        &params,
        "test-only.UNSAFE.srs".into(),
        SrsKind::UnsafeDev,
    )
    .expect("setup");
    (spec, params, keys)
}

#[test]
fn round_trip_and_tampering() {
    let (spec, params, keys) = tiny_keys();
    let figures = keys.manifest.figures.clone();

    // Keys survive the key directory.
    let dir = tempfile::tempdir().expect("temp dir");
    keys.write(dir.path()).expect("write keys");
    let keys = ContestKeys::read(dir.path()).expect("read keys");
    assert_eq!(keys.manifest.figures, figures);
    // Keys whose manifest names another circuit (an older build's, say) are refused, naming why.
    let stale = tempfile::tempdir().expect("temp dir");
    keys.write(stale.path()).expect("write keys");
    let path = stale.path().join("circuit.json");
    let text = std::fs::read_to_string(&path).expect("manifest");
    let digest = &keys.manifest.circuit_digest;
    assert_eq!(digest.len(), 64, "{digest}");
    std::fs::write(&path, text.replace(digest.as_str(), &"0".repeat(64))).expect("rewrite");
    let Err(err) = ContestKeys::read_verifier(stale.path()) else {
        panic!("stale keys must be refused");
    };
    assert!(err.to_string().contains("different circuit"), "{err}");

    let witness = random_witness(&spec, 99);
    let st = honest_statement(&spec, &witness);
    let (proof, _) = prove(&spec, &keys, &params, &witness, &st).expect("prove");
    let inst = st.instances();
    assert!(
        verify(&params, keys.vk(), &inst, &proof),
        "honest proof rejected"
    );

    let mut flipped = proof.clone();
    flipped[proof.len() / 3] ^= 0x01;
    assert!(
        !verify(&params, keys.vk(), &inst, &flipped),
        "flipped proof byte accepted"
    );
    for (name, bad) in [
        (
            "correct + 1",
            Statement {
                correct: st.correct + 1,
                ..st
            },
        ),
        (
            "other submitter",
            Statement {
                submitter: [0xcd; 20],
                ..st
            },
        ),
        ("other chain", Statement { chain_id: 1, ..st }),
        (
            "wrong T",
            Statement {
                testset_commitment: st.testset_commitment + Fr::ONE,
                ..st
            },
        ),
    ] {
        assert!(
            !verify(&params, keys.vk(), &bad.instances(), &proof),
            "{name}: proof verified with changed instances"
        );
    }
    // A prover claiming a count its witness does not give produces an invalid proof.
    let lie = Statement {
        correct: st.correct + 1,
        ..st
    };
    let (bad_proof, _) = prove(&spec, &keys, &params, &witness, &lie).expect("prover runs");
    assert!(
        !verify(&params, keys.vk(), &lie.instances(), &bad_proof),
        "false claim verified"
    );
}

/// A convolutional spec (convolution, max pooling, flatten, dense) proves and verifies with
/// real keys; a wrong count does not verify. At its planned k (11, lookup bits 10) the max
/// spec's window differences (up to 6,912) do not fit one limb, so halo2-base proves its
/// maxima; at k = 14 the pooled-requantisation gate does (`circuit::pooled`: a phase-0 column of
/// its own).
#[test]
fn cnn_round_trip() {
    let pooled_keys = || {
        let spec = cnn::max_spec();
        let figures = figures_at(&spec, 14, true).expect("figures");
        let params = ParamsKZG::<Bn256>::setup(14, StdRng::seed_from_u64(44));
        let srs = "test-only.UNSAFE.srs".into();
        let keys = setup(&spec, figures, &params, srs, SrsKind::UnsafeDev).expect("setup");
        (spec, params, keys)
    };
    let cases = [
        (keys_for(cnn::max_spec(), 43), false),
        (pooled_keys(), true),
        (keys_for(cnn::avg_spec(), 43), false),
    ];
    for ((spec, params, keys), pooled) in cases {
        let figures = &keys.manifest.figures;
        assert_eq!(figures.pooled_rows > 0, pooled, "{figures:?}");
        assert_eq!(keys.manifest.pinning.requant.pool_window > 0, pooled);
        let witness = random_witness(&spec, 5);
        let st = honest_statement(&spec, &witness);
        let (proof, _) = prove(&spec, &keys, &params, &witness, &st).expect("prove");
        assert!(
            verify(&params, keys.vk(), &st.instances(), &proof),
            "honest CNN proof rejected"
        );
        let wrong = Statement {
            correct: (st.correct + 1) % (spec.test_rows as u64 + 1),
            ..st
        };
        assert!(
            !verify(&params, keys.vk(), &wrong.instances(), &proof),
            "wrong count accepted"
        );
    }
}
