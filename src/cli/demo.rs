//! `contest-cli demo`: a whole contest on a local anvil, end to end, with the same flows as
//! the individual commands: keys, registry and verifier, create and fund, three competitors
//! commit (one below the threshold), the test set is revealed, proofs are submitted, winners
//! reveal, everyone withdraws. Prints the leaderboard and every transaction's gas.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use clap::Args;
use serde::Serialize;
use serde_json::json;

use super::chain_args::{
    block_on, chain_failure, contest_failure, parse_ether, print_json, Terminal,
};
use super::setup::{keys_from_ptau, make_keys};
use super::{Failure, Outcome};
use crate::chain::anvil::{Anvil, DEV_ACCOUNTS};
use crate::chain::client::Client;
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, EntryStatus, Wei};
use crate::contest::challenge::challenge_testset;
use crate::contest::competitor::{commit, reveal, submit, withdraw, Competitor};
use crate::contest::organiser::{
    create, deploy_verifier, key_digests, reveal_testset, CreateRequest,
};
use crate::contest::shards::ProofSource;
use crate::contest::spec_hash;
use crate::contest::trust::{audit, AuditRequest};
use crate::dashboard::{self, Hub, WatchConfig, Watcher};
use crate::evm::compile::Solc;
use crate::prover::keys::{plan, ContestKeys, ProofKind};
use crate::prover::srs::{SrsKind, UNSAFE_WARNING};
use crate::spec::{Spec, TestSet};

/// Arguments of `contest-cli demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Contest spec.
    #[arg(long, default_value = "contest-specs/digits")]
    spec: PathBuf,
    /// The organiser's hidden test set. Default: the spec directory's one `*-test.zkts`.
    #[arg(long)]
    testset: Option<PathBuf>,
    /// One model per competitor (anvil dev accounts 1, 2, …; at most 4). Default: for the
    /// digits spec `mlp-h32`, `mlp-h16` and `weak-h12` from its `models/`, for any other spec
    /// every `models/*.onnx` of its directory (at most 4, by name).
    #[arg(long = "model")]
    models: Vec<PathBuf>,
    /// Prize in ether.
    #[arg(long, default_value = "1")]
    prize: String,
    /// Working directory: keys (reused between runs when still valid) and the competitors'
    /// state, which every run starts afresh (`<work>/state` is deleted: demo chains are
    /// throwaway).
    #[arg(long, default_value = "target/demo")]
    work: PathBuf,
    /// anvil executable.
    #[arg(long, default_value = "tools/node_modules/.bin/anvil")]
    anvil: PathBuf,
    /// solc executable taking `--standard-json` (solc 0.8.19).
    #[arg(long, env = "ZKCONTEST_SOLC", default_value = "scripts/solc")]
    solc: PathBuf,
    /// Serve the organiser dashboard of the contest on this loopback port while the demo
    /// runs (a free port if it is taken; 0 for any free port).
    #[arg(long, default_value_t = 8787)]
    dashboard_port: u16,
    /// Do not serve the dashboard.
    #[arg(long)]
    no_dashboard: bool,
    /// At the end, keep anvil and the dashboard running until Ctrl-C.
    #[arg(long)]
    hold: bool,
    /// Make the keys from this snarkjs `.ptau` (a powers-of-tau ceremony's transcript, e.g. one
    /// built with `contest-cli ceremony contribute` and `snarkjs powersoftau contribute`)
    /// instead of an UNSAFE development SRS: its points are checked and imported at the
    /// circuit's k into `<work>/keys-<spec>-ptau/`, and the audit reads its contributions.
    #[arg(long)]
    ptau: Option<PathBuf>,
}

/// What the contest is played with.
#[derive(Clone, Copy)]
struct Inputs<'a> {
    models: &'a [PathBuf],
    spec: &'a Spec,
    testset: &'a TestSet,
    prize: Wei,
    keys_dir: &'a Path,
    state_root: &'a Path,
    ptau: Option<&'a Path>,
}

#[derive(Debug, Serialize)]
struct GasRow {
    who: String,
    action: String,
    gas: u64,
}

#[derive(Debug, Serialize)]
struct Standing {
    rank: Option<usize>,
    competitor: Addr,
    model: String,
    correct: u64,
    rows: u64,
    status: EntryStatus,
    prove_seconds: f64,
    witness_seconds: f64,
    withdrawn: Wei,
}

impl DemoArgs {
    /// Runs the whole contest; exit 0 once every payout is withdrawn.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let started = Instant::now();
        let spec_dir = if self.spec.is_dir() {
            self.spec.clone()
        } else {
            self.spec
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        let models = match self.models.as_slice() {
            [] => default_models(&spec_dir).map_err(Failure::input)?,
            given => given.to_vec(),
        };
        let testset_path = match &self.testset {
            Some(path) => path.clone(),
            None => default_testset(&spec_dir).map_err(Failure::input)?,
        };
        if models.is_empty() || models.len() > DEV_ACCOUNTS.len() - 1 {
            return Err(Failure::input(anyhow!(
                "the demo takes 1 to {} models",
                DEV_ACCOUNTS.len() - 1
            )));
        }
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let testset = TestSet::from_path(&testset_path, &spec).map_err(Failure::input)?;
        let prize = parse_ether(&self.prize)?;
        section("1. keys (from the spec alone)");
        let keys_dir = match &self.ptau {
            None => {
                let dir = self.work.join(format!("keys-{}", spec.name));
                ensure_keys(&spec, &dir)?;
                dir
            }
            Some(ptau) => {
                let dir = self.work.join(format!("keys-{}-ptau", spec.name));
                keys_from_ptau(&spec, ptau, &dir, &say)?;
                dir
            }
        };
        let state_root = self.work.join("state");
        if state_root.exists() {
            std::fs::remove_dir_all(&state_root)
                .map_err(|e| Failure::env(anyhow!("clearing {}: {e}", state_root.display())))?;
        }
        let anvil = Anvil::spawn(&self.anvil).map_err(chain_failure)?;
        say(&format!(
            "anvil on {} (chain id {})",
            anvil.url(),
            anvil.chain_id()
        ));
        let summary = block_on(self.contest(
            &anvil,
            &Inputs {
                models: &models,
                spec: &spec,
                testset: &testset,
                prize,
                keys_dir: &keys_dir,
                state_root: &state_root,
                ptau: self.ptau.as_deref(),
            },
            json,
        ))??;
        let seconds = started.elapsed().as_secs_f64();
        if json {
            print_json(&json!({ "seconds": seconds, "summary": summary }))?;
        } else {
            println!("demo finished in {seconds:.0} s; anvil stopped");
        }
        Ok(Outcome::Success)
    }

    async fn contest(
        &self,
        anvil: &Anvil,
        inputs: &Inputs<'_>,
        json: bool,
    ) -> Result<serde_json::Value, Failure> {
        let Inputs {
            models,
            spec,
            testset,
            prize,
            keys_dir,
            state_root,
            ptau,
        } = *inputs;
        let url = anvil.url();
        // Proofs and chunked reveals show progress bars on a terminal (not under --json).
        let term = Terminal::indented(json, "   ");
        let mut gas: Vec<GasRow> = Vec::new();
        let mut log = |who: &str, action: &str, gas_used: u64| {
            gas.push(GasRow {
                who: who.into(),
                action: action.into(),
                gas: gas_used,
            })
        };
        let organiser = Client::connect(&url, DEV_ACCOUNTS[0].0)
            .await
            .map_err(chain_failure)?;

        section("2. organiser: registry, verifier, contest");
        let (registry, deployed) = Registry::deploy(&organiser).await.map_err(chain_failure)?;
        for (what, d) in [
            ("deploy PoseidonT3", deployed.poseidon),
            ("deploy ContestRegistry", deployed.registry),
        ] {
            log("organiser", what, d.gas_used);
        }
        let verifier = deploy_verifier(
            &organiser,
            (keys_dir, ProofKind::Statement),
            &Solc::new(&self.solc),
            &say,
        )
        .await
        .map_err(contest_failure)?;
        log("organiser", "deploy verifier", verifier.deploy_gas);
        let (vk_digest, srs_digest) = key_digests(keys_dir).map_err(contest_failure)?;
        let req = CreateRequest {
            spec,
            spec_hash: spec_hash(&self.spec).map_err(contest_failure)?,
            testset,
            verifier: verifier.address,
            columns: None,
            vk_digest,
            srs_digest,
            prize,
            ceremony_secs: None,
        };
        let (id, config, tx) = create(&registry, &req).await.map_err(contest_failure)?;
        log("organiser", &tx.action, tx.gas_used);
        say(&format!(
            "registry {}, verifier {} ({} bytes), contest {id}: prize {prize}, threshold {}/{}",
            registry.address(),
            verifier.address,
            verifier.runtime_bytes,
            config.min_correct,
            config.test_set_size
        ));
        if !self.no_dashboard {
            let page = start_dashboard(&url, registry.address(), id, self.dashboard_port).await?;
            say(&format!("dashboard (live): {page}"));
        }

        let mut players = Vec::new();
        for (i, model) in models.iter().enumerate() {
            let client = Client::connect(&url, DEV_ACCOUNTS[i + 1].0)
                .await
                .map_err(chain_failure)?;
            let r = Registry::at(&client, registry.address())
                .await
                .map_err(chain_failure)?;
            players.push((format!("competitor {}", i + 1), r, model.clone()));
        }
        let me = |r: &Registry| Addr(r.client().address());

        section("3. a competitor audits the contest before committing");
        say("what `contest-cli commit` and `submit` do first: the registry's and Poseidon's code, the");
        say(
            "verifier rebuilt from the spec and the SRS and compared byte for byte, the parameters",
        );
        say("against the spec, and where the SRS came from.");
        match ptau {
            None => {
                say("This demo's SRS was generated on this machine (UNSAFE: its maker may know tau),");
                say("so the audit passes only because the demo accepts it as `--allow-unsafe-srs` would;");
                say("a contest with real value uses a ceremony's SRS.");
            }
            Some(p) => {
                say(&format!(
                    "This demo's SRS comes from the ceremony transcript {}; the audit",
                    p.display()
                ));
                say("checks every contribution's proof and lists the contributors. It is not a published");
                say("public ceremony and the registry does not record contest ceremonies yet, so the audit");
                say("accepts it only as `--allow-unsafe-srs` would: a contributor checks its own hash below.");
            }
        }
        let solc = Solc::new(&self.solc);
        let audit_req = AuditRequest {
            registry: &players[0].1,
            contest_id: id,
            spec,
            spec_path: &self.spec,
            keys_dir,
            srs: ptau,
            solc: &solc,
            allow_unsafe_srs: true,
            trusted_contributors: &[],
        };
        let audited = audit(&audit_req, &say).await.map_err(contest_failure)?;
        for c in &audited.checks {
            say(&format!(
                "  {} {:<19} {}",
                if c.ok { "ok  " } else { "FAIL" },
                c.name,
                c.detail
            ));
        }
        if !audited.ok {
            return Err(Failure::env(anyhow!(
                "the demo's own contest fails the audit; see the checks above"
            )));
        }
        say(&format!("audit passed in {:.1} s", audited.seconds));

        section("4. competitors commit (salt stored before each transaction)");
        for (name, r, model) in &players {
            let c = self.competitor(r, id, spec, state_root);
            let rep = commit(&c, model, None, &|| {}, &say)
                .await
                .map_err(contest_failure)?;
            if let Some(tx) = &rep.tx {
                log(name, &tx.action, tx.gas_used);
            }
            say(&format!("{name} {} committed {}", me(r), rep.commitment));
        }

        section("5. organiser reveals the test set after the commit deadline");
        let (_, now) = registry.head().await.map_err(chain_failure)?;
        advance(&organiser, config.commit_deadline + 1 - now).await?;
        let rep = reveal_testset(&registry, id, spec, testset, &term)
            .await
            .map_err(contest_failure)?;
        for tx in &rep.txs {
            log("organiser", &tx.action, tx.gas_used);
        }
        // The chunks' claimed states are checked by whoever cares (PROTOCOL §14.3): here by a
        // competitor, who finds nothing to challenge; proofs open after the challenge window.
        let watcher = players.first().map_or(&registry, |(_, r, _)| r);
        let check = challenge_testset(watcher, id, spec)
            .await
            .map_err(contest_failure)?;
        let info = registry.contest(id).await.map_err(chain_failure)?;
        say(&format!(
            "a competitor checked the {} posted chunks: {}; challenge window until {}",
            check.chunks,
            if check.tx.is_none() {
                "nothing to challenge"
            } else {
                "challenged"
            },
            info.challenge_ends
        ));
        let (_, now) = registry.head().await.map_err(chain_failure)?;
        if info.challenge_ends >= now {
            advance(&organiser, info.challenge_ends + 1 - now).await?;
        }

        section("6. competitors prove and submit");
        let mut standings = Vec::new();
        for (name, r, model) in &players {
            let c = self.competitor(r, id, spec, state_root);
            // Competitors read the test set from the chain, as in a real contest.
            let rep = submit(&c, keys_dir, None, None, ProofSource::InProcess, &term)
                .await
                .map_err(contest_failure)?;
            if let Some(tx) = &rep.tx {
                log(name, &tx.action, tx.gas_used);
                let standing = if rep.qualifies {
                    "ranked".to_string()
                } else {
                    format!(
                        "scored, not ranked (below the threshold of {}; bond back after the \
                         proof window)",
                        rep.min_correct
                    )
                };
                say(&format!(
                    "{name}: {}/{} proved in {:.1} s (witness {:.1} s), accepted ({} gas), {standing}",
                    rep.correct, rep.rows, rep.prove_seconds, rep.witness_seconds, tx.gas_used
                ));
            }
            standings.push(Standing {
                rank: None,
                competitor: me(r),
                model: model.display().to_string(),
                correct: rep.correct,
                rows: rep.rows,
                status: EntryStatus::Committed,
                prove_seconds: rep.prove_seconds,
                witness_seconds: rep.witness_seconds,
                withdrawn: Wei(0),
            });
        }

        section("7. after the proof window, winners reveal their models");
        let (_, now) = registry.head().await.map_err(chain_failure)?;
        let proof_ends = registry
            .contest(id)
            .await
            .map_err(chain_failure)?
            .proof_end();
        advance(&organiser, proof_ends + 1 - now).await?;
        let ranking = registry.ranking(id).await.map_err(chain_failure)?;
        for (who, _, _) in &ranking {
            let Some((name, r, _)) = players.iter().find(|(_, r, _)| me(r) == *who) else {
                continue;
            };
            let c = self.competitor(r, id, spec, state_root);
            match reveal(&c, &term).await {
                Ok(rep) => {
                    for tx in &rep.txs {
                        log(name, &tx.action, tx.gas_used);
                    }
                    say(&format!("{name} revealed {} model elements", rep.elements));
                }
                // A qualified entry below the paid ranks is never called: that is expected.
                Err(e) => say(&format!("{name} does not reveal: {e}")),
            }
        }

        section("8. withdrawals");
        let organiser_registry = registry.clone();
        let everyone = std::iter::once(("organiser".to_string(), &organiser_registry))
            .chain(players.iter().map(|(n, r, _)| (n.clone(), r)));
        let mut withdrawn = Vec::new();
        for (name, r) in everyone {
            if r.owed(id, me(r)).await.map_err(chain_failure)?.0 == 0 {
                continue;
            }
            let (amount, tx) = withdraw(r, id).await.map_err(contest_failure)?;
            log(&name, &tx.action, tx.gas_used);
            say(&format!("{name} withdrew {amount}"));
            withdrawn.push((me(r), amount));
        }

        for s in &mut standings {
            s.rank = ranking
                .iter()
                .position(|(a, _, _)| *a == s.competitor)
                .map(|p| p + 1);
            s.status = registry
                .entry(id, s.competitor)
                .await
                .map_err(chain_failure)?
                .status;
            s.withdrawn = withdrawn
                .iter()
                .find(|(a, _)| *a == s.competitor)
                .map_or(Wei(0), |(_, w)| *w);
        }
        standings.sort_by_key(|s| (s.rank.unwrap_or(usize::MAX), std::cmp::Reverse(s.correct)));
        let phase = registry.contest(id).await.map_err(chain_failure)?.phase;
        if !json {
            print_tables(&standings, &gas, phase.name());
        }
        if self.hold {
            eprintln!("holding anvil ({url}) and the dashboard; Ctrl-C to stop");
            tokio::signal::ctrl_c()
                .await
                .map_err(|e| Failure::env(anyhow!("waiting for Ctrl-C: {e}")))?;
        }
        Ok(json!({
            "registry": registry.address(), "contest_id": id, "verifier": verifier,
            "phase": phase, "leaderboard": standings, "gas": gas, "audit": audited,
        }))
    }

    fn competitor<'a>(
        &'a self,
        r: &'a Registry,
        id: u64,
        spec: &'a Spec,
        state_root: &'a Path,
    ) -> Competitor<'a> {
        Competitor {
            registry: r,
            contest_id: id,
            spec,
            spec_path: &self.spec,
            state_root,
        }
    }
}

/// Reuses the keys in `dir` if they were made for this spec's circuit, else makes them.
fn ensure_keys(spec: &Spec, dir: &Path) -> Result<(), Failure> {
    let figures = plan(spec).map_err(Failure::input)?;
    if let Ok((manifest, _)) = ContestKeys::read_verifier(dir) {
        if manifest.spec_name == spec.name && manifest.figures == figures {
            if manifest.srs_kind == SrsKind::UnsafeDev {
                eprintln!("{UNSAFE_WARNING}");
            }
            say(&format!(
                "reusing the keys in {} (k = {})",
                dir.display(),
                figures.k
            ));
            return Ok(());
        }
    }
    make_keys(spec, dir, None).map(|made| {
        say(&format!(
            "keys written to {} (k = {})",
            dir.display(),
            made.figures.k
        ));
    })
}

/// Serves the dashboard of contest `id` on a loopback port (falling back to a free one) as
/// background tasks of the demo's runtime; returns the page's URL.
async fn start_dashboard(rpc: &str, registry: Addr, id: u64, port: u16) -> Result<String, Failure> {
    let loopback = |p| SocketAddr::from(([127, 0, 0, 1], p));
    let listener = match dashboard::bind(loopback(port)).await {
        Ok(l) => l,
        Err(_) => dashboard::bind(loopback(0)).await.map_err(Failure::env)?,
    };
    let local = listener.local_addr().map_err(Failure::env)?;
    let cfg = WatchConfig {
        rpc_url: rpc.into(),
        registry,
        contest: Some(id),
        from_block: None,
        poll: Duration::from_millis(500),
        max_range: 10_000,
    };
    let mut watcher = Watcher::new(cfg.clone());
    watcher.poll().await.map_err(chain_failure)?;
    let hub = Hub::start(cfg, watcher).await;
    tokio::spawn(dashboard::serve(listener, hub, None));
    Ok(format!("http://{local}/contest/{id}"))
}

async fn advance(client: &Client, seconds: u64) -> Result<(), Failure> {
    say(&format!("(anvil: advancing the clock by {seconds} s)"));
    client
        .dev_advance_time(seconds)
        .await
        .map_err(chain_failure)
}

fn section(title: &str) {
    eprintln!("\n== {title}");
}

fn say(msg: &str) {
    eprintln!("   {msg}");
}

fn print_tables(standings: &[Standing], gas: &[GasRow], phase: &str) {
    println!("\nLeaderboard (contest {phase})");
    println!(
        "{:<5} {:<44} {:<34} {:>9} {:>8} {:<10} {:>22}",
        "rank", "competitor", "model", "correct", "acc %", "status", "withdrawn"
    );
    for s in standings {
        println!(
            "{:<5} {:<44} {:<34} {:>9} {:>8.2} {:<10} {:>22}",
            s.rank.map_or("-".into(), |r| r.to_string()),
            s.competitor.to_string(),
            Path::new(&s.model)
                .file_name()
                .map_or(s.model.clone(), |f| f.to_string_lossy().into_owned()),
            format!("{}/{}", s.correct, s.rows),
            100.0 * s.correct as f64 / s.rows.max(1) as f64,
            format!("{:?}", s.status).to_lowercase(),
            s.withdrawn.to_string()
        );
    }
    println!("\nGas per transaction");
    println!("{:<14} {:<24} {:>12}", "who", "action", "gas");
    for g in gas {
        println!("{:<14} {:<24} {:>12}", g.who, g.action, g.gas);
    }
    let total: u64 = gas.iter().map(|g| g.gas).sum();
    println!("{:<14} {:<24} {:>12}", "", "total", total);
}

/// The digits demo's competitors (a spread of accuracies, one below the threshold).
const DIGITS_MODELS: [&str; 3] = ["mlp-h32.onnx", "mlp-h16.onnx", "weak-h12.onnx"];

/// The demo's competitors when none are given: see `DemoArgs::models`.
fn default_models(spec_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = spec_dir.join("models");
    let named: Vec<PathBuf> = DIGITS_MODELS.iter().map(|m| dir.join(m)).collect();
    if spec_dir.file_name().is_some_and(|n| n == "digits") && named.iter().all(|p| p.is_file()) {
        return Ok(named);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| {
            format!(
                "no --model given and no {} to take models from",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "onnx"))
        .collect();
    found.sort();
    found.truncate(DEV_ACCOUNTS.len() - 1);
    if found.is_empty() {
        anyhow::bail!("no --model given and no .onnx file in {}", dir.display());
    }
    Ok(found)
}

/// The demo's test set when none is given: the spec directory's one `*-test.zkts`.
fn default_testset(spec_dir: &Path) -> anyhow::Result<PathBuf> {
    let found: Vec<PathBuf> = std::fs::read_dir(spec_dir)
        .with_context(|| format!("reading {}", spec_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with("-test.zkts")))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => anyhow::bail!(
            "no --testset given and no *-test.zkts in {}",
            spec_dir.display()
        ),
        many => anyhow::bail!(
            "no --testset given and {} *-test.zkts files in {}: pass --testset",
            many.len(),
            spec_dir.display()
        ),
    }
}
