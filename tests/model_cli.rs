//! `contest-cli model …` and `testset commit` through the real binary: results on stdout,
//! and every bad input exits 2 with a message naming the problem.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn digits(rel: &str) -> String {
    root()
        .join("contest-specs/digits")
        .join(rel)
        .display()
        .to_string()
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `model evaluate` on a model file and returns the output.
fn evaluate(model: &str) -> Output {
    run(&[
        "model",
        "evaluate",
        "--spec",
        &digits("contest.toml"),
        "--model",
        model,
        "--testset",
        &digits("digits-test.zkts"),
    ])
}

/// Asserts exit code 2, an empty stdout, and that stderr contains every needle.
fn assert_input_error(o: &Output, needles: &[&str]) {
    assert!(
        o.stdout.is_empty(),
        "stdout must stay empty on error: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_failure_names(o, needles);
}

/// Asserts exit code 2 and that stderr contains every needle (`model inspect` still prints
/// the graph summary it could read on stdout).
fn assert_failure_names(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
}

fn temp_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn testset_commit_prints_t() {
    let o = run(&[
        "testset",
        "commit",
        "--spec",
        &digits("contest.toml"),
        "--testset",
        &digits("digits-test.zkts"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.trim(), include_str!("fixtures/digits-test.T").trim());
    let o = run(&[
        "--json",
        "testset",
        "commit",
        "--spec",
        &digits(""),
        "--testset",
        &digits("digits-test.zkts"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"], 360);
    assert_eq!(v["elements"], 477);
}

#[test]
fn evaluate_reports_fractions_in_json() {
    let o = run(&[
        "--json",
        "model",
        "evaluate",
        "--spec",
        &digits("contest.toml"),
        "--model",
        &digits("models/mlp-h32.onnx"),
        "--testset",
        &digits("digits-test.zkts"),
        "--calibration",
        &digits("digits-calibration.zkts"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["float_accuracy", "quantised_accuracy", "agreement"] {
        let x = v[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    }
    assert!(v["quantised_accuracy"].as_f64().unwrap() > 0.9);
    assert_eq!(v["padded_widths"], serde_json::json!([64, 64, 10]));
}

#[test]
fn inspect_shows_ops_and_fit() {
    let o = run(&[
        "model",
        "inspect",
        &digits("models/mlp-h64.onnx"),
        "--spec",
        &digits("contest.toml"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "Gemm",
        "Softmax",
        "parameters: 4810",
        "64 → 64 → 10",
        "fits contest `digits`",
    ] {
        assert!(out.contains(needle), "{needle:?} missing in {out}");
    }
}

#[test]
fn empty_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = temp_file(dir.path(), "empty.onnx", b"");
    assert_input_error(&run(&["model", "inspect", &p]), &["empty.onnx", "is empty"]);
    assert_input_error(&evaluate(&p), &["is empty"]);
    let t = temp_file(dir.path(), "empty.zkts", b"");
    assert_input_error(
        &run(&["testset", "commit", "--spec", &digits(""), "--testset", &t]),
        &["test set file is empty"],
    );
}

#[test]
fn random_bytes_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let mut bytes = vec![0u8; 4096];
    rng.fill_bytes(&mut bytes);
    let p = temp_file(dir.path(), "random.onnx", &bytes);
    assert_input_error(&evaluate(&p), &["random.onnx", "not a valid ONNX model"]);
    let t = temp_file(dir.path(), "random.zkts", &bytes);
    assert_input_error(
        &run(&["testset", "commit", "--spec", &digits(""), "--testset", &t]),
        &["not a test set file"],
    );
}

#[test]
fn truncated_onnx_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(digits("models/mlp-h32.onnx")).unwrap();
    for cut in [full.len() / 2, full.len() - 7, 100] {
        let p = temp_file(dir.path(), "truncated.onnx", &full[..cut]);
        let o = evaluate(&p);
        assert_eq!(o.status.code(), Some(2), "cut at {cut}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("not a valid ONNX model")
                || err.contains("malformed")
                || err.contains("truncated"),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn conv_in_the_middle_is_rejected() {
    assert_input_error(
        &evaluate(&fixture("conv-middle.onnx")),
        &[
            "ONNX node `conv1` (Conv)",
            "needs image data",
            "[N, C, H, W]",
        ],
    );
}

#[test]
fn sigmoid_in_the_middle_is_rejected() {
    assert_input_error(
        &evaluate(&fixture("sigmoid-middle.onnx")),
        &["unsupported ONNX op `Sigmoid`", "node `sigmoid1`", "ReLU"],
    );
}

#[test]
fn too_wide_model_is_rejected() {
    let needles = [
        "layer 1 (node `dense1`) has 100 outputs",
        "at most 64",
        "36 too wide",
    ];
    assert_input_error(&evaluate(&fixture("too-wide.onnx")), &needles);
    assert_failure_names(
        &run(&[
            "model",
            "inspect",
            &fixture("too-wide.onnx"),
            "--spec",
            &digits(""),
        ]),
        &needles,
    );
    assert_input_error(
        &evaluate(&fixture("three-layers.onnx")),
        &["3 dense layers", "envelope has 2"],
    );
}

#[test]
fn non_finite_weights_are_rejected() {
    assert_input_error(
        &evaluate(&fixture("nan-weights.onnx")),
        &["tensor `W1`", "NaN", "index 49"],
    );
    assert_input_error(
        &evaluate(&fixture("inf-weights.onnx")),
        &["tensor `W1`", "inf", "index 49"],
    );
}

/// A copy of the digits test set with `edit` applied to its bytes.
fn edited_testset(dir: &Path, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = std::fs::read(digits("digits-test.zkts")).unwrap();
    edit(&mut bytes);
    temp_file(dir, "edited.zkts", &bytes)
}

#[test]
fn testset_with_wrong_row_length_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    // 63 features per row: header says so and the rows are one byte shorter.
    let p = edited_testset(dir.path(), |b| {
        let mut out = b[..28].to_vec();
        out[12] = 63;
        for row in b[28..].chunks(66) {
            out.extend_from_slice(&row[..63]);
            out.extend_from_slice(&row[64..]);
        }
        *b = out;
    });
    assert_input_error(
        &run(&["testset", "commit", "--spec", &digits(""), "--testset", &p]),
        &["wrong row length", "63", "64"],
    );
    // Header intact, one byte missing at the end: truncated, with the place.
    let p = edited_testset(dir.path(), |b| {
        b.pop();
    });
    assert_input_error(
        &run(&["testset", "commit", "--spec", &digits(""), "--testset", &p]),
        &["truncated", "row 359, label"],
    );
}

#[test]
fn out_of_range_label_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = edited_testset(dir.path(), |b| b[28 + 3 * 66 + 64] = 12);
    assert_input_error(
        &run(&["testset", "commit", "--spec", &digits(""), "--testset", &p]),
        &["row 3", "label 12 is out of range", "0 ..= 9"],
    );
    let p = edited_testset(dir.path(), |b| b[28 + 4 * 66 + 5] = 20);
    assert_input_error(
        &evaluate_with_testset(&p),
        &["row 4, column 5", "feature 20", "[0, 16]"],
    );
}

fn evaluate_with_testset(testset: &str) -> Output {
    run(&[
        "model",
        "evaluate",
        "--spec",
        &digits(""),
        "--model",
        &digits("models/mlp-h16.onnx"),
        "--testset",
        testset,
    ])
}

#[test]
fn spec_with_missing_or_out_of_range_field_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(digits("contest.toml")).unwrap();
    let missing = temp_file(
        dir.path(),
        "missing.toml",
        text.replace("logit_bits = 24\n", "").as_bytes(),
    );
    assert_input_error(
        &run(&[
            "testset",
            "commit",
            "--spec",
            &missing,
            "--testset",
            &digits("digits-test.zkts"),
        ]),
        &["missing field `quantisation.logit_bits`"],
    );
    let bad = temp_file(
        dir.path(),
        "bad.toml",
        text.replace("activation_max = 255", "activation_max = 0")
            .as_bytes(),
    );
    assert_input_error(
        &run(&[
            "model",
            "evaluate",
            "--spec",
            &bad,
            "--model",
            &digits("models/mlp-h16.onnx"),
            "--testset",
            &digits("digits-test.zkts"),
        ]),
        &["quantisation.activation_max", "= 0", "1 ..= 32767"],
    );
    let rows = temp_file(
        dir.path(),
        "rows.toml",
        text.replace("rows = 360", "rows = 100").as_bytes(),
    );
    assert_input_error(
        &run(&[
            "testset",
            "commit",
            "--spec",
            &rows,
            "--testset",
            &digits("digits-test.zkts"),
        ]),
        &["rows is 360", "expected 100"],
    );
}
