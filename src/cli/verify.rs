//! `contest-cli verify`: checks a proof natively against the contest's keys: a proof
//! directory (`--proof`), or every proof a contest accepted, rebuilt from chain data alone
//! (`--registry … --contest …`).

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::chain_args::{
    block_on, connect_readonly, contest_failure, print_json, progress, registry, ContestArgs,
    RpcArgs,
};
use super::inputs::parse_address;
use super::{Failure, Outcome};
use crate::chain::types::Addr;
use crate::contest::audit::audit_proofs;
use crate::prover::keys::ContestKeys;
use crate::prover::proof::verify;
use crate::prover::proof_dir::ProofDir;
use crate::prover::srs::{read_params, SrsKind, UNSAFE_WARNING};

/// Arguments of `contest-cli verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Key directory written by `contest-cli setup` (only the verifying key is read).
    #[arg(long)]
    keys: PathBuf,
    /// Proof directory written by `contest-cli prove`.
    #[arg(long, required_unless_present = "contest", conflicts_with = "contest")]
    proof: Option<PathBuf>,
    /// Registry of the contest whose accepted proofs to check.
    #[arg(long, env = "CONTEST_REGISTRY", requires = "contest")]
    registry: Option<String>,
    /// Contest whose accepted proofs to check (from chain data).
    #[arg(long, requires = "registry")]
    contest: Option<u64>,
    /// Only this competitor's proof.
    #[arg(long, requires = "contest")]
    competitor: Option<String>,
    #[command(flatten)]
    rpc: RpcArgs,
}

impl VerifyArgs {
    /// Exit 0 if the proof is valid for its instances, 1 if it is not.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let (manifest, vk) = ContestKeys::read_verifier(&self.keys).map_err(Failure::input)?;
        if manifest.srs_kind == SrsKind::UnsafeDev {
            eprintln!("{UNSAFE_WARNING}");
        }
        let params = read_params(&manifest.srs_path, manifest.figures.k).map_err(Failure::input)?;
        let (Some(proof), None) = (&self.proof, self.contest) else {
            return self.run_chain(json);
        };
        let dir = ProofDir::read(proof).map_err(Failure::input)?;
        let valid = verify(&params, &vk, &dir.statement.instances(), &dir.proof);
        if json {
            println!(
                "{}",
                json!({ "valid": valid, "correct": dir.statement.correct })
            );
        } else if valid {
            println!(
                "valid: the committed model gets {} right on the committed test set",
                dir.statement.correct
            );
        } else {
            println!("INVALID proof for these instances");
        }
        Ok(if valid {
            Outcome::Success
        } else {
            Outcome::ClaimFails
        })
    }
}

impl VerifyArgs {
    fn run_chain(self, json: bool) -> Result<Outcome, Failure> {
        let contest = ContestArgs {
            registry: self.registry.clone().unwrap_or_default(),
            contest: self.contest.unwrap_or_default(),
        };
        let only = self
            .competitor
            .as_deref()
            .map(parse_address)
            .transpose()?
            .map(Addr);
        block_on(async {
            let client = connect_readonly(&self.rpc).await?;
            let registry = registry(&client, &contest).await?;
            let audited = audit_proofs(&registry, contest.contest, &self.keys, only, &progress)
                .await
                .map_err(contest_failure)?;
            let all_valid = audited.iter().all(|a| a.valid);
            if json {
                print_json(&serde_json::json!({ "valid": all_valid, "proofs": audited }))?;
            } else {
                if audited.is_empty() {
                    println!("contest {} has no accepted proofs", contest.contest);
                }
                for a in &audited {
                    println!(
                        "{} {} correct: {}",
                        a.competitor,
                        a.correct,
                        match &a.problem {
                            None => "valid".to_string(),
                            Some(p) => format!("INVALID ({p})"),
                        }
                    );
                }
            }
            Ok(if all_valid {
                Outcome::Success
            } else {
                Outcome::ClaimFails
            })
        })?
    }
}
