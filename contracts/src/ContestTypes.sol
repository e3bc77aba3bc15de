// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice Everything an organiser fixes when creating a contest (see docs/PROTOCOL.md and
///         contracts/README.md). Deadlines are unix timestamps compared with `block.timestamp`;
///         a phase includes its deadline second.
struct ContestParams {
    /// @dev keccak-256 of the contest spec file, so competitors can check which spec (envelope,
    ///      quantisation, data ranges) the verifier was generated for.
    bytes32 specHash;
    /// @dev The halo2 verifier contract for this spec; fixed for the contest's lifetime. The
    ///      registry records its code hash (EXTCODEHASH) at creation and refuses proofs once the
    ///      code differs (`ContestView.verifierCodeHash`).
    address verifier;
    /// @dev keccak-256 of the verifying-key file (`vk.bin`, halo2 `RawBytes`) the verifier was
    ///      rendered from. Recorded and emitted, never interpreted by the registry: an auditor
    ///      rebuilds the verifier from the spec and the SRS, compares its code with the deployed
    ///      one, and checks this digest (`contest-cli audit`).
    bytes32 vkDigest;
    /// @dev keccak-256 of the SRS at the circuit's `k` (halo2 `ParamsKZG`, `RawBytes`) the key
    ///      was generated with. Recorded and emitted, never interpreted by the registry; the
    ///      same audit checks it.
    bytes32 srsDigest;
    /// @dev `T`, a canonical BN254 field element: `Chain(TESTSET_TAG, pack(X) || pack(y))` for
    ///      one shard, else `Chain(TESTSET_ROOT_TAG, T_0 … T_{M-1})` over the shards' own
    ///      commitments `T_s = Chain(TESTSET_TAG, pack(X_s) || pack(y_s))` (PROTOCOL §14.1).
    uint256 testSetCommitment;
    /// @dev `N`, the number of test rows; an accepted `correct` is at most `N`.
    uint32 testSetSize;
    /// @dev Smallest `correct` that qualifies for the ranking (1 ..= N).
    uint32 minCorrect;
    /// @dev The test set's layout (docs/PROTOCOL.md §4), checked element by element at its
    ///      reveal: `F` features per row (>= 1), each offset by the spec's `x_min` into
    ///      `0 ..= featureSpan` (`x_max - x_min`), and labels in `0 ..= classes - 1`
    ///      (`classes` >= 2). A preimage of `T` that does not decode so cannot be revealed.
    uint32 features;
    uint64 featureSpan;
    uint32 classes;
    /// @dev `M`, the shards the test set is split into (>= 1, dividing `testSetSize`): shard `s`
    ///      holds rows `[s·N/M, (s+1)·N/M)`, every shard is proved on its own
    ///      (`submitShardProof`) and an entry's score is the sum of its `M` shards' counts.
    uint32 shards;
    /// @dev Share of the prize per paid rank in basis points, best rank first; 1 to 16 ranks,
    ///      each > 0, summing to 10,000.
    uint16[] payoutBps;
    /// @dev Wei each competitor locks on its first commitment (> 0).
    uint256 commitBond;
    /// @dev Last second for `commitModel`; 1 hour to 365 days after creation.
    uint64 commitDeadline;
    /// @dev Last second for the organiser's final `revealTestSet` chunk; 1 hour to 365 days
    ///      after `commitDeadline`.
    uint64 testSetDeadline;
    /// @dev Latest possible end of the proof window, 1 day to 365 days after `testSetDeadline`.
    ///      The window itself lasts `proofDeadline - testSetDeadline` seconds from the final
    ///      test-set chunk (`ContestView.proofEnds`), so an organiser revealing at the last moment
    ///      cannot shorten it.
    uint64 proofDeadline;
    /// @dev Length of each reveal round (seconds, 1 day ..= 365 days). The first paid ranks'
    ///      round ends at `proofEnds + revealWindow`; entries called after a round's forfeits
    ///      share one fresh round from the moment they are called.
    uint64 revealWindow;
}

/// @notice Where a contest stands at the current block.
enum Phase {
    /// No contest with this id.
    None,
    /// Competitors may commit or replace their model commitment.
    Commit,
    /// The organiser may post the test set.
    TestSetReveal,
    /// The test set is revealed; competitors may submit proofs.
    Proof,
    /// The ranking is final; called entries must reveal their models.
    ModelReveal,
    /// Every prize is decided (paid, or refunded to the organiser); only withdrawals remain.
    Settled,
    /// The organiser missed the test-set deadline, or a chunk of its test set was successfully
    /// challenged: the prize is split among the committed competitors, bonds returned. (Also a ceremony contest whose verifier was never fixed, once
    /// its commit deadline is over: nobody could commit, the prize goes back to the organiser.)
    TestSetMissed,
    /// A ceremony contest whose verifier is not fixed yet: anyone may record a contribution to
    /// the contest's powers-of-tau ceremony until `CeremonyView.deadline`; then the organiser
    /// fixes the verifier built from the final transcript, and commits open.
    Ceremony,
    /// The test set is posted and its final claim matches `T`; until `ContestView.challengeEnds`
    /// anyone may challenge a chunk's claimed Poseidon state (`challengeTestSet`). No proofs yet.
    TestSetChallenge
}

/// @notice Where one competitor's entry stands.
enum EntryStatus {
    /// Never committed.
    None,
    /// Committed (bond locked), no accepted proof.
    Committed,
    /// Accepted proof with `correct >= minCorrect`; in the ranking, not (yet) called to reveal.
    Qualified,
    /// Called to reveal its model before its reveal deadline.
    Called,
    /// Revealed its model; bond returned; prize credited once every better entry is resolved.
    Revealed,
    /// Missed its reveal deadline; bond (to the bond pool) and prize forfeited.
    Forfeited,
    /// Accepted proof with `correct < minCorrect`: scored, not ranked; bond returned after the
    /// proof window.
    Scored,
    /// Revealed a model whose fingerprint an entry committed earlier by another address had
    /// already revealed (`ModelDisqualified`): a copy. Bond to the bond pool, no prize.
    Disqualified
}

/// @notice The first revealed entry known for a model fingerprint (`IContestRegistry.original`).
struct OriginalView {
    /// @dev The revealing competitor (0: no model with this fingerprint was revealed here).
    address owner;
    uint256 contestId;
    /// @dev When that entry committed (its last commitment's block timestamp).
    uint256 committedAt;
}

/// @notice A contest's configuration and progress, as returned by `IContestRegistry.contest`.
struct ContestView {
    address organiser;
    ContestParams params;
    uint256 prize;
    Phase phase;
    /// @dev ETH of this contest still held by the registry (escrow plus unclaimed balances).
    uint256 held;
    /// @dev Elements of the test set posted so far, and whether its final chunk's claim matched
    ///      `T` (false again once a chunk is successfully challenged).
    uint256 testSetRevealedCount;
    bool testSetRevealed;
    /// @dev End of the proof window: final test-set chunk's time plus
    ///      `proofDeadline - testSetDeadline`; 0 until the test set is revealed.
    uint64 proofEnds;
    /// @dev End of the test set's challenge window (the proof window's first quarter): proofs are
    ///      accepted after it. 0 until the test set is revealed.
    uint64 challengeEnds;
    uint256 committers;
    /// @dev Ranked entries (`correct >= minCorrect`), and every accepted proof.
    uint256 qualifiers;
    uint256 provers;
    /// @dev Entries whose prize has been credited, and the prize credited so far.
    uint256 winnersPaid;
    uint256 prizePaid;
    /// @dev Block in which the contest was created: the first block with any of its events.
    uint64 createdBlock;
    /// @dev The verifier's EXTCODEHASH recorded at `createContest`; `submitProof` refuses every
    ///      proof while the verifier's code hash differs (`VerifierCodeChanged`). Never changes.
    bytes32 verifierCodeHash;
    /// @dev Bonds forfeited so far: of entries that never proved (counted once the proof window
    ///      is over and somebody proved) and of called entries that never revealed. Paid out at
    ///      settlement (`BondPoolAwarded`).
    uint256 bondPool;
    /// @dev Deadline of the current reveal round (0 before the ranking closes).
    uint64 roundDeadline;
}

/// @notice A contest's own powers-of-tau ceremony, as returned by `IContestRegistry.ceremony`.
///         All zero for a contest created with a finished SRS (`createContest`).
struct CeremonyView {
    /// @dev Last second for `contributeToCeremony`; 0 for a contest without a ceremony.
    uint64 deadline;
    /// @dev Contributions recorded so far (one `CeremonyContribution` event each, in order).
    uint32 contributions;
    /// @dev Running digest of the contributions recorded: 0, then
    ///      `keccak256(abi.encodePacked(log, contributor, hash[0], hash[1]))` per contribution,
    ///      so an auditor can tell whether the events it was served are all of them.
    bytes32 log;
    /// @dev When the organiser fixed the verifier (0 until then).
    uint64 fixedAt;
    /// @dev blake2b-512 of the final transcript (`.ptau` file) the organiser built the keys
    ///      from, as two big-endian halves; recorded for audits, never interpreted here.
    bytes32[2] transcriptHash;
}

/// @notice One competitor's entry, as returned by `IContestRegistry.entry`.
struct EntryView {
    EntryStatus status;
    uint256 commitment;
    /// @dev Commit sequence number within the contest (1-based; a replacement takes a new one);
    ///      breaks ties in the ranking, lower first.
    uint256 commitSeq;
    uint256 correct;
    /// @dev 0 unless called (for the first ranks before anyone has touched the contest after the
    ///      proof deadline, the deadline they will get is shown).
    uint256 revealDeadline;
    /// @dev Model elements absorbed so far in the current reveal attempt.
    uint256 revealedCount;
    /// @dev Block timestamp of the entry's current commitment (0: none); orders copies.
    uint256 committedAt;
    /// @dev Shards proved so far (`correct` is their sum); the entry is ranked or scored when
    ///      all `ContestParams.shards` are in.
    uint256 shardsProved;
}
