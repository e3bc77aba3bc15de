//! Convolutional models as PyTorch exports them (`tests/fixtures/cnn/` and the digits-cnn
//! samples, made by `scripts/train_digits_cnn.py`): Conv with BatchNormalization folded, ReLU
//! before or after max pooling, average pooling, an input scale in the graph, Flatten or
//! Reshape. Each imports to a network whose predictions equal onnxruntime's (recorded by the
//! script) and tract's, `model evaluate` keeps the quantised accuracy within one point of
//! onnxruntime's float accuracy, a max-pooling and an average-pooling one are proved end to end
//! at N = 4, and models that do not
//! fit an envelope's image stages are refused naming the stage.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{argmax, cli, evaluate, expect_exit, path_str as s, root, setup_prove_verify};
use serde_json::Value;
use zkcontest::model::{FloatRunner, OnnxFile};
use zkcontest::spec::{Spec, TestSet};

fn cnn(name: &str) -> PathBuf {
    root().join("tests/fixtures/cnn").join(name)
}

fn digits_cnn() -> PathBuf {
    root().join("contest-specs/digits-cnn")
}

fn digits_test() -> PathBuf {
    root().join("contest-specs/digits/digits-test.zkts")
}

/// `(model file, spec directory, onnxruntime.json)` of every positive model.
fn positive() -> Vec<(PathBuf, PathBuf, PathBuf)> {
    let samples = digits_cnn().join("models");
    vec![
        (
            cnn("cnn-c6-bn-max.onnx"),
            digits_cnn(),
            cnn("onnxruntime.json"),
        ),
        (
            cnn("cnn-c8-pool-relu.onnx"),
            digits_cnn(),
            cnn("onnxruntime.json"),
        ),
        (
            cnn("cnn-c8-bn-avg.onnx"),
            cnn("avg"),
            cnn("onnxruntime.json"),
        ),
        (
            samples.join("cnn-c8-max.onnx"),
            digits_cnn(),
            samples.join("onnxruntime.json"),
        ),
        (
            samples.join("cnn-c4-max.onnx"),
            digits_cnn(),
            samples.join("onnxruntime.json"),
        ),
    ]
}

/// What the script recorded for `model`.
fn recorded(model: &Path, record: &Path) -> Value {
    let text = std::fs::read_to_string(record).expect("onnxruntime.json");
    let v: Value = serde_json::from_str(&text).expect("json");
    let name = model.file_name().and_then(|n| n.to_str()).expect("name");
    v["models"][name].clone()
}

#[test]
fn cnn_networks_predict_like_onnxruntime_and_tract() {
    for (model, spec_dir, record) in positive() {
        let name = model.display().to_string();
        let spec = Spec::from_path(&spec_dir).expect("spec");
        let set = TestSet::from_path_any_rows(&digits_test(), &spec).expect("test set");
        let file = OnnxFile::read(&model).expect("reads");
        let net = file
            .dense_network()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        net.check_fits(&spec.envelope)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(net.input_shape, Some([1, 8, 8]), "{name}");
        assert_eq!(net.image.len(), 2, "{name}: a convolution and a pooling");
        let runner = FloatRunner::new(&file, &spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ort: Vec<usize> = recorded(&model, &record)["predictions"]
            .as_array()
            .expect("predictions")
            .iter()
            .map(|p| p.as_u64().expect("class") as usize)
            .collect();
        assert_eq!(ort.len(), set.len(), "{name}");
        // The padded network computes the same function (extra channels are zero).
        let padded = net.padded(&spec.envelope).expect("pads");
        for (i, row) in set.rows().enumerate() {
            let x: Vec<f64> = spec.input.dequantise(row);
            let ours = argmax(&net.forward(&x));
            assert_eq!(
                ours, ort[i],
                "{name}: row {i}, folded network vs onnxruntime"
            );
            assert_eq!(argmax(&padded.forward(&x)), ours, "{name}: row {i}, padded");
            let tract = runner.predict(row).expect("tract runs");
            assert_eq!(ours, tract, "{name}: row {i}, folded network vs tract");
        }
    }
}

#[test]
fn cnn_evaluate_stays_within_a_point_of_onnxruntime() {
    let calibration = root().join("contest-specs/digits/digits-calibration.zkts");
    for (model, spec_dir, record) in positive() {
        let name = model.display().to_string();
        let o = evaluate(
            true,
            &spec_dir,
            &model,
            &digits_test(),
            &["--calibration", s(&calibration)],
        );
        expect_exit(&o, 0, &name);
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        let ort = recorded(&model, &record);
        let float = v["float_accuracy"].as_f64().expect("float");
        let quantised = v["quantised_accuracy"].as_f64().expect("quantised");
        let ort_float = ort["float_accuracy"].as_f64().expect("recorded");
        eprintln!("{name}: onnxruntime {ort_float:.4}, tract {float:.4}, quantised {quantised:.4}");
        assert_eq!(
            v["float_correct"], ort["float_correct"],
            "{name}: tract vs onnxruntime"
        );
        assert!(
            (quantised - ort_float).abs() <= 0.01,
            "{name}: quantised {quantised} vs onnxruntime float {ort_float}"
        );
        // A shift for the convolution and one for the dense layer.
        assert_eq!(v["shifts"].as_array().map(Vec::len), Some(2), "{name}: {v}");
    }
}

#[test]
fn inspect_lists_the_image_stages() {
    let model = cnn("cnn-c6-bn-max.onnx");
    let o = cli(&[
        "--json",
        "model",
        "inspect",
        "--spec",
        s(&digits_cnn()),
        s(&model),
    ]);
    expect_exit(&o, 0, "inspect");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["image_stages"],
        serde_json::json!([
            "conv2d 3×3 (stride 1, padding 1) to 6 channels",
            "maxpool 2×2 (stride 2)"
        ])
    );
    assert_eq!(v["dense_widths"], serde_json::json!([96, 10]));
    assert_eq!(v["padded_widths"], serde_json::json!([128, 10]));
    assert_eq!(v["fits_envelope"], true);
}

/// Models whose image stages differ from the envelope's are refused naming the stage.
#[test]
fn image_stages_must_match_the_envelope() {
    let digits = root().join("contest-specs/digits");
    let cases: [(PathBuf, PathBuf, &[&str]); 3] = [
        (
            cnn("cnn-c8-bn-avg.onnx"),
            digits_cnn(),
            &[
                "image stage 2 is avgpool 2×2",
                "the envelope's is maxpool 2×2",
            ],
        ),
        (
            cnn("cnn-c6-bn-max.onnx"),
            digits.clone(),
            &[
                "the model has 2 image stages",
                "the envelope no image stages",
            ],
        ),
        (
            digits.join("models/mlp-h32.onnx"),
            digits_cnn(),
            &[
                "the model has no image stages",
                "the envelope 2 image stages",
            ],
        ),
    ];
    for (model, spec, needles) in cases {
        let o = evaluate(false, &spec, &model, &digits_test(), &[]);
        expect_exit(&o, 2, s(&model));
        let err = String::from_utf8_lossy(&o.stderr);
        for n in needles {
            assert!(
                err.contains(n),
                "{}: {n:?} missing in {err}",
                model.display()
            );
        }
    }
}

/// Conv → BatchNormalization → Relu → MaxPool and Conv → BatchNormalization → Relu →
/// AveragePool models in their envelopes at N = 4: setup, prove, verify; the count matches
/// `model evaluate`'s.
#[test]
fn cnns_prove_end_to_end() {
    let testset = cnn("mini/mini-test.zkts");
    for (spec, model) in [
        (cnn("mini"), cnn("cnn-c6-bn-max.onnx")),
        (cnn("mini-avg"), cnn("cnn-c8-bn-avg.onnx")),
    ] {
        let name = model.display().to_string();
        let tmp = tempfile::tempdir().expect("temp dir");
        let (plan, proved) = setup_prove_verify(&spec, &model, &testset, tmp.path());
        assert!(
            plan["figures"]["k"].as_u64().is_some_and(|k| k <= 15),
            "{plan}"
        );
        let o = evaluate(true, &spec, &model, &testset, &[]);
        expect_exit(&o, 0, "evaluate");
        let evaluated: Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(
            proved["correct"], evaluated["quantised_correct"],
            "{name}: {proved}"
        );
        assert!(
            proved["correct"].as_u64().is_some_and(|c| c >= 3),
            "{name}: {proved}"
        );
    }
}

/// A NumPy `.npy` (format 1.0, C order) of `descr` values (`data` already encoded).
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.as_slice() {
        [one] => format!("({one},)"),
        many => format!("({})", many.join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

/// Images as NumPy writes them (`[rows, 1, 8, 8]` of the real values a model sees, pixel / 16)
/// import into the digits-cnn spec as exactly the digits test set; a shape whose values per row
/// are not the spec's features is refused.
#[test]
fn image_arrays_import_as_the_digits_test_set() {
    let spec = Spec::from_path(&digits_cnn()).expect("spec");
    let set = TestSet::from_path(&digits_test(), &spec).expect("test set");
    let tmp = tempfile::tempdir().expect("temp dir");
    let pixels: Vec<u8> = set
        .x()
        .iter()
        .flat_map(|&v| (v as f64 / 16.0).to_le_bytes())
        .collect();
    let labels: Vec<u8> = set.labels().iter().map(|&v| v as u8).collect();
    let (x, y, out) = (
        tmp.path().join("x.npy"),
        tmp.path().join("y.npy"),
        tmp.path().join("out.zkts"),
    );
    std::fs::write(&x, npy("<f8", &[set.len(), 1, 8, 8], &pixels)).expect("write");
    std::fs::write(&y, npy("|u1", &[set.len()], &labels)).expect("write");
    let import = |x: &Path| {
        cli(&[
            "testset",
            "import",
            "--spec",
            s(&digits_cnn()),
            "--npy",
            s(x),
            "--labels",
            s(&y),
            "--out",
            s(&out),
        ])
    };
    expect_exit(&import(&x), 0, "import");
    assert!(
        std::fs::read(&out).expect("written") == std::fs::read(digits_test()).expect("digits"),
        "the imported images are the digits test set byte for byte"
    );
    let cut = &pixels[..set.len() * 56 * 8];
    std::fs::write(&x, npy("<f8", &[set.len(), 1, 8, 7], cut)).expect("write");
    let o = import(&x);
    expect_exit(&o, 2, "wrong image shape");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("56 values per row") && err.contains("64 features"),
        "{err}"
    );
}

/// The demo with `--spec` alone takes the spec directory's test set and models: a whole CNN
/// contest at N = 4 on anvil, proofs verified on chain, settled.
#[test]
fn the_demo_runs_a_cnn_contest_from_the_spec_alone() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(root())
        .args([
            "--json",
            "demo",
            "--spec",
            "tests/fixtures/cnn/mini",
            "--no-dashboard",
        ])
        .args(["--work", s(&tmp.path().join("work"))])
        .output()
        .expect("demo runs");
    expect_exit(&o, 0, "demo");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let summary = &v["summary"];
    assert_eq!(summary["phase"], "settled", "{summary}");
    let board = summary["leaderboard"].as_array().expect("leaderboard");
    assert_eq!(board.len(), 2, "{summary}");
    assert!(
        board
            .iter()
            .all(|e| e["rows"] == 4 && e["status"] == "revealed"),
        "{summary}"
    );
    // No test set and no models next to a spec: the demo says what to pass.
    let bare = tmp.path().join("bare");
    std::fs::create_dir_all(&bare).expect("dir");
    std::fs::copy(cnn("mini/contest.toml"), bare.join("contest.toml")).expect("copy");
    let o = cli(&["demo", "--spec", s(&bare), "--no-dashboard"]);
    expect_exit(&o, 2, "bare spec");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no .onnx file") || err.contains("--model"),
        "{err}"
    );
    std::fs::create_dir_all(bare.join("models")).expect("dir");
    std::fs::copy(cnn("cnn-c6-bn-max.onnx"), bare.join("models/m.onnx")).expect("copy");
    let o = cli(&["demo", "--spec", s(&bare), "--no-dashboard"]);
    expect_exit(&o, 2, "no test set");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no --testset given and no *-test.zkts"),
        "{err}"
    );
}
