//! `contest-cli events`: a contest's decoded events, optionally followed live.

use std::time::Duration;

use clap::Args;

use super::chain_args::{
    block_on, chain_failure, connect_readonly, registry, ContestArgs, RpcArgs,
};
use super::{Failure, Outcome};
use crate::chain::registry::LOG_WINDOW;
use crate::chain::types::Logged;

/// Arguments of `contest-cli events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    contest: ContestArgs,
    /// First block to read (default: the block the contest was created in, which the registry
    /// stores).
    #[arg(long)]
    from_block: Option<u64>,
    /// Most blocks per `eth_getLogs` request (hosted nodes limit the range).
    #[arg(long, default_value_t = LOG_WINDOW, value_parser = clap::value_parser!(u64).range(1..))]
    max_range: u64,
    /// Keep watching for new events until interrupted (survives the endpoint dropping).
    #[arg(long)]
    follow: bool,
    /// Polling interval with `--follow`, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    #[command(flatten)]
    rpc: RpcArgs,
}

impl EventsArgs {
    /// Prints events (JSON Lines with `--json`), then follows if asked.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        block_on(async {
            let client = connect_readonly(&self.rpc).await?;
            let registry = registry(&client, &self.contest).await?;
            let id = self.contest.contest;
            let mut next = match self.from_block {
                Some(b) => b,
                None => {
                    registry
                        .contest(id)
                        .await
                        .map_err(chain_failure)?
                        .created_block
                }
            };
            let mut reconnecting = false;
            loop {
                let step = async {
                    let (head, _) = registry.head().await?;
                    if head < next {
                        return Ok((Vec::new(), next));
                    }
                    Ok::<_, crate::chain::ChainError>((
                        registry
                            .events_paged(Some(id), next, head, self.max_range)
                            .await?,
                        head + 1,
                    ))
                };
                match step.await {
                    Ok((events, after)) => {
                        if reconnecting {
                            eprintln!(
                                "reconnected to {}; resuming at block {next}",
                                self.rpc.rpc_url
                            );
                            reconnecting = false;
                        }
                        for e in &events {
                            print_event(e, json);
                        }
                        next = after;
                    }
                    Err(e) if self.follow => {
                        if !reconnecting {
                            eprintln!("{e}; reconnecting…");
                            reconnecting = true;
                        }
                    }
                    Err(e) => return Err(chain_failure(e)),
                }
                if !self.follow {
                    return Ok(Outcome::Success);
                }
                tokio::time::sleep(Duration::from_millis(self.poll_ms)).await;
            }
        })?
    }
}

fn print_event(e: &Logged, json: bool) {
    if json {
        match serde_json::to_string(e) {
            Ok(line) => println!("{line}"),
            Err(err) => eprintln!("encoding event at block {}: {err}", e.block),
        }
        return;
    }
    let fields = serde_json::to_value(&e.event)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter(|(k, _)| k != "event")
                .map(|(k, v)| match v {
                    serde_json::Value::Array(a) => format!("{k}=[{} elements]", a.len()),
                    serde_json::Value::Object(_) => format!("{k}={{…}}"),
                    v => format!("{k}={v}"),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    println!("block {:>6}  {:22} {fields}", e.block, e.event.name());
}
