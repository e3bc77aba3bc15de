//! `contest-cli status`: a contest's phase, deadlines, escrow and ranking, and in a sharded
//! contest the entries part-way through their shards (read-only).

use clap::Args;
use serde_json::json;

use super::chain_args::{
    block_on, chain_failure, connect_readonly, print_json, registry, ContestArgs, RpcArgs,
};
use super::{Failure, Outcome};
use crate::chain::registry::LOG_WINDOW;
use crate::chain::types::Phase;
use crate::dashboard::{ChainState, Ledger};

/// Arguments of `contest-cli status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    contest: ContestArgs,
    #[command(flatten)]
    rpc: RpcArgs,
}

impl StatusArgs {
    /// Prints the contest's state at the latest block; exit 2 for an unknown contest.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        block_on(async {
            let client = connect_readonly(&self.rpc).await?;
            let registry = registry(&client, &self.contest).await?;
            let id = self.contest.contest;
            let info = registry.contest(id).await.map_err(chain_failure)?;
            let (block, now) = registry.head().await.map_err(chain_failure)?;
            // A contest with shared columns (PROTOCOL §14.2.1): its model and test-set verifiers.
            let columns = registry.column_verifiers(id).await.map_err(chain_failure)?;
            let mut ranking = Vec::new();
            for (place, (who, correct, _)) in registry
                .ranking(id)
                .await
                .map_err(chain_failure)?
                .into_iter()
                .enumerate()
            {
                let e = registry.entry(id, who).await.map_err(chain_failure)?;
                ranking.push(
                    json!({ "rank": place + 1, "competitor": who, "correct": correct,
                    "status": e.status, "reveal_deadline": e.reveal_deadline }),
                );
            }
            // A sharded contest's entries with some shards proved and not yet scored: the
            // registry keeps no list of them, so the contest's events are folded as the
            // dashboard folds them (`dashboard::view`).
            let mut part_way = Vec::new();
            if info.config.layout.shards > 1 && info.test_set_revealed {
                let mut ledger = Ledger::new(id);
                ledger.add(
                    registry
                        .events_paged(Some(id), info.created_block, block, LOG_WINDOW)
                        .await
                        .map_err(chain_failure)?,
                );
                let chain = ChainState {
                    head_block: block,
                    head_time: now,
                    ..ChainState::default()
                };
                for r in ledger
                    .view(&chain)
                    .map(|v| v.shard_progress)
                    .unwrap_or_default()
                {
                    part_way.push(json!({ "competitor": r.competitor,
                        "shards_proved": r.proved, "of": r.of,
                        "correct_so_far": r.correct_so_far, "incomplete": r.incomplete }));
                }
            }
            if json {
                print_json(&json!({ "contest_id": id, "block": block, "timestamp": now,
                    "contest": info, "columns": columns, "ranking": ranking,
                    "shard_progress": part_way }))?;
                return Ok(Outcome::Success);
            }
            let c = &info.config;
            println!(
                "contest {id}: {} phase (block {block}, time {now})",
                info.phase.name()
            );
            println!(
                "prize {}, held {}, bond {}, {} committed, {} proved, {} ranked (threshold {}/{}), \
                 bond pool {}",
                info.prize,
                info.held,
                c.commit_bond,
                info.committers,
                info.provers,
                info.qualifiers,
                c.min_correct,
                c.test_set_size,
                info.bond_pool
            );
            let proof = if info.proof_ends == 0 {
                ("proofs by (latest)", c.proof_deadline)
            } else {
                ("proofs by", info.proof_ends)
            };
            let mut deadlines = vec![
                ("commit deadline", c.commit_deadline),
                ("test-set deadline", c.test_set_deadline),
            ];
            if info.challenge_ends != 0 {
                deadlines.push(("challenges by", info.challenge_ends));
            }
            deadlines.push(proof);
            if info.round_deadline != 0 {
                deadlines.push(("reveal round ends", info.round_deadline));
            }
            for (name, t) in deadlines {
                println!("  {name:18} {t} ({})", relative(t, now));
            }
            if let Some(cols) = &columns {
                println!(
                    "  shared columns: model proofs checked by {}{}",
                    cols.model,
                    cols.testset
                        .map(|t| format!(", test-set proofs by {t}"))
                        .unwrap_or_default()
                );
            }
            if info.phase == Phase::TestSetReveal || info.test_set_revealed_count > 0 {
                println!(
                    "  test set: {} elements on chain{}",
                    info.test_set_revealed_count,
                    if info.test_set_revealed {
                        ", its final claim verified against T (the chunks by challenge: \
                         `contest-cli challenge-testset`)"
                    } else if info.phase == Phase::TestSetMissed {
                        ", defaulted"
                    } else {
                        ""
                    }
                );
            }
            for r in &ranking {
                println!(
                    "  #{} {} {} correct ({})",
                    r["rank"],
                    r["competitor"].as_str().unwrap_or("?"),
                    r["correct"],
                    r["status"]
                );
            }
            for p in &part_way {
                println!(
                    "  part-way {}: {} of {} shards proved, {} correct so far{}",
                    p["competitor"].as_str().unwrap_or("?"),
                    p["shards_proved"].as_array().map_or(0, Vec::len),
                    p["of"],
                    p["correct_so_far"],
                    if p["incomplete"] == true {
                        " (the proof window is over: never proved, its bond goes to the pool)"
                    } else {
                        " (ranked or scored once every shard is in)"
                    }
                );
            }
            Ok(Outcome::Success)
        })?
    }
}

fn relative(t: u64, now: u64) -> String {
    if t >= now {
        format!("in {} s", t - now)
    } else {
        format!("{} s ago", now - t)
    }
}
