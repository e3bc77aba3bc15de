//! `contest-cli reveal-testset`: the organiser posts the test set on chain (resumable).

use std::path::PathBuf;

use clap::Args;

use super::chain_args::{
    block_on, chain_failure, connect, contest_failure, print_json, registry, ContestArgs, KeyArgs,
    RpcArgs, Terminal,
};
use super::{Failure, Outcome};
use crate::contest::organiser::reveal_testset;
use crate::spec::{Spec, TestSet};

/// Arguments of `contest-cli reveal-testset`.
#[derive(Debug, Args)]
pub struct RevealTestsetArgs {
    /// Contest spec.
    #[arg(long)]
    spec: PathBuf,
    /// The test set committed at creation (`.zkts`).
    #[arg(long)]
    testset: PathBuf,
    /// First discard the chunks already on chain (`restartTestSetReveal`), e.g. a partial reveal
    /// of another file; the reveal then starts over.
    #[arg(long)]
    restart: bool,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl RevealTestsetArgs {
    /// Checks `T` locally, then posts the remaining chunks.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let testset = TestSet::from_path(&self.testset, &spec).map_err(Failure::input)?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            if self.restart {
                registry
                    .restart_test_set_reveal(self.contest.contest)
                    .await
                    .map_err(chain_failure)?;
            }
            let report = reveal_testset(
                &registry,
                self.contest.contest,
                &spec,
                &testset,
                &Terminal::new(json),
            )
            .await
            .map_err(contest_failure)?;
            if json {
                print_json(&report)?;
            } else if report.already {
                println!(
                    "the test set of contest {} is already revealed",
                    self.contest.contest
                );
            } else {
                let gas: u64 = report.txs.iter().map(|t| t.gas_used).sum();
                println!(
                    "test set revealed: {} elements in {} transactions ({gas} gas){}; anyone may \
                     challenge a chunk until {}, proofs are accepted after it until {}",
                    report.elements,
                    report.txs.len(),
                    if report.resumed_from > 0 {
                        format!(", resumed after {}", report.resumed_from)
                    } else {
                        String::new()
                    },
                    report.challenge_ends,
                    report.proof_ends
                );
            }
            Ok(Outcome::Success)
        })?
    }
}
