//! `contest-cli verify`: checks a proof directory natively against the contest's keys.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::{Failure, Outcome};
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
    #[arg(long)]
    proof: PathBuf,
}

impl VerifyArgs {
    /// Exit 0 if the proof is valid for its instances, 1 if it is not.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let (manifest, vk) = ContestKeys::read_verifier(&self.keys).map_err(Failure::input)?;
        if manifest.srs_kind == SrsKind::UnsafeDev {
            eprintln!("{UNSAFE_WARNING}");
        }
        let params = read_params(&manifest.srs_path, manifest.figures.k).map_err(Failure::input)?;
        let dir = ProofDir::read(&self.proof).map_err(Failure::input)?;
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
