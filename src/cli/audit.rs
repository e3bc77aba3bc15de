//! `contest-cli audit`: anyone's check that a contest is what its spec says and that nobody can
//! forge its proofs (`contest::trust`). `commit` and `submit` run the same audit first.

use std::path::{Path, PathBuf};

use clap::Args;

use super::chain_args::{
    block_on, connect_readonly, contest_failure, print_json, progress, registry, ContestArgs,
    RpcArgs,
};
use super::{Failure, Outcome};
use crate::chain::registry::Registry;
use crate::chain::types::Addr;
use crate::contest::trust::{audit, AuditReport, AuditRequest};
use crate::evm::compile::Solc;
use crate::spec::Spec;

/// Arguments of `contest-cli audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The contest's spec (its keccak-256 must be the contest's specHash).
    #[arg(long)]
    spec: PathBuf,
    /// Key directory: the keys rebuilt from the spec and SRS are compared with the ones there,
    /// or written there when it holds none.
    #[arg(long)]
    keys: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
}

/// How a competitor's command audits the contest before it spends anything.
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// The contest's SRS: the ceremony's powers-of-tau file (`.ptau`, whose origin the audit
    /// can establish) or a halo2 params file. Default: the key directory's.
    #[arg(long)]
    pub srs: Option<PathBuf>,
    /// Accept an SRS whose origin cannot be established (an UNSAFE development SRS, whose
    /// maker may know tau and forge proofs). Waives that check alone.
    #[arg(long)]
    pub allow_unsafe_srs: bool,
    /// For a contest with its own ceremony: an address whose recorded contribution you trust
    /// (repeatable). `commit` and `submit` always trust their own address's contributions.
    #[arg(long = "trust-contributor", value_name = "ADDR", value_parser = parse_addr)]
    pub trust_contributors: Vec<Addr>,
    /// solc executable taking `--standard-json` (solc 0.8.19), for rebuilding the verifier.
    #[arg(long, env = "ZKCONTEST_SOLC", default_value = "scripts/solc")]
    pub solc: PathBuf,
}

/// Extra flag of the commands that spend money (`commit`, `submit`).
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Skip the audit: you trust the organiser not to have deployed a verifier that accepts
    /// forged proofs or rejects yours, nor parameters other than the spec's.
    #[arg(long)]
    pub trust_organiser: bool,
}

impl AuditArgs {
    /// Exit 0 when every check holds, 1 when one fails.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        block_on(async {
            let client = connect_readonly(&self.rpc).await?;
            let registry = registry(&client, &self.contest).await?;
            let report = run_audit(
                &registry,
                self.contest.contest,
                &spec,
                &self.spec,
                &self.keys,
                &self.trust,
                None,
            )
            .await?;
            if json {
                print_json(&report)?;
            } else {
                print_report(&report);
            }
            Ok(if report.ok {
                Outcome::Success
            } else {
                Outcome::ClaimFails
            })
        })?
    }
}

fn parse_addr(s: &str) -> Result<Addr, String> {
    let mut out = [0u8; 20];
    hex::decode_to_slice(s.strip_prefix("0x").unwrap_or(s), &mut out)
        .map_err(|_| format!("invalid address {s:?}: expected 0x followed by 40 hex digits"))?;
    Ok(Addr(out))
}

async fn run_audit(
    registry: &Registry,
    contest_id: u64,
    spec: &Spec,
    spec_path: &Path,
    keys: &Path,
    trust: &TrustArgs,
    me: Option<Addr>,
) -> Result<AuditReport, Failure> {
    let solc = Solc::new(&trust.solc);
    let mut trusted: Vec<Addr> = me.into_iter().collect();
    trusted.extend(trust.trust_contributors.iter().copied());
    let req = AuditRequest {
        registry,
        contest_id,
        spec,
        spec_path,
        keys_dir: keys,
        srs: trust.srs.as_deref(),
        solc: &solc,
        allow_unsafe_srs: trust.allow_unsafe_srs,
        trusted_contributors: &trusted,
    };
    audit(&req, &progress).await.map_err(contest_failure)
}

fn print_report(report: &AuditReport) {
    println!(
        "contest {} in registry {} (verifier {}, k = {}):",
        report.contest_id, report.registry, report.verifier, report.k
    );
    for c in &report.checks {
        println!(
            "  {} {:<19} {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    println!(
        "{} ({:.1} s)",
        if report.ok {
            "every check holds"
        } else {
            "the contest FAILS the audit"
        },
        report.seconds
    );
}

/// Runs the audit before a command that spends money. `Ok(false)` (after printing every
/// failed check on stderr) means refuse: the caller exits 1. `--trust-organiser` skips it.
pub async fn gate(
    registry: &Registry,
    contest_id: u64,
    spec: &Spec,
    spec_path: &Path,
    keys: &Path,
    gate: &GateArgs,
) -> Result<bool, Failure> {
    if gate.trust_organiser {
        eprintln!(
            "warning: --trust-organiser: the contest is not audited; its verifier could accept \
             forged proofs or reject yours, and its rules could differ from the spec"
        );
        return Ok(true);
    }
    let me = Addr(registry.client().address());
    let report = run_audit(
        registry,
        contest_id,
        spec,
        spec_path,
        keys,
        &gate.trust,
        Some(me),
    )
    .await?;
    if report.ok {
        eprintln!(
            "audit: every check holds ({} checks, {:.1} s)",
            report.checks.len(),
            report.seconds
        );
        for c in report.checks.iter().filter(|c| c.name == "srs_provenance") {
            eprintln!("audit: SRS: {}", c.detail);
        }
        return Ok(true);
    }
    let failed: Vec<_> = report.failed().collect();
    eprintln!(
        "error: refusing to go on: contest {contest_id} fails the audit ({} of {} checks failed):",
        failed.len(),
        report.checks.len()
    );
    for c in failed {
        eprintln!("  FAIL {}: {}", c.name, c.detail);
    }
    eprintln!(
        "(`contest-cli audit` shows every check; --allow-unsafe-srs accepts an SRS whose origin \
         cannot be established, --trust-organiser skips the audit)"
    );
    Ok(false)
}
