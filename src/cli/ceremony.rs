//! `contest-cli ceremony contribute | record | verify | finish`: the contest's own
//! powers-of-tau ceremony on snarkjs `.ptau` files, recorded by the registry, so a competitor
//! who contributes needs to trust nobody (docs/PROTOCOL.md §12.5).

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use serde_json::json;

use super::chain_args::{
    block_on, chain_failure, connect, contest_failure, print_json, progress, registry, ContestArgs,
    KeyArgs, RpcArgs,
};
use super::inputs::parse_address;
use super::setup::keys_from_ptau;
use super::{Failure, Outcome};
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, Blake2b};
use crate::contest::ceremony::{check_final_transcript, record};
use crate::contest::organiser::{deploy_verifier, key_digests};
use crate::evm::compile::Solc;
use crate::prover::keys::ProofKind;
use crate::prover::ptau::ceremony::{contribute, format_hash, verify_ceremony};
use crate::prover::ProverError;
use crate::spec::Spec;

/// `contest-cli ceremony …`.
#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// Add a random contribution to a ceremony file, as `snarkjs powersoftau contribute` does;
    /// prints the contribution hash to look for later.
    Contribute(CeremonyContributeArgs),
    /// Record a contribution (by default the file's latest) in a contest's ceremony on chain,
    /// e.g. one made with `snarkjs powersoftau contribute`.
    Record(CeremonyRecordArgs),
    /// Organiser, after the ceremony's deadline: make the keys from the final transcript,
    /// deploy the verifier and fix it in the registry (commits open).
    Finish(CeremonyFinishArgs),
    /// Verify every contribution and the powers of a ceremony file (exit 0 all hold, 1 one
    /// fails), as `snarkjs powersoftau verify` does.
    Verify(CeremonyVerifyArgs),
}

impl CeremonyCommand {
    /// Runs the subcommand.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        match self {
            CeremonyCommand::Contribute(args) => args.run(json),
            CeremonyCommand::Record(args) => args.run(json),
            CeremonyCommand::Finish(args) => args.run(json),
            CeremonyCommand::Verify(args) => args.run(json),
        }
    }
}

/// Arguments of `contest-cli ceremony contribute`.
#[derive(Debug, Args)]
pub struct CeremonyContributeArgs {
    /// The ceremony file to contribute to (the previous contributor's output, or the output of
    /// `snarkjs powersoftau new bn128 POWER`).
    #[arg(long = "in", value_name = "PREV.ptau")]
    input: PathBuf,
    /// Where to write the file with this contribution added (written atomically).
    #[arg(long, value_name = "NEXT.ptau")]
    out: PathBuf,
    /// The name recorded with the contribution (snarkjs keeps its first 64 UTF-16 units).
    #[arg(long, default_value = "")]
    name: String,
    /// Extra entropy mixed into the operating system's randomness (optional: the OS random
    /// generator alone suffices).
    #[arg(long)]
    entropy: Option<String>,
    /// Also record the contribution in this contest's ceremony (needs `--registry` and a key).
    #[arg(long, requires = "registry")]
    contest: Option<u64>,
    /// The ContestRegistry holding `--contest`.
    #[arg(long, env = "CONTEST_REGISTRY")]
    registry: Option<String>,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl CeremonyContributeArgs {
    /// Contributes and prints the contribution hash as snarkjs does (with `--json`:
    /// `{index, name, power, contribution_hash, next_challenge, dropped_phase2, out}`).
    /// Exit 2 for an unusable input file.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        eprintln!(
            "contributing to {} (the secrets are never written anywhere)…",
            self.input.display()
        );
        let started = Instant::now();
        let entropy = self.entropy.unwrap_or_default();
        let receipt =
            contribute(&self.input, &self.out, &self.name, entropy.as_bytes()).map_err(failure)?;
        eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
        if receipt.dropped_phase2 {
            eprintln!(
                "warning: the input had phase-2 sections; the output does not: run `snarkjs \
                 powersoftau prepare phase2` again at the end of the ceremony"
            );
        }
        let recorded = match (self.contest, &self.registry) {
            (Some(id), Some(addr)) => {
                let hash = Blake2b::from_hex(&receipt.contribution_hash).ok_or_else(|| {
                    Failure::env(anyhow::anyhow!("contribution hash is not 64 bytes of hex"))
                })?;
                let contest = ContestArgs {
                    registry: addr.clone(),
                    contest: id,
                };
                Some(record_on_chain(
                    &self.rpc,
                    &self.key,
                    &contest,
                    &self.out,
                    Some(hash),
                )?)
            }
            _ => None,
        };
        if json {
            let mut value = serde_json::to_value(&receipt).map_err(Failure::env)?;
            value["out"] = serde_json::json!(self.out);
            value["recorded"] = serde_json::json!(recorded);
            println!("{value}");
        } else {
            let mut hash = [0u8; 64];
            hex::decode_to_slice(&receipt.contribution_hash, &mut hash).map_err(Failure::env)?;
            println!(
                "wrote {} (contribution #{} to a power-{} ceremony)",
                self.out.display(),
                receipt.index,
                receipt.power
            );
            println!("Contribution Response Hash:");
            println!("{}", format_hash(&hash));
            println!("contribution_hash: {}", receipt.contribution_hash);
            println!("next_challenge: {}", receipt.next_challenge);
            if let Some(r) = &recorded {
                println!(
                    "recorded as contribution #{} of contest {} by {} (tx {})",
                    r["index"], r["contest_id"], r["contributor"], r["tx"]["hash"]
                );
            }
        }
        Ok(Outcome::Success)
    }
}

/// Records `ptau`'s contribution `hash` (default: its latest) in the contest's ceremony; returns
/// what was recorded as JSON.
fn record_on_chain(
    rpc: &RpcArgs,
    key: &KeyArgs,
    contest: &ContestArgs,
    ptau: &std::path::Path,
    hash: Option<Blake2b>,
) -> Result<serde_json::Value, Failure> {
    block_on(async {
        let client = connect(rpc, key).await?;
        let registry = registry(&client, contest).await?;
        progress(&format!(
            "verifying {} and recording the contribution in contest {}…",
            ptau.display(),
            contest.contest
        ));
        let (rec, tx) = record(&registry, contest.contest, ptau, hash)
            .await
            .map_err(contest_failure)?;
        Ok(json!({
            "contest_id": contest.contest,
            "index": rec.index,
            "contributor": rec.contributor,
            "contribution_hash": rec.contribution_hash,
            "tx": tx,
        }))
    })?
}

/// Arguments of `contest-cli ceremony record`.
#[derive(Debug, Args)]
pub struct CeremonyRecordArgs {
    /// The ceremony file holding the contribution (it must verify).
    #[arg(long)]
    ptau: PathBuf,
    /// The contribution hash to record (128 hex digits, as snarkjs prints it); default: the
    /// file's latest contribution.
    #[arg(long)]
    hash: Option<String>,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl CeremonyRecordArgs {
    /// Exit 0 recorded; 2 for a file that does not verify or a hash not in it; 1 never.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let hash = match &self.hash {
            Some(h) => Some(Blake2b::from_hex(h).ok_or_else(|| {
                Failure::input(anyhow::anyhow!(
                    "--hash {h:?}: expected 128 hex digits (blake2b-512)"
                ))
            })?),
            None => None,
        };
        let recorded = record_on_chain(&self.rpc, &self.key, &self.contest, &self.ptau, hash)?;
        if json {
            print_json(&recorded)?;
        } else {
            println!(
                "recorded contribution {} as #{} of contest {}'s ceremony (tx {})",
                recorded["contribution_hash"],
                recorded["index"],
                self.contest.contest,
                recorded["tx"]["hash"]
            );
        }
        Ok(Outcome::Success)
    }
}

/// Arguments of `contest-cli ceremony finish`.
#[derive(Debug, Args)]
pub struct CeremonyFinishArgs {
    /// The contest's spec (the keys are made for it).
    #[arg(long)]
    spec: PathBuf,
    /// The ceremony's final transcript (`.ptau`): it must verify; its blake2b-512 is recorded.
    #[arg(long)]
    ptau: PathBuf,
    /// Where to write the keys (imported SRS, proving and verifying keys).
    #[arg(long)]
    keys: PathBuf,
    /// A verifier you deployed yourself from these keys; without it one is rendered, compiled
    /// and deployed.
    #[arg(long)]
    verifier: Option<String>,
    /// solc executable taking `--standard-json` (solc 0.8.19).
    #[arg(long, env = "ZKCONTEST_SOLC", default_value = "scripts/solc")]
    solc: PathBuf,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl CeremonyFinishArgs {
    /// Exit 0 fixed; 2 for a transcript that does not verify or a contest not ready.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let own_verifier = self.verifier.as_deref().map(parse_address).transpose()?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry: Registry = registry(&client, &self.contest).await?;
            let id = self.contest.contest;
            progress(&format!("verifying {}…", self.ptau.display()));
            let (report, matched) = check_final_transcript(&registry, id, &self.ptau)
                .await
                .map_err(contest_failure)?;
            for r in &matched.missing {
                eprintln!(
                    "warning: contribution #{} recorded by {} ({}) is not in {}: competitors who \
                     trust that contributor will refuse the contest",
                    r.index,
                    r.contributor,
                    r.contribution_hash.hex(),
                    self.ptau.display()
                );
            }
            let info = keys_from_ptau(&spec, &self.ptau, &self.keys, &progress)?;
            let transcript = Blake2b::from_hex(&info.blake2b).ok_or_else(|| {
                Failure::env(anyhow::anyhow!("the transcript's blake2b is not 64 bytes"))
            })?;
            let verifier = match own_verifier {
                Some(a) => Addr(a),
                None => {
                    let d = deploy_verifier(
                        &client,
                        (&self.keys, ProofKind::Statement),
                        &Solc::new(&self.solc),
                        &progress,
                    )
                    .await
                    .map_err(contest_failure)?;
                    progress(&format!(
                        "verifier at {} ({} bytes runtime, {} gas)",
                        d.address, d.runtime_bytes, d.deploy_gas
                    ));
                    d.address
                }
            };
            let (vk_digest, srs_digest) = key_digests(&self.keys).map_err(contest_failure)?;
            let tx = registry
                .fix_verifier(id, verifier, vk_digest, srs_digest, &transcript)
                .await
                .map_err(chain_failure)?;
            let recorded = matched
                .contributions
                .iter()
                .filter(|c| !c.recorded_by.is_empty())
                .count();
            if json {
                print_json(&json!({
                    "contest_id": id,
                    "verifier": verifier,
                    "transcript_blake2b": info.blake2b,
                    "contributions": matched.contributions,
                    "missing": matched.missing,
                    "power": report.power,
                    "keys": self.keys,
                    "tx": tx,
                }))?;
            } else {
                println!(
                    "contest {id}: verifier {verifier} fixed ({} contributions in the transcript, \
                     {recorded} of them recorded on chain; fixVerifier {} gas); commits are open",
                    matched.contributions.len(),
                    tx.gas_used
                );
                println!("transcript blake2b-512: {}", info.blake2b);
                println!(
                    "publish {} for competitors: their audit (--srs) rebuilds the verifier from it",
                    self.ptau.display()
                );
            }
            Ok(Outcome::Success)
        })?
    }
}

/// Arguments of `contest-cli ceremony verify`.
#[derive(Debug, Args)]
pub struct CeremonyVerifyArgs {
    /// The ceremony file (`.ptau`) to verify.
    #[arg(long)]
    ptau: PathBuf,
}

impl CeremonyVerifyArgs {
    /// Verifies and lists the contributions (with `--json`: the report: `{power,
    /// ceremony_power, contributions: [{index, name, contribution_hash, beacon, verified}],
    /// problems: [{location, reason}], verified}`). Exit 0 when everything holds, 1 when a
    /// check fails, 2 for a file that is not a `.ptau` file.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        eprintln!("verifying {}…", self.ptau.display());
        let started = Instant::now();
        let report = verify_ceremony(&self.ptau).map_err(failure)?;
        eprintln!("checked in {:.1} s", started.elapsed().as_secs_f64());
        let holds = report.holds();
        if json {
            let mut value = serde_json::to_value(&report).map_err(Failure::env)?;
            value["verified"] = serde_json::json!(holds);
            println!("{value}");
        } else {
            println!(
                "{}: power {} (ceremony power {}), {} contributions",
                self.ptau.display(),
                report.power,
                report.ceremony_power,
                report.contributions.len()
            );
            for c in &report.contributions {
                let name = if c.name.is_empty() {
                    "(no name)"
                } else {
                    &c.name
                };
                let beacon = if c.beacon { " [beacon]" } else { "" };
                let verified = if c.verified { "yes" } else { "NO" };
                println!(
                    "  #{} {name}{beacon}: {} verified: {verified}",
                    c.index, c.contribution_hash
                );
            }
            for p in &report.problems {
                println!("FAILED {}: {}", p.location, p.reason);
            }
            println!("verified: {}", if holds { "yes" } else { "no" });
        }
        Ok(if holds {
            Outcome::Success
        } else {
            Outcome::ClaimFails
        })
    }
}

/// I/O failures are the environment's (exit 3); anything else is the input's (exit 2).
fn failure(e: ProverError) -> Failure {
    match e {
        ProverError::Io { .. } => Failure::env(e),
        other => Failure::input(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::ptau::tests::{run_snarkjs, snarkjs};

    #[test]
    fn ceremony_cli_contributes_and_verifies() {
        let Some(bin) = snarkjs() else { return };
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        run_snarkjs(&bin, d, &["powersoftau", "new", "bn128", "4", "pot_0.ptau"]);
        let args = CeremonyContributeArgs {
            input: d.join("pot_0.ptau"),
            out: d.join("pot_1.ptau"),
            name: "Cli".into(),
            entropy: Some("some words".into()),
            contest: None,
            registry: None,
            rpc: RpcArgs::local(""),
            key: KeyArgs::none(),
        };
        assert_eq!(args.run(false).expect("contribute"), Outcome::Success);
        let verify = |name: &str| CeremonyVerifyArgs { ptau: d.join(name) }.run(true);
        assert_eq!(verify("pot_1.ptau").expect("verify"), Outcome::Success);
        // The fresh file has no contribution: the claim fails (exit 1).
        assert_eq!(verify("pot_0.ptau").expect("verify"), Outcome::ClaimFails);
        // Not a ptau file: an input error (exit 2).
        std::fs::write(d.join("junk.ptau"), b"junk").expect("write");
        assert!(matches!(verify("junk.ptau"), Err(Failure::Input(_))));
    }
}
