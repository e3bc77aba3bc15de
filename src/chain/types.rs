//! Plain types for the registry's configuration, state and events: what the rest of the crate
//! (CLI, demo, dashboard) sees instead of alloy's types.

use std::fmt;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde::{Serialize, Serializer};

use crate::commit::fr_to_hex;

/// A 20-byte account or contract address; shown and serialised as `0x` + 40 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Addr(pub [u8; 20]);

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl Serialize for Addr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An amount of wei; serialised as a decimal string (JSON numbers lose precision past 2^53).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Wei(pub u128);

impl Wei {
    /// One ether.
    pub const ETHER: Wei = Wei(1_000_000_000_000_000_000);
}

impl fmt::Display for Wei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ETH", format_ether(self.0))
    }
}

impl Serialize for Wei {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// `wei` as ether with up to 18 decimals and no trailing zeros (exact, no float).
pub fn format_ether(wei: u128) -> String {
    let whole = wei / 1_000_000_000_000_000_000;
    let frac = wei % 1_000_000_000_000_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:018}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// A field element (commitment) serialised as `0x` + 64 hex digits.
pub fn serialize_fr<S: Serializer>(x: &Fr, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&fr_to_hex(x))
}

/// A contest's phase (`ContestTypes.Phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No contest with this id.
    None,
    /// Competitors may commit.
    Commit,
    /// The organiser may post the test set.
    TestSetReveal,
    /// Proofs are accepted.
    Proof,
    /// Called entries must reveal their models.
    ModelReveal,
    /// Every prize is decided; only withdrawals remain.
    Settled,
    /// The organiser missed the test-set deadline, or a chunk of its test set was successfully
    /// challenged; the prize goes to the committers.
    TestSetMissed,
    /// A ceremony contest whose verifier is not fixed yet (contributions until the ceremony's
    /// deadline, then the organiser fixes the verifier; no commits before that).
    Ceremony,
    /// The test set is posted; until the challenge window's end anyone may challenge a chunk
    /// (PROTOCOL §14.3), and no proof is accepted yet.
    TestSetChallenge,
}

impl Phase {
    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Commit,
            2 => Self::TestSetReveal,
            3 => Self::Proof,
            4 => Self::ModelReveal,
            5 => Self::Settled,
            6 => Self::TestSetMissed,
            7 => Self::Ceremony,
            8 => Self::TestSetChallenge,
            _ => Self::None,
        }
    }

    /// A short human name.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "no such contest",
            Self::Commit => "commit",
            Self::TestSetReveal => "test-set reveal",
            Self::Proof => "proof",
            Self::ModelReveal => "model reveal",
            Self::Settled => "settled",
            Self::TestSetMissed => "test set missed (prize to committers)",
            Self::Ceremony => "ceremony (verifier not fixed yet)",
            Self::TestSetChallenge => "test-set challenge window",
        }
    }
}

/// Where one competitor's entry stands (`ContestTypes.EntryStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Never committed.
    None,
    /// Committed, no accepted proof (after the proof window, if anybody proved, its bond is in
    /// the bond pool).
    Committed,
    /// Accepted proof with `correct >= minCorrect`, in the ranking.
    Qualified,
    /// Called to reveal its model.
    Called,
    /// Revealed its model.
    Revealed,
    /// Missed its reveal deadline.
    Forfeited,
    /// Accepted proof below the threshold: scored, not ranked; bond back after the proof window.
    Scored,
    /// Revealed a copy: weights another address revealed from an earlier commitment (or in
    /// this contest first). No prize; bond to the bond pool.
    Disqualified,
}

impl EntryStatus {
    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Committed,
            2 => Self::Qualified,
            3 => Self::Called,
            4 => Self::Revealed,
            5 => Self::Forfeited,
            6 => Self::Scored,
            7 => Self::Disqualified,
            _ => Self::None,
        }
    }
}

/// The packed test set's layout (`ContestParams.features`, `featureSpan`, `classes`;
/// `docs/PROTOCOL.md` §4): the registry refuses a revealed element that is not the packing of
/// `features` values in `0 ..= feature_span` per row and labels below `classes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TestSetLayout {
    /// `F`, features per row.
    pub features: u32,
    /// `x_max − x_min` of the spec's feature range (its hull for per-column specs).
    pub feature_span: u64,
    /// `K`, classes.
    pub classes: u32,
    /// `M`, the shards (each proved on its own against its `T_s`, PROTOCOL §14.1).
    pub shards: u32,
}

/// What an organiser fixes when creating a contest (`ContestTypes.ContestParams`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContestConfig {
    /// keccak-256 of the spec file, `0x…`.
    #[serde(serialize_with = "serialize_hash")]
    pub spec_hash: [u8; 32],
    /// The halo2 verifier contract.
    pub verifier: Addr,
    /// keccak-256 of the verifying key (`vk.bin`) the verifier was rendered from, `0x…`.
    #[serde(serialize_with = "serialize_hash")]
    pub vk_digest: [u8; 32],
    /// keccak-256 of the SRS at the circuit's k (halo2 `ParamsKZG` raw bytes), `0x…`.
    #[serde(serialize_with = "serialize_hash")]
    pub srs_digest: [u8; 32],
    /// `T`.
    #[serde(serialize_with = "serialize_fr")]
    pub testset_commitment: Fr,
    /// `N`.
    pub test_set_size: u32,
    /// Smallest qualifying `correct`.
    pub min_correct: u32,
    /// The test set's layout, checked element by element when it is revealed.
    pub layout: TestSetLayout,
    /// Prize shares per paid rank (basis points, best first).
    pub payout_bps: Vec<u16>,
    /// Bond per competitor.
    pub commit_bond: Wei,
    /// Last second to commit.
    pub commit_deadline: u64,
    /// Last second for the final test-set chunk.
    pub test_set_deadline: u64,
    /// Latest possible end of the proof window: the window lasts `proof_deadline -
    /// test_set_deadline` seconds from the final test-set chunk (`ContestInfo::proof_ends`).
    pub proof_deadline: u64,
    /// Length of each reveal round (seconds).
    pub reveal_window: u64,
}

fn serialize_hash<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("0x{}", hex::encode(h)))
}

/// A contest's shared-column verifiers (PROTOCOL §14.2.1), fixed at creation with their code
/// hashes (`IContestRegistry.columnVerifiers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnVerifiers {
    /// The model proof's verifier (one proof per entry).
    pub model: Addr,
    /// Its code hash at creation.
    #[serde(serialize_with = "serialize_hash")]
    pub model_code_hash: [u8; 32],
    /// The test-set proof's verifier (one proof per shard, anyone's); none: each shard proof
    /// holds its own rows.
    pub testset: Option<Addr>,
    /// Its code hash at creation (zero without one).
    #[serde(serialize_with = "serialize_hash")]
    pub testset_code_hash: [u8; 32],
}

/// Bytes of one G1 point in a proof: a shared column's commitment is a proof's first point
/// (the model column of a shard proof or a model proof, the rows column of a test-set proof) or
/// its second (a shard proof's rows column).
pub const POINT_BYTES: usize = 64;

/// The registry's key of a model column that `competitor`'s model proof opened to
/// `commitment`, `point` the proof's first 64 bytes (`IContestRegistry.columnOpened`).
pub fn model_column_key(competitor: Addr, commitment: &Fr, point: &[u8]) -> [u8; 32] {
    let mut bytes = competitor.0.to_vec();
    bytes.extend_from_slice(&crate::commit::fr_to_be_bytes(commitment));
    bytes.extend_from_slice(point);
    alloy::primitives::keccak256(&bytes).0
}

/// The registry's key of a rows column that a test-set proof opened to shard `shard`'s `ts`.
pub fn rows_column_key(shard: u64, ts: &Fr, point: &[u8]) -> [u8; 32] {
    let mut bytes = [0u8; 32].to_vec();
    bytes[24..].copy_from_slice(&shard.to_be_bytes());
    bytes.extend_from_slice(&crate::commit::fr_to_be_bytes(ts));
    bytes.extend_from_slice(point);
    alloy::primitives::keccak256(&bytes).0
}

/// A contest's configuration and progress (`ContestTypes.ContestView`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContestInfo {
    /// The organiser.
    pub organiser: Addr,
    /// Its configuration.
    pub config: ContestConfig,
    /// The prize in escrow at creation.
    pub prize: Wei,
    /// The phase at the latest block.
    pub phase: Phase,
    /// ETH of this contest still held by the registry.
    pub held: Wei,
    /// Test-set elements posted so far.
    pub test_set_revealed_count: u64,
    /// Whether the test set is revealed (its final claim matched `T`, and no challenge has
    /// succeeded).
    pub test_set_revealed: bool,
    /// Last second to submit a proof: the final test-set chunk's time plus the proof window
    /// (0 until the test set is revealed).
    pub proof_ends: u64,
    /// Last second of the challenge window (the proof window's first quarter; 0 until the test
    /// set is revealed): proofs are accepted after it.
    pub challenge_ends: u64,
    /// Addresses that committed.
    pub committers: u64,
    /// Entries in the ranking.
    pub qualifiers: u64,
    /// Accepted proofs, ranked or scored.
    pub provers: u64,
    /// Entries paid so far.
    pub winners_paid: u64,
    /// Prize credited so far.
    pub prize_paid: Wei,
    /// Block of `createContest`: the contest's first event is in it, so its logs are read from
    /// here on.
    pub created_block: u64,
    /// The verifier's code hash (EXTCODEHASH) recorded at creation; `submitProof` refuses to
    /// call a verifier whose code hash has changed since.
    #[serde(serialize_with = "serialize_hash")]
    pub verifier_code_hash: [u8; 32],
    /// Bonds forfeited so far (entries that never proved, once somebody proved and the proof
    /// window is over; called entries that never revealed), paid out at settlement.
    pub bond_pool: Wei,
    /// Deadline of the current reveal round (0 before the ranking closes).
    pub round_deadline: u64,
}

impl ContestInfo {
    /// Last second to submit a proof as far as it is known: `proof_ends` once the test set is
    /// revealed, else the latest it can be (`proof_deadline`).
    pub fn proof_end(&self) -> u64 {
        if self.proof_ends == 0 {
            self.config.proof_deadline
        } else {
            self.proof_ends
        }
    }
}

/// A blake2b-512 hash (ceremony contributions and transcripts), serialised as hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Blake2b(pub [u8; 64]);

impl Blake2b {
    /// From 128 hex digits (an optional `0x`, whitespace ignored: snarkjs prints the hash in
    /// four lines of 32 digits).
    pub fn from_hex(s: &str) -> Option<Self> {
        let digits: String = s
            .trim()
            .trim_start_matches("0x")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut out = [0u8; 64];
        hex::decode_to_slice(&digits, &mut out).ok()?;
        Some(Self(out))
    }

    /// Lower-case hex, no prefix (as `.ptau` reports list it).
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for Blake2b {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blake2b({})", self.hex())
    }
}

impl Serialize for Blake2b {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.hex())
    }
}

/// A ceremony contest's ceremony (`ContestTypes.CeremonyView`); all zero for a contest created
/// with a finished SRS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CeremonyInfo {
    /// Last second for contributions (0: the contest has no ceremony).
    pub deadline: u64,
    /// Contributions recorded.
    pub contributions: u64,
    /// Running digest of the recorded contributions.
    #[serde(serialize_with = "serialize_hash")]
    pub log: [u8; 32],
    /// When the organiser fixed the verifier (0: not yet).
    pub fixed_at: u64,
    /// blake2b-512 of the final transcript the keys were made from (zero until fixed).
    pub transcript_hash: Blake2b,
}

/// One contribution recorded on chain (`CeremonyContribution`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CeremonyRecord {
    /// 0-based position among the recorded contributions.
    pub index: u64,
    /// Who recorded it.
    pub contributor: Addr,
    /// Its contribution (response) hash.
    pub contribution_hash: Blake2b,
}

/// The registry's running digest after `record`: `keccak256(log ‖ contributor ‖ hash)`.
pub fn ceremony_log_step(log: &[u8; 32], contributor: Addr, hash: &Blake2b) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    let mut k = Keccak256::new();
    k.update(log);
    k.update(contributor.0);
    k.update(hash.0);
    k.finalize().into()
}

/// One competitor's entry (`ContestTypes.EntryView`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryInfo {
    /// Its status.
    pub status: EntryStatus,
    /// Its model commitment `C` (zero if none).
    #[serde(serialize_with = "serialize_fr")]
    pub commitment: Fr,
    /// Commit sequence number (ties: lower first).
    pub commit_seq: u64,
    /// Accepted `correct` (0 if none).
    pub correct: u64,
    /// Reveal deadline if called (0 otherwise).
    pub reveal_deadline: u64,
    /// Model elements absorbed in the current reveal attempt.
    pub revealed_count: u64,
    /// Block time of the current commitment (0: none).
    pub committed_at: u64,
    /// Shards proved so far (`correct` is their sum until all are in).
    pub shards_proved: u64,
}

/// The earliest-committed revealed entry of a model fingerprint (`IContestRegistry.original`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OriginalInfo {
    /// Who revealed it.
    pub owner: Addr,
    /// In which contest.
    pub contest_id: u64,
    /// When that entry committed.
    pub committed_at: u64,
}

/// A mined transaction of the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tx {
    /// What it did (`createContest`, `commitModel`, …).
    pub action: String,
    /// Its hash, `0x…`.
    pub hash: String,
    /// Its page on the chain's block explorer (a `--chain` preset with an explorer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explorer_url: Option<String>,
    /// Gas it used.
    pub gas_used: u64,
    /// The block it was mined in.
    pub block: u64,
}

/// A registry event, decoded (`IContestRegistry` events; see that file for meanings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event")]
// `ContestCreated` carries the whole configuration; events are decoded once per log and kept in
// the dashboard's ledger, so the larger variant costs a few hundred bytes per event, no copies.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// A contest was created.
    ContestCreated {
        /// The organiser.
        organiser: Addr,
        /// The prize.
        prize: Wei,
        /// Its configuration.
        config: ContestConfig,
        /// The verifier's code hash, recorded by the registry.
        #[serde(serialize_with = "serialize_hash")]
        verifier_code_hash: [u8; 32],
    },
    /// A ceremony contest's ceremony opened.
    CeremonyOpened {
        /// Last second for contributions.
        ceremony_deadline: u64,
    },
    /// A contribution to a contest's ceremony was recorded.
    CeremonyContribution {
        /// Who recorded it.
        contributor: Addr,
        /// 0-based position.
        index: u64,
        /// Its contribution hash.
        contribution_hash: Blake2b,
    },
    /// A ceremony contest's verifier was fixed.
    VerifierFixed {
        /// The verifier.
        verifier: Addr,
        /// Its code hash, recorded by the registry.
        #[serde(serialize_with = "serialize_hash")]
        verifier_code_hash: [u8; 32],
        /// blake2b-512 of the final transcript.
        transcript_hash: Blake2b,
        /// Contributions recorded.
        contributions: u64,
    },
    /// A competitor committed (or replaced its commitment).
    ModelCommitted {
        /// Who.
        competitor: Addr,
        /// `C`.
        #[serde(serialize_with = "serialize_fr")]
        commitment: Fr,
        /// Commit sequence number.
        commit_seq: u64,
        /// Bond paid with this commitment.
        bond: Wei,
        /// Whether it replaced an earlier commitment.
        replaced: bool,
        /// Committed addresses so far.
        committers: u64,
    },
    /// A chunk of the test set was posted with the organiser's claimed chain state after it.
    TestSetChunkRevealed {
        /// The chunk's index since the last restart.
        chunk: u64,
        /// First element's index.
        start: u64,
        /// The claimed Poseidon state after the chunk (not checked on chain: challengeable).
        #[serde(serialize_with = "serialize_fr")]
        state_after: Fr,
        /// The elements.
        #[serde(serialize_with = "serialize_frs")]
        elems: Vec<Fr>,
    },
    /// The final chunk's claim finished to `T`: challenges until `challenge_ends`, then proofs.
    TestSetRevealed {
        /// Elements in all.
        count: u64,
        /// `T`.
        #[serde(serialize_with = "serialize_fr")]
        commitment: Fr,
        /// Last second to challenge a chunk; proofs are accepted after it.
        challenge_ends: u64,
        /// Last second to submit a proof.
        proof_ends: u64,
    },
    /// A chunk was successfully challenged: the organiser defaulted.
    TestSetChallenged {
        /// The chunk.
        chunk: u64,
        /// Who challenged (credited the reward).
        challenger: Addr,
        /// Index of the element that does not decode, or `None` for a wrong chain state.
        malformed: Option<u64>,
        /// The reward credited to the challenger.
        reward: Wei,
    },
    /// A partial test-set reveal was discarded.
    TestSetRevealRestarted {
        /// Elements discarded.
        discarded: u64,
    },
    /// A proof was accepted.
    ProofAccepted {
        /// Who.
        competitor: Addr,
        /// Its `correct`.
        correct: u64,
        /// Whether it reached the threshold and entered the ranking (else: scored only).
        ranked: bool,
        /// Ranked entries so far.
        qualifiers: u64,
        /// Accepted proofs so far, ranked or not.
        provers: u64,
    },
    /// One shard of a sharded entry was proved (`ProofAccepted` follows its last one).
    ShardProofAccepted {
        /// Who.
        competitor: Addr,
        /// Which shard.
        shard: u64,
        /// The shard's `correct`.
        correct: u64,
        /// The entry's shards proved so far.
        shards_proved: u64,
    },
    /// The contest's shared-column verifiers (PROTOCOL §14.2.1), fixed at its creation.
    ColumnVerifiersFixed {
        /// The model proof's verifier, and its code hash.
        model_verifier: Addr,
        /// See `model_verifier`.
        #[serde(serialize_with = "serialize_hash")]
        model_code_hash: [u8; 32],
        /// The test-set proof's verifier (none: each shard proof holds its own rows).
        testset_verifier: Option<Addr>,
        /// Its code hash (zero without one).
        #[serde(serialize_with = "serialize_hash")]
        testset_code_hash: [u8; 32],
    },
    /// A competitor's model proof opened its model column to its commitment.
    ModelColumnOpened {
        /// Who.
        competitor: Addr,
        /// The commitment `C` it was opened to.
        #[serde(serialize_with = "serialize_fr")]
        commitment: Fr,
        /// keccak-256 of the column's commitment (the proof's first 64 bytes).
        #[serde(serialize_with = "serialize_hash")]
        column: [u8; 32],
    },
    /// A test-set proof opened a shard's rows column to its `T_s`.
    TestSetColumnOpened {
        /// Which shard.
        shard: u64,
        /// Who sent it.
        by: Addr,
        /// keccak-256 of the column's commitment (the proof's first 64 bytes).
        #[serde(serialize_with = "serialize_hash")]
        column: [u8; 32],
    },
    /// An entry was called to reveal.
    WinnerCalled {
        /// Who.
        competitor: Addr,
        /// 0-based position in the final ranking.
        position: u64,
        /// Its reveal deadline.
        reveal_deadline: u64,
    },
    /// A chunk of a model was absorbed.
    ModelChunkRevealed {
        /// Whose.
        competitor: Addr,
        /// First element's index.
        start: u64,
        /// Elements in the chunk.
        count: u64,
    },
    /// A model matched its commitment.
    ModelRevealed {
        /// Whose.
        competitor: Addr,
        /// Elements in all.
        count: u64,
        /// Bond credited back.
        bond_returned: Wei,
    },
    /// A partial model reveal was discarded.
    ModelRevealRestarted {
        /// Whose.
        competitor: Addr,
        /// Elements discarded.
        discarded: u64,
    },
    /// A called entry revealed a copy of a model revealed earlier (`IContestRegistry`
    /// `ModelDisqualified`).
    ModelDisqualified {
        /// Who.
        competitor: Addr,
        /// The model chain's state before the salt.
        #[serde(serialize_with = "serialize_fr")]
        fingerprint: Fr,
        /// The original's revealer.
        owner: Addr,
        /// The contest it was revealed in.
        original_contest: u64,
        /// When the original was committed.
        original_committed_at: u64,
        /// Bond moved to the bond pool.
        bond: Wei,
    },
    /// A called entry missed its deadline.
    ModelForfeited {
        /// Who.
        competitor: Addr,
        /// The deadline it missed.
        reveal_deadline: u64,
        /// Bond moved to the bond pool.
        bond: Wei,
    },
    /// Part of the bond pool was credited at settlement.
    BondPoolAwarded {
        /// To whom: a paid place, the organiser (nobody paid, nobody scored), or the zero
        /// address when the pool is split equally among the scored entries.
        to: Addr,
        /// How much.
        amount: Wei,
    },
    /// A prize was credited.
    PrizeAwarded {
        /// To whom.
        winner: Addr,
        /// Paid rank (0 = first prize).
        place: u64,
        /// How much.
        amount: Wei,
    },
    /// Every prize is decided.
    ContestSettled {
        /// Ranks paid.
        winners_paid: u64,
        /// Undistributed remainder.
        remainder: Wei,
        /// Who got the remainder.
        remainder_to: Addr,
    },
    /// Someone withdrew.
    Withdrawn {
        /// Who.
        account: Addr,
        /// How much.
        amount: Wei,
    },
}

fn serialize_frs<S: Serializer>(xs: &[Fr], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(xs.iter().map(fr_to_hex))
}

impl Event {
    /// The event's Solidity name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ContestCreated { .. } => "ContestCreated",
            Self::CeremonyOpened { .. } => "CeremonyOpened",
            Self::CeremonyContribution { .. } => "CeremonyContribution",
            Self::VerifierFixed { .. } => "VerifierFixed",
            Self::ModelCommitted { .. } => "ModelCommitted",
            Self::TestSetChunkRevealed { .. } => "TestSetChunkRevealed",
            Self::TestSetRevealed { .. } => "TestSetRevealed",
            Self::TestSetChallenged { .. } => "TestSetChallenged",
            Self::TestSetRevealRestarted { .. } => "TestSetRevealRestarted",
            Self::ProofAccepted { .. } => "ProofAccepted",
            Self::ShardProofAccepted { .. } => "ShardProofAccepted",
            Self::ColumnVerifiersFixed { .. } => "ColumnVerifiersFixed",
            Self::ModelColumnOpened { .. } => "ModelColumnOpened",
            Self::TestSetColumnOpened { .. } => "TestSetColumnOpened",
            Self::WinnerCalled { .. } => "WinnerCalled",
            Self::ModelChunkRevealed { .. } => "ModelChunkRevealed",
            Self::ModelRevealed { .. } => "ModelRevealed",
            Self::ModelRevealRestarted { .. } => "ModelRevealRestarted",
            Self::ModelDisqualified { .. } => "ModelDisqualified",
            Self::ModelForfeited { .. } => "ModelForfeited",
            Self::BondPoolAwarded { .. } => "BondPoolAwarded",
            Self::PrizeAwarded { .. } => "PrizeAwarded",
            Self::ContestSettled { .. } => "ContestSettled",
            Self::Withdrawn { .. } => "Withdrawn",
        }
    }
}

/// An event with where it was logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Logged {
    /// The contest it belongs to.
    pub contest_id: u64,
    /// Block number.
    pub block: u64,
    /// Transaction hash, `0x…`.
    pub tx: String,
    /// Index of the log in its block (with `block`, a unique, ordered key).
    pub log_index: u64,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ether_is_formatted_exactly() {
        assert_eq!(format_ether(0), "0");
        assert_eq!(format_ether(Wei::ETHER.0), "1");
        assert_eq!(format_ether(1_500_000_000_000_000_000), "1.5");
        assert_eq!(format_ether(1), "0.000000000000000001");
        assert_eq!(Wei(10).to_string(), "0.00000000000000001 ETH");
    }

    #[test]
    fn enums_map_every_solidity_value_and_nothing_else() {
        assert_eq!(Phase::from_u8(3), Phase::Proof);
        assert_eq!(Phase::from_u8(6), Phase::TestSetMissed);
        assert_eq!(Phase::from_u8(7), Phase::Ceremony);
        assert_eq!(Phase::from_u8(8), Phase::TestSetChallenge);
        assert_eq!(Phase::from_u8(9), Phase::None);
        assert_eq!(EntryStatus::from_u8(5), EntryStatus::Forfeited);
        assert_eq!(EntryStatus::from_u8(6), EntryStatus::Scored);
        assert_eq!(EntryStatus::from_u8(7), EntryStatus::Disqualified);
        assert_eq!(EntryStatus::from_u8(8), EntryStatus::None);
        assert_eq!(
            serde_json::to_string(&Addr([0xab; 20])).unwrap(),
            format!("\"0x{}\"", "ab".repeat(20))
        );
        assert_eq!(
            serde_json::to_string(&Wei(u128::MAX)).unwrap(),
            format!("\"{}\"", u128::MAX)
        );
    }
}
