//! Shard proofs made outside `submit`'s own process (PROTOCOL §14.1): a local pool of
//! `contest-cli prove --shard` worker processes, or proofs other machines left in a directory.
//!
//! Both end in the same place as an in-process proof: a proof directory (`ProofDir`) per shard
//! whose statement is exactly the one the registry will check, which `submit` then sends. A
//! worker is a separate process, so the pool's memory is bounded by its size (each worker holds
//! one shard's proving key and witness), and a worker that dies leaves the other shards' proofs
//! on disk: a rerun proves only what is missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{ContestError, Progress, Result};
use crate::circuit::accuracy::Statement;
use crate::commit::fr_to_hex;
use crate::prover::proof_dir::ProofDir;

/// Where `submit` gets each shard's proof.
#[derive(Clone, Copy, Debug)]
pub enum ProofSource<'a> {
    /// Prove in this process, one shard after another.
    InProcess,
    /// Prove the missing shards in up to this many `contest-cli prove --shard` processes at once.
    Workers(usize),
    /// Submit the proofs found in `DIR/shard-<s>/`, as `contest-cli prove --shard s --out
    /// DIR/shard-s` writes them (on this machine or any other); prove nothing.
    Collect(&'a Path),
}

/// What every worker reads: the contest's spec file, the committed model (and calibration),
/// the salt (passed in the environment, `CONTEST_SALT`, never on a command line), the revealed
/// test set as a file, and the keys.
#[derive(Clone, Debug)]
pub struct WorkerInputs {
    /// The spec file.
    pub spec: PathBuf,
    /// The committed ONNX file.
    pub model: PathBuf,
    /// Its calibration rows, if any.
    pub calibration: Option<PathBuf>,
    /// The salt, `0x…`.
    pub salt: String,
    /// The whole revealed test set (`.zkts`).
    pub testset: PathBuf,
    /// The key directory.
    pub keys: PathBuf,
}

/// One shard to prove: its statement and where its proof goes.
#[derive(Clone, Debug)]
pub struct ShardJob {
    /// The shard.
    pub shard: u64,
    /// The statement its proof must carry.
    pub statement: Statement,
    /// Its proof directory.
    pub out: PathBuf,
}

/// One worker's run.
#[derive(Clone, Debug, Serialize)]
pub struct WorkerRun {
    /// The shard it proved.
    pub shard: u64,
    /// Wall time of the worker process, seconds.
    pub seconds: f64,
    /// Proving time it reported (witness included), seconds.
    pub prove_seconds: f64,
}

/// Proves `jobs` in at most `workers` processes of this executable at once. Each writes its
/// proof directory; its stdout (`--json`) and stderr go to `<out>.json` and `<out>.log`. A
/// failed worker is an error naming its shard and log, once the running ones have finished (their
/// proofs stay on disk for a rerun). A worker whose proof does not carry the job's statement is
/// an error too.
pub fn run_pool(
    inputs: &WorkerInputs,
    jobs: &[ShardJob],
    workers: usize,
    progress: Progress<'_>,
) -> Result<Vec<WorkerRun>> {
    let exe = std::env::current_exe().map_err(|e| ContestError::State(e.to_string()))?;
    let workers = workers.max(1);
    let mut pending = jobs.iter();
    let mut running: Vec<(Child, &ShardJob, Instant)> = Vec::new();
    let mut runs = Vec::new();
    let mut failed: Option<String> = None;
    loop {
        while failed.is_none() && running.len() < workers {
            let Some(job) = pending.next() else { break };
            progress.note(&format!(
                "worker: proving shard {} into {}",
                job.shard,
                job.out.display()
            ));
            running.push((spawn(&exe, inputs, job)?, job, Instant::now()));
        }
        if running.is_empty() {
            break;
        }
        let mut i = 0;
        while i < running.len() {
            let status = running[i]
                .0
                .try_wait()
                .map_err(|e| ContestError::State(e.to_string()))?;
            let Some(status) = status else {
                i += 1;
                continue;
            };
            let (_, job, started) = running.swap_remove(i);
            let seconds = started.elapsed().as_secs_f64();
            match finished(job, status.success(), seconds) {
                Ok(run) => {
                    progress.note(&format!(
                        "worker: shard {} proved in {:.1} s",
                        job.shard, run.seconds
                    ));
                    runs.push(run);
                }
                Err(e) => failed = failed.or(Some(e.to_string())),
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    match failed {
        Some(e) => Err(ContestError::Prover(e)),
        None => Ok(runs),
    }
}

fn with_ext(out: &Path, ext: &str) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

fn spawn(exe: &Path, inputs: &WorkerInputs, job: &ShardJob) -> Result<Child> {
    let io = |e: std::io::Error| ContestError::State(format!("shard {}: {e}", job.shard));
    if let Some(parent) = job.out.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let stdout = std::fs::File::create(with_ext(&job.out, ".json")).map_err(io)?;
    let stderr = std::fs::File::create(with_ext(&job.out, ".log")).map_err(io)?;
    let s = &job.statement;
    let mut cmd = Command::new(exe);
    cmd.arg("--json")
        .arg("prove")
        .arg("--spec")
        .arg(&inputs.spec)
        .arg("--model")
        .arg(&inputs.model)
        .arg("--testset")
        .arg(&inputs.testset)
        .arg("--keys")
        .arg(&inputs.keys)
        .arg("--out")
        .arg(&job.out)
        .args(["--shard", &job.shard.to_string()])
        .args(["--submitter", &format!("0x{}", hex::encode(s.submitter))])
        .args(["--contest-id", &s.contest_id.to_string()])
        .args(["--chain-id", &s.chain_id.to_string()])
        .env("CONTEST_SALT", &inputs.salt)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    if let Some(cal) = &inputs.calibration {
        cmd.arg("--calibration").arg(cal);
    }
    cmd.spawn().map_err(io)
}

/// A worker that exited: its proof must be on disk with the job's statement.
fn finished(job: &ShardJob, success: bool, seconds: f64) -> Result<WorkerRun> {
    let log = with_ext(&job.out, ".log");
    if !success {
        return Err(ContestError::Prover(format!(
            "the worker for shard {} failed; see {}",
            job.shard,
            log.display()
        )));
    }
    let stored = ProofDir::read(&job.out).map_err(|e| {
        ContestError::Prover(format!(
            "the worker for shard {} left no proof in {} ({e}); see {}",
            job.shard,
            job.out.display(),
            log.display()
        ))
    })?;
    if stored.statement != job.statement {
        return Err(statement_mismatch(
            job.shard,
            &stored.statement,
            &job.statement,
            &job.out,
        ));
    }
    let reported: serde_json::Value = std::fs::read(with_ext(&job.out, ".json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    Ok(WorkerRun {
        shard: job.shard,
        seconds,
        prove_seconds: reported["prove_seconds"].as_f64().unwrap_or(0.0),
    })
}

/// The error for a proof in `dir` whose statement `found` is not `want`: the registry checks
/// exactly `want`'s instances, so a proof for another entry, contest, model, shard or count
/// would only be rejected on chain.
pub fn statement_mismatch(
    shard: u64,
    found: &Statement,
    want: &Statement,
    dir: &Path,
) -> ContestError {
    let differs = [
        (found.chain_id != want.chain_id, "chain id"),
        (found.contest_id != want.contest_id, "contest id"),
        (found.submitter != want.submitter, "submitter"),
        (
            found.model_commitment != want.model_commitment,
            "model commitment",
        ),
        (
            found.testset_commitment != want.testset_commitment,
            "test-set commitment (another shard or test set)",
        ),
        (found.correct != want.correct, "correct count"),
    ];
    let what: Vec<&str> = differs
        .iter()
        .filter(|(d, _)| *d)
        .map(|(_, w)| *w)
        .collect();
    ContestError::Input(format!(
        "the proof in {} is not shard {shard}'s of this entry: its {} differ{} (this entry's \
         shard {shard} is T_s = {}, {} correct)",
        dir.display(),
        what.join(", "),
        if what.len() == 1 { "s" } else { "" },
        fr_to_hex(&want.testset_commitment),
        want.correct
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

    fn statement(correct: u64) -> Statement {
        Statement {
            chain_id: 31337,
            contest_id: 1,
            submitter: [7; 20],
            model_commitment: Fr::from(11),
            testset_commitment: Fr::from(13),
            correct,
        }
    }

    /// A worker that failed, or exited without a proof, or left a proof of another statement:
    /// each is an error naming the shard (and the log to read), never a proof to send.
    #[test]
    fn a_worker_counts_only_with_the_proof_of_its_statement() {
        let dir = tempfile::tempdir().expect("temp dir");
        let job = ShardJob {
            shard: 3,
            statement: statement(5),
            out: dir.path().join("shard-3"),
        };
        let e = finished(&job, false, 1.0)
            .expect_err("failed worker")
            .to_string();
        assert!(e.contains("shard 3") && e.contains("shard-3.log"), "{e}");
        let e = finished(&job, true, 1.0).expect_err("no proof").to_string();
        assert!(e.contains("left no proof"), "{e}");
        ProofDir {
            statement: statement(6),
            proof: vec![1, 2, 3],
        }
        .write(&job.out)
        .expect("write");
        let e = finished(&job, true, 1.0)
            .expect_err("another count")
            .to_string();
        assert!(e.contains("correct count differs"), "{e}");
        ProofDir {
            statement: statement(5),
            proof: vec![1, 2, 3],
        }
        .write(&job.out)
        .expect("write");
        let run = finished(&job, true, 2.5).expect("its proof");
        assert_eq!((run.shard, run.seconds), (3, 2.5));
    }
}
