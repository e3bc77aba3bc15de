//! The accuracy circuit on a tiny spec: honest witnesses pass MockProver, and each tampering
//! the issue lists fails; `correct` matches `model::reference` on random models.

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{build, AccuracyWitness, Shape, Statement};
use crate::circuit::features::FeatureJob;
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::model::{
    correct, model_commitment, ConvLayer, ImageLayer, QuantizedLayer, QuantizedModel,
};
use crate::spec::{testset_commitment, ImageStage, Spec, TestSet};

pub(crate) mod cnn;
mod shared;

const K: u32 = 14;
const LOOKUP_BITS: usize = 13;

/// 4 features in [0, 3] → ≤5 (ReLU) → 3 classes, N = 6.
pub(crate) const TINY_SPEC: &str = r#"
schema_version = 1
name = "tiny"
task = "classification"
classes = 3
[input]
features = 4
min = 0
max = 3
scale = 0.25
[[envelope.layers]]
max_width = 5
activation = "relu"
[[envelope.layers]]
max_width = 3
activation = "none"
[quantisation]
weight_bits = 8
bias_bits = 32
shift_max = 6
activation_max = 15
logit_bits = 10
[test_set]
rows = 6
threshold_bps = 5000
[payout]
split_bps = [10000]
commit_bond_wei = "1"
[phases]
commit_secs = 7200
test_set_reveal_secs = 3600
prove_secs = 86400
model_reveal_secs = 86400
"#;

pub(crate) fn tiny_spec() -> Spec {
    Spec::from_toml_str(TINY_SPEC).expect("tiny spec is valid")
}

/// A random model in the envelope and a random test set, from a seed.
pub(crate) fn random_witness(spec: &Spec, seed: u64) -> AccuracyWitness {
    let mut rng = StdRng::seed_from_u64(seed);
    let dims = spec.envelope.dims();
    let layers = dims
        .windows(2)
        .map(|d| {
            let w = (0..d[0])
                .map(|_| {
                    (0..d[1])
                        .map(|_| rng.gen_range(-128i16..=127) as i8)
                        .collect()
                })
                .collect();
            let b = (0..d[1]).map(|_| rng.gen_range(-300..=300)).collect();
            QuantizedLayer::new(w, b, rng.gen_range(0..=spec.quant.shift_max)).expect("layer")
        })
        .collect();
    let image = random_image(spec, &mut rng);
    let model = QuantizedModel::with_image(spec, image, layers).expect("model");
    let x = (0..spec.test_rows * spec.input.features)
        .map(|_| rng.gen_range(spec.input.min..=spec.input.max))
        .collect();
    let y = (0..spec.test_rows)
        .map(|_| rng.gen_range(0..spec.classes))
        .collect();
    let testset = TestSet::new(spec, x, y).expect("test set");
    AccuracyWitness {
        model,
        salt: Fr::random(&mut rng),
        testset,
    }
}

/// Random image stages in the envelope (convolution weights in `[−8, 8]`, so that activations
/// vary rather than saturate).
fn random_image(spec: &Spec, rng: &mut StdRng) -> Vec<ImageLayer> {
    let Some(image) = &spec.envelope.image else {
        return Vec::new();
    };
    image
        .stages
        .iter()
        .zip(image.shapes())
        .map(|(stage, [c_in, ..])| match *stage {
            ImageStage::Conv(c) => {
                let len = c.channels * c_in * c.kernel * c.kernel;
                let w = (0..len).map(|_| rng.gen_range(-8i8..=8)).collect();
                let b = (0..c.channels).map(|_| rng.gen_range(-20..=20)).collect();
                let shift = rng.gen_range(0..=spec.quant.shift_max.min(3));
                ImageLayer::Conv(
                    ConvLayer::new(
                        (c_in, c.channels),
                        (c.kernel, c.stride, c.padding),
                        w,
                        b,
                        shift,
                    )
                    .expect("conv"),
                )
            }
            ImageStage::MaxPool(p) => ImageLayer::MaxPool(p),
            ImageStage::AvgPool(p) => ImageLayer::AvgPool(p),
        })
        .collect()
}

pub(crate) fn honest_statement(spec: &Spec, w: &AccuracyWitness) -> Statement {
    Statement {
        chain_id: 31337,
        contest_id: 7,
        submitter: [0xab; 20],
        model_commitment: model_commitment(&w.model, spec, w.salt).expect("C"),
        testset_commitment: testset_commitment(spec, &w.testset).expect("T"),
        correct: correct(&w.model, &w.testset).expect("reference") as u64,
    }
}

/// Builds the circuit from `w` and checks it against the instances of `st`.
fn mock(spec: &Spec, w: &AccuracyWitness, st: &Statement) -> Result<(), Vec<VerifyFailure>> {
    mock_shaped(spec, w, st, Shape::DEFAULT)
}

/// The circuit of `w` for `st`, laid out as `shape` says, for the mock prover.
fn mock_circuit(
    spec: &Spec,
    w: &AccuracyWitness,
    st: &Statement,
    shape: Shape<'_>,
) -> TwoPhaseCircuit {
    build(
        spec,
        CircuitBuilderStage::Mock,
        K,
        LOOKUP_BITS,
        w,
        st,
        shape,
    )
    .expect("circuit builds")
}

/// [`mock`] with the circuit laid out as `shape` says.
fn mock_shaped(
    spec: &Spec,
    w: &AccuracyWitness,
    st: &Statement,
    shape: Shape<'_>,
) -> Result<(), Vec<VerifyFailure>> {
    let circuit = mock_circuit(spec, w, st, shape);
    MockProver::run(K, &circuit, vec![st.instances()])
        .expect("mock prover runs")
        .verify()
}

fn fails(r: Result<(), Vec<VerifyFailure>>) -> bool {
    r.is_err()
}

#[test]
fn honest_witness_passes() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 1);
    let st = honest_statement(&spec, &w);
    assert_eq!(mock(&spec, &w, &st), Ok(()));
}

/// Each tampering of the private witness against the honest public statement must fail.
#[test]
fn tampered_witness_fails() {
    let spec = tiny_spec();
    let honest = random_witness(&spec, 2);
    let st = honest_statement(&spec, &honest);
    type Edit<'a> = &'a dyn Fn(&mut Vec<Vec<i8>>, &mut Vec<i32>);
    let with_layer = |f: Edit| {
        let mut w = honest.clone();
        let layers = w
            .model
            .layers()
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                let (mut weights, mut biases) = (layer.weights().to_vec(), layer.biases().to_vec());
                if l == 0 {
                    f(&mut weights, &mut biases);
                }
                QuantizedLayer::new(weights, biases, layer.shift()).expect("layer")
            })
            .collect();
        w.model = QuantizedModel::new(&spec, layers).expect("model");
        w
    };
    // A changed weight or bias: the model no longer hashes to C.
    let w = with_layer(&|weights, _| weights[1][2] = weights[1][2].wrapping_add(1));
    assert!(fails(mock(&spec, &w, &st)), "changed weight accepted");
    let w = with_layer(&|_, biases| biases[0] += 1);
    assert!(fails(mock(&spec, &w, &st)), "changed bias accepted");
    // A different salt.
    let mut w = honest.clone();
    w.salt += Fr::ONE;
    assert!(fails(mock(&spec, &w, &st)), "different salt accepted");
    // A changed input pixel or label: the test set no longer hashes to T.
    let mut x = honest.testset.x().to_vec();
    x[5] = (x[5] + 1) % (spec.input.max + 1);
    let mut w = honest.clone();
    w.testset = TestSet::new(&spec, x, honest.testset.labels().to_vec()).expect("test set");
    assert!(fails(mock(&spec, &w, &st)), "changed input accepted");
    let mut y = honest.testset.labels().to_vec();
    y[3] = (y[3] + 1) % spec.classes;
    let mut w = honest.clone();
    w.testset = TestSet::new(&spec, honest.testset.x().to_vec(), y).expect("test set");
    assert!(fails(mock(&spec, &w, &st)), "changed label accepted");
}

/// Each wrong public instance must fail against the honest witness.
#[test]
fn wrong_statement_fails() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 3);
    let st = honest_statement(&spec, &w);
    let cases: [(&str, Statement); 5] = [
        (
            "correct + 1",
            Statement {
                correct: st.correct + 1,
                ..st
            },
        ),
        (
            "correct − 1",
            Statement {
                correct: st.correct.wrapping_sub(1),
                ..st
            },
        ),
        (
            "wrong C",
            Statement {
                model_commitment: st.model_commitment + Fr::ONE,
                ..st
            },
        ),
        (
            "wrong T",
            Statement {
                testset_commitment: st.testset_commitment + Fr::ONE,
                ..st
            },
        ),
        (
            "other contest",
            Statement {
                contest_id: st.contest_id + 1,
                ..st
            },
        ),
    ];
    for (name, bad) in cases {
        // The circuit is built from the honest witness; only the instances differ.
        let circuit = mock_circuit(&spec, &w, &st, Shape::DEFAULT);
        let r = MockProver::run(K, &circuit, vec![bad.instances()])
            .expect("mock prover runs")
            .verify();
        assert!(fails(r), "{name} accepted");
    }
}

/// The circuit's `correct` is `model::reference`'s, on random models and data (the statement
/// only verifies with exactly the reference count).
#[test]
fn correct_matches_reference_on_random_models() {
    let spec = tiny_spec();
    for seed in 10..14 {
        let w = random_witness(&spec, seed);
        let st = honest_statement(&spec, &w);
        assert_eq!(
            mock(&spec, &w, &st),
            Ok(()),
            "seed {seed}: reference count {} rejected",
            st.correct
        );
    }
}

#[test]
fn keygen_shape_does_not_depend_on_the_model() {
    same_shape_for_dummy_and_random(&tiny_spec());
}

/// Keygen's circuit (from the all-zero witness) and a random model's have the same shape, and
/// the planner's row counts are the circuit's.
fn same_shape_for_dummy_and_random(spec: &Spec) {
    let spec = spec.clone();
    let dummy = AccuracyWitness::dummy(&spec).expect("dummy");
    let st = honest_statement(&spec, &dummy);
    let a = build(
        &spec,
        CircuitBuilderStage::Keygen,
        K,
        LOOKUP_BITS,
        &dummy,
        &st,
        Shape::DEFAULT,
    )
    .expect("build");
    let w = random_witness(&spec, 4);
    let st = honest_statement(&spec, &w);
    let b = build(
        &spec,
        CircuitBuilderStage::Keygen,
        K,
        LOOKUP_BITS,
        &w,
        &st,
        Shape::DEFAULT,
    )
    .expect("build");
    assert_eq!(
        format!("{:?}", a.builder.config_params),
        format!("{:?}", b.builder.config_params)
    );
    let (sa, sb) = (a.builder.statistics(), b.builder.statistics());
    assert_eq!(
        sa.gate.total_advice_per_phase,
        sb.gate.total_advice_per_phase
    );
    assert_eq!(sa.gate.total_fixed, sb.gate.total_fixed);
    assert_eq!(
        sa.total_lookup_advice_per_phase,
        sb.total_lookup_advice_per_phase
    );
    assert_eq!(a.freivalds_rows(), b.freivalds_rows());
    assert_eq!(a.poseidon_rows(), b.poseidon_rows());
    // The prover lays the constants out from the keygen's list (`circuit::public`).
    assert!(!a.constants.is_empty());
    assert_eq!(a.constants, b.constants);
    assert_eq!(a.public_rows(), b.public_rows());
    // The planner's row counts, computed from the spec alone, are the circuit's.
    assert_eq!(a.freivalds_rows(), super::freivalds_rows(&spec));
    assert_eq!(
        a.poseidon_rows(),
        super::poseidon_rows(&spec).expect("rows")
    );
    assert_eq!(a.requant_rows(), b.requant_rows());
    assert_eq!(a.requant_rows(), super::requant_rows(&spec, LOOKUP_BITS));
    assert_eq!(a.pooled_rows(), b.pooled_rows());
    assert_eq!(a.pooled_rows(), super::pooled_rows(&spec, LOOKUP_BITS));
    assert!(a.features.is_some());
    assert_eq!(a.feature_rows(), b.feature_rows());
    let features = spec.test_rows * spec.input.features;
    assert_eq!(a.feature_rows(), FeatureJob::rows_for(features));
}

/// The features chip (`circuit::features`) takes the tiny spec's features, and a forged test
/// set that packs to the same elements — one feature 2^w too big, its neighbour one smaller —
/// is rejected by the range lookup (the scaled copy `c·u` leaves the table).
#[test]
fn features_out_of_range_with_the_same_packing_fail_the_lookup() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 5);
    let st = honest_statement(&spec, &w);
    let mut circuit = mock_circuit(&spec, &w, &st, Shape::DEFAULT);
    let job = circuit
        .features
        .as_mut()
        .expect("the features chip takes the tiny spec");
    let elements = job.elements();
    let width = spec.input.max.ilog2() + 1;
    let values = job.values_mut();
    let i = (0..values.len() - 1)
        .find(|&i| values[i + 1] > 0)
        .expect("a non-zero feature");
    values[i] += 1 << width;
    values[i + 1] -= 1;
    assert_eq!(
        job.elements(),
        elements,
        "the forgery packs like the honest test set"
    );
    let failures = MockProver::run(K, &circuit, vec![st.instances()])
        .expect("mock prover runs")
        .verify()
        .expect_err("forged features accepted");
    assert!(
        failures
            .iter()
            .any(|f| matches!(f, VerifyFailure::Lookup { .. })),
        "no lookup failure: {failures:?}"
    );
}

/// Without the features chip (the plan's choice where its rows do not fit, and keys made before
/// it), halo2-base checks and packs the features: honest passes, a changed feature fails.
#[test]
fn features_in_halo2_base_still_check() {
    let spec = tiny_spec();
    let honest = random_witness(&spec, 6);
    let st = honest_statement(&spec, &honest);
    let shape = Shape::Plan {
        features_chip: false,
        shared_model: false,
        shared_testset: false,
    };
    let circuit = mock_circuit(&spec, &honest, &st, shape);
    assert!(circuit.features.is_none());
    let run = |w: &AccuracyWitness| mock_shaped(&spec, w, &st, shape);
    assert_eq!(run(&honest), Ok(()));
    let mut x = honest.testset.x().to_vec();
    x[2] = (x[2] + 1) % (spec.input.max + 1);
    let mut w = honest.clone();
    w.testset = TestSet::new(&spec, x, honest.testset.labels().to_vec()).expect("test set");
    assert!(fails(run(&w)), "changed input accepted");
}
