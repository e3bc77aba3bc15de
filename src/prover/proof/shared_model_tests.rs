//! Proofs of one entry share the model column's commitment (`circuit::model_column`, PROTOCOL
//! §14.2), with real keys at a small k and a seeded (UNSAFE, test-only) SRS: the model proof and
//! two shard proofs over different rows give the same point; another model or salt, or the
//! blinding rows left to halo2's own randomness, give another.

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::{create_proof, ProvingKey};
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::ProverSHPLONK;
use halo2_base::halo2_proofs::transcript::TranscriptWriterBuffer;
use rand::rngs::{OsRng, StdRng};
use rand::SeedableRng;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;

use super::{model_column_commitment, prove_circuit, shared_column_commitment, verify};
use crate::circuit::accuracy::tests::{honest_statement, random_witness, tiny_spec};
use crate::circuit::accuracy::{
    build, build_model, build_testset, pinning, AccuracyWitness, Pinning, Shape, Statement,
};
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::prover::keys::proving_key;
use crate::spec::Spec;

const K: u32 = 12;
const LOOKUP_BITS: usize = 11;

/// A shard circuit (`pin`: the keygen's shape, `None` for keygen).
fn shard(
    spec: &Spec,
    w: &AccuracyWitness,
    st: &Statement,
    pin: Option<&Pinning>,
) -> TwoPhaseCircuit {
    let (stage, shape) = match pin {
        Some(pin) => (CircuitBuilderStage::Prover, Shape::Pinned(pin)),
        None => (
            CircuitBuilderStage::Keygen,
            Shape::Plan {
                features_chip: true,
                shared_model: true,
                shared_testset: false,
            },
        ),
    };
    build(spec, stage, K, LOOKUP_BITS, w, st, shape).expect("shard circuit")
}

/// The model proof's circuit (`pin` as for [`shard`]).
fn model(
    spec: &Spec,
    w: &AccuracyWitness,
    st: &Statement,
    pin: Option<&Pinning>,
) -> TwoPhaseCircuit {
    let stage = match pin {
        Some(_) => CircuitBuilderStage::Prover,
        None => CircuitBuilderStage::Keygen,
    };
    build_model(spec, stage, (K, LOOKUP_BITS), w, st, pin).expect("model circuit")
}

/// A verified proof's model-column commitment.
fn proved(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: TwoPhaseCircuit,
    st: &Statement,
) -> [u8; 64] {
    let proof = prove_circuit(params, pk, circuit, &st.instances()).expect("proof");
    assert!(
        verify(params, pk.get_vk(), &st.instances(), &proof),
        "proof rejected"
    );
    model_column_commitment(&proof).expect("commitment")
}

#[test]
fn proofs_of_one_entry_share_the_model_column_commitment() {
    let spec = tiny_spec();
    // UNSAFE: a seeded tau, for tests only.
    let params = ParamsKZG::<Bn256>::setup(K, StdRng::seed_from_u64(11));
    let dummy = AccuracyWitness::dummy(&spec).expect("dummy");
    let dummy_st = honest_statement(&spec, &dummy);
    let shard_keygen = shard(&spec, &dummy, &dummy_st, None);
    // keygen sets the break points the pinning records.
    let shard_pk = proving_key(&shard_keygen, &params).expect("shard keys");
    let shard_pin = pinning(&shard_keygen);
    let model_keygen = model(&spec, &dummy, &dummy_st, None);
    let model_pk = proving_key(&model_keygen, &params).expect("model keys");
    let model_pin = pinning(&model_keygen);

    let entry = random_witness(&spec, 31);
    let rows_b = AccuracyWitness {
        testset: random_witness(&spec, 32).testset,
        ..entry.clone()
    };
    let st_a = honest_statement(&spec, &entry);
    let st_b = honest_statement(&spec, &rows_b);
    let of_model = proved(
        &params,
        &model_pk,
        model(&spec, &entry, &st_a, Some(&model_pin)),
        &st_a,
    );
    let of_a = proved(
        &params,
        &shard_pk,
        shard(&spec, &entry, &st_a, Some(&shard_pin)),
        &st_a,
    );
    let of_b = proved(
        &params,
        &shard_pk,
        shard(&spec, &rows_b, &st_b, Some(&shard_pin)),
        &st_b,
    );
    assert_eq!(
        of_model, of_a,
        "model proof and shard A commit to different columns"
    );
    assert_eq!(of_a, of_b, "shards A and B commit to different columns");

    // Another model (one weight), or the same model under another salt: a valid shard proof,
    // but another point, which the registry will refuse.
    let mut other = entry.clone();
    let layers = other.model.layers().to_vec();
    let mut weights = layers[0].weights().to_vec();
    weights[0][0] = weights[0][0].wrapping_add(1);
    other.model = crate::model::QuantizedModel::with_image(
        &spec,
        Vec::new(),
        std::iter::once(
            crate::model::QuantizedLayer::new(
                weights,
                layers[0].biases().to_vec(),
                layers[0].shift(),
            )
            .expect("layer"),
        )
        .chain(layers[1..].iter().cloned())
        .collect(),
    )
    .expect("model");
    let st = honest_statement(&spec, &other);
    let changed = proved(
        &params,
        &shard_pk,
        shard(&spec, &other, &st, Some(&shard_pin)),
        &st,
    );
    assert_ne!(
        changed, of_a,
        "another model gave the same column commitment"
    );
    let mut resalted = entry.clone();
    resalted.salt += Fr::from(1);
    let st = honest_statement(&spec, &resalted);
    let salted = proved(
        &params,
        &shard_pk,
        shard(&spec, &resalted, &st, Some(&shard_pin)),
        &st,
    );
    assert_ne!(salted, of_a, "another salt gave the same column commitment");

    // With halo2's own randomness in the blinding rows, the same shard commits to another point:
    // the scripted words are what makes the points equal.
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params,
        &shard_pk,
        &[shard(&spec, &entry, &st_a, Some(&shard_pin))],
        &[&[&st_a.instances()]],
        OsRng,
        &mut transcript,
    )
    .expect("proof");
    let plain = transcript.finalize();
    assert!(verify(
        &params,
        shard_pk.get_vk(),
        &st_a.instances(),
        &plain
    ));
    assert_ne!(model_column_commitment(&plain).expect("point"), of_a);
}

/// With the rows shared too: one test-set proof per shard, whose column every entry's shard proof
/// of those rows commits to as its second shared column.
#[test]
fn shard_proofs_of_one_shard_share_the_rows_column_commitment() {
    let spec = tiny_spec();
    // UNSAFE: a seeded tau, for tests only.
    let params = ParamsKZG::<Bn256>::setup(K, StdRng::seed_from_u64(12));
    let dummy = AccuracyWitness::dummy(&spec).expect("dummy");
    let dummy_st = honest_statement(&spec, &dummy);
    let keygen = |circuit: TwoPhaseCircuit| {
        // keygen sets the break points the pinning records.
        let pk = proving_key(&circuit, &params).expect("keys");
        (pinning(&circuit), pk)
    };
    let shape = Shape::Plan {
        features_chip: true,
        shared_model: true,
        shared_testset: true,
    };
    let (stage, size) = (CircuitBuilderStage::Keygen, (K, LOOKUP_BITS));
    let shard_keygen = build(&spec, stage, K, LOOKUP_BITS, &dummy, &dummy_st, shape);
    let (shard_pin, shard_pk) = keygen(shard_keygen.expect("shard circuit"));
    let rows_keygen = build_testset(&spec, stage, size, &dummy, &dummy_st, None);
    let (rows_pin, rows_pk) = keygen(rows_keygen.expect("test-set circuit"));

    let shard_of = |w: &AccuracyWitness, st: &Statement| {
        let (stage, shape) = (CircuitBuilderStage::Prover, Shape::Pinned(&shard_pin));
        let circuit = build(&spec, stage, K, LOOKUP_BITS, w, st, shape).expect("shard");
        let proof = prove_circuit(&params, &shard_pk, circuit, &st.instances()).expect("proof");
        assert!(verify(&params, shard_pk.get_vk(), &st.instances(), &proof));
        proof
    };
    let alice = random_witness(&spec, 41);
    let bob = AccuracyWitness {
        testset: alice.testset.clone(),
        ..random_witness(&spec, 42)
    };
    let st = honest_statement(&spec, &alice);
    let stage = CircuitBuilderStage::Prover;
    let circuit = build_testset(&spec, stage, size, &alice, &st, Some(&rows_pin)).expect("rows");
    let rows = proved(&params, &rows_pk, circuit, &st);
    let of_alice = shard_of(&alice, &st);
    let of_bob = shard_of(&bob, &honest_statement(&spec, &bob));
    let second = |proof: &[u8]| shared_column_commitment(proof, 1).expect("point");
    assert_eq!(
        second(&of_alice),
        rows,
        "alice's rows differ from the test-set proof's"
    );
    assert_eq!(
        second(&of_bob),
        rows,
        "bob's rows differ from the test-set proof's"
    );
    assert_ne!(
        model_column_commitment(&of_alice),
        model_column_commitment(&of_bob),
        "two models, one column"
    );
    // Other rows: another point.
    let carol = AccuracyWitness {
        testset: random_witness(&spec, 43).testset,
        ..alice.clone()
    };
    let of_carol = shard_of(&carol, &honest_statement(&spec, &carol));
    assert_ne!(second(&of_carol), rows, "other rows, the same column");
}
