//! `contest-cli forfeit`: end a reveal round whose deadline has passed (its called entries that
//! did not reveal are forfeited together, the next ones called together).

use clap::Args;

use super::chain_args::{
    block_on, chain_failure, connect, print_json, registry, ContestArgs, KeyArgs, RpcArgs,
};
use super::{Failure, Outcome};

/// Arguments of `contest-cli forfeit`.
#[derive(Debug, Args)]
pub struct ForfeitArgs {
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl ForfeitArgs {
    /// Sends `forfeit` (simulated first: a still-open round is reported, not paid for).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let tx = registry
                .forfeit(self.contest.contest)
                .await
                .map_err(chain_failure)?;
            if json {
                print_json(&tx)?;
            } else {
                println!(
                    "reveal round ended ({} gas): called entries that did not reveal are \
                     forfeited, their bonds go to the bond pool, and the next entries are called \
                     together",
                    tx.gas_used
                );
            }
            Ok(Outcome::Success)
        })?
    }
}
