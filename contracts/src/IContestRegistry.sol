// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {
    CeremonyView, ContestParams, ContestView, EntryStatus, EntryView, OriginalView, Phase
} from "./ContestTypes.sol";

/// @notice The registry's events and errors (shared by its code halves, `RegistryBase`).
interface IContestRegistryEvents {
    // ------------------------------------------------------------------ events

    /// @notice A contest was created with `prize` in escrow. `verifierCodeHash` is the verifier's
    ///         EXTCODEHASH at creation, which every later proof is checked against; with
    ///         `params.vkDigest` and `params.srsDigest` it is what an audit compares.
    event ContestCreated(
        uint256 indexed contestId,
        address indexed organiser,
        uint256 prize,
        ContestParams params,
        bytes32 verifierCodeHash
    );
    /// @notice A contest was created without a verifier: its own powers-of-tau ceremony takes
    ///         contributions until `ceremonyDeadline`; the organiser then fixes the verifier
    ///         (`VerifierFixed`) and commits open.
    event CeremonyOpened(uint256 indexed contestId, uint256 ceremonyDeadline);
    /// @notice `contributor` announced contribution number `index` (0-based) to the contest's
    ///         ceremony: the blake2b-512 contribution hash snarkjs and `contest-cli ceremony`
    ///         print, in two big-endian halves. `log` is the running digest after it
    ///         (`CeremonyView.log`). The registry cannot check the contribution; an auditor checks
    ///         that the final transcript contains it.
    event CeremonyContribution(
        uint256 indexed contestId, address indexed contributor, uint256 index, bytes32[2] contributionHash, bytes32 log
    );
    /// @notice The organiser fixed the verifier of a ceremony contest after the ceremony closed:
    ///         its code hash is recorded like `createContest`'s, with the digests of the keys and
    ///         SRS and the blake2b-512 of the final transcript; `contributions` were recorded.
    event VerifierFixed(
        uint256 indexed contestId,
        address verifier,
        bytes32 verifierCodeHash,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] transcriptHash,
        uint256 contributions
    );
    /// @notice `competitor` committed to `commitment` (`replaced`: it replaced its earlier
    ///         commitment, no new bond). `commitSeq` orders ties; `committers` counts addresses.
    event ModelCommitted(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 commitment,
        uint256 commitSeq,
        uint256 bond,
        bool replaced,
        uint256 committers
    );
    /// @notice Chunk `chunk` of the test set, elements `start .. start + elems.length - 1`, was
    ///         posted with the organiser's claim `stateAfter`: the Poseidon chain state after
    ///         absorbing them from the previous chunk's claim (`TESTSET_TAG` before the first).
    ///         Not checked here; anyone may challenge the claim (`challengeTestSet`) until
    ///         `challengeEnds` of `TestSetRevealed`.
    event TestSetChunkRevealed(
        uint256 indexed contestId, uint256 chunk, uint256 start, uint256 stateAfter, uint256[] elems
    );
    /// @notice The final chunk's claim finishes to the committed `testSetCommitment` over `count`
    ///         elements. The proof window now runs for `proofDeadline - testSetDeadline` seconds,
    ///         until `proofEnds` (an early reveal ends it early, a late one cannot shorten it); its
    ///         first quarter, until `challengeEnds`, is the challenge window: chunks may be
    ///         challenged and no proof is accepted.
    event TestSetRevealed(
        uint256 indexed contestId, uint256 count, uint256 testSetCommitment, uint256 challengeEnds, uint256 proofEnds
    );
    /// @notice `challenger` showed that chunk `chunk` holds element `malformed` (its index in the
    ///         test set), which does not decode per the layout (PROTOCOL §4), or, if `malformed`
    ///         is `type(uint256).max`, that its elements absorb to `computed`, not to the
    ///         organiser's claim `claimed`: the organiser defaulted (phase `TestSetMissed`), and
    ///         `reward` of the prize is credited to the challenger.
    event TestSetChallenged(
        uint256 indexed contestId,
        uint256 chunk,
        address challenger,
        uint256 malformed,
        uint256 computed,
        uint256 claimed,
        uint256 reward
    );
    /// @notice The organiser discarded a partial test-set reveal of `discarded` elements.
    event TestSetRevealRestarted(uint256 indexed contestId, uint256 discarded);
    /// @notice `competitor`'s proof of `correct` was accepted. `ranked`: `correct >= minCorrect`,
    ///         so the entry entered the ranking (`qualifiers` ranked entries now); otherwise it is
    ///         scored only and its bond is returned after the proof window. `provers` counts every
    ///         accepted proof, ranked or not. The position in the ranking is not emitted (finding
    ///         it would cost a walk); `ranking(contestId)` lists it.
    event ProofAccepted(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 correct,
        bool ranked,
        uint256 qualifiers,
        uint256 provers
    );
    /// @notice In a contest of several shards, `competitor`'s proof of `correct` rows of shard
    ///         `shard` was accepted; `shardsProved` of its shards are in. With the last one the
    ///         entry is ranked or scored with their sum (`ProofAccepted`).
    event ShardProofAccepted(
        uint256 indexed contestId, address indexed competitor, uint256 shard, uint256 correct, uint256 shardsProved
    );
    /// @notice The contest's shared-column verifiers (PROTOCOL §14.2.1), fixed at its creation
    ///         (`createSharedContest`) with their code hashes: the model proof's, and the test-set
    ///         proof's (0: none, each shard proof then holds its own rows).
    event ColumnVerifiersFixed(
        uint256 indexed contestId,
        address modelVerifier,
        bytes32 modelCodeHash,
        address testSetVerifier,
        bytes32 testSetCodeHash
    );
    /// @notice `competitor`'s model proof opened the model column whose commitment (the proof's
    ///         first point) hashes to `column` to its commitment `commitment`.
    event ModelColumnOpened(
        uint256 indexed contestId, address indexed competitor, uint256 commitment, bytes32 column
    );
    /// @notice A test-set proof, sent by `by`, opened the rows column whose commitment hashes to
    ///         `column` to shard `shard`'s commitment `T_s`.
    event TestSetColumnOpened(uint256 indexed contestId, uint256 indexed shard, address indexed by, bytes32 column);
    /// @notice `competitor`, at 0-based position `position` of the final ranking, was called to
    ///         reveal its model by `revealDeadline`.
    event WinnerCalled(
        uint256 indexed contestId, address indexed competitor, uint256 position, uint256 revealDeadline
    );
    /// @notice A chunk of `competitor`'s model, elements `start ..`, was absorbed.
    event ModelChunkRevealed(uint256 indexed contestId, address indexed competitor, uint256 start, uint256[] elems);
    /// @notice `competitor`'s `count` model elements hashed to its commitment; `bondReturned` was
    ///         credited to it.
    event ModelRevealed(uint256 indexed contestId, address indexed competitor, uint256 count, uint256 bondReturned);
    /// @notice `competitor` discarded a partial model reveal of `discarded` elements.
    event ModelRevealRestarted(uint256 indexed contestId, address indexed competitor, uint256 discarded);
    /// @notice `competitor` missed its `revealDeadline`; its `bond` went to the contest's bond
    ///         pool (see `BondPoolAwarded`), never to the organiser.
    /// @notice `competitor` revealed a model whose `fingerprint` (the model chain's state before
    ///         the salt, PROTOCOL §5) `owner` had revealed in contest `originalContest` from a
    ///         commitment made at `originalCommittedAt`, before `competitor`'s: a copy. Its `bond`
    ///         went to the contest's bond pool; it gets no prize.
    event ModelDisqualified(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 fingerprint,
        address owner,
        uint256 originalContest,
        uint256 originalCommittedAt,
        uint256 bond
    );
    event ModelForfeited(uint256 indexed contestId, address indexed competitor, uint256 revealDeadline, uint256 bond);
    /// @notice At settlement, `amount` of the bond pool (bonds of entries that never proved, once
    ///         at least one entry proved, plus bonds of called entries that never revealed) was
    ///         credited to `to`: each paid place its payout share, the first place the rest. When
    ///         nobody was paid, `to` is `address(0)` and `amount` is split equally among the
    ///         scored entries (claimed by `withdraw`; the first to claim also takes the rounding);
    ///         only when there is none either does the organiser get it (then `to` is the
    ///         organiser).
    event BondPoolAwarded(uint256 indexed contestId, address indexed to, uint256 amount);
    /// @notice `winner` was credited `amount` as paid rank `place` (0 = first prize).
    event PrizeAwarded(uint256 indexed contestId, address indexed winner, uint256 place, uint256 amount);
    /// @notice Every prize of the contest is decided: `winnersPaid` ranks were paid and the
    ///         undistributed `remainder` (unfilled ranks and rounding) went to `remainderTo`
    ///         (the first-placed winner, or the organiser if nobody was paid).
    event ContestSettled(uint256 indexed contestId, uint256 winnersPaid, uint256 remainder, address remainderTo);
    /// @notice `account` withdrew `amount` from the contest's balance.
    event Withdrawn(uint256 indexed contestId, address indexed account, uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice No contest has id `contestId`.
    error ContestNotFound(uint256 contestId);
    /// @notice Deadlines must satisfy `now < commit < testSet < proof`.
    error InvalidDeadlines(uint256 now_, uint256 commitDeadline, uint256 testSetDeadline, uint256 proofDeadline);
    /// @notice Phase `phase`'s window of `window` seconds is outside `min ..= max`. Phases:
    ///         0 commit (`commitDeadline - now`), 1 test set (`testSetDeadline - commitDeadline`),
    ///         2 proof (`proofDeadline - testSetDeadline`), 3 model reveal (`revealWindow`),
    ///         4 ceremony (`ceremonyDeadline - now`). For a ceremony contest the commit window is
    ///         counted from `ceremonyDeadline` at creation and from `now` in `fixVerifier`.
    error WindowOutOfRange(uint8 phase, uint256 window, uint256 min, uint256 max);
    /// @notice A contest needs a non-zero commit bond (free entries make sybils free).
    error ZeroBond();
    /// @notice The payout split must have `1 ..= max` ranks.
    error InvalidPayoutRanks(uint256 ranks, uint256 max);
    /// @notice Paid rank `place` has a zero share.
    error ZeroPayoutShare(uint256 place);
    /// @notice The payout shares sum to `sum` basis points instead of 10,000.
    error PayoutSharesDoNotSum(uint256 sum);
    /// @notice `minCorrect` must be in `1 ..= testSetSize`.
    error InvalidThreshold(uint256 minCorrect, uint256 testSetSize);
    /// @notice At creation, the verifier address holds no code (a call to it would succeed
    ///         vacuously).
    error VerifierHasNoCode(address verifier);
    /// @notice A commitment (`T` or `C`) is not a canonical field element.
    error CommitmentNotInField(uint256 commitment);
    /// @notice A contest needs a non-zero prize.
    error NoPrize();
    /// @notice A test-set layout without features or with fewer than two classes.
    error InvalidTestSetLayout(uint256 features, uint256 featureSpan, uint256 classes);
    /// @notice `shards` must be at least 1 and divide the test-set size.
    error InvalidShards(uint256 shards, uint256 testSetSize);
    /// @notice A test-set chunk of `length` elements from element `start` would cross the end of
    ///         a shard (`shardElements` elements each): each shard's chain starts afresh.
    error ChunkCrossesShard(uint256 start, uint256 length, uint256 shardElements);
    /// @notice The chunks posted would end at `count` elements (or the final one does); the
    ///         layout has `expected`.
    error TestSetLengthMismatch(uint256 expected, uint256 count);
    /// @notice The Poseidon library at `poseidon` computed `P(1, 2) = got`.
    error PoseidonMismatch(address poseidon, uint256 got);
    /// @notice The code at `poseidon` is not this build's `PoseidonT3`. `maskedCodeHash` is the
    ///         keccak-256 of its runtime code with the 20 bytes after the leading PUSH20 (0x73)
    ///         zeroed when they hold `poseidon` itself, else of the code as is; it must equal
    ///         `POSEIDON_T3_CODEHASH` *and* the code must embed its own address. So a value equal
    ///         to `POSEIDON_T3_CODEHASH` here means the right code at the wrong address (runtime
    ///         code copied rather than deployed from the creation code).
    error PoseidonCodeMismatch(address poseidon, bytes32 maskedCodeHash);

    /// @notice A ceremony contest is created without a verifier: `verifier`, `vkDigest` and
    ///         `srsDigest` must be zero (they are fixed by `fixVerifier`).
    error CeremonyVerifierPreset(address verifier);
    /// @notice Contributions to this contest's ceremony are not taken: it has none, it closed at
    ///         `deadline`, or its verifier is already fixed.
    error CeremonyClosed(uint256 contestId, uint256 deadline, uint256 now_);
    /// @notice The ceremony takes contributions until `deadline`; the verifier is fixed after.
    error CeremonyOpen(uint256 contestId, uint256 deadline, uint256 now_);
    /// @notice The contest's verifier is not fixed yet (its ceremony is running or just closed).
    error VerifierNotFixed(uint256 contestId);
    /// @notice The contest's verifier is already fixed (at creation, or by `fixVerifier`).
    error VerifierAlreadyFixed(uint256 contestId);
    /// @notice The commit phase ended at `deadline`.
    error CommitPhaseOver(uint256 contestId, uint256 deadline, uint256 now_);
    /// @notice A first commitment must pay exactly the bond; a replacement pays nothing.
    error WrongBond(uint256 sent, uint256 expected);
    /// @notice Only the organiser may do this.
    error NotOrganiser(uint256 contestId, address caller, address organiser);
    /// @notice The test set may be revealed only after `opensAfter` and until `closesAt`.
    error TestSetRevealClosed(uint256 contestId, uint256 opensAfter, uint256 closesAt, uint256 now_);
    /// @notice The test set is already revealed.
    error TestSetAlreadyRevealed(uint256 contestId);
    /// @notice The test set is not revealed (yet).
    error TestSetNotRevealed(uint256 contestId);
    /// @notice A non-final chunk must not be empty.
    error EmptyChunk();
    /// @notice The revealed chain of `count` elements hashed to `computed`, not `expected`.
    error CommitmentMismatch(uint256 expected, uint256 computed, uint256 count);
    /// @notice Proofs are accepted until `deadline`.
    error ProofWindowClosed(uint256 contestId, uint256 deadline, uint256 now_);
    /// @notice Proofs are accepted only after the test set's challenge window, which ends at
    ///         `challengeEnds`.
    error ChallengeWindowOpen(uint256 contestId, uint256 challengeEnds, uint256 now_);
    /// @notice A test-set chunk's claimed state must be a canonical field element (`< p`).
    error ClaimNotInField(uint256 stateAfter);
    /// @notice A test-set chunk holds at most `max` elements (so that a challenge recomputing it
    ///         fits in a block).
    error ChunkTooLong(uint256 length, uint256 max);
    /// @notice Test-set chunks may be challenged only in the challenge window (phase
    ///         `TestSetChallenge`); the contest is in `phase`.
    error ChallengeClosed(uint256 contestId, Phase phase);
    /// @notice The challenge's `(start, stateBefore, stateAfter, elems)` is not chunk `chunk` as
    ///         posted.
    error NotThePostedChunk(uint256 contestId, uint256 chunk);
    /// @notice Chunk `chunk` decodes and absorbs to its claimed state: the challenge fails.
    error ChunkChecksOut(uint256 contestId, uint256 chunk, uint256 stateAfter);
    /// @notice `account` has not committed in this contest.
    error NotCommitted(uint256 contestId, address account);
    /// @notice `account` already has an accepted proof of `correct` (a committed model's score
    ///         is fixed, so a second proof could not change it).
    error AlreadyProved(uint256 contestId, address account, uint256 correct);
    /// @notice The contest has `shards` shards, numbered from 0.
    error ShardOutOfRange(uint256 contestId, uint256 shard, uint256 shards);
    /// @notice `account` already has an accepted proof for shard `shard`.
    error ShardAlreadyProved(uint256 contestId, address account, uint256 shard);
    /// @notice A claimed `correct` above the rows of a shard (the test-set size with one shard).
    error CorrectExceedsTestSetSize(uint256 correct, uint256 testSetSize);
    /// @notice `hint` may not precede this entry in the ranking: it is not a ranked entry of
    ///         this contest, or it ranks below (fewer `correct`, or as many with a later commit).
    error BadRankHint(uint256 contestId, address hint);
    /// @notice The verifier's code hash is `current`, not the `recorded` one of contest creation
    ///         (its code was replaced, or it self-destructed: then `current` is 0, or the hash of
    ///         empty code if the account still exists). No proof can be accepted while it differs.
    error VerifierCodeChanged(uint256 contestId, address verifier, bytes32 recorded, bytes32 current);
    /// @notice The transaction has too little gas left to give the verifier its full allowance.
    error InsufficientGasForVerifier(uint256 gasLeft, uint256 needed);
    /// @notice The verifier reverted, ran out of gas, or returned false for this proof.
    error ProofRejected(uint256 contestId, address competitor, uint256 correct);
    /// @notice The ranking is final only after the proof window (`proofEnds`).
    error RankingNotFinal(uint256 contestId, uint256 proofEnds, uint256 now_);
    /// @notice The ranking was already closed.
    error RankingAlreadyClosed(uint256 contestId);
    /// @notice `account`'s entry is not called to reveal (its status is `status`).
    error NotCalledToReveal(uint256 contestId, address account, EntryStatus status);
    /// @notice `account`'s reveal window ended at `deadline`.
    error RevealWindowClosed(uint256 contestId, address account, uint256 deadline, uint256 now_);
    /// @notice The current reveal round is open until `deadline`.
    error RevealWindowOpen(uint256 contestId, uint256 deadline, uint256 now_);
    /// @notice No called entry is waiting to reveal (the contest is settled).
    error NothingToForfeit(uint256 contestId);
    /// @notice `account` is owed nothing in this contest.
    error NothingToWithdraw(uint256 contestId, address account);
    /// @notice Sending `amount` to `account` failed.
    error PaymentFailed(address account, uint256 amount);
    /// @notice A model or test-set proof in a contest created without that verifier.
    error NoSharedColumns(uint256 contestId);
    /// @notice A shard proof's shared column `column` (0 the model's, 1 the rows') whose point
    ///         hashes to `point` was not opened by the sender's model proof (to its commitment) or
    ///         by a test-set proof (to the shard's `T_s`); `point` 0: the proof is too short.
    error ColumnNotOpened(uint256 contestId, uint256 column, bytes32 point);
    /// @notice A guarded function was re-entered.
    error Reentered();

}

/// @title IContestRegistry
/// @notice Provably fair ML contests: an organiser escrows a prize and commits to a hidden test
///         set `T`; competitors commit to hidden models `C`, prove in zero knowledge that their
///         model gets `correct` rows of the test set right, are ranked, must reveal their models
///         to be paid, and withdraw (pull payments). One registry holds many contests.
/// @dev Commitments are the Poseidon chains of docs/PROTOCOL.md §2 (errors
///      `PoseidonChain.ElementNotInField(index, value)` and `PoseidonChain.PoseidonCallFailed`
///      come from the chain library). Rules for bonds, forfeits and remainders are in
///      contracts/README.md. All amounts are in wei, all times unix seconds.
interface IContestRegistry is IContestRegistryEvents {
    // ------------------------------------------------------------------ organiser

    /// @notice Creates a contest; `msg.value` is the prize, held in escrow. Records the
    ///         parameters (`vkDigest` and `srsDigest` included) and the verifier's code hash;
    ///         no function changes any of them afterwards.
    /// @return contestId the new contest's id (ids start at 1).
    function createContest(ContestParams calldata params) external payable returns (uint256 contestId);

    /// @notice Creates a contest whose shard proofs share columns (PROTOCOL §14.2.1): like
    ///         `createContest`, plus the verifier of the model proof (one per entry,
    ///         `submitModelProof`) and, unless 0, of the test-set proof (one per shard, anyone's,
    ///         `submitTestSetProof`). Both must have code; their code hashes are recorded and
    ///         every proof they check requires them unchanged (`VerifierCodeChanged`). The shard
    ///         verifier (`params.verifier`) must be the shared-column circuit's: its `C` (and with
    ///         a test-set verifier its `T_s`) is binding only, and the registry compares the
    ///         proofs' column points instead (`submitShardProof`). An auditor rebuilds all three
    ///         from the spec and the SRS.
    function createSharedContest(ContestParams calldata params, address modelVerifier, address testSetVerifier)
        external
        payable
        returns (uint256 contestId);

    /// @notice Creates a contest whose SRS comes from its own powers-of-tau ceremony: like
    ///         `createContest` but without a verifier (`params.verifier`, `vkDigest`, `srsDigest`
    ///         zero). Anyone may record contributions until `ceremonyDeadline` (at least an hour
    ///         away); then the organiser fixes the verifier, and only then may anyone commit. The
    ///         commit window (`commitDeadline - ceremonyDeadline`) obeys the usual bounds.
    function createCeremonyContest(ContestParams calldata params, uint64 ceremonyDeadline)
        external
        payable
        returns (uint256 contestId);

    /// @notice Fixes a ceremony contest's verifier, once and for all: only the organiser, after
    ///         the ceremony's deadline and at least `MIN_COMMIT_WINDOW` before the commit
    ///         deadline (competitors get that long to audit it and commit). Records the code hash
    ///         as `createContest` does, the digests, and the final transcript's blake2b-512.
    function fixVerifier(
        uint256 contestId,
        address verifier,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] calldata transcriptHash
    ) external;

    /// @notice Posts the next chunk of the test set (packed field elements, PROTOCOL §4, at most
    ///         `MAX_TESTSET_CHUNK`) with the claimed chain state after it, and emits it. Every
    ///         element must be canonical (`< p`); neither the decoding nor the Poseidon chain is
    ///         checked here: the registry stores `keccak256(start, stateBefore, stateAfter,
    ///         elems)` for a challenge. With several shards the elements are the shards' packed
    ///         sets in order; a chunk lies within one shard, whose chain starts from the tag, and
    ///         the chunk ending a shard records `T_s = P(stateAfter, shard elements)`. With
    ///         `last`, the element count must be the layout's and `P(stateAfter, count)` (one
    ///         shard) or `Chain(TESTSET_ROOT_TAG, T_0 … T_{M-1})` must equal `T`; the challenge
    ///         window then opens, followed by the proof window (PROTOCOL §14.1, §14.3). Only the
    ///         organiser, after the commit deadline, until the test-set deadline.
    function revealTestSet(uint256 contestId, uint256[] calldata elems, uint256 stateAfter, bool last) external;

    /// @notice Challenges chunk `chunk` of the revealed test set, given as posted (its `start`,
    ///         the previous chunk's claim `stateBefore`, its own claim `stateAfter` and its
    ///         elements): the registry absorbs the elements from `stateBefore` and, if the result
    ///         is not `stateAfter`, the organiser defaults (phase `TestSetMissed`: the prize, less
    ///         `CHALLENGE_REWARD_BPS` of it credited to the challenger, is shared by the
    ///         committers; bonds come back). A chunk that hashes correctly reverts. Anyone, in the
    ///         challenge window only. A chunk holding an element that does not decode per the
    ///         layout (PROTOCOL §4) is a default too, whatever its chain.
    function challengeTestSet(
        uint256 contestId,
        uint256 chunk,
        uint256 start,
        uint256 stateBefore,
        uint256 stateAfter,
        uint256[] calldata elems
    ) external;

    /// @notice Discards a partial test-set reveal (e.g. a wrong chunk) so it can start over.
    function restartTestSetReveal(uint256 contestId) external;

    // ------------------------------------------------------------------ competitors

    /// @notice Records the sender's contribution to the contest's ceremony (its blake2b-512
    ///         contribution hash, two big-endian halves), until the ceremony's deadline. Anyone
    ///         may contribute; a competitor who contributed needs to trust nobody (PROTOCOL §12).
    function contributeToCeremony(uint256 contestId, bytes32[2] calldata contributionHash) external;

    /// @notice Commits to `commitment = Chain(MODEL_TAG, model || salt)`. The first commitment
    ///         pays exactly the bond; later calls before the deadline replace it (send 0) and take
    ///         a new commit sequence number (so a replacement loses its tie-break priority).
    function commitModel(uint256 contestId, uint256 commitment) external payable;

    /// @notice Submits a proof that the sender's committed model gets `correct` rows right.
    /// @dev First the verifier's code hash must still be the one recorded at creation
    ///      (`VerifierCodeChanged`). It is then called with STATICCALL, a gas allowance of
    ///      `VERIFIER_GAS_LIMIT`, and calldata
    ///      `abi.encodePacked(chainid, contestId, uint160(msg.sender), C, T, correct) || proof`.
    ///      It accepts by succeeding with empty return data or a non-zero first word.
    ///      One accepted proof per competitor, `correct <= N`. Every committed entry must prove,
    ///      below the threshold too: with `correct < minCorrect` the entry is scored (status
    ///      `Scored`, bond returned after the proof window) but not ranked; an entry that never
    ///      proves loses its bond to the bond pool once anybody proved.
    ///      `rankHint` is the ranked entry this one goes after (`address(0)`: from the head): it
    ///      must rank above the new entry (`BadRankHint`), and the registry walks on from it past
    ///      any better entries inserted since, so insertion costs O(1) for a fresh hint
    ///      (`contest-cli submit` computes it from `ranking`). Ignored for a scored entry.
    function submitProof(uint256 contestId, uint256 correct, bytes calldata proof, address rankHint) external;

    /// @notice Submits the proof of shard `shard` (PROTOCOL §14.1): as `submitProof`, with the
    ///         shard's own commitment `T_s` (computed when the test set was revealed) in place of
    ///         `T` and `correct <= N / M`. One accepted proof per entry and shard
    ///         (`ShardAlreadyProved`); with the entry's last shard it is ranked or scored with the
    ///         sum of its shards' counts. An entry missing a shard at the proof deadline is one that
    ///         never proved. `submitProof(id, …)` is `submitShardProof(id, 0, …)`. In a contest with
    ///         shared columns the proof's first point must be a model column the sender's model
    ///         proof opened to its commitment, and with a test-set verifier its second point a rows
    ///         column a test-set proof opened to `T_s` (`ColumnNotOpened`), before the verifier runs.
    function submitShardProof(uint256 contestId, uint256 shard, uint256 correct, bytes calldata proof, address rankHint)
        external;

    /// @notice Submits the sender's model proof in a contest with shared columns (PROTOCOL
    ///         §14.2.1): the model verifier, called as `submitProof` calls the verifier with
    ///         `C` the sender's commitment and `T = correct = 0`, accepts that the column whose
    ///         commitment is the proof's first point holds the parameters hashed with the salt to
    ///         `C`. Records that point for the sender and `C` (a new commitment needs a new model
    ///         proof). Only a committed entry that has not completed its proofs, until the end of
    ///         the proof window (before the test set is revealed too). Every model proof opens
    ///         the column at one more point: PROTOCOL §14.2.1 bounds how many keep it hidden.
    function submitModelProof(uint256 contestId, bytes calldata proof) external;

    /// @notice Submits a test-set proof of shard `shard` in a contest with a test-set verifier:
    ///         the verifier, with `T` the shard's `T_s` and `C = correct = 0`, accepts that the
    ///         column whose commitment is the proof's first point holds the shard's rows hashed to
    ///         `T_s`. Records that point for the shard, for every entry. Anyone, any number of
    ///         times (a column with other blinding rows is another point, and recording it takes
    ///         nothing from the ones before), once the test set is revealed and until the proof
    ///         window ends.
    function submitTestSetProof(uint256 contestId, uint256 shard, bytes calldata proof) external;

    /// @notice Absorbs the next chunk of the sender's model (packed weights then salt, PROTOCOL
    ///         §5) and emits it. With `last`, the chain must equal the sender's commitment; the
    ///         bond is then credited back and the prize follows once better entries are resolved.
    ///         Only an entry called to reveal, before its round's reveal deadline.
    function revealModel(uint256 contestId, uint256[] calldata elems, bool last) external;

    /// @notice Discards the sender's partial model reveal so it can start over.
    function restartModelReveal(uint256 contestId) external;

    // ------------------------------------------------------------------ anyone

    /// @notice Closes the ranking after the proof window and calls the first paid ranks to
    ///         reveal, all with one deadline `proofEnds + revealWindow` (also done implicitly by
    ///         the first reveal, forfeit or withdrawal).
    function closeRanking(uint256 contestId) external;

    /// @notice Ends the current reveal round once its common deadline has passed: every called
    ///         entry that did not reveal is forfeited together (bonds to the bond pool, ranks
    ///         lost), revealed entries are paid in ranking order, and as many next entries as
    ///         there are unfilled places are called together with one fresh deadline
    ///         `now + revealWindow`. Anyone may call this (the next entries have every reason to).
    function forfeit(uint256 contestId) external;

    /// @notice Pays the sender everything it is owed in this contest (prize, returned bond,
    ///         refund, share of the bond pool, or its share of a defaulted prize).
    /// @return amount the wei sent.
    function withdraw(uint256 contestId) external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice The gas allowance forwarded to a contest's verifier.
    function VERIFIER_GAS_LIMIT() external view returns (uint256);
    /// @notice keccak-256 of npm `poseidon-solidity`'s `PoseidonT3` runtime code as this
    ///         repository's forge build produces it (`deployedBytecode.object` of
    ///         `out/PoseidonT3.sol/PoseidonT3.json`, whose 20 address bytes after the leading
    ///         PUSH20 are zero). The constructor requires the library's code, with its own
    ///         address masked out, to hash to this.
    function POSEIDON_T3_CODEHASH() external view returns (bytes32);
    /// @notice The deployed `PoseidonT3` library used for every commitment.
    function poseidon() external view returns (address);
    /// @notice The number of contests created (the latest id).
    function contestCount() external view returns (uint256);
    /// @notice The contest's phase at the current block.
    function phase(uint256 contestId) external view returns (Phase);
    /// @notice The contest's configuration and progress.
    function contest(uint256 contestId) external view returns (ContestView memory);
    /// @notice The contest's own ceremony (all zero if it was created with a finished SRS).
    function ceremony(uint256 contestId) external view returns (CeremonyView memory);
    /// @notice One competitor's entry.
    function entry(uint256 contestId, address competitor) external view returns (EntryView memory);
    /// @notice Shard `index`'s commitment `T_s` (0 until the shard is revealed, or past the
    ///         last shard; `T` itself for a one-shard contest) and whether `competitor` proved it,
    ///         with how many rows.
    function shardInfo(uint256 contestId, uint256 index, address competitor)
        external
        view
        returns (uint256 testSetCommitment, bool proved, uint256 correct);
    /// @notice The contest's shared-column verifiers and their code hashes (all zero for a
    ///         contest created with `createContest` or `createCeremonyContest`).
    function columnVerifiers(uint256 contestId)
        external
        view
        returns (address modelVerifier, bytes32 modelCodeHash, address testSetVerifier, bytes32 testSetCodeHash);
    /// @notice Whether a model or test-set proof opened the column of `key`:
    ///         `keccak256(abi.encodePacked(competitor, commitment, point))` (20 + 32 + 64 bytes)
    ///         for a model column, `keccak256(abi.encodePacked(shard, T_s, point))` (32 + 32 + 64)
    ///         for a shard's rows, `point` the proof's first 64 bytes.
    function columnOpened(uint256 contestId, bytes32 key) external view returns (bool);
    /// @notice The earliest-committed revealed entry known for a model `fingerprint` (the model
    ///         chain's state before the salt), registry-wide: a later-committed entry of another
    ///         address revealing the same fingerprint is disqualified (`ModelDisqualified`).
    function original(uint256 fingerprint) external view returns (OriginalView memory);
    /// @notice The ranked entries, best first (more `correct`, then lower `commitSeq`), with their
    ///         `correct` and `commitSeq` (what a client needs to compute a `rankHint`).
    function ranking(uint256 contestId)
        external
        view
        returns (address[] memory competitors, uint256[] memory correct, uint256[] memory commitSeq);
    /// @notice What `account` could withdraw from this contest right now.
    function owed(uint256 contestId, address account) external view returns (uint256);
}
