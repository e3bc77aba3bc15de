//! `contest-cli withdraw`: collect what this account is owed (prize, bond, refunds).

use clap::Args;
use serde_json::json;

use super::chain_args::{
    block_on, connect, contest_failure, print_json, registry, ContestArgs, KeyArgs, RpcArgs,
};
use super::{Failure, Outcome};
use crate::contest::competitor::withdraw;

/// Arguments of `contest-cli withdraw`.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl WithdrawArgs {
    /// Withdraws; exit 2 if nothing is owed.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let (amount, tx) = withdraw(&registry, self.contest.contest)
                .await
                .map_err(contest_failure)?;
            if json {
                print_json(&json!({ "amount_wei": amount, "tx": tx }))?;
            } else {
                println!("withdrew {amount} ({} gas)", tx.gas_used);
            }
            Ok(Outcome::Success)
        })?
    }
}
