//! `contest-cli forfeit`: record that a called winner missed its reveal deadline.

use clap::Args;

use super::chain_args::{
    block_on, chain_failure, connect, print_json, registry, ContestArgs, KeyArgs, RpcArgs,
};
use super::inputs::parse_address;
use super::{Failure, Outcome};
use crate::chain::types::Addr;

/// Arguments of `contest-cli forfeit`.
#[derive(Debug, Args)]
pub struct ForfeitArgs {
    /// The called competitor whose reveal window has passed.
    #[arg(long)]
    competitor: String,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl ForfeitArgs {
    /// Sends `forfeit` (simulated first: a still-open window is reported, not paid for).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let who = Addr(parse_address(&self.competitor)?);
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let tx = registry
                .forfeit(self.contest.contest, who)
                .await
                .map_err(chain_failure)?;
            if json {
                print_json(&tx)?;
            } else {
                println!(
                    "{who} forfeited ({} gas); the next entry is called",
                    tx.gas_used
                );
            }
            Ok(Outcome::Success)
        })?
    }
}
