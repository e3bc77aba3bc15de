//! `contest-cli setup → prove → verify` through the real binary, on a small digits-shaped
//! contest (64 → ≤8 → 10, N = 8) built from the committed digits files: exit codes, the proof
//! directory, and tampering caught by `verify`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{expect_exit, root, setup_keys_with};
use serde_json::Value;
use zkcontest::prover::keys::ContestKeys;
use zkcontest::spec::{write_testset, Spec, TestSet};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(args)
        .output()
        .expect("contest-cli runs")
}

/// `contest-cli --json prove` of `model` under `salt` for the test contest's submitter,
/// contest and chain, with `files` (keys, output, test set, shard).
fn prove_with(spec: &str, model: &str, salt: &str, files: &[&str]) -> Output {
    let mut args = vec![
        "--json", "prove", "--spec", spec, "--model", model, "--salt", salt,
    ];
    args.extend_from_slice(&[
        "--submitter",
        "0x00000000000000000000000000000000000000aa",
        "--contest-id",
        "3",
        "--chain-id",
        "31337",
    ]);
    args.extend_from_slice(files);
    cli(&args)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON document")
}

/// The digits contest shrunk to a 64 → ≤8 → 10 envelope and its first 8 test rows.
fn mini_contest(dir: &Path) -> (PathBuf, PathBuf) {
    let digits = std::fs::read_to_string(root().join("contest-specs/digits/contest.toml"))
        .expect("digits spec");
    assert_eq!(digits.matches("max_width = 64").count(), 1);
    assert_eq!(digits.matches("rows = 360").count(), 1);
    let mini = digits
        .replace("name = \"digits\"", "name = \"digits-mini\"")
        .replace("max_width = 64", "max_width = 8")
        .replace("rows = 360", "rows = 8");
    let spec_path = dir.join("contest.toml");
    std::fs::write(&spec_path, mini).expect("write spec");
    let spec = Spec::from_path(&spec_path).expect("mini spec is valid");
    let full =
        TestSet::from_path_any_rows(&root().join("contest-specs/digits/digits-test.zkts"), &spec)
            .expect("digits test set");
    let set = TestSet::new(
        &spec,
        full.x()[..8 * 64].to_vec(),
        full.labels()[..8].to_vec(),
    )
    .expect("8 rows");
    let set_path = dir.join("mini-test.zkts");
    write_testset(
        std::fs::File::create(&set_path).expect("create"),
        &spec,
        &set,
    )
    .expect("write test set");
    (spec_path, set_path)
}

#[test]
fn setup_prove_verify_and_tampering() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let (spec, testset) = mini_contest(dir);
    let (spec, testset) = (
        spec.to_str().expect("utf-8"),
        testset.to_str().expect("utf-8"),
    );
    let keys = dir.join("keys");
    let proof = dir.join("proof");
    let (keys_s, proof_s) = (
        keys.to_str().expect("utf-8"),
        proof.to_str().expect("utf-8"),
    );
    let model = root().join("tests/fixtures/dense-h8.onnx");

    // Sizing only: the same figures as the real setup, and nothing written.
    let o = cli(&["--json", "setup", "--spec", spec, "--plan-only"]);
    expect_exit(&o, 0, "setup --plan-only");
    let planned = json(&o);
    assert!(!keys.exists(), "--plan-only must not write keys");
    let o = cli(&["setup", "--spec", spec, "--plan-only", "--out", keys_s]);
    expect_exit(&o, 2, "setup --plan-only with --out");

    // Organiser: keys from the spec alone, with a locally generated (UNSAFE) SRS.
    let o = cli(&["--json", "setup", "--spec", spec, "--out", keys_s]);
    expect_exit(&o, 0, "setup");
    let setup = json(&o);
    assert_eq!(
        planned["figures"], setup["figures"],
        "plan and setup disagree"
    );
    assert!(
        setup["figures"]["k"].as_u64().is_some_and(|k| k <= 15),
        "{setup}"
    );
    assert_eq!(setup["srs_kind"], "unsafe_dev");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("UNSAFE"),
        "setup must warn about the dev SRS"
    );

    // Competitor: prove.
    let model_s = model.to_str().expect("utf-8");
    let prove = |salt: &str| {
        let files = ["--testset", testset, "--keys", keys_s, "--out", proof_s];
        prove_with(spec, model_s, salt, &files)
    };
    let verify = || cli(&["--json", "verify", "--keys", keys_s, "--proof", proof_s]);
    let (manifest, _) = ContestKeys::read_verifier(&keys).expect("keys");
    assert_eq!(
        manifest.registry_refusal(&keys),
        None,
        "ordinary keys refused"
    );
    let o = prove("0x1234");
    expect_exit(&o, 0, "prove");
    let proved = json(&o);
    let correct = proved["correct"].as_u64().expect("correct");
    assert!(correct <= 8);
    let calldata = std::fs::read_to_string(proof.join("calldata.hex")).expect("calldata.hex");
    let proof_len = std::fs::metadata(proof.join("proof.bin"))
        .expect("proof.bin")
        .len() as usize;
    assert_eq!(
        calldata.trim().len(),
        2 + 2 * (6 * 32 + proof_len),
        "calldata = 6 words + proof"
    );

    // Anyone: verify.
    let o = verify();
    expect_exit(&o, 0, "verify honest proof");
    assert_eq!(json(&o)["valid"], true);

    // A claim of one more correct row (statement and instance list edited together) is invalid.
    let inst_path = proof.join("instances.json");
    let honest = std::fs::read_to_string(&inst_path).expect("instances.json");
    let mut v: Value = serde_json::from_str(&honest).expect("json");
    v["correct"] = Value::from(correct + 1);
    v["instances"][5] = Value::from(format!("0x{:064x}", correct + 1));
    std::fs::write(&inst_path, v.to_string()).expect("write");
    let o = verify();
    expect_exit(&o, 1, "verify inflated correct");
    assert_eq!(json(&o)["valid"], false);
    std::fs::write(&inst_path, &honest).expect("restore");

    // A flipped proof byte is invalid.
    let mut bytes = std::fs::read(proof.join("proof.bin")).expect("proof.bin");
    bytes[100] ^= 0x80;
    std::fs::write(proof.join("proof.bin"), &bytes).expect("write");
    let o = verify();
    expect_exit(&o, 1, "verify flipped byte");

    // Input errors exit 2 and name the problem.
    let o = cli(&[
        "verify",
        "--keys",
        keys_s,
        "--proof",
        dir.join("nope").to_str().expect("utf-8"),
    ]);
    expect_exit(&o, 2, "verify a missing proof directory");
    assert!(String::from_utf8_lossy(&o.stderr).contains("instances.json"));
    let o = prove("0xzz");
    expect_exit(&o, 2, "prove with a malformed salt");
    assert!(String::from_utf8_lossy(&o.stderr).contains("0xzz"));
}

/// `setup --shared-model` (PROTOCOL §14.2.1): shard keys and the model proof's
/// keys; both shards and the model proof verify, and all three proofs commit to one model column
/// (their first 64 bytes), which another salt changes.
#[test]
fn shared_model_keys_prove_each_shard_and_the_model_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let (spec, testset) = mini_contest(dir);
    let text = std::fs::read_to_string(&spec).expect("spec");
    std::fs::write(&spec, text.replace("rows = 8", "rows = 8\nshards = 2")).expect("write");
    let (spec, testset) = (
        spec.to_str().expect("utf-8"),
        testset.to_str().expect("utf-8"),
    );
    let keys = dir.join("keys");
    let keys_s = keys.to_str().expect("utf-8");
    let model_keys = keys.join("model");
    let model_keys_s = model_keys.to_str().expect("utf-8");
    let model = root().join("tests/fixtures/dense-h8.onnx");
    let model_s = model.to_str().expect("utf-8");

    let o = cli(&["--json", "setup", "--spec", spec, "--plan-only"]);
    expect_exit(&o, 0, "setup --plan-only");
    let planned = json(&o)["shared_model"].clone();
    let o = setup_keys_with(Path::new(spec), &keys, &["--shared-model"]);
    let setup = json(&o);
    assert_eq!(
        planned["shard"], setup["figures"],
        "plan and setup disagree"
    );
    assert!(
        setup["figures"]["model_column_rows"].as_u64() > Some(0),
        "{setup}"
    );
    assert!(
        model_keys.join("circuit.json").exists(),
        "no model proof keys"
    );
    // The shard keys back a contest (with `createSharedContest`); the model proof's keys are
    // refused as a contest's keys, naming where the shard keys are.
    let (manifest, _) = ContestKeys::read_verifier(&keys).expect("keys");
    assert_eq!(manifest.registry_refusal(&keys), None);
    let (manifest, _) = ContestKeys::read_verifier(&model_keys).expect("keys");
    let why = manifest.registry_refusal(&model_keys).expect("refused");
    assert!(
        why.contains("Model proofs") && why.contains("model/"),
        "{why}"
    );

    let prove = |keys: &str, out: &str, salt: &str, rows: &[&str]| {
        let mut files = vec!["--keys", keys, "--out", out];
        files.extend_from_slice(rows);
        prove_with(spec, model_s, salt, &files)
    };
    let column = |name: &str| {
        let bytes = std::fs::read(dir.join(name).join("proof.bin")).expect("proof.bin");
        bytes[..64].to_vec()
    };
    for (name, keys, rows) in [
        (
            "shard-0",
            keys_s,
            &["--testset", testset, "--shard", "0"][..],
        ),
        (
            "shard-1",
            keys_s,
            &["--testset", testset, "--shard", "1"][..],
        ),
        ("model", model_keys_s, &[][..]),
        (
            "resalted",
            keys_s,
            &["--testset", testset, "--shard", "0"][..],
        ),
    ] {
        let salt = if name == "resalted" { "0x99" } else { "0x1234" };
        let out = dir.join(name);
        let o = prove(keys, out.to_str().expect("utf-8"), salt, rows);
        expect_exit(&o, 0, name);
        let kind = if name == "model" {
            "model"
        } else {
            "statement"
        };
        assert_eq!(json(&o)["proof_kind"], kind, "{name}");
        let out = out.to_str().expect("utf-8");
        let o = cli(&["--json", "verify", "--keys", keys, "--proof", out]);
        expect_exit(&o, 0, &format!("verify {name}"));
    }
    assert_eq!(
        column("shard-0"),
        column("model"),
        "shard 0 and the model proof differ"
    );
    assert_eq!(
        column("shard-1"),
        column("model"),
        "shard 1 and the model proof differ"
    );
    assert_ne!(
        column("resalted"),
        column("model"),
        "another salt, the same column"
    );

    // Shard keys need the test set.
    let o = prove(
        keys_s,
        dir.join("x").to_str().expect("utf-8"),
        "0x1234",
        &[],
    );
    expect_exit(&o, 2, "shard proof without --testset");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--testset is required"));

    // With the rows shared too: the organiser's test-set proof of shard 1 (no model, no salt)
    // and a competitor's shard 1 commit to one rows column (the shard's second shared column).
    let rows_keys = dir.join("rows-keys");
    let rows_keys_s = rows_keys.to_str().expect("utf-8");
    let o = setup_keys_with(
        Path::new(spec),
        &rows_keys,
        &["--shared-model", "--shared-rows"],
    );
    assert!(json(&o)["figures"]["testset_column_rows"].as_u64() > Some(0));
    let testset_keys = rows_keys.join("testset");
    let o = cli(&[
        "--json",
        "prove",
        "--spec",
        spec,
        "--testset",
        testset,
        "--shard",
        "1",
        "--submitter",
        "0x00000000000000000000000000000000000000bb",
        "--contest-id",
        "3",
        "--chain-id",
        "31337",
        "--keys",
        testset_keys.to_str().expect("utf-8"),
        "--out",
        dir.join("rows-proof").to_str().expect("utf-8"),
    ]);
    expect_exit(&o, 0, "test-set proof");
    assert_eq!(json(&o)["proof_kind"], "test_set");
    let out = dir.join("rows-shard-1");
    let rows = &["--testset", testset, "--shard", "1"];
    let o = prove(rows_keys_s, out.to_str().expect("utf-8"), "0x1234", rows);
    expect_exit(&o, 0, "shard 1 with shared rows");
    let shard = std::fs::read(out.join("proof.bin")).expect("proof.bin");
    assert_eq!(
        column("rows-proof"),
        shard[64..128].to_vec(),
        "rows columns differ"
    );
}
