//! `contest-cli commit`: commit to a model (the salt is stored before the transaction).

use std::path::PathBuf;

use clap::Args;

use super::audit::{gate, GateArgs};
use super::chain_args::{
    block_on, competitor, connect, contest_failure, print_json, progress, registry, ContestArgs,
    KeyArgs, RpcArgs, StateArgs,
};
use super::{Failure, Outcome};
use crate::contest::competitor::commit;
use crate::spec::Spec;

/// Set to `commit-after-secret` to abort the process right after the secret is stored and
/// before the transaction is sent: the crash the integration tests recover from.
pub const FAILPOINT_ENV: &str = "ZKCONTEST_FAILPOINT";

/// Arguments of `contest-cli commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// Contest spec (must be the one the contest was created for).
    #[arg(long)]
    spec: PathBuf,
    /// Your ONNX model.
    #[arg(long)]
    model: PathBuf,
    /// Calibration rows (`.zkts`) for the quantiser, if you want them.
    #[arg(long)]
    calibration: Option<PathBuf>,
    /// Key directory for the audit that runs first: keys rebuilt from the spec and SRS are
    /// compared with the ones there, or written there (for `submit`) when it holds none.
    /// Default: `<state-dir>/keys/<spec name>`.
    #[arg(long)]
    keys: Option<PathBuf>,
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

impl CommitArgs {
    /// Quantises, stores the secret, sends the commitment (or sees it is already on chain).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let crash = std::env::var(FAILPOINT_ENV).is_ok_and(|v| v == "commit-after-secret");
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let registry = registry(&client, &self.contest).await?;
            let keys = self
                .keys
                .clone()
                .unwrap_or_else(|| self.state.state_dir.join("keys").join(&spec.name));
            let contest = self.contest.contest;
            if !gate(&registry, contest, &spec, &self.spec, &keys, &self.gate).await? {
                return Ok(Outcome::ClaimFails);
            }
            let c = competitor(&registry, &self.contest, &spec, &self.spec, &self.state);
            let hook = || {
                if crash {
                    eprintln!("{FAILPOINT_ENV}: aborting after storing the secret");
                    std::process::abort();
                }
            };
            let report = commit(
                &c,
                &self.model,
                self.calibration.as_deref(),
                &hook,
                &progress,
            )
            .await
            .map_err(contest_failure)?;
            if json {
                print_json(&report)?;
            } else {
                match &report.tx {
                    Some(tx) => println!(
                        "committed {} to contest {} ({} gas, bond {}){}",
                        report.commitment,
                        self.contest.contest,
                        tx.gas_used,
                        report.bond,
                        if report.replaced {
                            ", replacing the earlier commitment"
                        } else {
                            ""
                        }
                    ),
                    None => println!("already committed {} on chain", report.commitment),
                }
                println!("secret kept in {} — back it up", report.state_dir);
            }
            Ok(Outcome::Success)
        })?
    }
}
