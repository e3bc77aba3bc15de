//! A competitor's side of shared columns (docs/PROTOCOL.md §14.2.1): before its first shard
//! proof, the entry's model proof, which opens its model column to its commitment `C`; before
//! each shard proof, a test-set proof of the shard, which opens the shard's rows column to
//! `T_s` (anyone's will do: it is sent only if the registry holds no such column yet). Each is
//! proved once, stored in the entry's proof directory, and reused by a rerun.

use std::path::{Path, PathBuf};

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde::Serialize;

use super::competitor::{prove_reporting, Competitor};
use super::organiser::side_key_dirs;
use super::{ContestError, Progress, Result};
use crate::chain::types::{model_column_key, rows_column_key, ColumnVerifiers, Tx, POINT_BYTES};
use crate::circuit::accuracy::{AccuracyWitness, Statement};
use crate::model::QuantizedModel;
use crate::prover::keys::{ContestKeys, KeyManifest, ProofKind};
use crate::prover::proof_dir::ProofDir;
use crate::prover::srs::read_params;
use crate::spec::TestSet;

/// What a `submit` did about one model or test-set proof.
#[derive(Clone, Debug, Serialize)]
pub struct ColumnReport {
    /// Which proof.
    pub proof: ProofKind,
    /// The shard of a test-set proof.
    pub shard: Option<u64>,
    /// The transaction that sent it (none if the registry already held the column).
    pub tx: Option<Tx>,
    /// Whether the registry already held the column.
    pub already: bool,
    /// Seconds spent proving it (0 if a stored proof was reused or none was needed).
    pub prove_seconds: f64,
}

/// The model and test-set proofs' key directories of a contest with shared columns `cols`,
/// checked against the shard keys in `keys_dir` (`manifest`): both must share the same columns.
pub(super) fn side_keys(
    contest_id: u64,
    cols: Option<&ColumnVerifiers>,
    (manifest, keys_dir): (&KeyManifest, &Path),
) -> Result<Option<(PathBuf, Option<PathBuf>)>> {
    let sharing = manifest.sharing();
    let contest = (cols.is_some(), cols.is_some_and(|c| c.testset.is_some()));
    if (sharing.model, sharing.model && sharing.rows) != contest {
        let says = |(model, rows): (bool, bool)| match (model, rows) {
            (false, _) => "no shared column",
            (true, false) => "the model column",
            (true, true) => "the model and rows columns",
        };
        return Err(ContestError::Input(format!(
            "contest {contest_id}'s proofs share {}, but the keys in {} share {}: make the keys \
             with `setup{}` (docs/PROTOCOL.md §14.2.1), or let `audit` write them",
            says(contest),
            keys_dir.display(),
            says((sharing.model, sharing.rows)),
            match contest {
                (false, _) => "",
                (true, false) => " --shared-model",
                (true, true) => " --shared-model --shared-rows",
            }
        )));
    }
    side_key_dirs(keys_dir)
}

/// Makes sure the registry holds the sender's model column for commitment `commitment`, the
/// one the shard proof `shard_proof` commits to in its first 64 bytes: proves the model proof
/// (or reuses the stored one) and sends it unless the registry already has it.
pub(super) async fn open_model_column(
    c: &Competitor<'_>,
    (commitment, model, salt): (Fr, &QuantizedModel, Fr),
    keys_dir: &Path,
    shard_proof: &[u8],
    progress: Progress<'_>,
) -> Result<ColumnReport> {
    let me = c.me();
    let statement = Statement {
        chain_id: c.registry.client().chain_id(),
        contest_id: c.contest_id,
        submitter: me.0,
        model_commitment: commitment,
        testset_commitment: Fr::from(0),
        correct: 0,
    };
    let dummy = AccuracyWitness::dummy(&c.spec.shard_spec()).map_err(ContestError::input)?;
    let witness = AccuracyWitness {
        model: model.clone(),
        salt,
        testset: dummy.testset,
    };
    let out = c.state().proof_dir(&commitment).join("model");
    let point = point(shard_proof, 0)?;
    let key = model_column_key(me, &commitment, point);
    let mut report = ColumnReport {
        proof: ProofKind::Model,
        shard: None,
        tx: None,
        already: c.registry.column_opened(c.contest_id, key).await?,
        prove_seconds: 0.0,
    };
    if report.already {
        return Ok(report);
    }
    let (proof, seconds) = side_proof(c, (keys_dir, &out), &witness, &statement, progress)?;
    report.prove_seconds = seconds;
    if proof.get(..POINT_BYTES) != Some(point) {
        return Err(mismatch("model", keys_dir));
    }
    progress.note("sending the model proof (it opens the model column to C)…");
    report.tx = Some(c.registry.submit_model_proof(c.contest_id, &proof).await?);
    Ok(report)
}

/// Makes sure the registry holds shard `shard`'s rows column that the shard proof `shard_proof`
/// commits to in its second 64 bytes, opened to `t_s`: proves the shard's test-set proof over
/// `rows` (or reuses the stored one) and sends it unless the registry already has the column.
pub(super) async fn open_rows_column(
    c: &Competitor<'_>,
    (shard, t_s, rows): (u64, Fr, TestSet),
    (keys_dir, commitment): (&Path, Fr),
    shard_proof: &[u8],
    progress: Progress<'_>,
) -> Result<ColumnReport> {
    let point = point(shard_proof, 1)?;
    let key = rows_column_key(shard, &t_s, point);
    let mut report = ColumnReport {
        proof: ProofKind::TestSet,
        shard: Some(shard),
        tx: None,
        already: c.registry.column_opened(c.contest_id, key).await?,
        prove_seconds: 0.0,
    };
    if report.already {
        return Ok(report);
    }
    let statement = Statement {
        chain_id: c.registry.client().chain_id(),
        contest_id: c.contest_id,
        submitter: c.me().0,
        model_commitment: Fr::from(0),
        testset_commitment: t_s,
        correct: 0,
    };
    let dummy = AccuracyWitness::dummy(&c.spec.shard_spec()).map_err(ContestError::input)?;
    let witness = AccuracyWitness {
        model: dummy.model,
        salt: Fr::from(0),
        testset: rows,
    };
    let out = c
        .state()
        .proof_dir(&commitment)
        .join(format!("testset-{shard}"));
    let (proof, seconds) = side_proof(c, (keys_dir, &out), &witness, &statement, progress)?;
    report.prove_seconds = seconds;
    if proof.get(..POINT_BYTES) != Some(point) {
        return Err(mismatch("rows", keys_dir));
    }
    progress.note(&format!(
        "sending the test-set proof of shard {shard} (it opens the shard's rows column to T_s)…"
    ));
    report.tx = Some(
        c.registry
            .submit_testset_proof(c.contest_id, shard, &proof)
            .await?,
    );
    Ok(report)
}

/// A shard proof's `i`-th point (0: the model column, 1: the rows column).
fn point(proof: &[u8], i: usize) -> Result<&[u8]> {
    proof
        .get(i * POINT_BYTES..(i + 1) * POINT_BYTES)
        .ok_or_else(|| ContestError::State(format!("a proof of {} bytes", proof.len())))
}

fn mismatch(column: &str, keys_dir: &Path) -> ContestError {
    ContestError::State(format!(
        "the {column} column of the shard proof is not the one the proof made with the keys in {} \
         commits to: the shard keys and these were not made together by one `setup \
         --shared-model` (same k, same SRS)",
        keys_dir.display()
    ))
}

/// The proof of `statement` in `out` if one is stored there, else proved with the keys in
/// `keys_dir` and stored; with the seconds spent proving.
fn side_proof(
    c: &Competitor<'_>,
    (keys_dir, out): (&Path, &Path),
    witness: &AccuracyWitness,
    statement: &Statement,
    progress: Progress<'_>,
) -> Result<(Vec<u8>, f64)> {
    if let Ok(stored) = ProofDir::read(out) {
        if stored.statement == *statement {
            progress.note(&format!("reusing the proof in {}", out.display()));
            return Ok((stored.proof, 0.0));
        }
    }
    let keys = ContestKeys::read(keys_dir).map_err(ContestError::input)?;
    let params = read_params(&keys.manifest.srs_path, keys.manifest.figures.k)
        .map_err(ContestError::input)?;
    progress.note(&format!(
        "proving the {:?} proof (k = {})…",
        keys.manifest.proof_kind, keys.manifest.figures.k
    ));
    let (proof, timings) = prove_reporting(
        c.spec,
        (&keys, keys_dir),
        &params,
        witness,
        statement,
        progress,
    )
    .map_err(|e| ContestError::Prover(e.to_string()))?;
    ProofDir {
        statement: *statement,
        proof: proof.clone(),
    }
    .write(out)
    .map_err(|e| ContestError::State(e.to_string()))?;
    Ok((proof, timings.witness_seconds + timings.proving_seconds))
}
