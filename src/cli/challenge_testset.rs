//! `contest-cli challenge-testset`: anyone checks the organiser's test-set reveal chunk by
//! chunk (claimed Poseidon states, decoding) and challenges a wrong chunk in the challenge
//! window, which makes the organiser default (PROTOCOL §14.3).

use std::path::PathBuf;

use clap::Args;

use super::chain_args::{
    block_on, connect, contest_failure, print_json, registry, ContestArgs, KeyArgs, RpcArgs,
};
use super::{Failure, Outcome};
use crate::contest::challenge::challenge_testset;
use crate::spec::Spec;

/// Arguments of `contest-cli challenge-testset`.
#[derive(Debug, Args)]
pub struct ChallengeTestsetArgs {
    /// Contest spec (its layout decides which elements decode).
    #[arg(long)]
    spec: PathBuf,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl ChallengeTestsetArgs {
    /// Checks every posted chunk; challenges the first wrong one (nothing is sent otherwise).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let id = self.contest.contest;
            let report = challenge_testset(&registry, id, &spec)
                .await
                .map_err(contest_failure)?;
            if json {
                print_json(&report)?;
            } else {
                match (&report.chunk, &report.fault, &report.tx) {
                    (Some(chunk), Some(fault), Some(tx)) => println!(
                        "challenged test-set chunk {chunk} of contest {id} ({} gas): {fault}; the \
                         organiser defaulted, the prize goes to the committers and the reward to \
                         this account (`contest-cli withdraw`)",
                        tx.gas_used
                    ),
                    _ if report.chunks == 0 => println!(
                        "contest {id} has no test-set chunk on chain: nothing to challenge"
                    ),
                    _ => println!(
                        "every test-set chunk of contest {id} ({} in all) decodes and hashes to \
                         its claim: nothing to challenge",
                        report.chunks
                    ),
                }
            }
            Ok(Outcome::Success)
        })?
    }
}
