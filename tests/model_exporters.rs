//! Models as exporters write them (`tests/fixtures/exporters/`, made by
//! `scripts/make_exporter_models.py`): skl2onnx pipelines with scalers, several outputs and a
//! logistic binary head, and a PyTorch-style graph with a normalisation and a
//! BatchNormalization. Each imports to a dense network whose predictions equal onnxruntime's
//! (recorded by the script) and tract's, `model evaluate` keeps the quantised accuracy within
//! one point of onnxruntime's float accuracy, one of them is proved end to end, and the
//! negative fixtures fail naming the op and the node.

mod common;

use std::path::{Path, PathBuf};

use common::{argmax, cli, evaluate, expect_exit, path_str as s, root, setup_prove_verify};
use serde_json::Value;
use zkcontest::model::{FloatRunner, OnnxFile};
use zkcontest::spec::{Spec, TestSet};

fn exporters(name: &str) -> PathBuf {
    root().join("tests/fixtures/exporters").join(name)
}

/// The positive models with their contest spec directory and test set.
fn positive() -> Vec<(&'static str, PathBuf, PathBuf)> {
    let digits = root().join("contest-specs/digits");
    let binary = exporters("binary-contest");
    let d = || (digits.clone(), digits.join("digits-test.zkts"));
    let b = || (binary.clone(), binary.join("digits-parity-test.zkts"));
    [
        ("skl-standard-mlp32.onnx", d()),
        ("skl-standard-div-mlp32.onnx", d()),
        ("skl-minmax-mlp16.onnx", d()),
        ("skl-binary-mlp16.onnx", b()),
        ("torch-style-bn.onnx", d()),
    ]
    .into_iter()
    .map(|(m, (spec, set))| (m, spec, set))
    .collect()
}

/// `onnxruntime.json`: what the script recorded for `model`.
fn recorded(model: &str) -> Value {
    let text = std::fs::read_to_string(exporters("onnxruntime.json")).expect("onnxruntime.json");
    let v: Value = serde_json::from_str(&text).expect("json");
    v["models"][model].clone()
}

#[test]
fn folded_networks_predict_like_onnxruntime_and_tract() {
    for (model, spec_dir, set_path) in positive() {
        let spec = Spec::from_path(&spec_dir).expect("spec");
        let set = TestSet::from_path_any_rows(&set_path, &spec).expect("test set");
        let file = OnnxFile::read(&exporters(model)).expect("reads");
        let net = file
            .dense_network()
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        net.check_fits(&spec.envelope)
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        assert!(
            net.softmax_dropped,
            "{model}: the probabilities are dropped"
        );
        let runner = FloatRunner::new(&file, &spec).unwrap_or_else(|e| panic!("{model}: {e}"));
        let ort: Vec<usize> = recorded(model)["predictions"]
            .as_array()
            .expect("predictions")
            .iter()
            .map(|p| p.as_u64().expect("class") as usize)
            .collect();
        assert_eq!(ort.len(), set.len(), "{model}");
        for (i, row) in set.rows().enumerate() {
            let x: Vec<f64> = spec.input.dequantise(row);
            let ours = argmax(&net.forward(&x));
            assert_eq!(
                ours, ort[i],
                "{model}: row {i}, folded network vs onnxruntime"
            );
            let tract = runner.predict(row).expect("tract runs");
            assert_eq!(ours, tract, "{model}: row {i}, folded network vs tract");
        }
    }
}

#[test]
fn evaluate_stays_within_a_point_of_onnxruntime() {
    for (model, spec_dir, set_path) in positive() {
        let o = evaluate(true, &spec_dir, &exporters(model), &set_path, &[]);
        expect_exit(&o, 0, model);
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        let ort = recorded(model);
        let float = v["float_accuracy"].as_f64().expect("float");
        let quantised = v["quantised_accuracy"].as_f64().expect("quantised");
        let ort_float = ort["float_accuracy"].as_f64().expect("recorded");
        eprintln!(
            "{model}: onnxruntime {ort_float:.4}, tract {float:.4}, quantised {quantised:.4}"
        );
        assert_eq!(
            v["float_correct"], ort["float_correct"],
            "{model}: tract vs onnxruntime"
        );
        assert!(
            (quantised - ort_float).abs() <= 0.01,
            "{model}: quantised {quantised} vs onnxruntime float {ort_float}"
        );
        assert_eq!(v["meets_threshold"], true, "{model}");
    }
}

/// scikit-learn's default L2 leaves a folded `StandardScaler` with weights ~500× the median on
/// border pixels that are almost always 0. With real calibration rows the quantiser saturates
/// them and stays within a point of onnxruntime; with the default random rows it cannot tell
/// those inputs are idle, loses accuracy, and says what to do.
#[test]
fn a_standard_scaler_at_default_l2_quantises_with_real_calibration_rows() {
    let model = "skl-standard-default-mlp32.onnx";
    let digits = root().join("contest-specs/digits");
    let run = |calibration: Option<&Path>| {
        let extra = match calibration {
            Some(c) => vec!["--calibration", s(c)],
            None => vec![],
        };
        let set = digits.join("digits-test.zkts");
        let o = evaluate(true, &digits, &exporters(model), &set, &extra);
        expect_exit(&o, 0, model);
        serde_json::from_slice::<Value>(&o.stdout).expect("json")
    };
    let ort = recorded(model)["float_accuracy"]
        .as_f64()
        .expect("recorded");
    let cal = digits.join("digits-calibration.zkts");
    let with = run(Some(&cal));
    let quantised = with["quantised_accuracy"].as_f64().expect("quantised");
    eprintln!("{model}: onnxruntime {ort:.4}, quantised with calibration rows {quantised:.4}");
    assert!((quantised - ort).abs() <= 0.01, "{quantised} vs {ort}");
    assert_eq!(with["calibration_hint"], Value::Null);
    let without = run(None);
    assert!(
        without["calibration_hint"]
            .as_str()
            .is_some_and(|h| h.contains("--calibration")),
        "{without}"
    );
}

#[test]
fn inspect_reads_the_probabilities_output_of_a_two_output_model() {
    let path = exporters("skl-minmax-mlp16.onnx");
    let o = cli(&["--json", "model", "inspect", s(&path)]);
    expect_exit(&o, 0, "inspect");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["output"]["name"], "probabilities");
    assert_eq!(v["dense_widths"], serde_json::json!([64, 16, 10]));
    assert_eq!(v["softmax_dropped"], true);
}

#[test]
fn negative_fixtures_name_the_op_and_the_node() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "tree.onnx",
            &[
                "TreeEnsembleClassifier",
                "tree ensembles are not supported yet",
            ],
        ),
        (
            "div-zero.onnx",
            &["div_std", "(Div)", "divides by zero", "feature 5"],
        ),
        ("skl-zipmap.onnx", &["`ZipMap`", "zipmap=False"]),
    ];
    let digits = root().join("contest-specs/digits");
    for (model, needles) in cases {
        let path = exporters(model);
        let e = OnnxFile::read(&path)
            .expect("decodes")
            .dense_network()
            .expect_err(model)
            .to_string();
        let o = evaluate(false, &digits, &path, &digits.join("digits-test.zkts"), &[]);
        expect_exit(&o, 2, model);
        let err = String::from_utf8_lossy(&o.stderr);
        for n in needles {
            assert!(e.contains(n), "{model}: {n:?} missing in {e}");
            assert!(err.contains(n), "{model}: {n:?} missing in {err}");
        }
    }
}

/// skl2onnx's MinMaxScaler pipeline (hidden width 16) in the mini contest: setup, prove,
/// verify.
#[test]
fn exporter_model_proves_end_to_end() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mini = root().join("tests/fixtures/mini-contest");
    let (spec, testset) = (mini.join("contest.toml"), mini.join("mini-test.zkts"));
    let model = exporters("skl-minmax-mlp16.onnx");
    let (_, proved) = setup_prove_verify(&spec, &model, &testset, tmp.path());
    assert!(
        proved["correct"].as_u64().is_some_and(|c| c >= 7),
        "{proved}"
    );
}
