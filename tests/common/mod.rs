//! Helpers shared by the integration tests that drive the `contest-cli` binary.
// Each test binary compiles this module and uses a subset of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zkcontest::chain::anvil::DEV_ACCOUNTS;

/// An `0x…` address as the CLI prints it.
pub fn parse_addr(s: &str) -> zkcontest::chain::types::Addr {
    let mut a = [0u8; 20];
    hex::decode_to_slice(s.trim_start_matches("0x"), &mut a).expect("address");
    zkcontest::chain::types::Addr(a)
}

/// The names of the checks an `audit --json` report (or a refusal's) failed, in order.
pub fn failed_checks(report: &serde_json::Value) -> Vec<&str> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().expect("name"))
        .collect()
}

/// Moves the chain's clock to one second past `at` (a deadline of a contest at `registry`, not
/// passed yet: `what` names it for the failure message).
pub fn advance_past(
    rt: &tokio::runtime::Runtime,
    registry: &zkcontest::chain::registry::Registry,
    at: u64,
    what: &str,
) {
    let (_, now) = rt.block_on(registry.head()).expect("head");
    assert!(at >= now, "{what} passed already ({at} < {now})");
    rt.block_on(registry.client().dev_advance_time(at - now + 1))
        .expect("evm_increaseTime");
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Asserts the exit code, showing both streams when it differs.
pub fn expect_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `contest-cli --json ARGS`, run from the repository root against the node at `url`, signing
/// as anvil dev account `who` with its own state directory `dir/state-{who}`, plus `env`.
pub fn cli_as(url: &str, dir: &Path, who: usize, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .current_dir(root())
        .arg("--json")
        .args(args)
        .env("CONTEST_RPC_URL", url)
        .env("CONTEST_PRIVATE_KEY", DEV_ACCOUNTS[who].0)
        .env("CONTEST_STATE_DIR", dir.join(format!("state-{who}")))
        .envs(env.iter().copied())
        .output()
        .expect("contest-cli runs")
}

/// `contest-cli setup --spec SPEC --out OUT` (UNSAFE development SRS), which must succeed.
pub fn setup_keys(spec: &Path, out: &Path) {
    setup_keys_with(spec, out, &[]);
}

/// [`setup_keys`] with more options (`--shared-model`, …); its output (`--json`).
pub fn setup_keys_with(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(["--json", "setup", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("setup runs");
    expect_exit(&o, 0, &format!("setup {extra:?}"));
    o
}

/// `contest-cli ARGS` (no chain), from the current directory.
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(args)
        .output()
        .expect("contest-cli runs")
}

/// A path as the `&str` a command line takes.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// Index of the largest value, ties to the lowest (the reference's argmax, for floats).
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (j, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = j;
        }
    }
    best
}

/// `contest-cli [--json] model evaluate` of `model` on `set` under `spec`, with extra flags.
pub fn evaluate(json: bool, spec: &Path, model: &Path, set: &Path, extra: &[&str]) -> Output {
    let mut args = if json { vec!["--json"] } else { vec![] };
    args.extend(["model", "evaluate", "--spec", path_str(spec)]);
    args.extend(["--model", path_str(model), "--testset", path_str(set)]);
    args.extend(extra);
    cli(&args)
}

/// `contest-cli --json setup` (UNSAFE development SRS) of `spec` into `dir/keys`, `prove` of
/// `model` on `testset` (salt `0x5eed`, submitter `0x…aa`, contest 1, chain 31337) into
/// `dir/proof`, and `verify`, which must say valid. Returns setup's and prove's JSON.
pub fn setup_prove_verify(
    spec: &Path,
    model: &Path,
    testset: &Path,
    dir: &Path,
) -> (serde_json::Value, serde_json::Value) {
    let run = |args: &[&str], what: &str| -> serde_json::Value {
        let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
            .arg("--json")
            .args(args)
            .output()
            .expect("contest-cli runs");
        expect_exit(&o, 0, what);
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let p = |p: &Path| p.to_str().expect("utf-8").to_string();
    let (keys, proof) = (p(&dir.join("keys")), p(&dir.join("proof")));
    let setup = run(&["setup", "--spec", &p(spec), "--out", &keys], "setup");
    let proved = run(
        &[
            "prove",
            "--spec",
            &p(spec),
            "--model",
            &p(model),
            "--salt",
            "0x5eed",
            "--testset",
            &p(testset),
            "--submitter",
            "0x00000000000000000000000000000000000000aa",
            "--contest-id",
            "1",
            "--chain-id",
            "31337",
            "--keys",
            &keys,
            "--out",
            &proof,
        ],
        "prove",
    );
    let verified = run(&["verify", "--keys", &keys, "--proof", &proof], "verify");
    assert_eq!(verified["valid"], true, "{verified}");
    (setup, proved)
}

/// A local chain for a test that plays several parties: anvil, a temporary directory holding
/// every party's state and files, and a runtime for direct registry calls.
pub struct ChainWorld {
    pub anvil: zkcontest::chain::anvil::Anvil,
    pub dir: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
}

impl ChainWorld {
    pub fn new() -> Self {
        use zkcontest::chain::anvil::Anvil;
        Self {
            anvil: Anvil::spawn(&Anvil::path_in_repo(&root())).expect("anvil (scripts/setup.sh)"),
            dir: tempfile::tempdir().expect("temp dir"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
        }
    }

    /// `p` in the world's directory.
    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// [`ChainWorld::path`] as a string (for arguments).
    pub fn path_s(&self, p: &str) -> String {
        self.path(p).display().to_string()
    }

    /// `contest-cli --json ARGS` as dev account `who`; prints how long it took (these tests are
    /// among the slowest: this shows where the time goes).
    pub fn cli(&self, who: usize, args: &[&str]) -> Output {
        let started = std::time::Instant::now();
        let o = cli_as(&self.anvil.url(), self.dir.path(), who, args, &[]);
        eprintln!(
            "[{:6.1} s] #{who} {}",
            started.elapsed().as_secs_f64(),
            args.iter().take(2).copied().collect::<Vec<_>>().join(" ")
        );
        o
    }

    /// [`ChainWorld::cli`], which must succeed with one JSON document on stdout.
    pub fn ok(&self, who: usize, args: &[&str]) -> serde_json::Value {
        let o = self.cli(who, args);
        expect_exit(&o, 0, &format!("{args:?}"));
        serde_json::from_slice(&o.stdout).expect("one JSON document")
    }

    /// `args` as `who` exits 1 naming `check` among the failed audit checks (`what` says which
    /// contest or step, for the failure message).
    pub fn refused(&self, who: usize, args: &[&str], check: &str, what: &str) {
        let o = self.cli(who, args);
        expect_exit(
            &o,
            1,
            &format!("{what}: {args:?} (expected the audit to refuse)"),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("FAIL {check}:")),
            "{what}: the refusal does not name {check}:\n{err}"
        );
    }

    /// `create --spec SPEC --testset TESTSET --keys KEYS --prize 1 [--registry REGISTRY]` as the
    /// organiser (dev account 0), which must succeed: the registry's address and the contest's id.
    pub fn create(
        &self,
        spec: &str,
        testset: &str,
        keys: &str,
        registry: Option<&str>,
    ) -> (String, u64) {
        let mut args = vec![
            "create",
            "--spec",
            spec,
            "--testset",
            testset,
            "--keys",
            keys,
            "--prize",
            "1",
        ];
        if let Some(r) = registry {
            args.extend(["--registry", r]);
        }
        let created = self.ok(0, &args);
        let registry = created["registry"].as_str().expect("registry").to_string();
        (registry, created["contest_id"].as_u64().expect("id"))
    }

    /// Moves the chain's clock one second past contest `id`'s test-set challenge window (PROTOCOL
    /// §14.3) at `registry`, into the proof phase.
    pub fn past_challenges(&self, registry: &str, id: u64) {
        let client = self.client(0);
        let r = self
            .rt
            .block_on(zkcontest::chain::registry::Registry::at(
                &client,
                parse_addr(registry),
            ))
            .expect("registry");
        let ends = self
            .rt
            .block_on(r.contest(id))
            .expect("contest")
            .challenge_ends;
        advance_past(&self.rt, &r, ends, "the challenge window");
    }

    /// A signing client for dev account `who`.
    pub fn client(&self, who: usize) -> zkcontest::chain::client::Client {
        self.rt
            .block_on(zkcontest::chain::client::Client::connect(
                &self.anvil.url(),
                DEV_ACCOUNTS[who].0,
            ))
            .expect("connect")
    }
}
