//! Helpers shared by the integration tests that drive the `contest-cli` binary.
// Each test binary compiles this module and uses a subset of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zkcontest::chain::anvil::DEV_ACCOUNTS;

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
    let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(["setup", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .output()
        .expect("setup runs");
    expect_exit(&o, 0, "setup");
}
