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
    /// Prove the missing shards in `contest-cli prove --shard` processes, as many at once as
    /// the pool allows.
    Workers(Pool),
    /// Submit the proofs found in `DIR/shard-<s>/`, as `contest-cli prove --shard s --out
    /// DIR/shard-s` writes them (on this machine or any other); prove nothing.
    Collect(&'a Path),
}

/// How many workers may run at once: at most `workers`, and with `memory` set, a new one only
/// while the machine's available memory covers it and what the running ones may still grow to
/// ([`admits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    /// Processes at most.
    pub workers: usize,
    /// Bytes one worker may reach (a shard's peak: `scripts/bench-shards.sh` measures it).
    pub memory: Option<u64>,
}

/// Whether a worker needing `memory` bytes may start now, with `available` bytes free
/// (`MemAvailable`) and running workers at `running` bytes resident each: each running worker
/// may still grow to `memory`, so that growth is set aside first. With nothing running a worker
/// always starts (a pool that never starts cannot finish; the first shard's own peak is then
/// the machine's limit, as without the bound).
pub fn admits(memory: u64, available: u64, running: &[u64]) -> bool {
    let growth: u64 = running.iter().map(|&r| memory.saturating_sub(r)).sum();
    running.is_empty() || available >= memory.saturating_add(growth)
}

/// `MemAvailable` of `/proc/meminfo`, bytes (none where there is no such file).
fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    proc_kib(&text, "MemAvailable:")
}

/// A `/proc` field given in kB (`Name:   123 kB`), in bytes.
fn proc_kib(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// A running worker's resident and peak resident bytes (`VmRSS`, `VmHWM`).
fn worker_memory(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some((proc_kib(&text, "VmRSS:")?, proc_kib(&text, "VmHWM:")?))
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
    /// Its peak resident memory as last seen while it ran (`VmHWM`, polled every 100 ms), bytes.
    pub peak_rss_bytes: Option<u64>,
}

/// A worker process while it runs.
struct Running<'a> {
    child: Child,
    job: &'a ShardJob,
    started: Instant,
    /// Resident bytes and peak resident bytes, last seen.
    rss: u64,
    peak: Option<u64>,
}

/// Proves `jobs` in processes of this executable, as many at once as `pool` admits. Each writes
/// its proof directory; its stdout (`--json`) and stderr go to `<out>.json` and `<out>.log`. A
/// failed worker is an error naming its shard and log, once the running ones have finished (their
/// proofs stay on disk for a rerun). A worker whose proof does not carry the job's statement is
/// an error too.
pub fn run_pool(
    inputs: &WorkerInputs,
    jobs: &[ShardJob],
    pool: Pool,
    progress: Progress<'_>,
) -> Result<Vec<WorkerRun>> {
    let exe = std::env::current_exe().map_err(|e| ContestError::State(e.to_string()))?;
    let workers = pool.workers.max(1);
    let mut pending = jobs.iter().peekable();
    let mut running: Vec<Running<'_>> = Vec::new();
    let mut runs = Vec::new();
    let mut failed: Option<String> = None;
    let mut waiting = false;
    loop {
        while failed.is_none() && running.len() < workers {
            let Some(job) = pending.peek().copied() else {
                break;
            };
            if let (Some(memory), Some(available)) = (pool.memory, mem_available()) {
                let rss: Vec<u64> = running.iter().map(|r| r.rss).collect();
                if !admits(memory, available, &rss) {
                    if !waiting {
                        progress.note(&format!(
                            "worker: shard {} waits for memory ({} MiB available, {} MiB a \
                             worker, {} running)",
                            job.shard,
                            available >> 20,
                            memory >> 20,
                            running.len()
                        ));
                    }
                    waiting = true;
                    break;
                }
            }
            waiting = false;
            pending.next();
            progress.note(&format!(
                "worker: proving shard {} into {}",
                job.shard,
                job.out.display()
            ));
            running.push(Running {
                child: spawn(&exe, inputs, job)?,
                job,
                started: Instant::now(),
                rss: 0,
                peak: None,
            });
        }
        if running.is_empty() {
            break;
        }
        let mut i = 0;
        while i < running.len() {
            if let Some((rss, peak)) = worker_memory(running[i].child.id()) {
                running[i].rss = rss;
                running[i].peak = running[i].peak.max(Some(peak));
            }
            let status = running[i]
                .child
                .try_wait()
                .map_err(|e| ContestError::State(e.to_string()))?;
            let Some(status) = status else {
                i += 1;
                continue;
            };
            let Running {
                job, started, peak, ..
            } = running.swap_remove(i);
            let seconds = started.elapsed().as_secs_f64();
            match finished(job, status.success(), seconds).map(|run| WorkerRun {
                peak_rss_bytes: peak,
                ..run
            }) {
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
        peak_rss_bytes: None,
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

    #[test]
    fn a_worker_starts_only_with_room_for_it_and_the_running_ones_growth() {
        let gib = 1u64 << 30;
        // Nothing running: always (the pool must make progress).
        assert!(admits(4 * gib, 0, &[]));
        // One running at 1 GiB of 4: 3 GiB of its growth set aside, plus 4 for the new one.
        assert!(admits(4 * gib, 7 * gib, &[gib]));
        assert!(!admits(4 * gib, 7 * gib - 1, &[gib]));
        // Running workers past the bound set nothing aside.
        assert!(admits(4 * gib, 4 * gib, &[5 * gib, 4 * gib]));
        assert!(
            !admits(u64::MAX, u64::MAX - 1, &[0]),
            "saturates, no overflow"
        );
    }

    #[test]
    fn proc_fields_are_read_in_bytes() {
        let status = "Name:\tcontest-cli\nVmHWM:\t  948120 kB\nVmRSS:\t  512 kB\n";
        assert_eq!(proc_kib(status, "VmHWM:"), Some(948_120 * 1024));
        assert_eq!(proc_kib(status, "VmRSS:"), Some(512 * 1024));
        assert_eq!(proc_kib(status, "VmSwap:"), None);
        assert_eq!(proc_kib("MemAvailable: lots kB", "MemAvailable:"), None);
        let me = worker_memory(std::process::id()).expect("this process's /proc status");
        assert!(me.0 > 0 && me.1 >= me.0, "{me:?}");
        assert!(mem_available().is_some_and(|b| b > 0));
    }
}
