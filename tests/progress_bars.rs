//! Progress bars (issue #21): a chunked reveal on a terminal draws a bar with an ETA; under
//! `--json`, or when stderr is not a terminal, the chunks are plain lines. The terminal is a
//! real pseudo-terminal (Python's `pty` module runs `contest-cli` on one).

mod common;

use std::process::{Command, Output, Stdio};

use common::{cli_as, expect_exit, root, setup_keys};
use serde_json::Value;
use zkcontest::chain::anvil::{Anvil, DEV_ACCOUNTS};
use zkcontest::chain::client::Client;

/// Runs `contest-cli ARGS` on a pseudo-terminal as dev account 0; returns what the terminal
/// showed (stdout and stderr together, as a user sees them).
fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn on_a_terminal(url: &str, args: &[&str]) -> Output {
    const PTY: &str = "import os, pty, sys\n\
                       sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))";
    Command::new("python3")
        .current_dir(root())
        .args(["-c", PTY, env!("CARGO_BIN_EXE_contest-cli")])
        .args(args)
        .env("CONTEST_RPC_URL", url)
        .env("CONTEST_PRIVATE_KEY", DEV_ACCOUNTS[0].0)
        .env("COLUMNS", "160")
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs")
}

#[test]
fn a_chunked_reveal_shows_a_bar_on_a_terminal_and_lines_otherwise() {
    let anvil = Anvil::spawn(&Anvil::path_in_repo(&root())).expect("anvil (scripts/setup.sh)");
    let url = anvil.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = root().join("tests/fixtures/mini-contest");
    let spec_s = spec.to_str().expect("utf-8").to_string();
    let testset = spec.join("mini-test.zkts");
    let ts = testset.to_str().expect("utf-8").to_string();
    let keys = dir.path().join("keys");
    setup_keys(&spec, &keys);
    let keys_s = keys.to_str().expect("utf-8").to_string();

    let mut registry = None::<String>;
    let mut create = || -> u64 {
        let mut a = vec!["create", "--prize", "1", "--spec", &spec_s];
        a.extend(["--testset", &ts, "--keys", &keys_s]);
        let r = registry.clone();
        if let Some(r) = &r {
            a.extend(["--registry", r.as_str()]);
        }
        let o = cli_as(&url, dir.path(), 0, &a, &[]);
        expect_exit(&o, 0, "create");
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        registry = Some(v["registry"].as_str().expect("registry").to_string());
        v["contest_id"].as_u64().expect("id")
    };
    let (a, b, c) = (create(), create(), create());
    let registry = registry.expect("registry");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = rt
        .block_on(Client::connect(&url, DEV_ACCOUNTS[0].0))
        .expect("client");
    // Past the commit deadlines (the mini spec commits for 7 days; a day to reveal the test set).
    rt.block_on(client.dev_advance_time(7 * 86_400 + 60))
        .expect("time");

    let reveal = |id: u64| {
        let id = id.to_string();
        vec![
            "reveal-testset".to_string(),
            "--spec".into(),
            spec_s.clone(),
            "--testset".into(),
            ts.clone(),
            "--registry".into(),
            registry.clone(),
            "--contest".into(),
            id,
        ]
    };

    // A terminal: the bar, its ETA and the element count.
    let o = on_a_terminal(&url, &strs(&reveal(a)));
    expect_exit(&o, 0, "reveal-testset on a terminal");
    let shown = String::from_utf8_lossy(&o.stdout);
    eprintln!("the terminal showed:\n{shown}");
    assert!(
        shown.contains("ETA") && shown.contains("12/12 elements") && shown.contains('='),
        "no bar on the terminal:\n{shown}"
    );

    // --json on a terminal: no bar, the lines as before.
    let mut json = vec!["--json".to_string()];
    json.extend(reveal(b));
    let o = on_a_terminal(&url, &strs(&json));
    expect_exit(&o, 0, "reveal-testset --json on a terminal");
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(!shown.contains("ETA"), "a bar under --json:\n{shown}");
    assert!(
        shown.contains("test set: 12/12 elements on chain"),
        "{shown}"
    );

    // Not a terminal (stderr a pipe), no --json: no bar either.
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(root())
        .args(reveal(c))
        .env("CONTEST_RPC_URL", &url)
        .env("CONTEST_PRIVATE_KEY", DEV_ACCOUNTS[0].0)
        .output()
        .expect("contest-cli runs");
    expect_exit(&o, 0, "reveal-testset without a terminal");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("ETA"), "a bar without a terminal:\n{err}");
    assert!(err.contains("test set: 12/12 elements on chain"), "{err}");
}

#[test]
fn proving_shows_a_bar_per_stage_estimated_then_measured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = root().join("tests/fixtures/mini-contest");
    let keys = dir.path().join("keys");
    setup_keys(&spec, &keys);
    let proof = dir.path().join("proof");
    let model = root().join("tests/fixtures/dense-h8.onnx");
    let testset = spec.join("mini-test.zkts");
    let paths = [&spec, &model, &testset, &keys, &proof].map(|p| p.to_str().expect("utf-8"));
    let [spec_s, model_s, ts, keys_s, proof_s] = paths;
    let prove = |json: bool| {
        let mut a = if json { vec!["--json"] } else { vec![] };
        a.extend([
            "prove", "--spec", spec_s, "--model", model_s, "--salt", "0x1234",
        ]);
        a.extend([
            "--testset",
            ts,
            "--submitter",
            "0x00000000000000000000000000000000000000aa",
        ]);
        a.extend(["--contest-id", "1", "--chain-id", "31337", "--keys", keys_s]);
        a.extend(["--out", proof_s]);
        // No chain is used: any URL.
        on_a_terminal("http://127.0.0.1:1", &a)
    };

    // The first proof with these keys: both stages drawn, timed against the plan's estimate.
    let timings = keys.join("timings.json");
    assert!(!timings.exists());
    let o = prove(false);
    expect_exit(&o, 0, "prove on a terminal");
    let shown = String::from_utf8_lossy(&o.stdout);
    eprintln!("the terminal showed:\n{shown}");
    for part in [
        "proving 1/2: witness",
        "proving 2/2: create_proof",
        "ETA",
        "from the circuit plan",
    ] {
        assert!(
            shown.contains(part),
            "no {part:?} on the terminal:\n{shown}"
        );
    }
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(&timings).expect("timings.json")).expect("json");
    assert!(
        recorded["proving_seconds"]
            .as_f64()
            .is_some_and(|s| s > 0.0),
        "{recorded}"
    );

    // The next one is timed against the measured proof.
    let o = prove(false);
    expect_exit(&o, 0, "second prove on a terminal");
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(
        shown.contains("as the last proof with these keys"),
        "{shown}"
    );
    assert!(shown.contains("ETA"), "{shown}");

    // --json: no bar, a line per stage.
    let o = prove(true);
    expect_exit(&o, 0, "prove --json on a terminal");
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(!shown.contains("ETA"), "a bar under --json:\n{shown}");
    assert!(
        shown.contains("proving 2/2: create_proof (about"),
        "{shown}"
    );
}

#[test]
fn the_demo_draws_bars_for_proofs_and_reveals_on_a_terminal() {
    // The README's main job on a terminal (its --json run is tests/demo.rs): every proof's
    // stages and the chunked reveals are bars.
    let work = tempfile::tempdir().expect("temp dir");
    let mini = root().join("tests/fixtures/mini-contest");
    let (mini_s, work_s) = (
        mini.to_str().expect("utf-8"),
        work.path().to_str().expect("utf-8"),
    );
    let testset = mini.join("mini-test.zkts");
    let mut a = vec![
        "demo",
        "--spec",
        mini_s,
        "--testset",
        testset.to_str().expect("utf-8"),
    ];
    a.extend(["--model", "contest-specs/digits/models/mlp-h16.onnx"]);
    a.extend(["--model", "tests/fixtures/dense-h8.onnx"]);
    a.extend(["--dashboard-port", "0", "--work", work_s]);
    let o = on_a_terminal("http://127.0.0.1:1", &a);
    let shown = String::from_utf8_lossy(&o.stdout);
    expect_exit(&o, 0, "demo on a terminal");
    for part in [
        "proving 2/2: create_proof [",
        "test set: last chunk",
        "12/12 elements,",
        "model: last chunk",
        "ETA",
    ] {
        assert!(
            shown.contains(part),
            "no {part:?} on the terminal:\n{shown}"
        );
    }
}
