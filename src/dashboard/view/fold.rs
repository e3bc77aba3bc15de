//! One pass over a ledger's events, in log order, collecting the rows.

use std::collections::{BTreeMap, BTreeSet};

use super::rows::{
    CeremonyPanel, CeremonyRow, ColumnsPanel, CommitRow, FixedVerifier, LeaderRow, PayoutRow,
    RevealRow, Settlement, ShardProgressRow, Stamp, Standing, TestSetProgress,
};
use super::{accuracy_pct, Ledger};
use crate::chain::types::{Addr, ContestConfig, Event, Logged, Phase, Wei};

/// An accepted proof as the fold collects it.
struct Proof {
    competitor: Addr,
    correct: u64,
    /// At or above the threshold: in the ranking. Below it: scored only.
    ranked: bool,
    at: Stamp,
    tx: String,
}

/// A sharded entry's shard proofs as the fold collects them.
struct ShardedEntry {
    competitor: Addr,
    /// `shard → (correct, transaction)`.
    proved: BTreeMap<u64, (u64, String)>,
    /// The latest shard proof and its transaction.
    at: Stamp,
    tx: String,
}

/// The running state of one pass over the ledger, in log order.
#[derive(Default)]
pub(super) struct Fold {
    paid_places: usize,
    pub(super) bonds_paid: u128,
    pub(super) commitments: Vec<CommitRow>,
    /// Latest commit sequence number per competitor (ranking ties).
    seq: BTreeMap<Addr, u64>,
    pub(super) test_set: TestSetProgress,
    /// End of the proof window (`TestSetRevealed`), once the test set is revealed.
    pub(super) proof_ends: Option<u64>,
    proofs: Vec<Proof>,
    /// Each sharded entry's shard proofs, in order of the first.
    shards: Vec<ShardedEntry>,
    called: BTreeMap<Addr, u64>,
    revealed: BTreeSet<Addr>,
    forfeited: BTreeSet<Addr>,
    disqualified: BTreeSet<Addr>,
    pub(super) reveals: Vec<RevealRow>,
    prizes: BTreeMap<Addr, u128>,
    bonds_back: BTreeMap<Addr, u128>,
    bond_pool: BTreeMap<Addr, u128>,
    withdrawn: BTreeMap<Addr, u128>,
    pub(super) settlement: Option<Settlement>,
    pub(super) ceremony: Option<CeremonyPanel>,
    pub(super) columns: Option<ColumnsPanel>,
    /// Entries with a model proof in, and shards with a test-set proof in (shared columns).
    model_proofs: BTreeSet<Addr>,
    rows_opened: BTreeSet<u64>,
}

impl Fold {
    pub(super) fn new(config: &ContestConfig) -> Self {
        Self {
            paid_places: config.payout_bps.len(),
            ..Self::default()
        }
    }

    pub(super) fn apply(&mut self, ledger: &Ledger, e: &Logged) {
        let at = ledger.stamp(e);
        match &e.event {
            Event::ContestCreated { .. } => {}
            Event::ColumnVerifiersFixed {
                model_verifier,
                testset_verifier,
                ..
            } => {
                self.columns = Some(ColumnsPanel {
                    model_verifier: *model_verifier,
                    testset_verifier: *testset_verifier,
                    model_proofs: 0,
                    rows_opened: 0,
                });
            }
            // A replaced commitment needs a new model proof; the panel counts entries, not
            // proofs.
            Event::ModelColumnOpened { competitor, .. } => {
                self.model_proofs.insert(*competitor);
                if let Some(c) = &mut self.columns {
                    c.model_proofs = self.model_proofs.len();
                }
            }
            Event::TestSetColumnOpened { shard, .. } => {
                self.rows_opened.insert(*shard);
                if let Some(c) = &mut self.columns {
                    c.rows_opened = self.rows_opened.len();
                }
            }
            // A sharded entry's score arrives with its last shard (`ProofAccepted`); until then
            // its shards show as progress. The registry accepts each shard once: a repeated
            // report (a misbehaving node) changes nothing.
            Event::ShardProofAccepted {
                competitor,
                shard,
                correct,
                ..
            } => {
                let i = match self.shards.iter().position(|s| s.competitor == *competitor) {
                    Some(i) => i,
                    None => {
                        self.shards.push(ShardedEntry {
                            competitor: *competitor,
                            proved: BTreeMap::new(),
                            at,
                            tx: e.tx.clone(),
                        });
                        self.shards.len() - 1
                    }
                };
                let entry = &mut self.shards[i];
                if !entry.proved.contains_key(shard) {
                    entry.proved.insert(*shard, (*correct, e.tx.clone()));
                    entry.at = at;
                    entry.tx = e.tx.clone();
                }
            }
            Event::CeremonyOpened { ceremony_deadline } => {
                self.ceremony
                    .get_or_insert_with(CeremonyPanel::default)
                    .deadline = *ceremony_deadline;
            }
            Event::CeremonyContribution {
                contributor,
                index,
                contribution_hash,
            } => {
                let panel = self.ceremony.get_or_insert_with(CeremonyPanel::default);
                panel.contributions.push(CeremonyRow {
                    index: *index,
                    contributor: *contributor,
                    contribution_hash: contribution_hash.hex(),
                    at,
                    tx: e.tx.clone(),
                });
            }
            Event::VerifierFixed {
                verifier,
                transcript_hash,
                contributions,
                ..
            } => {
                self.ceremony
                    .get_or_insert_with(CeremonyPanel::default)
                    .fixed = Some(FixedVerifier {
                    verifier: *verifier,
                    transcript_hash: transcript_hash.hex(),
                    contributions: *contributions,
                    at,
                });
            }
            Event::ModelCommitted {
                competitor,
                commit_seq,
                bond,
                replaced,
                ..
            } => {
                for row in self.commitments.iter_mut() {
                    if row.competitor == *competitor {
                        row.replaced = true;
                    }
                }
                self.bonds_paid += bond.0;
                self.seq.insert(*competitor, *commit_seq);
                self.commitments.push(CommitRow {
                    seq: *commit_seq,
                    competitor: *competitor,
                    at,
                    tx: e.tx.clone(),
                    bond: *bond,
                    replaces: *replaced,
                    replaced: false,
                });
            }
            Event::TestSetChunkRevealed { elems, .. } => {
                self.test_set.chunks += 1;
                self.test_set.elements += elems.len() as u64;
            }
            Event::TestSetRevealRestarted { .. } => {
                self.test_set.chunks = 0;
                self.test_set.elements = 0;
                self.test_set.restarts += 1;
            }
            Event::TestSetRevealed {
                challenge_ends,
                proof_ends,
                ..
            } => {
                self.proof_ends = Some(*proof_ends);
                self.test_set.verified = true;
                self.test_set.verified_at = Some(at);
                self.test_set.challenge_ends = Some(*challenge_ends);
            }
            Event::TestSetChallenged { chunk, .. } => {
                // The organiser defaulted: as if the test set had never been revealed.
                self.proof_ends = None;
                self.test_set.verified = false;
                self.test_set.verified_at = None;
                self.test_set.challenge_ends = None;
                self.test_set.challenged_chunk = Some(*chunk);
            }
            Event::ProofAccepted {
                competitor,
                correct,
                ranked,
                ..
            } => {
                // The registry accepts one proof per competitor; keep the first if a
                // misbehaving node ever reported two.
                if !self.proofs.iter().any(|p| p.competitor == *competitor) {
                    self.proofs.push(Proof {
                        competitor: *competitor,
                        correct: *correct,
                        ranked: *ranked,
                        at,
                        tx: e.tx.clone(),
                    });
                }
            }
            Event::WinnerCalled {
                competitor,
                reveal_deadline,
                ..
            } => {
                self.called.insert(*competitor, *reveal_deadline);
            }
            Event::ModelChunkRevealed {
                competitor, count, ..
            } => {
                let row = self.reveal_row(*competitor, at);
                row.chunks += 1;
                row.elements += count;
                row.at = at;
            }
            Event::ModelRevealRestarted { competitor, .. } => {
                let row = self.reveal_row(*competitor, at);
                row.chunks = 0;
                row.elements = 0;
                row.restarts += 1;
                row.at = at;
            }
            Event::ModelRevealed {
                competitor,
                count,
                bond_returned,
            } => {
                let row = self.reveal_row(*competitor, at);
                row.verified = true;
                row.size = Some(*count);
                row.bond_returned = Some(*bond_returned);
                row.at = at;
                self.revealed.insert(*competitor);
                *self.bonds_back.entry(*competitor).or_default() += bond_returned.0;
            }
            Event::ModelForfeited { competitor, .. } => {
                self.forfeited.insert(*competitor);
            }
            Event::ModelDisqualified { competitor, .. } => {
                self.disqualified.insert(*competitor);
            }
            Event::BondPoolAwarded { to, amount } => {
                *self.bond_pool.entry(*to).or_default() += amount.0;
            }
            Event::PrizeAwarded { winner, amount, .. } => {
                *self.prizes.entry(*winner).or_default() += amount.0;
            }
            Event::ContestSettled {
                winners_paid,
                remainder,
                remainder_to,
            } => {
                *self.prizes.entry(*remainder_to).or_default() += remainder.0;
                self.settlement = Some(Settlement {
                    winners_paid: *winners_paid,
                    remainder: *remainder,
                    remainder_to: *remainder_to,
                    at,
                });
            }
            Event::Withdrawn { account, amount } => {
                *self.withdrawn.entry(*account).or_default() += amount.0;
            }
        }
    }

    fn reveal_row(&mut self, competitor: Addr, at: Stamp) -> &mut RevealRow {
        let i = match self.reveals.iter().position(|r| r.competitor == competitor) {
            Some(i) => i,
            None => {
                self.reveals.push(RevealRow {
                    competitor,
                    chunks: 0,
                    elements: 0,
                    restarts: 0,
                    verified: false,
                    size: None,
                    bond_returned: None,
                    at,
                });
                self.reveals.len() - 1
            }
        };
        &mut self.reveals[i]
    }

    /// Last second for proofs: from the `TestSetRevealed` event, else the latest it can be.
    pub(super) fn proof_end(&self, c: &ContestConfig) -> u64 {
        self.proof_ends.unwrap_or(c.proof_deadline)
    }

    /// The contract's phase rule (`contracts/README.md`, Lifecycle), for when the contract
    /// could not be asked.
    pub(super) fn derived_phase(&self, c: &ContestConfig, now: u64) -> Phase {
        if self.ceremony.as_ref().is_some_and(|p| p.fixed.is_none()) {
            // No commitment and no test set before the verifier is fixed.
            return if now <= c.commit_deadline {
                Phase::Ceremony
            } else {
                Phase::TestSetMissed
            };
        }
        if now <= c.commit_deadline {
            Phase::Commit
        } else if self.test_set.challenged_chunk.is_some() {
            Phase::TestSetMissed
        } else if !self.test_set.verified {
            if now <= c.test_set_deadline {
                Phase::TestSetReveal
            } else {
                Phase::TestSetMissed
            }
        } else if self.test_set.challenge_ends.is_some_and(|end| now <= end) {
            Phase::TestSetChallenge
        } else if now <= self.proof_end(c) {
            Phase::Proof
        } else if self.settlement.is_some() {
            Phase::Settled
        } else {
            Phase::ModelReveal
        }
    }

    pub(super) fn leaderboard(
        &self,
        ledger: &Ledger,
        c: &ContestConfig,
        now: u64,
    ) -> Vec<LeaderRow> {
        let mut order: Vec<&Proof> = self.proofs.iter().collect();
        // Ranking: more correct first; ties by the lower (earlier) commit sequence number.
        order.sort_by_key(|p| {
            (
                std::cmp::Reverse(p.correct),
                self.seq.get(&p.competitor).copied().unwrap_or(u64::MAX),
            )
        });
        let closed = !self.called.is_empty();
        let proof_end = self.proof_end(c);
        let default_deadline = proof_end.saturating_add(c.reveal_window);
        let mut place = 0u64;
        order
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let rank = i as u64 + 1;
                let forfeited = self.forfeited.contains(&p.competitor);
                let disqualified = self.disqualified.contains(&p.competitor);
                let my_place = (!forfeited && !disqualified && p.ranked).then(|| {
                    place += 1;
                    place
                });
                let paid = my_place.is_some_and(|pl| pl as usize <= self.paid_places);
                let called = self.called.get(&p.competitor).copied();
                let (standing, reveal_by) = if !p.ranked {
                    (Standing::Scored, None)
                } else if forfeited {
                    (Standing::Forfeited, called)
                } else if disqualified {
                    (Standing::Disqualified, called)
                } else if self.revealed.contains(&p.competitor) {
                    (Standing::Revealed, called)
                } else if let Some(by) = called {
                    let s = if now > by {
                        Standing::Overdue
                    } else {
                        Standing::Called
                    };
                    (s, Some(by))
                } else if !closed && paid && now > proof_end {
                    (Standing::MustReveal, Some(default_deadline))
                } else {
                    (Standing::Qualified, None)
                };
                let moved_up_from = match my_place {
                    Some(pl) if paid && pl < rank => Some(rank),
                    _ => None,
                };
                LeaderRow {
                    rank,
                    place: my_place,
                    competitor: p.competitor,
                    correct: p.correct,
                    of: c.test_set_size,
                    accuracy_pct: accuracy_pct(p.correct, c.test_set_size),
                    gas: self.proof_gas(ledger, p),
                    at: p.at,
                    tx: p.tx.clone(),
                    standing,
                    reveal_by,
                    reveal_left: match standing {
                        Standing::Called | Standing::Overdue | Standing::MustReveal => {
                            reveal_by.map(|by| by as i64 - now as i64)
                        }
                        _ => None,
                    },
                    moved_up_from,
                    prize: self.prizes.get(&p.competitor).map(|w| Wei(*w)),
                }
            })
            .collect()
    }

    /// Gas of an entry's proof transactions, once every one is read: its `submitProof`, or for
    /// a sharded entry each of its shards' (the last one's carries `ProofAccepted` too).
    fn proof_gas(&self, ledger: &Ledger, p: &Proof) -> Option<u64> {
        match self.shards.iter().find(|s| s.competitor == p.competitor) {
            Some(s) => s.proved.values().map(|(_, tx)| ledger.gas(tx)).sum(),
            None => ledger.gas(&p.tx),
        }
    }

    /// Sharded entries with shards proved but no `ProofAccepted` yet.
    pub(super) fn shard_progress(&self, c: &ContestConfig, now: u64) -> Vec<ShardProgressRow> {
        let over = now > self.proof_end(c);
        self.shards
            .iter()
            .filter(|s| !self.proofs.iter().any(|p| p.competitor == s.competitor))
            .map(|s| ShardProgressRow {
                competitor: s.competitor,
                proved: s.proved.keys().copied().collect(),
                of: c.layout.shards,
                correct_so_far: s.proved.values().map(|(c, _)| c).sum(),
                at: s.at,
                tx: s.tx.clone(),
                incomplete: over,
            })
            .collect()
    }

    pub(super) fn payouts(&self, organiser: Addr, owed: &BTreeMap<Addr, Wei>) -> Vec<PayoutRow> {
        let mut accounts = vec![organiser];
        for row in &self.commitments {
            if !accounts.contains(&row.competitor) {
                accounts.push(row.competitor);
            }
        }
        accounts
            .into_iter()
            .map(|a| {
                let get = |m: &BTreeMap<Addr, u128>| Wei(m.get(&a).copied().unwrap_or(0));
                PayoutRow {
                    account: a,
                    role: if a == organiser {
                        "organiser"
                    } else {
                        "competitor"
                    },
                    prize: get(&self.prizes),
                    bond_returned: get(&self.bonds_back),
                    bond_pool: get(&self.bond_pool),
                    owed: owed.get(&a).copied(),
                    withdrawn: get(&self.withdrawn),
                }
            })
            .collect()
    }
}
