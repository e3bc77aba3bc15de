//! The organiser's tabular path through the real binary: `spec init` from a training CSV,
//! `testset import` from CSV and NumPy, `testset commit` and `model evaluate` on the result
//! (a schema-2 spec), and every bad cell exiting 2 with its row and column.
//!
//! Data: `contest-specs/breast-cancer/` (scikit-learn's bundled breast-cancer set and an
//! skl2onnx pipeline, made by `scripts/make_breast_cancer.py`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zkcontest::spec::table::npy_v1;
use zkcontest::spec::{Spec, TestSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bc(rel: &str) -> String {
    root()
        .join("contest-specs/breast-cancer")
        .join(rel)
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

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn import(csv: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--json",
        "testset",
        "import",
        "--spec",
        "contest-specs/breast-cancer",
        "--label-column",
        "diagnosis",
        "--csv",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(root())
        .args(&args)
        .output()
        .unwrap()
}

/// The template's spec is exactly what `spec init` writes from its training CSV (so a change
/// to the scaffold's rule shows up here, and the template's specHash stays reproducible).
#[test]
fn spec_init_reproduces_the_breast_cancer_template() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "--json",
        "spec",
        "init",
        "--csv",
        &bc("train.csv"),
        "--label-column",
        "diagnosis",
        "--name",
        "breast-cancer",
        "--hidden",
        "16",
        "--test-rows",
        "143",
        "--threshold-bps",
        "9000",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let j = json(&o);
    assert_eq!(j["features"], 30);
    assert_eq!(
        j["class_labels"],
        serde_json::json!(["benign", "malignant"])
    );
    assert_eq!(j["class_counts"], serde_json::json!([267, 159]));
    assert_eq!(j["envelope"], serde_json::json!([30, 16, 2]));
    let made = std::fs::read_to_string(dir.path().join("contest.toml")).unwrap();
    let committed = std::fs::read_to_string(bc("contest.toml")).unwrap();
    assert_eq!(made, committed);
    // Every column: unsigned 8 bits, the training range inside it.
    let spec = Spec::from_toml_str(&made).unwrap();
    assert_eq!((spec.input.min, spec.input.max), (0, 255));
    // An existing spec is kept.
    let again = run(&[
        "spec",
        "init",
        "--csv",
        &bc("train.csv"),
        "--label-column",
        "diagnosis",
        "--name",
        "x",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
}

#[test]
fn csv_npz_and_npy_imports_give_one_test_set_that_commits() {
    let dir = tempfile::tempdir().unwrap();
    let from_csv = dir.path().join("csv.zkts");
    let j = json(&import(Path::new(&bc("test.csv")), &from_csv, &[]));
    assert_eq!(j["rows"], 143);
    assert_eq!(j["class_counts"], serde_json::json!([90, 53]));
    // Test values beyond the training range widened by 10 %: saturated and counted.
    assert_eq!(j["saturated_values"], 6);
    assert_eq!(j["saturated"][0]["column"], "texture error");
    assert_eq!(j["saturated"][0]["above"], 1);

    let from_npz = dir.path().join("npz.zkts");
    let o = run(&[
        "testset",
        "import",
        "--spec",
        &bc(""),
        "--npz",
        &bc("test.npz"),
        "--out",
        from_npz.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("saturated values: 6 of 4290"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&from_csv).unwrap(),
        std::fs::read(&from_npz).unwrap()
    );
    // The template's committed test set is this import.
    assert_eq!(
        std::fs::read(&from_csv).unwrap(),
        std::fs::read(bc("breast-cancer-test.zkts")).unwrap()
    );

    // Labels: the CSV's strings mapped by class_labels.
    let spec = Spec::from_path(Path::new(&bc(""))).unwrap();
    let set = TestSet::from_path(&from_csv, &spec).unwrap();
    let csv = std::fs::read_to_string(bc("test.csv")).unwrap();
    let want: Vec<usize> = csv
        .lines()
        .skip(1)
        .map(|l| usize::from(l.ends_with(",malignant")))
        .collect();
    assert_eq!(set.labels(), want.as_slice());

    let o = run(&[
        "--json",
        "testset",
        "commit",
        "--spec",
        &bc(""),
        "--testset",
        from_csv.to_str().unwrap(),
    ]);
    let t = json(&o);
    assert_eq!(t["rows"], 143);
    assert!(t["T"].as_str().unwrap().starts_with("0x"));
}

/// CSV → spec → test set → skl2onnx model → `model evaluate`: the float accuracy (tract, on
/// the dequantised floats) is onnxruntime's on the raw floats within 2 rows, and the quantised
/// accuracy within 1 percentage point of the float accuracy.
#[test]
fn model_evaluate_on_a_schema_2_spec() {
    let dir = tempfile::tempdir().unwrap();
    let test = dir.path().join("test.zkts");
    json(&import(Path::new(&bc("test.csv")), &test, &[]));
    let train = dir.path().join("train.zkts");
    json(&import(
        Path::new(&bc("train.csv")),
        &train,
        &["--any-rows"],
    ));
    assert_eq!(
        std::fs::read(&train).unwrap(),
        std::fs::read(bc("breast-cancer-calibration.zkts")).unwrap()
    );
    let ort: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bc("models/onnxruntime.json")).unwrap())
            .unwrap();
    let ort_correct = ort["onnxruntime_correct"].as_i64().unwrap();
    for calibration in [None, Some(&train)] {
        let mut args = vec![
            "--json".to_string(),
            "model".into(),
            "evaluate".into(),
            "--spec".into(),
            bc(""),
            "--model".into(),
            bc("models/mlp-h16.onnx"),
            "--testset".into(),
            test.display().to_string(),
        ];
        if let Some(c) = calibration {
            args.extend(["--calibration".into(), c.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let j = json(&run(&args));
        let float = j["float_correct"].as_i64().unwrap();
        let quant = j["quantised_correct"].as_i64().unwrap();
        assert!((float - ort_correct).abs() <= 2, "{j}");
        assert!((quant - float).abs() <= 1, "{j}");
        assert_eq!(j["meets_threshold"], true, "{j}");
        assert_eq!(j["padded_widths"], serde_json::json!([30, 16, 2]));
    }
}

/// The test CSV's header and first three rows, with `edit` applied to the text.
fn small_csv(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let csv = std::fs::read_to_string(bc("test.csv")).unwrap();
    let text: String = csv.lines().take(4).map(|l| format!("{l}\n")).collect();
    let path = dir.join(name);
    std::fs::write(&path, edit(text)).unwrap();
    path
}

#[test]
fn bad_cells_exit_2_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.zkts");
    // Row 2 (line 3) is "12.47,17.31,..." in the committed test.csv.
    let row2 = |text: &str, cell: &str| {
        let lines: Vec<&str> = text.lines().collect();
        let mut cells: Vec<String> = lines[2].split(',').map(str::to_string).collect();
        cells[1] = cell.to_string();
        let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        l[2] = cells.join(",");
        l.join("\n") + "\n"
    };
    for (cell, problem) in [
        ("NaN", "NaN is not a value"),
        ("", "missing value (empty cell)"),
        ("NA", "missing value (\"NA\")"),
        ("12,5", "cells, the header has"),
        ("abc", "\"abc\" is not a number"),
        ("inf", "\"inf\" is not finite"),
    ] {
        let csv = small_csv(dir.path(), "bad.csv", |t| row2(&t, cell));
        let o = import(&csv, &out, &["--any-rows"]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cell:?}: {e}");
        assert!(e.contains(problem), "{cell:?}: {e}");
        if problem != "cells, the header has" {
            assert!(
                e.contains("bad.csv: row 2 (line 3), column \"mean texture\""),
                "{cell:?}: {e}"
            );
        } else {
            assert!(e.contains("bad.csv: line 3"), "{e}");
        }
        assert!(!out.exists(), "no file written for bad input");
    }
    // An unknown label names the row, the column and the known labels.
    let csv = small_csv(dir.path(), "label.csv", |t| {
        t.replacen(",benign\n", ",Benign\n", 1)
    });
    let o = import(&csv, &out, &["--any-rows"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("label column \"diagnosis\": unknown label \"Benign\"")
            && e.contains("[\"benign\", \"malignant\"]"),
        "{e}"
    );
    // A spec column missing from the header; a missing label column.
    let csv = small_csv(dir.path(), "col.csv", |t| {
        t.replacen("mean area", "mean_area", 1)
    });
    let e = stderr(&import(&csv, &out, &["--any-rows"]));
    assert!(
        e.contains("no column named \"mean area\" (input.columns[3] of the spec)"),
        "{e}"
    );
    let csv = small_csv(dir.path(), "nolabel.csv", |t| {
        t.replacen("diagnosis", "dx", 1)
    });
    let e = stderr(&import(&csv, &out, &["--any-rows"]));
    assert!(
        e.contains("no column named \"diagnosis\" (--label-column)"),
        "{e}"
    );
    // Three rows are not the spec's 143 unless --any-rows.
    let csv = small_csv(dir.path(), "rows.csv", |t| t);
    let o = import(&csv, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("3 rows, the spec's test_set.rows is 143"),
        "{}",
        stderr(&o)
    );
    // An extra column is ignored and reported.
    let csv = small_csv(dir.path(), "extra.csv", |t| {
        t.lines().map(|l| format!("{l},x\n")).collect()
    });
    let j = json(&import(&csv, &out, &["--any-rows"]));
    assert_eq!(j["ignored_columns"], serde_json::json!(["x"]));
}

#[test]
fn out_of_range_values_saturate_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.zkts");
    let csv = small_csv(dir.path(), "sat.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        for (row, v) in [(1, "-1e9"), (2, "1e9"), (3, "1e300")] {
            let mut cells: Vec<&str> = lines[row].split(',').collect();
            cells[3] = v; // "mean area"
            lines[row] = cells.join(",");
        }
        lines.join("\n") + "\n"
    });
    let j = json(&import(&csv, &out, &["--any-rows"]));
    assert_eq!(j["saturated_values"], 3);
    assert_eq!(
        j["saturated"],
        serde_json::json!([{"column": "mean area", "below": 1, "above": 2}])
    );
    let spec = Spec::from_path(Path::new(&bc(""))).unwrap();
    let set = TestSet::from_path_any_rows(&out, &spec).unwrap();
    let area: Vec<i64> = set.rows().map(|r| r[3]).collect();
    assert_eq!(area, [0, 255, 255]);
}

/// A schema-1 spec reads CSVs too: every column but the label, in order, quantised by the one
/// scale (the mini contest's pixels `v × 1/16` give back its test set).
#[test]
fn a_schema_1_spec_imports_its_own_rows_back() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = root().join("tests/fixtures/mini-contest");
    let spec = Spec::from_path(&spec_path).unwrap();
    let set = TestSet::from_path(&spec_path.join("mini-test.zkts"), &spec).unwrap();
    let mut text: String = (0..64).map(|c| format!("p{c},")).collect();
    text += "digit\n";
    for (row, y) in set.rows().zip(set.labels()) {
        for v in row {
            text += &format!("{},", *v as f64 / 16.0);
        }
        text += &format!("{y}\n");
    }
    let csv = dir.path().join("mini.csv");
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("mini.zkts");
    let o = run(&[
        "testset",
        "import",
        "--spec",
        spec_path.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--label-column",
        "digit",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(TestSet::from_path(&out, &spec).unwrap(), set);
}

/// The organiser's whole tabular path on anvil: `spec init` from the training CSV →
/// `testset import` of the test CSV → `contest-cli demo` (keys at k = 15, verifier deployed,
/// contest created, the skl2onnx model committed, the test set revealed, the proof verified on
/// chain, the model revealed, the prize paid). The proved count is the quantised count
/// `model evaluate` reports.
#[test]
fn a_csv_contest_runs_from_spec_init_to_payout_on_anvil() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec");
    let s = |p: &Path| p.display().to_string();
    json(&run(&[
        "--json",
        "spec",
        "init",
        "--csv",
        &bc("train.csv"),
        "--label-column",
        "diagnosis",
        "--name",
        "bc-anvil",
        "--hidden",
        "16",
        "--test-rows",
        "143",
        "--threshold-bps",
        "9000",
        "--out",
        &s(&spec),
    ]));
    let test = spec.join("test.zkts");
    json(&import(Path::new(&bc("test.csv")), &test, &[]));
    let evaluated = json(&run(&[
        "--json",
        "model",
        "evaluate",
        "--spec",
        &s(&spec),
        "--model",
        &bc("models/mlp-h16.onnx"),
        "--testset",
        &s(&test),
    ]));
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(root())
        .args([
            "--json",
            "demo",
            "--spec",
            &s(&spec),
            "--testset",
            &s(&test),
        ])
        .args(["--model", &bc("models/mlp-h16.onnx"), "--no-dashboard"])
        .args(["--work", &s(&dir.path().join("work"))])
        .output()
        .unwrap();
    let out = json(&o);
    let summary = &out["summary"];
    assert_eq!(summary["phase"], "settled", "{summary}");
    let winner = &summary["leaderboard"][0];
    assert_eq!(winner["rank"], 1, "{summary}");
    assert_eq!(winner["rows"], 143);
    assert_eq!(
        winner["correct"], evaluated["quantised_correct"],
        "{summary}"
    );
    assert!(summary["gas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["action"] == "submitProof"));
}

/// Schema 2 is a superset: the mini contest written as schema 2 (64 named columns with its one
/// range and scale, zero point 0) has the same circuit plan, the same `T` and the same quantised
/// model and accuracy as the schema-1 original.
#[test]
fn a_schema_1_spec_transcribed_to_schema_2_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mini = root().join("tests/fixtures/mini-contest");
    let v1 = std::fs::read_to_string(mini.join("contest.toml")).unwrap();
    let (head, rest) = v1.split_once("features = 64\n").unwrap();
    let (_, tail) = rest.split_once("scale = 0.0625\n").unwrap();
    let columns: String = (0..64)
        .map(|c| {
            format!(
                "[[input.columns]]\nname = \"p{c}\"\nmin = 0\nmax = 16\nscale = 0.0625\nzero_point = 0\n"
            )
        })
        .collect();
    let v2 = format!("{head}features = 64\n{columns}{tail}")
        .replace("schema_version = 1", "schema_version = 2");
    let v2_dir = dir.path().join("v2");
    std::fs::create_dir(&v2_dir).unwrap();
    std::fs::write(v2_dir.join("contest.toml"), v2).unwrap();
    assert_eq!(Spec::from_path(&v2_dir).unwrap().schema_version, 2);

    let testset = mini.join("mini-test.zkts").display().to_string();
    let model = root()
        .join("tests/fixtures/exporters/skl-minmax-mlp16.onnx")
        .display()
        .to_string();
    let both = |args: &[&str]| {
        let out = |spec: &Path| {
            let mut a = vec!["--json"];
            a.extend_from_slice(args);
            let spec = spec.display().to_string();
            a.extend(["--spec", spec.as_str()]);
            let mut j = json(&run(&a));
            j.as_object_mut().unwrap().remove("seconds");
            j
        };
        assert_eq!(out(&mini), out(&v2_dir), "{args:?}");
    };
    both(&["setup", "--plan-only"]);
    both(&["testset", "commit", "--testset", &testset]);
    both(&[
        "model",
        "evaluate",
        "--model",
        &model,
        "--testset",
        &testset,
    ]);
}

/// `--npy X.npy --labels Y.npy` (float64 features, fixed-width string labels) gives the CSV's
/// test set; a NaN in the array is refused naming its row and the spec's column.
#[test]
fn npy_pair_import_matches_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(bc("test.csv")).unwrap();
    let mut x: Vec<f64> = Vec::new();
    let mut y: Vec<u8> = Vec::new();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        x.extend(cells[..30].iter().map(|c| c.parse::<f64>().unwrap()));
        let mut label: Vec<u32> = cells[30].chars().map(|c| c as u32).collect();
        label.resize(9, 0);
        y.extend(label.iter().flat_map(|c| c.to_le_bytes()));
    }
    let write_x = |x: &[f64]| {
        let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(dir.path().join("x.npy"), npy_v1("<f8", "(143, 30)", &bytes)).unwrap();
    };
    write_x(&x);
    std::fs::write(dir.path().join("y.npy"), npy_v1("<U9", "(143,)", &y)).unwrap();
    let (from_npy, from_csv) = (dir.path().join("npy.zkts"), dir.path().join("csv.zkts"));
    json(&import(Path::new(&bc("test.csv")), &from_csv, &[]));
    let args = |out: &Path| {
        run(&[
            "testset",
            "import",
            "--spec",
            &bc(""),
            "--npy",
            &dir.path().join("x.npy").display().to_string(),
            "--labels",
            &dir.path().join("y.npy").display().to_string(),
            "--out",
            &out.display().to_string(),
        ])
    };
    let o = args(&from_npy);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&from_csv).unwrap(),
        std::fs::read(&from_npy).unwrap()
    );

    x[4 * 30 + 2] = f64::NAN;
    write_x(&x);
    let o = args(&dir.path().join("nan.zkts"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("x.npy: row 5, column \"mean perimeter\": NaN is not a value"),
        "{}",
        stderr(&o)
    );
}
