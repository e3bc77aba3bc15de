//! Flags shared by the chain subcommands (endpoint, key, registry, contest, state), the
//! mapping of contest errors to exit codes, and the tokio runtime they run on.

use std::cell::RefCell;
use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::inputs::parse_address;
use super::{Failure, Outcome};
use crate::chain::client::{Client, TxPolicy};
use crate::chain::network::{parse_gwei, ChainPreset};
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, Wei};
use crate::chain::ChainError;
use crate::contest::competitor::Competitor;
use crate::contest::{stage_line, ContestError, Report};
use crate::spec::Spec;

/// The JSON-RPC endpoint.
#[derive(Debug, Clone, Args)]
pub struct RpcArgs {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "CONTEST_RPC_URL", default_value = "http://127.0.0.1:8545")]
    pub rpc_url: String,
    /// A known chain (anvil, sepolia, base-sepolia): the node at --rpc-url must report its chain
    /// id, and transactions are printed with links to its block explorer.
    #[arg(long, env = "CONTEST_CHAIN", value_name = "NAME")]
    pub chain: Option<ChainPreset>,
    /// Cap on the EIP-1559 max fee per gas, in gwei: transactions pay the node's estimate or
    /// the cap, whichever is lower, and nothing is sent while the base fee is at or above it.
    #[arg(long, value_name = "GWEI", value_parser = parse_gwei)]
    pub max_fee_gwei: Option<u128>,
    /// Blocks that must hold each transaction before the command goes on (1: mined).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub confirmations: u64,
}

impl RpcArgs {
    /// A local node at `url`, no preset, no fee cap, one confirmation.
    #[cfg(test)]
    pub fn local(url: &str) -> Self {
        Self {
            rpc_url: url.into(),
            chain: None,
            max_fee_gwei: None,
            confirmations: 1,
        }
    }

    /// Checks the node's chain id against the preset and sets the client's fee cap,
    /// confirmations and explorer.
    fn apply(&self, client: Client) -> Result<Client, Failure> {
        if let Some(p) = self.chain {
            if client.chain_id() != p.chain_id() {
                return Err(Failure::input(anyhow!(
                    "--chain {p} expects chain id {}, but the node at {} reports {}: is \
                     --rpc-url pointing at the right network?",
                    p.chain_id(),
                    self.rpc_url,
                    client.chain_id()
                )));
            }
        }
        Ok(client.with_policy(TxPolicy {
            max_fee_per_gas: self.max_fee_gwei,
            confirmations: usize::try_from(self.confirmations).unwrap_or(1),
            explorer: self.chain.and_then(|p| p.explorer()).map(String::from),
        }))
    }
}

/// The signing key: `--private-key`/`CONTEST_PRIVATE_KEY` or an encrypted keystore.
#[derive(Clone, Args)]
pub struct KeyArgs {
    /// Private key (hex). Prefer the environment variable: a command line is visible to other
    /// users of the machine. Never printed or logged.
    #[arg(long, env = "CONTEST_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Encrypted JSON keystore (geth / `cast wallet` format). The password is read from
    /// `CONTEST_KEYSTORE_PASSWORD` or prompted for on the terminal.
    #[arg(long, conflicts_with = "private_key")]
    keystore: Option<PathBuf>,
}

impl KeyArgs {
    /// No key (tests of commands that may run without one).
    #[cfg(test)]
    pub(super) fn none() -> Self {
        Self {
            private_key: None,
            keystore: None,
        }
    }
}

impl std::fmt::Debug for KeyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyArgs")
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("keystore", &self.keystore)
            .finish()
    }
}

/// Which contest.
#[derive(Debug, Clone, Args)]
pub struct ContestArgs {
    /// Address of the ContestRegistry.
    #[arg(long, env = "CONTEST_REGISTRY")]
    pub registry: String,
    /// The contest's id in the registry.
    #[arg(long)]
    pub contest: u64,
}

/// Where a competitor's secrets live.
#[derive(Debug, Clone, Args)]
pub struct StateArgs {
    /// Root of the per-contest state directories (salts, committed models, proofs). Back it
    /// up: losing it before the reveal loses the prize and the bond.
    #[arg(long, env = "CONTEST_STATE_DIR", default_value = ".zkcontest-state")]
    pub state_dir: PathBuf,
}

/// The competitor flows' view of the contest named by the flags.
pub fn competitor<'a>(
    registry: &'a Registry,
    contest: &ContestArgs,
    spec: &'a Spec,
    spec_path: &'a Path,
    state: &'a StateArgs,
) -> Competitor<'a> {
    Competitor {
        registry,
        contest_id: contest.contest,
        spec,
        spec_path,
        state_root: &state.state_dir,
    }
}

/// Runs a future on a fresh runtime.
pub fn block_on<F: Future>(f: F) -> Result<F::Output, Failure> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::env(anyhow!("starting the async runtime: {e}")))?;
    Ok(rt.block_on(f))
}

/// Connects with the signing key from the flags.
pub async fn connect(rpc: &RpcArgs, key: &KeyArgs) -> Result<Client, Failure> {
    let client = match (&key.private_key, &key.keystore) {
        (Some(k), _) => Client::connect(&rpc.rpc_url, k).await,
        (None, Some(path)) => {
            let password = keystore_password(path)?;
            Client::connect_keystore(&rpc.rpc_url, path, &password).await
        }
        (None, None) => {
            return Err(Failure::input(anyhow!(
            "no signing key: pass --keystore FILE, or set CONTEST_PRIVATE_KEY (or --private-key)"
        )))
        }
    };
    rpc.apply(client.map_err(chain_failure)?)
}

/// Connects without a key, for read-only commands (a random, never-funded key signs nothing).
pub async fn connect_readonly(rpc: &RpcArgs) -> Result<Client, Failure> {
    let client = Client::connect_read_only(&rpc.rpc_url)
        .await
        .map_err(chain_failure)?;
    rpc.apply(client)
}

/// The registry named by the flags.
pub async fn registry(client: &Client, c: &ContestArgs) -> Result<Registry, Failure> {
    let addr = Addr(parse_address(&c.registry)?);
    Registry::at(client, addr).await.map_err(chain_failure)
}

fn keystore_password(path: &std::path::Path) -> Result<String, Failure> {
    if let Ok(p) = std::env::var("CONTEST_KEYSTORE_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::input(anyhow!(
            "keystore {}: set CONTEST_KEYSTORE_PASSWORD (stdin is not a terminal to prompt on)",
            path.display()
        )));
    }
    eprint!("password for {}: ", path.display());
    let _ = std::io::stderr().flush();
    // Turn echo off while the password is typed; restored even if reading fails.
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    let echo_off = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        stty("echo");
    }
    eprintln!();
    read.map_err(|e| Failure::env(anyhow!("reading the password: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Exit code for a chain error: unreachable endpoints are the environment (3); rejected
/// calls, bad keys and addresses are input (2).
pub fn chain_failure(e: ChainError) -> Failure {
    match e {
        ChainError::Rpc { .. }
        | ChainError::NoReceipt { .. }
        | ChainError::AnvilSpawn { .. }
        | ChainError::AnvilExited { .. }
        | ChainError::AnvilTimeout { .. }
        | ChainError::NoPort(_) => Failure::env(e),
        _ => Failure::input(e),
    }
}

/// Exit code for a contest error.
pub fn contest_failure(e: ContestError) -> Failure {
    match e {
        ContestError::Chain(c) => chain_failure(c),
        ContestError::Io { .. } | ContestError::Prover(_) => Failure::env(e),
        ContestError::Input(_) | ContestError::WrongPhase { .. } | ContestError::State(_) => {
            Failure::input(e)
        }
    }
}

/// A submitted proof the registry rejected: the claim does not hold (exit 1), not a crash.
pub fn proof_rejected(e: ContestError) -> Result<Outcome, Failure> {
    if e.is_proof_rejection() {
        eprintln!("error: {e}");
        Ok(Outcome::ClaimFails)
    } else {
        Err(contest_failure(e))
    }
}

/// `1.5` (ether, up to 18 decimals) as wei, exactly.
pub fn parse_ether(s: &str) -> Result<Wei, Failure> {
    let bad = || {
        Failure::input(anyhow!(
            "invalid amount {s:?}: expected ether such as 1 or 0.25"
        ))
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 18
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac_wei: u128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<18}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(Wei::ETHER.0)
        .and_then(|w| w.checked_add(frac_wei))
        .map(Wei)
        .ok_or_else(bad)
}

/// Prints a report as one JSON document on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let text = serde_json::to_string(v).map_err(|e| Failure::env(anyhow!("encoding JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Prints progress on stderr.
pub fn progress(msg: &str) {
    eprintln!("{msg}");
}

/// The CLI's reporter for flows that post chunks: lines on stderr, and each chunked reveal as a
/// progress bar with an ETA when stderr is a terminal and the output is not `--json` (then the
/// chunks are lines, as before).
pub struct Terminal {
    bars: bool,
    indent: &'static str,
    bar: RefCell<Option<ProgressBar>>,
}

impl Terminal {
    /// Bars only on a terminal and never under `--json`.
    pub fn new(json: bool) -> Self {
        Self::with_bars(!json && std::io::stderr().is_terminal())
    }

    /// [`Terminal::new`] with every line indented (the demo's narration).
    pub fn indented(json: bool, indent: &'static str) -> Self {
        Self {
            indent,
            ..Self::new(json)
        }
    }

    fn with_bars(bars: bool) -> Self {
        Self {
            bars,
            indent: "",
            bar: RefCell::new(None),
        }
    }
}

impl Report for Terminal {
    fn note(&self, msg: &str) {
        let msg = format!("{}{msg}", self.indent);
        match self.bar.borrow().as_ref() {
            Some(bar) => bar.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    /// A bar over the stage's expected time: its position follows the clock (stopping short of
    /// the end until the stage ends), so the ETA is the estimate's remainder.
    fn stage(&self, what: &str, seconds: f64, source: &str) {
        if !self.bars {
            self.note(&stage_line(what, seconds, source));
            return;
        }
        // A bar still drawn is the previous stage's, which has ended.
        self.stage_done();
        let len = ((seconds * 1000.0) as u64).max(1);
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{}{{msg}} [{{bar:30}}] {{elapsed}} elapsed, ETA {{eta}} ({source})",
                self.indent
            ))
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        let ticking = bar.clone();
        let past = format!("{what} (taking longer than the estimate)");
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut over = false;
            while !ticking.is_finished() {
                let ms = started.elapsed().as_millis() as u64;
                if ms >= len && !over {
                    // The bar waits short of the end and its ETA reads 0: say why.
                    over = true;
                    ticking.set_message(past.clone());
                }
                ticking.set_position(ms.min(len - len / 100));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        *self.bar.borrow_mut() = Some(bar);
    }

    fn stage_done(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.set_position(bar.length().unwrap_or(0));
            bar.finish();
        }
    }

    fn chunk(&self, what: &str, done: usize, total: usize, gas: u64) {
        if !self.bars {
            self.note(&format!(
                "{what}: {done}/{total} elements on chain ({gas} gas)"
            ));
            return;
        }
        let mut slot = self.bar.borrow_mut();
        let bar = slot.get_or_insert_with(|| {
            // Created at its first position: a new bar would otherwise draw once at 0/N.
            let bar = ProgressBar::new(total as u64).with_position(done as u64);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{}{{msg}} [{{bar:30}}] {{pos}}/{{len}} elements, {{elapsed}} elapsed, ETA {{eta}}",
                    self.indent
                ))
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(format!("{what}: last chunk {gas} gas"));
        if done >= total {
            bar.finish();
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_past_its_estimate_says_so() {
        let bar_message = |t: &Terminal| t.bar.borrow().as_ref().expect("a bar").message();
        let t = Terminal::with_bars(true);
        t.stage("proving", 60.0, "from the plan");
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(bar_message(&t), "proving");
        t.stage("proving", 0.05, "from the plan");
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert_eq!(bar_message(&t), "proving (taking longer than the estimate)");
        t.stage_done();
        assert!(t.bar.borrow().is_none());
    }

    #[test]
    fn ether_amounts_parse_exactly_or_fail() {
        assert_eq!(parse_ether("1").ok().map(|w| w.0), Some(Wei::ETHER.0));
        assert_eq!(
            parse_ether("0.25").ok().map(|w| w.0),
            Some(Wei::ETHER.0 / 4)
        );
        assert_eq!(parse_ether(".5").ok().map(|w| w.0), Some(Wei::ETHER.0 / 2));
        assert_eq!(
            parse_ether("0.000000000000000001").ok().map(|w| w.0),
            Some(1)
        );
        for bad in ["", ".", "1e18", "-1", "0.0000000000000000001", "1,5", "abc"] {
            assert!(parse_ether(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_private_key_never_shows_in_debug_output() {
        let k = KeyArgs {
            private_key: Some("0xdeadbeef".into()),
            keystore: None,
        };
        assert!(!format!("{k:?}").contains("deadbeef"));
    }
}
