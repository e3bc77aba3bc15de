//! Whole contests on a real anvil through the real `contest-cli` binary, with real proofs and
//! the real rendered verifier, on the mini digits contest (`tests/fixtures/mini-contest`,
//! circuit k = 15):
//! - `happy_path_…`: organiser creates; competitor 1's first `commit` is killed between
//!   storing the salt and sending (it resumes on rerun); three competitors commit; the test set
//!   is revealed (not by a competitor); two proofs qualify; a proof replayed by another address
//!   is rejected by the contract; the competitor below the threshold proves its score too
//!   (scored, not ranked); a wrong model at reveal is rejected; anyone re-verifies the three
//!   proofs from chain data; winners reveal and withdraw the exact split; the scored entry gets
//!   its bond back.
//! - `forfeit_…_and_organiser_default`: the winner misses its reveal window, the runner-up's
//!   `reveal` ends the round (the winner forfeited) and is paid the whole prize plus the
//!   forfeited bond (the bond pool), the organiser gets nothing of it;
//!   in a second contest the organiser never reveals the test set and the committer takes
//!   the prize.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{advance_past, expect_exit, parse_addr, root};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde_json::Value;
use zkcontest::chain::anvil::{Anvil, DEV_ACCOUNTS};
use zkcontest::chain::client::Client;
use zkcontest::chain::registry::Registry;
use zkcontest::chain::types::{Addr, EntryStatus, Phase};
use zkcontest::chain::ChainError;

const ETHER: u128 = 1_000_000_000_000_000_000;
const BOND: u128 = 10_000_000_000_000_000; // the spec's commit_bond_wei
const DAY: u64 = 86_400;

fn spec_dir() -> PathBuf {
    root().join("tests/fixtures/mini-contest")
}

fn testset() -> String {
    spec_dir().join("mini-test.zkts").display().to_string()
}

fn model(name: &str) -> String {
    let p = if name == "dense-h8" {
        root().join("tests/fixtures/dense-h8.onnx")
    } else {
        root().join(format!("contest-specs/digits/models/{name}.onnx"))
    };
    p.display().to_string()
}

fn addr(i: usize) -> String {
    DEV_ACCOUNTS[i].1.to_string()
}

/// One contest world: anvil, keys, a state directory per account.
struct World {
    anvil: Anvil,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

impl World {
    fn new() -> Self {
        let anvil = Anvil::spawn(&Anvil::path_in_repo(&root())).expect("anvil (scripts/setup.sh)");
        let dir = tempfile::tempdir().expect("temp dir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Self { anvil, dir, rt }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn keys(&self) -> String {
        self.path("keys").display().to_string()
    }

    /// `contest-cli --json ARGS` as dev account `who`, with its own state directory.
    fn cli_as(&self, who: usize, args: &[&str], env: &[(&str, &str)]) -> Output {
        common::cli_as(&self.anvil.url(), self.dir.path(), who, args, env)
    }

    /// `contest-cli --json ARGS` signing with an encrypted keystore instead of a raw key.
    fn cli_keystore(&self, who: usize, keystore: &Path, password: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_contest-cli"))
            .current_dir(root())
            .arg("--json")
            .args(args)
            .arg("--keystore")
            .arg(keystore)
            .env("CONTEST_RPC_URL", self.anvil.url())
            .env("CONTEST_KEYSTORE_PASSWORD", password)
            .env("CONTEST_STATE_DIR", self.path(&format!("state-{who}")))
            .output()
            .expect("contest-cli runs")
    }

    fn ok(&self, who: usize, args: &[&str]) -> Value {
        let o = self.cli_as(who, args, &[]);
        expect_exit(&o, 0, &format!("{args:?} as {who}"));
        serde_json::from_slice(&o.stdout).expect("one JSON document")
    }

    fn setup(&self, spec: &Path) {
        common::setup_keys(spec, &self.path("keys"));
    }

    fn client(&self, who: usize) -> Client {
        self.rt
            .block_on(Client::connect(&self.anvil.url(), DEV_ACCOUNTS[who].0))
            .expect("connect")
    }

    fn registry(&self, who: usize, address: &str) -> Registry {
        let client = self.client(who);
        self.rt
            .block_on(Registry::at(&client, parse_addr(address)))
            .expect("registry")
    }

    fn advance(&self, seconds: u64) {
        self.rt
            .block_on(self.client(0).dev_advance_time(seconds))
            .expect("evm_increaseTime");
    }

    /// Checks contest `id`'s posted test-set chunks as anyone would (`challenge-testset`: nothing
    /// to challenge, nothing sent) and moves the chain's clock past its challenge window, into
    /// the proof phase.
    fn past_challenges(&self, address: &str, id: u64, spec: &str) {
        let r = self.registry(0, address);
        let ends = self
            .rt
            .block_on(r.contest(id))
            .expect("contest")
            .challenge_ends;
        let check = self.ok(
            3,
            &[
                "challenge-testset",
                "--spec",
                spec,
                "--registry",
                address,
                "--contest",
                &id.to_string(),
            ],
        );
        assert_eq!(check["fault"], serde_json::Value::Null, "{check}");
        assert!(check["chunks"].as_u64().is_some_and(|n| n > 0), "{check}");
        advance_past(&self.rt, &r, ends, "the challenge window");
    }

    /// Moves the chain's clock to one second past contest `id`'s proof window, which runs from
    /// the test-set reveal (`proof_ends`), not from the spec's deadlines.
    fn advance_past_proofs(&self, address: &str, id: u64) {
        let r = self.registry(0, address);
        let ends = self.rt.block_on(r.contest(id)).expect("contest").proof_ends;
        let (_, now) = self.rt.block_on(r.head()).expect("head");
        assert!(
            ends > now,
            "the proof window ended already ({ends} <= {now})"
        );
        self.advance(ends - now + 1);
    }

    fn balance(&self, who: usize) -> u128 {
        self.rt
            .block_on(self.client(who).balance())
            .expect("balance")
    }
}

/// A running `contest-cli --json events --follow`, its stdout lines read by a thread; killed on
/// drop.
struct Follower {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Follower {
    fn start(w: &World, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
            .current_dir(root())
            .arg("--json")
            .args(args)
            .env("CONTEST_RPC_URL", w.anvil.url())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("contest-cli events --follow starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Waits (up to 30 s) for the next event line naming `event`; earlier lines are skipped.
    fn expect(&self, event: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no {event} from events --follow: {e}"));
            let v: Value = serde_json::from_str(&line).expect("events --follow prints JSON lines");
            if v["event"].to_string().contains(event) {
                return;
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn contest_args(registry: &str, id: u64) -> Vec<String> {
    vec![
        "--registry".into(),
        registry.into(),
        "--contest".into(),
        id.to_string(),
    ]
}

fn args<'a>(base: &[&'a str], extra: &'a [String]) -> Vec<&'a str> {
    base.iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .collect()
}

fn reverted(e: ChainError) -> String {
    match e {
        ChainError::Reverted { error, .. } => error,
        other => panic!("expected a decoded revert, got {other}"),
    }
}

#[test]
fn happy_path_crash_resume_replay_and_wrong_reveal() {
    let w = World::new();
    let spec = spec_dir();
    let spec_s = spec.display().to_string();
    w.setup(&spec);
    let keys = w.keys();

    // Organiser: registry + verifier + contest with a 1 ETH prize.
    let created = w.ok(
        0,
        &[
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &testset(),
            "--keys",
            &keys,
            "--prize",
            "1",
        ],
    );
    let registry = created["registry"].as_str().expect("registry").to_string();
    let id = created["contest_id"].as_u64().expect("id");
    assert_eq!(id, 1);
    let runtime = created["verifier"]["runtime_bytes"].as_u64().expect("size");
    assert!(
        runtime > 1000 && runtime < 24_576,
        "verifier runtime {runtime}"
    );
    let c = contest_args(&registry, id);
    // Someone watches the contest live from here on (checked after the first commit).
    let follower = Follower::start(&w, &args(&["events", "--follow", "--poll-ms", "100"], &c));
    follower.expect("ContestCreated");

    // Competitor 1's commit is killed after the salt is stored, before the transaction.
    let m1 = model("mlp-h16");
    let commit1 = args(
        &[
            "commit",
            "--spec",
            &spec_s,
            "--model",
            &m1,
            "--keys",
            &keys,
            "--allow-unsafe-srs",
        ],
        &c,
    );
    let o = w.cli_as(
        1,
        &commit1,
        &[("ZKCONTEST_FAILPOINT", "commit-after-secret")],
    );
    assert_eq!(o.status.code(), None, "the failpoint aborts the process");
    let state1 = w.path("state-1");
    assert!(state1.exists(), "the secret was stored before the crash");
    let r = w.registry(0, &registry);
    let info = w.rt.block_on(r.contest(id)).expect("contest");
    assert_eq!(info.committers, 0, "nothing was sent before the crash");
    // Rerun: same salt, now sent; rerun again: nothing to do.
    let first = w.ok(1, &commit1);
    assert_eq!(first["salt_reused"], true);
    assert!(first["tx"].is_object());
    let again = w.ok(1, &commit1);
    assert!(again["tx"].is_null(), "{again}");
    assert_eq!(again["commitment"], first["commitment"]);
    follower.expect("ModelCommitted");
    drop(follower);

    let m2 = model("weak-h12");
    w.ok(
        2,
        &args(
            &[
                "commit",
                "--spec",
                &spec_s,
                "--model",
                &m2,
                "--keys",
                &keys,
                "--allow-unsafe-srs",
            ],
            &c,
        ),
    );
    // Competitor 3 signs with an encrypted keystore; a wrong password is an input error that
    // never shows the key.
    let key3 = hex::decode(&DEV_ACCOUNTS[3].0[2..]).expect("key hex");
    alloy::signers::local::PrivateKeySigner::encrypt_keystore(
        w.dir.path(),
        &mut rand::thread_rng(),
        &key3,
        "correct horse",
        Some("key3.json"),
    )
    .expect("keystore");
    let keystore = w.path("key3.json");
    let m3 = model("dense-h8");
    let commit3 = args(
        &[
            "commit",
            "--spec",
            &spec_s,
            "--model",
            &m3,
            "--keys",
            &keys,
            "--allow-unsafe-srs",
        ],
        &c,
    );
    let o = w.cli_keystore(3, &keystore, "wrong", &commit3);
    expect_exit(&o, 2, "commit with a wrong keystore password");
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot decrypt keystore"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains(&DEV_ACCOUNTS[3].0[2..]));
    expect_exit(
        &w.cli_keystore(3, &keystore, "correct horse", &commit3),
        0,
        "keystore commit",
    );
    let info = w.rt.block_on(r.contest(id)).expect("contest");
    assert_eq!(info.committers, 3);
    // An unreachable endpoint is an environment failure naming the URL.
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args([
            "status",
            "--rpc-url",
            "http://127.0.0.1:9",
            "--registry",
            &registry,
            "--contest",
            "1",
        ])
        .output()
        .expect("runs");
    expect_exit(&o, 3, "status against a dead endpoint");
    assert!(String::from_utf8_lossy(&o.stderr).contains("http://127.0.0.1:9"));
    assert_eq!(info.held.0, ETHER + 3 * BOND);

    // Test set: not before the commit deadline, not by a competitor.
    let ts = testset();
    let reveal_ts = args(&["reveal-testset", "--spec", &spec_s, "--testset", &ts], &c);
    expect_exit(
        &w.cli_as(0, &reveal_ts, &[]),
        2,
        "reveal during commit phase",
    );
    w.advance(7 * DAY + 1);
    let o = w.cli_as(1, &reveal_ts, &[]);
    expect_exit(&o, 2, "reveal by a competitor");
    assert!(String::from_utf8_lossy(&o.stderr).contains("only the organiser"));
    let revealed = w.ok(0, &reveal_ts);
    assert_eq!(revealed["already"], false);

    // Proofs: the two qualifying entries first; dense-h8, below the threshold, proves too (after
    // the replay attempt below): scored, not ranked, and its bond comes back.
    let submit = args(
        &[
            "submit",
            "--spec",
            &spec_s,
            "--keys",
            &keys,
            "--testset",
            &ts,
            "--allow-unsafe-srs",
        ],
        &c,
    );
    // In the challenge window (PROTOCOL §14.3) no proof is taken yet; anyone checks the chunks.
    let o = w.cli_as(1, &submit, &[]);
    expect_exit(&o, 2, "submit in the challenge window");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("challenge window"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    w.past_challenges(&registry, id, &spec_s);
    let s1 = w.ok(1, &submit);
    assert_eq!(s1["correct"], 8);
    // Competitor 2 reads the revealed test set from the chain's events instead of a file.
    let from_chain = args(
        &[
            "submit",
            "--spec",
            &spec_s,
            "--keys",
            &keys,
            "--allow-unsafe-srs",
        ],
        &c,
    );
    let s2 = w.ok(2, &from_chain);
    assert_eq!(s2["correct"], 7);
    let gas = s1["tx"]["gas_used"].as_u64().expect("gas");
    assert!(gas > 300_000 && gas < 3_400_000, "submitProof gas {gas}");
    // A rerun does not prove or send again.
    assert_eq!(w.ok(1, &submit)["already"], true);

    // Replay: competitor 3 sends competitor 1's accepted proof as its own.
    let proof_dir = std::fs::read_dir(
        state1
            .join("31337")
            .join(&registry)
            .join(id.to_string())
            .join(addr(1)),
    )
    .expect("state dir")
    .filter_map(|e| e.ok().map(|e| e.path()))
    .find(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("proof-"))
    })
    .expect("stored proof");
    let proof = std::fs::read(proof_dir.join("proof.bin")).expect("proof.bin");
    let r3 = w.registry(3, &registry);
    let err =
        w.rt.block_on(r3.submit_proof(id, 8, &proof))
            .expect_err("replay");
    assert!(
        reverted(err).starts_with("ProofRejected"),
        "replay must be rejected by the verifier"
    );
    let below = w.ok(3, &submit);
    assert_eq!(
        (
            below["correct"].as_u64(),
            below["qualifies"].as_bool(),
            below["tx"]["action"].as_str()
        ),
        (Some(2), Some(false), Some("submitProof"))
    );
    let me3 = Addr(
        hex::decode(&addr(3)[2..])
            .expect("hex")
            .try_into()
            .expect("20 bytes"),
    );
    let scored = w.rt.block_on(r3.entry(id, me3)).expect("entry");
    assert_eq!((scored.status, scored.correct), (EntryStatus::Scored, 2));
    let ranked: Vec<_> =
        w.rt.block_on(r3.ranking(id))
            .expect("ranking")
            .into_iter()
            .map(|(_, correct, _)| correct)
            .collect();
    assert_eq!(ranked, [8, 7], "a scored entry is not ranked");

    // Anyone re-verifies every accepted proof from chain data.
    let audit = w.ok(4, &args(&["verify", "--keys", &keys], &c));
    assert_eq!(audit["valid"], true);
    assert_eq!(audit["proofs"].as_array().map(Vec::len), Some(3));

    // Reveals: a wrong model is rejected by the contract; the committed ones pass.
    w.advance_past_proofs(&registry, id);
    let r1 = w.registry(1, &registry);
    w.rt.block_on(r1.close_ranking(id)).expect("close ranking");
    let err =
        w.rt.block_on(r1.reveal_model(id, &[Fr::from(1), Fr::from(2)], true))
            .expect_err("wrong model");
    assert!(reverted(err).starts_with("CommitmentMismatch"));
    let reveal = args(&["reveal", "--spec", &spec_s], &c);
    let rv1 = w.ok(1, &reveal);
    assert_eq!(rv1["already"], false);
    w.ok(2, &reveal);
    assert_eq!(
        w.rt.block_on(r.contest(id)).expect("contest").phase,
        Phase::Settled
    );

    // Withdrawals: 70% + bond, 30% + bond, the loser's bond; nothing twice.
    let withdraw = args(&["withdraw"], &c);
    for (who, expected) in [
        (1, ETHER * 7 / 10 + BOND),
        (2, ETHER * 3 / 10 + BOND),
        (3, BOND),
    ] {
        let before = w.balance(who);
        let out = w.ok(who, &withdraw);
        assert_eq!(
            out["amount_wei"].as_str(),
            Some(expected.to_string().as_str())
        );
        assert!(w.balance(who) > before);
    }
    expect_exit(&w.cli_as(1, &withdraw, &[]), 2, "second withdrawal");
    let status = w.ok(4, &args(&["status"], &c));
    assert_eq!(status["contest"]["phase"], "settled");
    assert_eq!(status["ranking"].as_array().map(Vec::len), Some(2));
    let events = w.cli_as(4, &args(&["events"], &c), &[]);
    expect_exit(&events, 0, "events");
    let names: Vec<String> = String::from_utf8_lossy(&events.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line")["event"].to_string())
        .collect();
    for needed in [
        "ContestCreated",
        "ProofAccepted",
        "ModelRevealed",
        "ContestSettled",
        "Withdrawn",
    ] {
        assert!(
            names.iter().any(|n| n.contains(needed)),
            "no {needed} in {names:?}"
        );
    }
    // The log is read from the creation block the registry stores, and paging the reads one
    // block per request (as a range-capped public endpoint forces) gives the same events.
    let created = status["contest"]["created_block"]
        .as_u64()
        .expect("status shows the creation block");
    let first: Value = String::from_utf8_lossy(&events.stdout)
        .lines()
        .next()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .expect("at least one event");
    assert!(
        first["event"].to_string().contains("ContestCreated"),
        "{first}"
    );
    assert_eq!(first["block"].as_u64(), Some(created), "{first}");
    let paged = w.cli_as(4, &args(&["events", "--max-range", "1"], &c), &[]);
    expect_exit(&paged, 0, "events --max-range 1");
    assert_eq!(paged.stdout, events.stdout, "paged reads differ");
}

#[test]
fn forfeit_moves_the_runner_up_and_organiser_default_pays_committers() {
    let w = World::new();
    // One paid rank, so the runner-up is paid only after the winner forfeits.
    let text = std::fs::read_to_string(spec_dir().join("contest.toml")).expect("spec");
    assert!(text.contains("split_bps = [7000, 3000]"));
    let spec = w.path("contest.toml");
    std::fs::write(
        &spec,
        text.replace("split_bps = [7000, 3000]", "split_bps = [10000]"),
    )
    .expect("write spec");
    let spec_s = spec.display().to_string();
    w.setup(&spec);
    let keys = w.keys();
    let ts = testset();

    let created = w.ok(
        0,
        &[
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &ts,
            "--keys",
            &keys,
            "--prize",
            "2",
        ],
    );
    let registry = created["registry"].as_str().expect("registry").to_string();
    let c = contest_args(&registry, 1);
    for (who, name) in [(1, "mlp-h16"), (2, "weak-h12")] {
        let m = model(name);
        w.ok(
            who,
            &args(
                &[
                    "commit",
                    "--spec",
                    &spec_s,
                    "--model",
                    &m,
                    "--trust-organiser",
                ],
                &c,
            ),
        );
    }
    // Another contest in the same registry, funded with 1 ETH.
    let create_another = || {
        w.ok(
            0,
            &[
                "create",
                "--spec",
                &spec_s,
                "--testset",
                &ts,
                "--keys",
                &keys,
                "--prize",
                "1",
                "--registry",
                &registry,
            ],
        )
    };
    // A second contest whose organiser will never reveal the test set.
    let second = create_another();
    assert_eq!(second["contest_id"], 2);
    let c2 = contest_args(&registry, 2);
    let m = model("weak-h12");
    w.ok(
        2,
        &args(
            &[
                "commit",
                "--spec",
                &spec_s,
                "--model",
                &m,
                "--trust-organiser",
            ],
            &c2,
        ),
    );

    w.advance(7 * DAY + 1);
    w.ok(
        0,
        &args(&["reveal-testset", "--spec", &spec_s, "--testset", &ts], &c),
    );
    w.past_challenges(&registry, 1, &spec_s);
    let submit = args(
        &[
            "submit",
            "--spec",
            &spec_s,
            "--keys",
            &keys,
            "--testset",
            &ts,
            "--trust-organiser",
        ],
        &c,
    );
    w.ok(1, &submit);
    w.ok(2, &submit);

    w.advance_past_proofs(&registry, 1); // also past contest 2's test-set deadline
    let reveal = args(&["reveal", "--spec", &spec_s], &c);
    let o = w.cli_as(2, &reveal, &[]);
    expect_exit(&o, 2, "runner-up reveal while the winner's window is open");
    assert!(String::from_utf8_lossy(&o.stderr).contains("not called"));
    w.advance(DAY + 1); // the winner's reveal window passes
    let moved = w.ok(2, &reveal);
    assert_eq!(moved["forfeited"][0].as_str(), Some(addr(1).as_str()));
    let withdraw = args(&["withdraw"], &c);
    let paid = w.ok(2, &withdraw);
    assert_eq!(
        paid["amount_wei"].as_str(),
        Some((2 * ETHER + 2 * BOND).to_string().as_str()),
        "prize, own bond back, and the forfeited bond from the pool"
    );
    expect_exit(
        &w.cli_as(1, &withdraw, &[]),
        2,
        "the forfeited winner is owed nothing",
    );
    expect_exit(
        &w.cli_as(0, &withdraw, &[]),
        2,
        "the organiser gains nothing from a forfeit",
    );

    // Contest 2: the organiser defaulted; the only committer takes prize and bond.
    let status = w.ok(4, &args(&["status"], &c2));
    assert_eq!(status["contest"]["phase"], "test_set_missed");
    let o = w.cli_as(
        0,
        &args(
            &["reveal-testset", "--spec", &spec_s, "--testset", &ts],
            &c2,
        ),
        &[],
    );
    expect_exit(&o, 2, "a late test-set reveal");
    let paid = w.ok(2, &args(&["withdraw"], &c2));
    assert_eq!(
        paid["amount_wei"].as_str(),
        Some((ETHER + BOND).to_string().as_str())
    );

    // Copies: competitor 2's revealed weights are recorded registry-wide. Another address
    // committing the same model to a new contest is refused before locking a bond (its reveal
    // would be disqualified); competitor 2 may reuse its own model.
    let third = create_another();
    assert_eq!(third["contest_id"], 3);
    let c3 = contest_args(&registry, 3);
    let copy = args(
        &[
            "commit",
            "--spec",
            &spec_s,
            "--model",
            &m,
            "--trust-organiser",
        ],
        &c3,
    );
    let o = w.cli_as(3, &copy, &[]);
    expect_exit(&o, 2, "committing a model another address revealed");
    let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
    assert!(
        err.contains(&format!(
            "these weights were revealed by {}",
            addr(2).to_lowercase()
        )) && err.contains("in contest 1"),
        "{err}"
    );
    w.ok(2, &copy);
}
