//! The view's rows: what the page shows and the JSON API returns.

use serde::Serialize;

use crate::chain::types::{Addr, ContestConfig, Phase, Wei};
use crate::commit::fr_to_hex;
/// Where something happened: its block and, once read, that block's timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// Block number.
    pub block: u64,
    /// Block timestamp (unix seconds), if read.
    pub time: Option<u64>,
}

/// Everything the dashboard shows about one contest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContestView {
    /// The contest's id.
    pub contest_id: u64,
    /// Its organiser.
    pub organiser: Addr,
    /// Where it was created.
    pub created: Stamp,
    /// The latest block seen.
    pub head: Stamp,
    /// The phase (the contract's, when it could be read; else derived from events and time).
    pub phase: Phase,
    /// The phase's human name.
    pub phase_name: &'static str,
    /// Each deadline with the time left at the head block.
    pub deadlines: Vec<Deadline>,
    /// The contest's fixed parameters.
    pub rules: Rules,
    /// Money in escrow.
    pub escrow: Escrow,
    /// The contest's own powers-of-tau ceremony, if it has one.
    pub ceremony: Option<CeremonyPanel>,
    /// Its shared columns (PROTOCOL §14.2.1), if its shard proofs share them.
    pub columns: Option<ColumnsPanel>,
    /// Every commitment, in order.
    pub commitments: Vec<CommitRow>,
    /// The test-set reveal.
    pub test_set: TestSetProgress,
    /// Accepted proofs in ranking order.
    pub leaderboard: Vec<LeaderRow>,
    /// Entries of a sharded contest with some shards proved but not all (PROTOCOL §14.1), in
    /// order of their first shard proof; an entry leaves once its last shard ranks it.
    pub shard_progress: Vec<ShardProgressRow>,
    /// Model reveals, in order of first chunk.
    pub reveals: Vec<RevealRow>,
    /// The organiser and every committer: credited, owed, withdrawn.
    pub payouts: Vec<PayoutRow>,
    /// How the prize was settled, once it was.
    pub settlement: Option<Settlement>,
    /// The latest events, newest first.
    pub recent: Vec<Activity>,
    /// Number of events folded.
    pub events: usize,
}

/// One deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// What ends.
    pub name: &'static str,
    /// Its last second (unix).
    pub at: u64,
    /// Seconds left at the head block (negative once passed).
    pub left: i64,
}

/// A contest's fixed parameters, for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// `N`.
    pub test_set_size: u32,
    /// `M`, the shards the test set is proved in (1: one proof per entry).
    pub shards: u32,
    /// Smallest qualifying `correct`.
    pub min_correct: u32,
    /// Prize shares per place, basis points.
    pub payout_bps: Vec<u16>,
    /// Bond per competitor.
    pub commit_bond: Wei,
    /// Reveal window (seconds).
    pub reveal_window: u64,
    /// The verifier contract.
    pub verifier: Addr,
    /// keccak-256 of the spec, `0x…`.
    pub spec_hash: String,
    /// `T`, `0x…`.
    pub testset_commitment: String,
}

impl Rules {
    pub(super) fn of(c: &ContestConfig) -> Self {
        Self {
            test_set_size: c.test_set_size,
            shards: c.layout.shards,
            min_correct: c.min_correct,
            payout_bps: c.payout_bps.clone(),
            commit_bond: c.commit_bond,
            reveal_window: c.reveal_window,
            verifier: c.verifier,
            spec_hash: format!("0x{}", hex::encode(c.spec_hash)),
            testset_commitment: fr_to_hex(&c.testset_commitment),
        }
    }
}

/// Money in escrow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escrow {
    /// The prize deposited at creation.
    pub prize: Wei,
    /// Bonds paid with commitments.
    pub bonds_paid: Wei,
    /// Withdrawn so far.
    pub withdrawn: Wei,
    /// prize + bonds − withdrawn, from events alone.
    pub by_events: Wei,
    /// What the registry says it holds for this contest (`contest(id).held`), if read.
    pub held: Option<Wei>,
}

impl Escrow {
    /// What the page shows as held: the registry's figure, or the events' while it is unread.
    pub fn shown(&self) -> Wei {
        self.held.unwrap_or(self.by_events)
    }
}

/// One `ModelCommitted` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitRow {
    /// Commit sequence number.
    pub seq: u64,
    /// Who.
    pub competitor: Addr,
    /// When.
    pub at: Stamp,
    /// Its transaction.
    pub tx: String,
    /// Bond paid with it.
    pub bond: Wei,
    /// It replaced an earlier commitment of the same competitor.
    pub replaces: bool,
    /// A later commitment of the same competitor replaced it.
    pub replaced: bool,
}

/// The test-set reveal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TestSetProgress {
    /// Chunks posted since the last restart.
    pub chunks: u64,
    /// Elements posted since the last restart.
    pub elements: u64,
    /// Partial reveals discarded.
    pub restarts: u64,
    /// The final chunk's claim matched `T` (and no challenge succeeded since).
    pub verified: bool,
    /// When it was verified.
    pub verified_at: Option<Stamp>,
    /// Last second of the challenge window (PROTOCOL §14.3), once verified.
    pub challenge_ends: Option<u64>,
    /// The chunk whose successful challenge made the organiser default.
    pub challenged_chunk: Option<u64>,
}

/// Where an entry of the leaderboard stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Accepted proof; not (yet) in a paid place, or the proof window is still open.
    Qualified,
    /// In a paid place after the proof deadline, ranking not closed yet: must reveal by the
    /// default deadline.
    MustReveal,
    /// Called to reveal (a `WinnerCalled` event).
    Called,
    /// Called, and its deadline has passed without a reveal: anyone may forfeit it.
    Overdue,
    /// Revealed its model.
    Revealed,
    /// Missed its reveal deadline; lost its place and bond (to the bond pool).
    Forfeited,
    /// Revealed a copy of a model revealed before; lost its place and bond (to the bond pool).
    Disqualified,
    /// Proved a score below the threshold: not ranked, bond back after the proof window.
    Scored,
}

/// One accepted proof.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeaderRow {
    /// 1-based position among accepted proofs (by `correct`, ties by earlier commitment);
    /// scored entries (below the threshold) come last and are not ranked.
    pub rank: u64,
    /// 1-based place among entries that have not forfeited (what decides the prize).
    pub place: Option<u64>,
    /// Who.
    pub competitor: Addr,
    /// Rows right.
    pub correct: u64,
    /// `N`.
    pub of: u32,
    /// `correct / N` in percent.
    pub accuracy_pct: f64,
    /// Gas used by the `submitProof` transaction (a sharded entry: its shards' transactions
    /// together), once every one is read.
    pub gas: Option<u64>,
    /// When the proof was accepted.
    pub at: Stamp,
    /// Its transaction.
    pub tx: String,
    /// Where it stands.
    pub standing: Standing,
    /// Reveal deadline, when it has to reveal.
    pub reveal_by: Option<u64>,
    /// Seconds left until `reveal_by` at the head block.
    pub reveal_left: Option<i64>,
    /// The rank it moved up from, when better entries forfeited.
    pub moved_up_from: Option<u64>,
    /// Prize credited to it.
    pub prize: Option<Wei>,
}

/// A contest whose shard proofs share columns (PROTOCOL §14.2.1): its verifiers and the model
/// and test-set proofs in so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnsPanel {
    /// The model proof's verifier.
    pub model_verifier: Addr,
    /// The test-set proof's verifier, if the rows are shared too.
    pub testset_verifier: Option<Addr>,
    /// Entries whose model proof is in (each opened its model column to its commitment).
    pub model_proofs: usize,
    /// Shards with at least one test-set proof in (their rows column opened to `T_s`).
    pub rows_opened: usize,
}

/// A sharded entry not complete yet: its shards proved so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShardProgressRow {
    /// Whose entry.
    pub competitor: Addr,
    /// The shards proved, in order.
    pub proved: Vec<u64>,
    /// `M`.
    pub of: u32,
    /// Rows right in the proved shards.
    pub correct_so_far: u64,
    /// The latest shard proof.
    pub at: Stamp,
    /// Its transaction.
    pub tx: String,
    /// The proof window is over: the entry never proved, and its bond goes to the bond pool.
    pub incomplete: bool,
}

/// One competitor's model reveal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevealRow {
    /// Whose.
    pub competitor: Addr,
    /// Chunks posted since the last restart.
    pub chunks: u64,
    /// Elements posted since the last restart.
    pub elements: u64,
    /// Partial reveals discarded.
    pub restarts: u64,
    /// The model matched its commitment.
    pub verified: bool,
    /// Model size in field elements, once verified.
    pub size: Option<u64>,
    /// Bond credited back on the reveal.
    pub bond_returned: Option<Wei>,
    /// The latest reveal event.
    pub at: Stamp,
}

/// What one account was credited, is owed and withdrew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PayoutRow {
    /// The account.
    pub account: Addr,
    /// `organiser` or `competitor`.
    pub role: &'static str,
    /// Prize (and settlement remainder) credited.
    pub prize: Wei,
    /// Bond credited back on a model reveal.
    pub bond_returned: Wei,
    /// Share of the bond pool (bonds of entries that never proved or never revealed) credited
    /// at settlement; a split among scored entries shows in `owed` instead.
    pub bond_pool: Wei,
    /// `owed(id, account)` now, if read (includes amounts the contract computes on withdrawal).
    pub owed: Option<Wei>,
    /// Withdrawn so far.
    pub withdrawn: Wei,
}

/// A ceremony contest's ceremony: the contributions recorded and the verifier fixed after it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CeremonyPanel {
    /// Last second for contributions.
    pub deadline: u64,
    /// Contributions recorded, in order.
    pub contributions: Vec<CeremonyRow>,
    /// The verifier, once the organiser fixed it.
    pub fixed: Option<FixedVerifier>,
}

/// One recorded contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CeremonyRow {
    /// 0-based position.
    pub index: u64,
    /// Who recorded it.
    pub contributor: Addr,
    /// Its contribution hash (blake2b-512), hex.
    pub contribution_hash: String,
    /// When.
    pub at: Stamp,
    /// Its transaction.
    pub tx: String,
}

/// The `VerifierFixed` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixedVerifier {
    /// The verifier.
    pub verifier: Addr,
    /// blake2b-512 of the final transcript, hex.
    pub transcript_hash: String,
    /// Contributions recorded when it was fixed.
    pub contributions: u64,
    /// When.
    pub at: Stamp,
}

/// The `ContestSettled` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Places paid.
    pub winners_paid: u64,
    /// Undistributed remainder.
    pub remainder: Wei,
    /// Who got it.
    pub remainder_to: Addr,
    /// When.
    pub at: Stamp,
}

/// One recent event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Activity {
    /// When.
    pub at: Stamp,
    /// The event's name.
    pub event: &'static str,
    /// The account it concerns, if any.
    pub who: Option<Addr>,
    /// Its transaction.
    pub tx: String,
}
