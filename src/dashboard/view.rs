//! The dashboard's picture of one contest, folded from the registry's events.
//!
//! A [`Ledger`] holds every event of the contest it has seen, keyed by `(block, log_index)`,
//! plus the block timestamps and the gas of proof transactions. The view is a pure function
//! of that set and of a few values read from contract state ([`ChainState`]): folding the same
//! range twice, or ranges that overlap, or replaying from any block, adds nothing that is not
//! already keyed, so no row is ever duplicated and every replay gives the same view.

use std::collections::{BTreeMap, BTreeSet};

use crate::chain::types::{Addr, ContestConfig, ContestInfo, Event, Logged, Wei};

mod fold;
mod rows;

use fold::Fold;
pub use rows::{
    Activity, CeremonyPanel, CeremonyRow, ColumnsPanel, CommitRow, ContestView, Deadline, Escrow,
    FixedVerifier, LeaderRow, PayoutRow, RevealRow, Rules, Settlement, ShardProgressRow, Stamp,
    Standing, TestSetProgress,
};

/// How many recent events the activity list shows.
pub const RECENT: usize = 12;

/// Every event of one contest seen so far, with the block times and proof gas that go with
/// them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    contest_id: u64,
    events: BTreeMap<(u64, u64), Logged>,
    block_times: BTreeMap<u64, u64>,
    gas: BTreeMap<String, u64>,
}

/// What the view takes from contract state rather than from events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainState {
    /// The latest block seen.
    pub head_block: u64,
    /// Its timestamp (the chain's clock; countdowns count from it).
    pub head_time: u64,
    /// `contest(id)` at that block, if it was read.
    pub info: Option<ContestInfo>,
    /// `owed(id, account)` for the accounts the ledger knows.
    pub owed: BTreeMap<Addr, Wei>,
}

impl Ledger {
    /// An empty ledger for contest `contest_id`.
    pub fn new(contest_id: u64) -> Self {
        Self {
            contest_id,
            ..Self::default()
        }
    }

    /// The contest this ledger follows.
    pub fn contest_id(&self) -> u64 {
        self.contest_id
    }

    /// Adds events; those of other contests and those already held are ignored. Returns how
    /// many were new.
    pub fn add(&mut self, events: impl IntoIterator<Item = Logged>) -> usize {
        let mut added = 0;
        for e in events {
            if e.contest_id != self.contest_id {
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(slot) =
                self.events.entry((e.block, e.log_index))
            {
                slot.insert(e);
                added += 1;
            }
        }
        added
    }

    /// Records a block's timestamp.
    pub fn set_block_time(&mut self, block: u64, time: u64) {
        self.block_times.insert(block, time);
    }

    /// Records the gas a transaction used.
    pub fn set_gas(&mut self, tx: &str, gas: u64) {
        self.gas.insert(tx.to_string(), gas);
    }

    /// Blocks holding events whose timestamp is not known yet.
    pub fn blocks_without_time(&self) -> Vec<u64> {
        let blocks: BTreeSet<u64> = self.events.keys().map(|(b, _)| *b).collect();
        blocks
            .into_iter()
            .filter(|b| !self.block_times.contains_key(b))
            .collect()
    }

    /// Accepted-proof transactions (a sharded entry's: each shard's) whose gas is not known yet.
    pub fn proofs_without_gas(&self) -> Vec<String> {
        let txs: BTreeSet<String> = self
            .events
            .values()
            .filter(|e| {
                matches!(
                    e.event,
                    Event::ProofAccepted { .. } | Event::ShardProofAccepted { .. }
                )
            })
            .filter(|e| !self.gas.contains_key(&e.tx))
            .map(|e| e.tx.clone())
            .collect();
        txs.into_iter().collect()
    }

    /// Drops everything after `block`: the chain went back (a node restarted without its
    /// state, or a reorganisation), so those events may no longer exist.
    pub fn forget_after(&mut self, block: u64) {
        self.events.retain(|(b, _), _| *b <= block);
        self.block_times.retain(|b, _| *b <= block);
        let txs: BTreeSet<&String> = self.events.values().map(|e| &e.tx).collect();
        self.gas.retain(|tx, _| txs.contains(tx));
    }

    /// Number of events held.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The organiser and every committer, in order of first appearance: whose `owed` the
    /// payouts table shows.
    pub fn accounts(&self) -> Vec<Addr> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for e in self.events.values() {
            let who = match &e.event {
                Event::ContestCreated { organiser, .. } => *organiser,
                Event::ModelCommitted { competitor, .. } => *competitor,
                _ => continue,
            };
            if seen.insert(who) {
                out.push(who);
            }
        }
        out
    }

    /// Gas used by transaction `tx`, if read.
    pub(super) fn gas(&self, tx: &str) -> Option<u64> {
        self.gas.get(tx).copied()
    }

    /// The organiser, once the contest's creation has been seen.
    pub fn organiser(&self) -> Option<Addr> {
        self.events.values().find_map(|e| match &e.event {
            Event::ContestCreated { organiser, .. } => Some(*organiser),
            _ => None,
        })
    }

    pub(super) fn stamp(&self, e: &Logged) -> Stamp {
        Stamp {
            block: e.block,
            time: self.block_times.get(&e.block).copied(),
        }
    }

    /// The view, or `None` before the contest's `ContestCreated` event has been seen.
    pub fn view(&self, chain: &ChainState) -> Option<ContestView> {
        let (created, organiser, prize, config) =
            self.events.values().find_map(|e| match &e.event {
                Event::ContestCreated {
                    organiser,
                    prize,
                    config,
                    ..
                } => Some((self.stamp(e), *organiser, *prize, config.clone())),
                _ => None,
            })?;
        let now = chain.head_time;
        let mut f = Fold::new(&config);
        for e in self.events.values() {
            f.apply(self, e);
        }
        let phase = chain
            .info
            .as_ref()
            .map(|i| i.phase)
            .unwrap_or_else(|| f.derived_phase(&config, now));
        let leaderboard = f.leaderboard(self, &config, now);
        let shard_progress = f.shard_progress(&config, now);
        let payouts = f.payouts(organiser, &chain.owed);
        let withdrawn = payouts.iter().fold(0u128, |s, p| s + p.withdrawn.0);
        let recent = self
            .events
            .values()
            .rev()
            .take(RECENT)
            .map(|e| Activity {
                at: self.stamp(e),
                event: e.event.name(),
                who: who_of(&e.event),
                tx: e.tx.clone(),
            })
            .collect();
        Some(ContestView {
            contest_id: self.contest_id,
            organiser,
            created,
            head: Stamp {
                block: chain.head_block,
                time: Some(now),
            },
            phase,
            phase_name: phase.name(),
            deadlines: deadlines(
                &config,
                f.ceremony.as_ref().map(|p| p.deadline),
                f.test_set.challenge_ends,
                f.proof_end(&config),
                now,
            ),
            rules: Rules::of(&config),
            escrow: Escrow {
                prize,
                bonds_paid: Wei(f.bonds_paid),
                withdrawn: Wei(withdrawn),
                by_events: Wei((prize.0 + f.bonds_paid).saturating_sub(withdrawn)),
                held: chain.info.as_ref().map(|i| i.held),
            },
            ceremony: f.ceremony,
            columns: f.columns,
            commitments: f.commitments,
            test_set: f.test_set,
            leaderboard,
            shard_progress,
            reveals: f.reveals,
            payouts,
            settlement: f.settlement,
            recent,
            events: self.events.len(),
        })
    }
}

/// The phases' deadlines; `proof_end` is the proof window's end as far as it is known (it runs
/// from the actual test-set reveal).
fn deadlines(
    c: &ContestConfig,
    ceremony: Option<u64>,
    challenge_ends: Option<u64>,
    proof_end: u64,
    now: u64,
) -> Vec<Deadline> {
    let left = |at: u64| at as i64 - now as i64;
    // The challenge window is the proof window's first quarter (PROTOCOL §14.3): known from
    // `TestSetRevealed`, else the latest it can end.
    let window = c.proof_deadline.saturating_sub(c.test_set_deadline);
    let challenge_end =
        challenge_ends.unwrap_or_else(|| proof_end.saturating_sub(window) + window / 4);
    ceremony
        .map(|at| ("ceremony", at))
        .into_iter()
        .chain([
            ("commit", c.commit_deadline),
            ("test-set reveal", c.test_set_deadline),
            ("test-set challenge", challenge_end),
            ("proof", proof_end),
            ("model reveal", proof_end.saturating_add(c.reveal_window)),
        ])
        .map(|(name, at)| Deadline {
            name,
            at,
            left: left(at),
        })
        .collect()
}

fn who_of(e: &Event) -> Option<Addr> {
    Some(match e {
        Event::ContestCreated { organiser, .. } => *organiser,
        Event::ModelCommitted { competitor, .. }
        | Event::ProofAccepted { competitor, .. }
        | Event::ShardProofAccepted { competitor, .. }
        | Event::WinnerCalled { competitor, .. }
        | Event::ModelChunkRevealed { competitor, .. }
        | Event::ModelRevealed { competitor, .. }
        | Event::ModelRevealRestarted { competitor, .. }
        | Event::ModelDisqualified { competitor, .. }
        | Event::ModelForfeited { competitor, .. } => *competitor,
        Event::PrizeAwarded { winner, .. } => *winner,
        Event::BondPoolAwarded { to, .. } => *to,
        Event::ContestSettled { remainder_to, .. } => *remainder_to,
        Event::Withdrawn { account, .. } => *account,
        Event::CeremonyContribution { contributor, .. } => *contributor,
        Event::TestSetChallenged { challenger, .. } => *challenger,
        Event::ModelColumnOpened { competitor, .. } => *competitor,
        Event::TestSetColumnOpened { by, .. } => *by,
        Event::CeremonyOpened { .. }
        | Event::VerifierFixed { .. }
        | Event::ColumnVerifiersFixed { .. } => return None,
        Event::TestSetChunkRevealed { .. }
        | Event::TestSetRevealed { .. }
        | Event::TestSetRevealRestarted { .. } => return None,
    })
}

/// `correct / n` in percent (0 when `n` is 0).
pub fn accuracy_pct(correct: u64, n: u32) -> f64 {
    if n == 0 {
        0.0
    } else {
        correct as f64 * 100.0 / f64::from(n)
    }
}

#[cfg(test)]
mod tests;
