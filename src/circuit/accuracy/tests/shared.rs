//! The shared model column (`circuit::model_column`) under the mock prover: a shard proof reads
//! the model from the column, a model proof range-checks and hashes the same column to `C`; in
//! both, a column value that differs from the cells the circuit computes with fails.

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::super::{build_model, build_testset};
use super::{fails, honest_statement, mock_circuit, random_witness, tiny_spec, K, LOOKUP_BITS};
use crate::circuit::accuracy::{AccuracyWitness, Shape, Statement};
use crate::circuit::model_column::{MASK_ROWS, TAIL_ROWS};
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::spec::Spec;

const SHARED: Shape<'static> = Shape::Plan {
    features_chip: true,
    shared_model: true,
    shared_testset: false,
};

fn run(circuit: &TwoPhaseCircuit, st: &Statement) -> Result<(), Vec<VerifyFailure>> {
    MockProver::run(K, circuit, vec![st.instances()])
        .expect("mock prover runs")
        .verify()
}

fn model_circuit(spec: &Spec, w: &AccuracyWitness, st: &Statement) -> TwoPhaseCircuit {
    build_model(
        spec,
        CircuitBuilderStage::Mock,
        (K, LOOKUP_BITS),
        w,
        st,
        None,
    )
    .expect("model circuit builds")
}

#[test]
fn shard_reads_the_model_from_the_column() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 21);
    let st = honest_statement(&spec, &w);
    let circuit = mock_circuit(&spec, &w, &st, SHARED);
    let column = circuit.model_column.as_ref().expect("shared column");
    // The parameters (4·5 + 5 + 5·3 + 3 weights and biases, 2 shifts), then the masks.
    assert_eq!(column.links.len(), 45);
    assert_eq!(column.body.len(), 45 + MASK_ROWS);
    assert_eq!(column.tail.len(), TAIL_ROWS);
    // One chain (T): the model is not hashed here.
    assert_eq!(circuit.chains.len(), 1);
    assert_eq!(run(&circuit, &st), Ok(()));

    // `correct` must still be the reference count.
    let false_count = Statement {
        correct: st.correct + 1,
        ..st
    };
    assert!(fails(run(&circuit, &false_count)), "false count accepted");
    // `C` is binding only in a shard proof (the model proof opens it; the registry ties the
    // proofs together by the column's commitment).
    let other_c = Statement {
        model_commitment: Fr::from(5),
        ..st
    };
    let circuit = mock_circuit(&spec, &w, &other_c, SHARED);
    assert_eq!(run(&circuit, &other_c), Ok(()));

    // The column must hold exactly the parameters the circuit computes with: a weight, a bias
    // and a shift changed in the column alone each fail (the copy constraints).
    for row in [0, 22, 44] {
        let mut circuit = mock_circuit(&spec, &w, &st, SHARED);
        let column = circuit.model_column.as_mut().expect("shared column");
        column.body[row] += Fr::from(1);
        assert!(
            fails(run(&circuit, &st)),
            "column row {row} changed, accepted"
        );
    }
}

#[test]
fn model_proof_opens_c_from_the_column() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 22);
    let st = honest_statement(&spec, &w);
    let circuit = model_circuit(&spec, &w, &st);
    assert!(circuit.products.is_empty() && circuit.requants.is_empty());
    assert_eq!(run(&circuit, &st), Ok(()));
    // `T` and `correct` are binding only here.
    let other = Statement {
        testset_commitment: Fr::from(9),
        correct: 0,
        ..st
    };
    assert_eq!(run(&model_circuit(&spec, &w, &other), &other), Ok(()));
    // A wrong `C`, another salt, or a column that differs from the hashed parameters fail.
    let wrong_c = Statement {
        model_commitment: st.model_commitment + Fr::from(1),
        ..st
    };
    assert!(fails(run(&circuit, &wrong_c)), "wrong C accepted");
    let mut salted = w.clone();
    salted.salt += Fr::from(1);
    assert!(
        fails(run(&model_circuit(&spec, &salted, &st), &st)),
        "another salt accepted"
    );
    let mut circuit = model_circuit(&spec, &w, &st);
    circuit.model_column.as_mut().expect("column").body[3] += Fr::from(1);
    assert!(fails(run(&circuit, &st)), "changed column accepted");
}

const SHARED_ROWS: Shape<'static> = Shape::Plan {
    features_chip: true,
    shared_model: true,
    shared_testset: true,
};

#[test]
fn shard_reads_its_rows_from_the_shared_column() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 23);
    let st = honest_statement(&spec, &w);
    let circuit = mock_circuit(&spec, &w, &st, SHARED_ROWS);
    let rows = circuit.testset_column.as_ref().expect("rows column");
    // 6 rows of 4 features, then 6 labels; the labels are the only halo2-base cells bound.
    assert_eq!((rows.body.len(), rows.links.len()), (30, 6));
    assert!(circuit.chains.is_empty() && circuit.features.is_none());
    assert_eq!(run(&circuit, &st), Ok(()));
    // `T_s` is binding only here (the test-set proof opens it).
    let other_t = Statement {
        testset_commitment: Fr::from(3),
        ..st
    };
    let circuit = mock_circuit(&spec, &w, &other_t, SHARED_ROWS);
    assert_eq!(run(&circuit, &other_t), Ok(()));
    let false_count = Statement {
        correct: st.correct + 1,
        ..st
    };
    assert!(fails(run(&circuit, &false_count)), "false count accepted");
    // A feature or a label changed in the column alone fails (the first layer's copies, the
    // labels' links).
    for row in [0, 13, 27] {
        let mut circuit = mock_circuit(&spec, &w, &st, SHARED_ROWS);
        let column = circuit.testset_column.as_mut().expect("rows column");
        column.body[row] += Fr::from(1);
        assert!(
            fails(run(&circuit, &st)),
            "rows column row {row} changed, accepted"
        );
    }
}

#[test]
fn testset_proof_opens_t_from_the_column() {
    let spec = tiny_spec();
    let w = random_witness(&spec, 24);
    let st = honest_statement(&spec, &w);
    let build = |w: &AccuracyWitness, st: &Statement| {
        let size = (K, LOOKUP_BITS);
        build_testset(&spec, CircuitBuilderStage::Mock, size, w, st, None).expect("circuit")
    };
    let circuit = build(&w, &st);
    assert_eq!(
        circuit.testset_column.as_ref().expect("column").links.len(),
        30
    );
    assert_eq!(run(&circuit, &st), Ok(()));
    // `C` and `correct` are binding only.
    let other = Statement {
        model_commitment: Fr::from(8),
        correct: 0,
        ..st
    };
    assert_eq!(run(&build(&w, &other), &other), Ok(()));
    let wrong_t = Statement {
        testset_commitment: st.testset_commitment + Fr::from(1),
        ..st
    };
    assert!(fails(run(&circuit, &wrong_t)), "wrong T accepted");
    let mut circuit = build(&w, &st);
    circuit.testset_column.as_mut().expect("column").body[29] += Fr::from(1);
    assert!(fails(run(&circuit, &st)), "changed column accepted");
}
