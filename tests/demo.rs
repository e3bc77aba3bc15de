//! `contest-cli demo` (the README's main job) end to end on the mini digits contest: real
//! anvil, real proofs, real verifier; it must finish with the contest settled, the winners
//! paid in split order, and the below-threshold competitor's bond returned; it serves the
//! dashboard while it runs.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[test]
fn demo_runs_a_whole_contest_and_pays_out() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().expect("temp dir");
    let mini = root.join("tests/fixtures/mini-contest");
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(&root)
        .arg("--json")
        .arg("demo")
        .arg("--spec")
        .arg(&mini)
        .arg("--testset")
        .arg(mini.join("mini-test.zkts"))
        .args(["--model", "contest-specs/digits/models/mlp-h16.onnx"])
        .args(["--model", "contest-specs/digits/models/weak-h12.onnx"])
        .args(["--model", "tests/fixtures/dense-h8.onnx"])
        .args(["--dashboard-port", "0"])
        .arg("--work")
        .arg(work.path())
        .output()
        .expect("contest-cli runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "demo failed:\n{stderr}");
    assert!(stderr.contains("UNSAFE"), "the dev SRS must be labelled");
    assert!(
        stderr.contains("dashboard (live): http://127.0.0.1:"),
        "the demo serves the dashboard"
    );
    let out: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let s = &out["summary"];
    assert_eq!(s["phase"], "settled");
    let board = s["leaderboard"].as_array().expect("leaderboard");
    let row = |i: usize| {
        (
            board[i]["rank"].as_u64(),
            board[i]["correct"].as_u64(),
            board[i]["withdrawn"].as_str(),
        )
    };
    // 1 ETH prize split 70/30, bonds of 0.01 ETH returned.
    assert_eq!(row(0), (Some(1), Some(8), Some("710000000000000000")));
    assert_eq!(row(1), (Some(2), Some(7), Some("310000000000000000")));
    assert_eq!(row(2), (None, Some(2), Some("10000000000000000")));
    let gas = s["gas"].as_array().expect("gas rows");
    let submits: Vec<u64> = gas
        .iter()
        .filter(|g| g["action"] == "submitProof")
        .filter_map(|g| g["gas"].as_u64())
        .collect();
    assert_eq!(
        submits.len(),
        3,
        "three accepted proofs: two ranked, one scored below the threshold"
    );
    let runtime = s["verifier"]["runtime_bytes"].as_u64().expect("size");
    assert!(runtime < 24_576, "verifier runtime {runtime} over EIP-170");
}
