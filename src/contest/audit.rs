//! Anyone's check of a contest: every accepted proof re-verified natively from chain data
//! alone (the `submitProof` calldata, the entry's commitment, the contest's `T`), so an
//! auditor needs the contest's verifying key and SRS but trusts neither the organiser's
//! verifier contract nor the competitors.

use std::path::Path;

use serde::Serialize;

use super::{ContestError, Progress, Result};
use crate::chain::registry::{Registry, LOG_WINDOW};
use crate::chain::types::{Addr, Event};
use crate::circuit::accuracy::Statement;
use crate::prover::keys::ContestKeys;
use crate::prover::proof::verify;
use crate::prover::srs::read_params;

/// One accepted proof, re-verified.
#[derive(Clone, Debug, Serialize)]
pub struct AuditedProof {
    /// The competitor.
    pub competitor: Addr,
    /// Its claimed and accepted `correct`.
    pub correct: u64,
    /// The `submitProof` transaction.
    pub tx: String,
    /// Whether the proof verifies natively against the instances rebuilt from chain data.
    pub valid: bool,
    /// Why it is invalid, if it is.
    pub problem: Option<String>,
}

/// Re-verifies every accepted proof of contest `id` (or only `only`'s).
pub async fn audit_proofs(
    registry: &Registry,
    id: u64,
    keys_dir: &Path,
    only: Option<Addr>,
    progress: Progress<'_>,
) -> Result<Vec<AuditedProof>> {
    let info = registry.contest(id).await?;
    let (manifest, vk) = ContestKeys::read_verifier(keys_dir).map_err(ContestError::input)?;
    let params =
        read_params(&manifest.srs_path, manifest.figures.k).map_err(ContestError::input)?;
    let (head, _) = registry.head().await?;
    let chain_id = registry.client().chain_id();
    let mut out = Vec::new();
    for logged in registry
        .events_paged(Some(id), info.created_block, head, LOG_WINDOW)
        .await?
    {
        let Event::ProofAccepted {
            competitor,
            correct,
            ..
        } = logged.event
        else {
            continue;
        };
        if only.is_some_and(|a| a != competitor) {
            continue;
        }
        progress.note(&format!("verifying {competitor}'s proof ({})", logged.tx));
        let (tx_id, tx_correct, proof) = registry.submitted_proof(&logged.tx).await?;
        let entry = registry.entry(id, competitor).await?;
        let statement = Statement {
            chain_id,
            contest_id: id,
            submitter: competitor.0,
            model_commitment: entry.commitment,
            testset_commitment: info.config.testset_commitment,
            correct,
        };
        let problem = if tx_id != id || tx_correct != correct {
            Some(format!(
                "the transaction submitted (contest {tx_id}, correct {tx_correct}), not what the event says"
            ))
        } else if !verify(&params, &vk, &statement.instances(), &proof) {
            Some("the proof does not verify for these instances".into())
        } else {
            None
        };
        out.push(AuditedProof {
            competitor,
            correct,
            tx: logged.tx,
            valid: problem.is_none(),
            problem,
        });
    }
    Ok(out)
}
