//! `contest-cli reveal`: a called winner reveals its committed model (resumable).

use std::path::PathBuf;

use clap::Args;

use super::chain_args::{
    block_on, competitor, connect, contest_failure, print_json, registry, ContestArgs, KeyArgs,
    RpcArgs, StateArgs, Terminal,
};
use super::{Failure, Outcome};
use crate::contest::competitor::reveal;
use crate::spec::Spec;

/// Arguments of `contest-cli reveal`.
#[derive(Debug, Args)]
pub struct RevealArgs {
    /// Contest spec.
    #[arg(long)]
    spec: PathBuf,
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    state: StateArgs,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl RevealArgs {
    /// Forfeits late winners above, closes the ranking if needed, posts the model.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let c = competitor(&registry, &self.contest, &spec, &self.spec, &self.state);
            let report = reveal(&c, &Terminal::new(json))
                .await
                .map_err(contest_failure)?;
            if json {
                print_json(&report)?;
            } else if let Some(o) = &report.disqualified {
                eprintln!(
                    "error: the registry disqualified this reveal as a copy of the model {} \
                     revealed in contest {} (committed at {}): no prize, the bond went to the \
                     bond pool",
                    o.owner, o.contest_id, o.committed_at
                );
            } else if report.already {
                println!("the model is already revealed");
            } else {
                let gas: u64 = report.txs.iter().map(|t| t.gas_used).sum();
                println!(
                    "model revealed: {} elements, {} transactions, {gas} gas",
                    report.elements,
                    report.txs.len()
                );
            }
            Ok(if report.disqualified.is_some() {
                Outcome::ClaimFails
            } else {
                Outcome::Success
            })
        })?
    }
}
