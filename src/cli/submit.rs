//! `contest-cli submit`: prove the committed model's accuracy and submit the proof.

use std::path::PathBuf;

use clap::Args;

use super::audit::{gate, GateArgs};
use super::chain_args::{
    block_on, competitor, connect, print_json, progress, proof_rejected, registry, ContestArgs,
    KeyArgs, RpcArgs, StateArgs,
};
use super::{Failure, Outcome};
use crate::contest::cluster::memory_bytes;
use crate::contest::competitor::submit;
use crate::contest::shards::{Pool, ProofSource};
use crate::spec::Spec;

/// Arguments of `contest-cli submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Contest spec.
    #[arg(long)]
    spec: PathBuf,
    /// Key directory of the contest: the audit that runs first rebuilds the keys from the spec
    /// and SRS and compares them with these, or writes them here when it holds none.
    #[arg(long)]
    keys: PathBuf,
    /// The revealed test set (`.zkts`), checked against the contest's `T`. Without it the
    /// test set is rebuilt from the chain's reveal events (and checked the same way).
    #[arg(long)]
    testset: Option<PathBuf>,
    /// Prove and submit only this shard of a sharded contest (from 0); by default every shard
    /// the registry does not hold yet. The entry is ranked once all are in.
    #[arg(long)]
    shard: Option<u64>,
    /// Prove the missing shards in up to this many worker processes at once (`contest-cli prove
    /// --shard`, each holding one shard's keys and witness: size it by memory). Proofs already
    /// stored are reused; a rerun after a crash proves only what is missing.
    #[arg(long, conflicts_with = "collect")]
    workers: Option<usize>,
    /// With `--workers`: the memory one worker may reach (a quantity such as `4Gi`; a shard's
    /// peak is in `scripts/bench-shards.sh`'s figures and in this command's report). A worker
    /// starts only while the machine's available memory covers it and what the running workers
    /// may still grow to.
    #[arg(long, requires = "workers", value_name = "QUANTITY")]
    worker_memory: Option<String>,
    /// Prove nothing: submit the shard proofs found in `DIR/shard-<s>/`, as `contest-cli prove
    /// --shard s --out DIR/shard-s` wrote them on this or another machine (each checked against
    /// the statement the registry will check first). Missing shards are reported, not an error.
    #[arg(long, value_name = "DIR")]
    collect: Option<PathBuf>,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    state: StateArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl SubmitArgs {
    /// Exit 0 when accepted (or already), ranked or only scored; 1 when rejected.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let worker_memory = self
            .worker_memory
            .as_deref()
            .map(memory_bytes)
            .transpose()
            .map_err(Failure::input)?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let contest = self.contest.contest;
            if !gate(
                &registry, contest, &spec, &self.spec, &self.keys, &self.gate,
            )
            .await?
            {
                return Ok(Outcome::ClaimFails);
            }
            let c = competitor(&registry, &self.contest, &spec, &self.spec, &self.state);
            let source = match (&self.collect, self.workers) {
                (Some(dir), _) => ProofSource::Collect(dir),
                (None, Some(n)) => ProofSource::Workers(Pool {
                    workers: n,
                    memory: worker_memory,
                }),
                (None, None) => ProofSource::InProcess,
            };
            let report = match submit(
                &c,
                &self.keys,
                self.testset.as_deref(),
                self.shard,
                source,
                &progress,
            )
            .await
            {
                Ok(r) => r,
                Err(e) => return proof_rejected(e),
            };
            if json {
                print_json(&report)?;
            } else {
                let standing = if report.qualifies {
                    "ranked".to_string()
                } else {
                    format!(
                        "scored, not ranked: below the threshold of {}; the bond comes back \
                         after the proof window",
                        report.min_correct
                    )
                };
                for w in &report.workers {
                    let peak = w
                        .peak_rss_bytes
                        .map_or(String::new(), |b| format!(", peak {} MiB", b >> 20));
                    println!(
                        "worker: shard {} proved in {:.1} s{peak}",
                        w.shard, w.seconds
                    );
                }
                for c in &report.columns {
                    let what = match c.shard {
                        Some(s) => format!("test-set proof of shard {s}"),
                        None => "model proof".to_string(),
                    };
                    match &c.tx {
                        Some(tx) => {
                            println!("{what}: accepted, column opened ({} gas)", tx.gas_used)
                        }
                        None => println!("{what}: the registry already holds its column"),
                    }
                }
                if report.shard_count > 1 {
                    for s in &report.shards {
                        match &s.tx {
                            Some(tx) => println!(
                                "shard {}: proof of {} correct accepted (submitShardProof {} gas)",
                                s.shard, s.correct, tx.gas_used
                            ),
                            None => println!(
                                "shard {}: already accepted ({} correct)",
                                s.shard, s.correct
                            ),
                        }
                    }
                }
                if report.shards_proved < report.shard_count {
                    println!(
                        "{} of {} shards proved: the entry is ranked or scored once every shard \
                         is in (submit again without --shard for the rest)",
                        report.shards_proved, report.shard_count
                    );
                } else if report.already {
                    println!(
                        "already accepted: {}/{} correct, {standing}",
                        report.correct, report.rows
                    );
                } else if let Some(tx) = &report.tx {
                    println!(
                        "proof of {}/{} correct accepted, {standing} ({} bytes, proved in {:.1} s, \
                         submitProof {} gas)",
                        report.correct,
                        report.rows,
                        report.proof_bytes,
                        report.prove_seconds,
                        tx.gas_used
                    );
                }
            }
            Ok(Outcome::Success)
        })?
    }
}
