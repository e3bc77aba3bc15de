//! `contest-cli shard plan`: what a cluster needs to prove one shard per worker (PROTOCOL §14.1):
//! a directory with every worker's inputs, each shard's `contest-cli prove --shard` command, a
//! Kubernetes Indexed Job and a Ray driver running them; `submit --collect DIR/proofs` sends the
//! results.

use std::path::PathBuf;

use clap::Args;

use super::chain_args::{
    block_on, competitor, connect, contest_failure, print_json, progress, registry, ContestArgs,
    KeyArgs, RpcArgs, StateArgs,
};
use super::{Failure, Outcome};
use crate::contest::cluster::{plan_shards, ClusterOptions};
use crate::contest::competitor::contest_testset;
use crate::spec::Spec;

/// Arguments of `contest-cli shard plan`.
#[derive(Debug, Args)]
pub struct ShardPlanArgs {
    /// Contest spec.
    #[arg(long)]
    spec: PathBuf,
    /// Key directory of the contest (copied into the plan, with its SRS).
    #[arg(long)]
    keys: PathBuf,
    /// The revealed test set (`.zkts`), checked against the contest's `T`. Without it the test
    /// set is rebuilt from the chain's reveal events (and checked the same way).
    #[arg(long)]
    testset: Option<PathBuf>,
    /// The plan directory to write (copy it to the cluster's shared volume).
    #[arg(long)]
    out: PathBuf,
    /// Shards the Job proves at once.
    #[arg(long, default_value_t = 2)]
    parallelism: u32,
    /// Container image with `contest-cli` on its PATH (built by you from this repository).
    #[arg(long, default_value = "zkcontest/contest-cli:0.1.0")]
    image: String,
    /// PersistentVolumeClaim holding the plan directory, mounted at `/contest`.
    #[arg(long, default_value = "zkcontest-shards")]
    claim: String,
    /// Memory requested (and limited to) per worker, a Kubernetes quantity such as `6Gi`
    /// (`scripts/bench-shards.sh` measures a shard's peak).
    #[arg(long)]
    memory: Option<String>,
    /// CPUs per worker: the Kubernetes request, each Ray task's `num_cpus` (default 1 there) and
    /// the prover's thread count.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    cpus: Option<u32>,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    state: StateArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl ShardPlanArgs {
    /// Writes the plan; exit 0.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let id = self.contest.contest;
            let info = registry
                .contest(id)
                .await
                .map_err(|e| contest_failure(e.into()))?;
            let c = competitor(&registry, &self.contest, &spec, &self.spec, &self.state);
            let testset = contest_testset(
                &c,
                &info.config.testset_commitment,
                self.testset.as_deref(),
                &progress,
            )
            .await
            .map_err(contest_failure)?;
            let options = ClusterOptions {
                parallelism: self.parallelism,
                image: self.image.clone(),
                claim: self.claim.clone(),
                memory: self.memory.clone(),
                cpus: self.cpus,
            };
            let plan = plan_shards(&c, &self.keys, &testset, &self.out, &options)
                .await
                .map_err(contest_failure)?;
            if json {
                print_json(&plan)?;
            } else {
                let d = plan.dir.display();
                println!(
                    "planned {} shard(s) of contest {id} in {d} (the model and salt are in it: \
                     keep it on your own volume)",
                    plan.shards.len()
                );
                for s in &plan.shards {
                    println!(
                        "  shard {}: {} correct, T_s = {}",
                        s.shard, s.correct, s.testset_commitment
                    );
                }
                println!(
                    "on Kubernetes (the directory copied to PersistentVolumeClaim {}):",
                    self.claim
                );
                println!(
                    "  kubectl create secret generic {} --from-file=salt={d}/salt",
                    plan.salt_secret
                );
                println!("  kubectl apply -f {}", plan.job_manifest.display());
                println!(
                    "on Ray (the directory on a filesystem every node shares, contest-cli on \
                     their PATH):"
                );
                println!(
                    "  RAY_ADDRESS=<head>:6379 python {} --dir {d}   (no RAY_ADDRESS: a local Ray)",
                    plan.ray_job.display()
                );
                println!(
                    "then copy the volume's proofs/ back and run `contest-cli submit --collect \
                     {d}/proofs …`; or run plan.json's commands yourself, in {d}, with \
                     CONTEST_SALT set"
                );
            }
            Ok(Outcome::Success)
        })?
    }
}
