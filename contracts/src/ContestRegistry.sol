// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IContestRegistry} from "./IContestRegistry.sol";
import {
    CeremonyView, ContestParams, ContestView, EntryStatus, EntryView, OriginalView, Phase
} from "./ContestTypes.sol";
import {PoseidonChain} from "./PoseidonChain.sol";
import {TestSetLayout} from "./TestSetLayout.sol";

/// @title ContestRegistry
/// @notice Every zkcontest contest on this chain: escrow, commit–reveal, ranking, payouts.
///         Interface documentation (NatSpec) is on `IContestRegistry`; the rules are in
///         contracts/README.md.
/// @dev Money flow. Every wei a contest receives (prize, bonds) is added to `_progress.held`
///      and every withdrawal subtracts from it, so the registry's balance is the sum of `held`
///      over contests. Amounts owed are either credited eagerly to `_credit` (prizes, returned
///      bonds of revealed winners, remainders, the bond pool's shares of paid places) or computed
///      lazily when an account withdraws (bonds of entries that are never called, of scored
///      entries and, when nobody proved, of entries that never proved; equal shares of the bond
///      pool among scored entries; shares of a defaulted prize; the organiser's refunds), because
///      those concern unboundedly many accounts. The bond pool itself is never stored: it is
///      `bond * (forfeits + committers - provers)` (the second term once the proof window is
///      over and only if somebody proved), see `_bondPool`.
contract ContestRegistry is IContestRegistry {
    /// @inheritdoc IContestRegistry
    uint256 public constant override VERIFIER_GAS_LIMIT = 3_000_000;
    /// @notice Most paid ranks a contest may have.
    uint256 public constant MAX_PAID_RANKS = 16;
    /// @notice Shortest commit window a contest may have (`commitDeadline - now` at creation).
    uint256 public constant MIN_COMMIT_WINDOW = 1 hours;
    /// @notice Shortest test-set window a contest may have (`testSetDeadline - commitDeadline`).
    uint256 public constant MIN_TEST_SET_WINDOW = 1 hours;
    /// @notice Shortest proof window a contest may have (`proofDeadline - testSetDeadline`).
    uint256 public constant MIN_PROOF_WINDOW = 1 days;
    /// @notice Shortest model-reveal window a contest may have (`revealWindow`).
    uint256 public constant MIN_REVEAL_WINDOW = 1 days;
    /// @notice Shortest ceremony a ceremony contest may have (`ceremonyDeadline - now`).
    uint256 public constant MIN_CEREMONY_WINDOW = 1 hours;
    /// @notice Longest window (commit, test set, proof or model reveal) a contest may have.
    uint256 public constant MAX_WINDOW = 365 days;
    /// @notice Basis points in a whole prize.
    uint256 public constant BPS = 10_000;
    /// @inheritdoc IContestRegistry
    /// @dev Pinned by `test/ContestRegistry.trust.t.sol` against the forge artifact, so a change
    ///      of PoseidonT3's compiler settings (or of the package) fails the tests, not a deploy.
    bytes32 public constant override POSEIDON_T3_CODEHASH =
        0x65122cf0c080135c61d910f794191c7363b5996784e8c254b8254ecbabcaa6f7;

    /// @dev Gas kept back on top of the verifier's allowance: the 1/64 that CALL withholds plus
    ///      the few opcodes between the check and the call.
    uint256 private constant VERIFIER_GAS_MARGIN = VERIFIER_GAS_LIMIT / 63 + 5_000;
    /// @dev A library's runtime code starts with PUSH20 <its own address> (call protection).
    uint256 private constant PUSH20 = 0x73;
    /// @dev What `_lazyClaim` found claimable (bits of its `claims`).
    uint256 private constant CLAIM_BOND = 1;
    uint256 private constant CLAIM_DEFAULT_SHARE = 2;
    uint256 private constant CLAIM_REFUND = 4;
    uint256 private constant CLAIM_POOL_SHARE = 8;

    /// @dev Fixed at creation.
    struct Config {
        address organiser;
        uint64 commitDeadline;
        /// @dev A ceremony contest whose verifier is not fixed yet (no commits, no test set).
        bool verifierPending;
        address verifier;
        uint64 testSetDeadline;
        uint64 proofDeadline;
        uint64 revealWindow;
        uint32 testSetSize;
        uint32 minCorrect;
        /// @dev Block of `createContest`: readers page the contest's logs from here instead of
        ///      from genesis (public RPCs cap `eth_getLogs` ranges). Packs into the same slot.
        uint64 createdBlock;
        /// @dev The test set's layout (`ContestParams.features` …), one slot.
        uint32 features;
        uint32 classes;
        uint64 featureSpan;
        bytes32 specHash;
        /// @dev Recorded for audits only (see `ContestParams`); never read by the contest logic.
        bytes32 vkDigest;
        bytes32 srsDigest;
        /// @dev `verifier.codehash` at creation; `submitProof` requires it unchanged.
        bytes32 verifierCodeHash;
        uint256 testSetCommitment;
        uint256 prize;
        uint256 bond;
        uint16[] payoutBps;
    }

    /// @dev Changes as the contest runs. The ranking is a linked list of ranked entries
    ///      (`correct >= minCorrect`), best first (`head`, `Entry.next`); after the proof window
    ///      (`proofEnds`) it is frozen and walked by two cursors: `nextToCall` (first entry not yet
    ///      called to reveal) and `settleCursor` (first called entry whose outcome is not yet
    ///      decided). Called entries reveal in rounds sharing one deadline (`roundDeadline`).
    struct Progress {
        // Packed so that each call's counters and flags share a slot it writes anyway. `held` is
        // at most the ETH ever deposited, far below 2^96 wei (7.9e28; the supply is ~1.2e26).
        uint96 held;
        address head;
        uint256 testSetHash;
        // Read by every proof and written by the test set's final chunk. `proofEnds` is the final
        // test-set chunk's time + `proofDeadline - testSetDeadline`, 0 until then (so it also
        // tells whether the test set is revealed).
        uint32 testSetCount;
        uint32 committers;
        /// @dev Ranked entries, and every accepted proof (`provers - qualifiers` are scored).
        uint32 qualifiers;
        uint32 provers;
        /// @dev 2^32 commits cost > 2^46 gas.
        uint32 commitSeq;
        uint64 proofEnds;
        uint32 defaultClaims;
        uint32 calledCount;
        /// @dev Called entries forfeited (their bonds are in the pool).
        uint32 forfeits;
        /// @dev Scored entries that claimed their share of an unpaid contest's bond pool.
        uint32 poolClaims;
        address settleCursor;
        address nextToCall;
        uint64 roundDeadline;
        bool rankingClosed;
        bool settled;
        uint8 paidCount;
        bool prizeRefundClaimed;
        uint256 paidTotal;
        /// @dev Winner of each paid place, for the bond pool's shares at settlement.
        address[MAX_PAID_RANKS] winners;
    }

    /// @dev A ceremony contest's ceremony (see `CeremonyView`).
    struct Ceremony {
        uint64 deadline;
        uint64 fixedAt;
        uint32 contributions;
        bytes32 log;
        bytes32[2] transcriptHash;
    }

    struct Entry {
        // One slot, read at every step of a ranking walk.
        address next;
        uint32 correct;
        uint64 seq;
        uint256 commitment;
        uint256 revealHash;
        uint64 revealDeadline;
        uint32 revealCount;
        EntryStatus status;
        bool bondSettled;
        bool poolClaimed;
        /// @dev Block timestamp of the current commitment: orders an original before its copies.
        uint64 committedAt;
    }

    /// @dev The earliest-committed revealed entry of a model fingerprint (one slot).
    struct Original {
        address owner;
        uint64 committedAt;
        uint32 contestId;
    }

    address private immutable _poseidon;
    uint256 private _contestCount;
    uint256 private _lock = 1;

    mapping(uint256 => Config) private _config;
    mapping(uint256 => Progress) private _progress;
    mapping(uint256 => mapping(address => Entry)) private _entries;
    mapping(uint256 => mapping(address => uint256)) private _credit;
    mapping(uint256 => Ceremony) private _ceremony;
    /// @dev Registry-wide, by model fingerprint (the model chain before the salt).
    mapping(uint256 => Original) private _originals;

    modifier nonReentrant() {
        if (_lock != 1) revert Reentered();
        _lock = 2;
        _;
        _lock = 1;
    }

    /// @param poseidonT3 the deployed npm `poseidon-solidity` `PoseidonT3` library, deployed
    ///        from this build's creation code. Checked on the spot: the known vector `P(1, 2)`
    ///        first (the plainer errors for the plain mistakes: no code, another hash function),
    ///        then the code itself, which must be `POSEIDON_T3_CODEHASH` once its own embedded
    ///        address is masked out.
    constructor(address poseidonT3) {
        uint256 got = PoseidonChain.hash2(poseidonT3, 1, 2);
        if (got != PoseidonChain.HASH_1_2) revert PoseidonMismatch(poseidonT3, got);
        (bool selfAddressed, bytes32 maskedHash) = _maskedLibraryCodeHash(poseidonT3);
        if (!selfAddressed || maskedHash != POSEIDON_T3_CODEHASH) {
            revert PoseidonCodeMismatch(poseidonT3, maskedHash);
        }
        _poseidon = poseidonT3;
    }

    // ================================================================== organiser

    /// @inheritdoc IContestRegistry
    function createContest(ContestParams calldata p) external payable nonReentrant returns (uint256 contestId) {
        if (p.verifier.code.length == 0) revert VerifierHasNoCode(p.verifier);
        contestId = _create(p, block.timestamp);
    }

    /// @inheritdoc IContestRegistry
    function createCeremonyContest(ContestParams calldata p, uint64 ceremonyDeadline)
        external
        payable
        nonReentrant
        returns (uint256 contestId)
    {
        if (p.verifier != address(0) || p.vkDigest != 0 || p.srsDigest != 0) revert CeremonyVerifierPreset(p.verifier);
        uint256 window = ceremonyDeadline > block.timestamp ? ceremonyDeadline - block.timestamp : 0;
        _checkWindow(4, window, MIN_CEREMONY_WINDOW);
        contestId = _create(p, ceremonyDeadline);
        _config[contestId].verifierPending = true;
        _ceremony[contestId].deadline = ceremonyDeadline;
        emit CeremonyOpened(contestId, ceremonyDeadline);
    }

    /// @inheritdoc IContestRegistry
    /// @dev No external call: not guarded against reentry.
    function fixVerifier(
        uint256 contestId,
        address verifier,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] calldata transcriptHash
    ) external {
        Config storage cfg = _existing(contestId);
        if (msg.sender != cfg.organiser) revert NotOrganiser(contestId, msg.sender, cfg.organiser);
        if (!cfg.verifierPending) revert VerifierAlreadyFixed(contestId);
        Ceremony storage c = _ceremony[contestId];
        // After the last contribution, so the transcript the keys come from can hold them all.
        if (block.timestamp <= c.deadline) revert CeremonyOpen(contestId, c.deadline, block.timestamp);
        // Competitors get the minimum commit window to audit the verifier and commit.
        uint256 left = cfg.commitDeadline > block.timestamp ? cfg.commitDeadline - block.timestamp : 0;
        if (left < MIN_COMMIT_WINDOW) revert WindowOutOfRange(0, left, MIN_COMMIT_WINDOW, MAX_WINDOW);
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);

        bytes32 codeHash = verifier.codehash;
        cfg.verifier = verifier;
        cfg.vkDigest = vkDigest;
        cfg.srsDigest = srsDigest;
        cfg.verifierCodeHash = codeHash;
        cfg.verifierPending = false;
        c.fixedAt = uint64(block.timestamp);
        c.transcriptHash = transcriptHash;
        emit VerifierFixed(contestId, verifier, codeHash, vkDigest, srsDigest, transcriptHash, c.contributions);
    }

    /// @dev Records a contest (a ceremony contest's commit window opens at `opensAt`, its
    ///      ceremony's deadline; a plain one's now). The caller checked the verifier.
    function _create(ContestParams calldata p, uint256 opensAt) private returns (uint256 contestId) {
        _validate(p, opensAt);
        if (msg.value == 0) revert NoPrize();

        contestId = ++_contestCount;
        Config storage cfg = _config[contestId];
        cfg.organiser = msg.sender;
        cfg.commitDeadline = p.commitDeadline;
        cfg.verifier = p.verifier;
        cfg.testSetDeadline = p.testSetDeadline;
        cfg.proofDeadline = p.proofDeadline;
        cfg.revealWindow = p.revealWindow;
        cfg.testSetSize = p.testSetSize;
        cfg.minCorrect = p.minCorrect;
        cfg.features = p.features;
        cfg.classes = p.classes;
        cfg.featureSpan = p.featureSpan;
        cfg.createdBlock = uint64(block.number);
        cfg.specHash = p.specHash;
        cfg.vkDigest = p.vkDigest;
        cfg.srsDigest = p.srsDigest;
        // A ceremony contest has no verifier yet (0 rather than the hash of an empty account).
        bytes32 codeHash = p.verifier == address(0) ? bytes32(0) : p.verifier.codehash;
        cfg.verifierCodeHash = codeHash;
        cfg.testSetCommitment = p.testSetCommitment;
        cfg.prize = msg.value;
        cfg.bond = p.commitBond;
        cfg.payoutBps = p.payoutBps;
        // forge-lint: disable-next-line(unsafe-typecast) -- msg.value < ETH supply < 2^96
        _progress[contestId].held = uint96(msg.value);
        emit ContestCreated(contestId, msg.sender, msg.value, p, codeHash);
    }

    /// @inheritdoc IContestRegistry
    function revealTestSet(uint256 contestId, uint256[] calldata elems, bool last) external nonReentrant {
        (Config storage cfg, Progress storage pr) = _testSetRevealer(contestId);
        if (elems.length == 0 && !last) revert EmptyChunk();

        uint256 start = pr.testSetCount;
        uint256 h = start == 0 ? PoseidonChain.TESTSET_TAG : pr.testSetHash;
        (uint256 hNew, uint256 count) = PoseidonChain.absorb(_poseidon, h, start, elems);
        // A T committing to a set that does not decode cannot be revealed: the organiser then
        // defaults instead of taking the prize back after nobody could prove (PROTOCOL §4).
        TestSetLayout.Layout memory layout = _layout(cfg);
        uint256 bad = TestSetLayout.check(layout, start, elems);
        if (bad != TestSetLayout.ALL_DECODE) revert MalformedTestSetElement(bad, elems[bad - start]);
        if (last) {
            uint256 expected = TestSetLayout.length(layout);
            if (count != expected) revert TestSetLengthMismatch(expected, count);
            uint256 computed = PoseidonChain.finish(_poseidon, hNew, count);
            if (computed != cfg.testSetCommitment) {
                revert CommitmentMismatch(cfg.testSetCommitment, computed, count);
            }
            // The window is as long as the organiser promised, from now: a reveal at the last
            // second of `testSetDeadline` cannot shorten it, an early one ends it early.
            pr.proofEnds = uint64(block.timestamp) + (cfg.proofDeadline - cfg.testSetDeadline);
        }
        pr.testSetHash = hNew;
        // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
        pr.testSetCount = uint32(count);
        emit TestSetChunkRevealed(contestId, start, elems);
        if (last) emit TestSetRevealed(contestId, count, cfg.testSetCommitment, pr.proofEnds);
    }

    /// @inheritdoc IContestRegistry
    function restartTestSetReveal(uint256 contestId) external nonReentrant {
        (, Progress storage pr) = _testSetRevealer(contestId);
        uint256 discarded = pr.testSetCount;
        pr.testSetCount = 0;
        pr.testSetHash = 0;
        emit TestSetRevealRestarted(contestId, discarded);
    }

    // ================================================================== competitors

    /// @inheritdoc IContestRegistry
    /// @dev No external call: not guarded against reentry.
    function contributeToCeremony(uint256 contestId, bytes32[2] calldata contributionHash) external {
        Config storage cfg = _existing(contestId);
        Ceremony storage c = _ceremony[contestId];
        if (!cfg.verifierPending || block.timestamp > c.deadline) {
            revert CeremonyClosed(contestId, c.deadline, block.timestamp);
        }
        uint32 index = c.contributions;
        bytes32 log = keccak256(abi.encodePacked(c.log, msg.sender, contributionHash[0], contributionHash[1]));
        c.contributions = index + 1;
        c.log = log;
        emit CeremonyContribution(contestId, msg.sender, index, contributionHash, log);
    }

    /// @inheritdoc IContestRegistry
    function commitModel(uint256 contestId, uint256 commitment) external payable nonReentrant {
        Config storage cfg = _existing(contestId);
        if (block.timestamp > cfg.commitDeadline) {
            revert CommitPhaseOver(contestId, cfg.commitDeadline, block.timestamp);
        }
        // A ceremony contest takes commitments only once its verifier is known.
        if (cfg.verifierPending) revert VerifierNotFixed(contestId);
        if (commitment >= PoseidonChain.FIELD_MODULUS) revert CommitmentNotInField(commitment);

        Progress storage pr = _progress[contestId];
        Entry storage e = _entries[contestId][msg.sender];
        bool replaced = e.status != EntryStatus.None;
        uint256 expected = replaced ? 0 : cfg.bond;
        if (msg.value != expected) revert WrongBond(msg.value, expected);
        if (!replaced) {
            e.status = EntryStatus.Committed;
            pr.committers += 1;
            // forge-lint: disable-next-line(unsafe-typecast) -- msg.value < ETH supply < 2^96
            pr.held += uint96(msg.value);
        }
        uint32 seq = ++pr.commitSeq;
        e.seq = seq;
        e.commitment = commitment;
        e.committedAt = uint64(block.timestamp);
        emit ModelCommitted(contestId, msg.sender, commitment, seq, cfg.bond, replaced, pr.committers);
    }

    /// @inheritdoc IContestRegistry
    function submitProof(uint256 contestId, uint256 correct, bytes calldata proof, address rankHint)
        external
        nonReentrant
    {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);
        if (block.timestamp > pr.proofEnds) {
            revert ProofWindowClosed(contestId, pr.proofEnds, block.timestamp);
        }
        Entry storage e = _entries[contestId][msg.sender];
        if (e.status == EntryStatus.None) revert NotCommitted(contestId, msg.sender);
        if (e.status != EntryStatus.Committed) revert AlreadyProved(contestId, msg.sender, e.correct);
        if (correct > cfg.testSetSize) revert CorrectExceedsTestSetSize(correct, cfg.testSetSize);

        address verifier = cfg.verifier;
        // The code competitors checked before committing, byte for byte. Also refuses an account
        // emptied since (self-destructed: its hash is 0 or that of empty code), on which a call
        // would "succeed" vacuously.
        bytes32 current = verifier.codehash;
        if (current != cfg.verifierCodeHash) {
            revert VerifierCodeChanged(contestId, verifier, cfg.verifierCodeHash, current);
        }
        bytes memory input = _verifierInput(contestId, cfg, msg.sender, e.commitment, correct, proof);
        if (gasleft() < VERIFIER_GAS_LIMIT + VERIFIER_GAS_MARGIN) {
            revert InsufficientGasForVerifier(gasleft(), VERIFIER_GAS_LIMIT + VERIFIER_GAS_MARGIN);
        }
        if (!_callVerifier(verifier, input)) revert ProofRejected(contestId, msg.sender, correct);

        // forge-lint: disable-next-line(unsafe-typecast) -- correct <= testSetSize, a uint32
        uint32 c = uint32(correct);
        e.correct = c;
        pr.provers += 1;
        // Below the threshold the entry is scored, not ranked: it proved, so its bond comes back
        // after the proof window (an entry that never proves loses it to the pool).
        bool ranked = correct >= cfg.minCorrect;
        if (ranked) {
            // Before the status changes: the sender cannot be its own hint.
            _insert(contestId, pr, msg.sender, c, e.seq, rankHint);
            e.status = EntryStatus.Qualified;
            pr.qualifiers += 1;
        } else {
            e.status = EntryStatus.Scored;
        }
        emit ProofAccepted(contestId, msg.sender, correct, ranked, pr.qualifiers, pr.provers);
    }

    /// @inheritdoc IContestRegistry
    function revealModel(uint256 contestId, uint256[] calldata elems, bool last) external nonReentrant {
        (Config storage cfg, Progress storage pr) = _afterProofDeadline(contestId);
        Entry storage e = _calledInWindow(contestId, msg.sender);
        // The final chunk holds at least the salt, so the state before it is known here.
        if (elems.length == 0) revert EmptyChunk();

        uint256 start = e.revealCount;
        uint256 h = start == 0 ? PoseidonChain.MODEL_TAG : e.revealHash;
        if (!last) {
            (uint256 hNext, uint256 next) = PoseidonChain.absorb(_poseidon, h, start, elems);
            e.revealHash = hNext;
            // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
            e.revealCount = uint32(next);
            emit ModelChunkRevealed(contestId, msg.sender, start, elems);
            return;
        }
        (uint256 fingerprint, uint256 hNew, uint256 count) = _absorbFinalChunk(h, start, elems);
        uint256 computed = PoseidonChain.finish(_poseidon, hNew, count);
        if (computed != e.commitment) revert CommitmentMismatch(e.commitment, computed, count);

        e.revealHash = hNew;
        // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
        e.revealCount = uint32(count);
        e.bondSettled = true;
        emit ModelChunkRevealed(contestId, msg.sender, start, elems);
        if (_disqualifiedAsCopy(contestId, e, fingerprint, cfg.bond)) {
            // Like a forfeit: the bond goes to the pool; the next entries are called when the
            // round ends.
            e.status = EntryStatus.Disqualified;
            pr.forfeits += 1;
        } else {
            e.status = EntryStatus.Revealed;
            _credit[contestId][msg.sender] += cfg.bond;
            emit ModelRevealed(contestId, msg.sender, count, cfg.bond);
        }
        _advance(contestId, cfg, pr);
    }

    /// @dev Whether the sender's entry `e`, revealing `fingerprint`, is a copy (then
    ///      `ModelDisqualified`): another address revealed the same fingerprint from an earlier
    ///      commitment, or in this very contest (one model under several addresses is paid one
    ///      place: whichever reveals first). Otherwise records the entry as the fingerprint's
    ///      original if it is the first, or committed earlier than the recorded one.
    function _disqualifiedAsCopy(uint256 contestId, Entry storage e, uint256 fingerprint, uint256 bond)
        private
        returns (bool)
    {
        Original storage o = _originals[fingerprint];
        address owner = o.owner;
        if (
            owner != address(0) && owner != msg.sender
                && (o.committedAt < e.committedAt || o.contestId == contestId)
        ) {
            emit ModelDisqualified(contestId, msg.sender, fingerprint, owner, o.contestId, o.committedAt, bond);
            return true;
        }
        if (owner == address(0) || e.committedAt < o.committedAt) {
            // forge-lint: disable-next-line(unsafe-typecast) -- a contest costs > 2^18 gas: < 2^32 exist
            _originals[fingerprint] = Original(msg.sender, e.committedAt, uint32(contestId));
        }
        return false;
    }

    /// @dev Absorbs a model reveal's final chunk (non-empty, its last element the salt) into
    ///      `(h, start)`: the fingerprint is the chain's state before the salt, the same for every
    ///      salt (PROTOCOL §5); then the state and count after the salt.
    function _absorbFinalChunk(uint256 h, uint256 start, uint256[] calldata elems)
        private
        view
        returns (uint256 fingerprint, uint256 hNew, uint256 count)
    {
        uint256 salt = elems.length - 1;
        (fingerprint, count) = PoseidonChain.absorb(_poseidon, h, start, elems[:salt]);
        (hNew, count) = PoseidonChain.absorb(_poseidon, fingerprint, count, elems[salt:]);
    }

    /// @inheritdoc IContestRegistry
    function restartModelReveal(uint256 contestId) external nonReentrant {
        _afterProofDeadline(contestId);
        Entry storage e = _calledInWindow(contestId, msg.sender);
        uint256 discarded = e.revealCount;
        e.revealCount = 0;
        e.revealHash = 0;
        emit ModelRevealRestarted(contestId, msg.sender, discarded);
    }

    // ================================================================== anyone

    /// @inheritdoc IContestRegistry
    function closeRanking(uint256 contestId) external nonReentrant {
        _existing(contestId);
        if (_progress[contestId].rankingClosed) revert RankingAlreadyClosed(contestId);
        _afterProofDeadline(contestId); // checks the deadline, then closes
    }

    /// @inheritdoc IContestRegistry
    function forfeit(uint256 contestId) external nonReentrant {
        (Config storage cfg, Progress storage pr) = _afterProofDeadline(contestId);
        if (pr.settled) revert NothingToForfeit(contestId);
        uint64 deadline = pr.roundDeadline;
        if (block.timestamp <= deadline) revert RevealWindowOpen(contestId, deadline, block.timestamp);

        // Every entry of the round that did not reveal, together: one transaction per round, so
        // K non-revealing sybils ahead of an honest entry cost it one round, not K.
        uint256 bond = cfg.bond;
        address stop = pr.nextToCall;
        address cur = pr.settleCursor;
        uint256 lost;
        while (cur != stop) {
            Entry storage e = _entries[contestId][cur];
            if (e.status == EntryStatus.Called) {
                e.status = EntryStatus.Forfeited;
                e.bondSettled = true;
                ++lost;
                emit ModelForfeited(contestId, cur, deadline, bond);
            }
            cur = e.next;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- at most `qualifiers`, a uint32
        pr.forfeits += uint32(lost);
        _advance(contestId, cfg, pr);
        if (!pr.settled) {
            _callRound(contestId, pr, cfg.payoutBps.length - pr.paidCount, uint64(block.timestamp) + cfg.revealWindow);
        }
    }

    /// @inheritdoc IContestRegistry
    function withdraw(uint256 contestId) external nonReentrant returns (uint256 amount) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        if (!pr.rankingClosed && pr.proofEnds != 0 && block.timestamp > pr.proofEnds) {
            _closeRanking(contestId, cfg, pr);
        }
        Entry storage e = _entries[contestId][msg.sender];
        (uint256 lazy, uint256 claims) = _lazyClaim(cfg, pr, e, msg.sender);
        amount = _credit[contestId][msg.sender] + lazy;
        if (amount == 0) revert NothingToWithdraw(contestId, msg.sender);

        _credit[contestId][msg.sender] = 0;
        if (claims & CLAIM_BOND != 0) e.bondSettled = true;
        if (claims & CLAIM_DEFAULT_SHARE != 0) pr.defaultClaims += 1;
        if (claims & CLAIM_REFUND != 0) pr.prizeRefundClaimed = true;
        if (claims & CLAIM_POOL_SHARE != 0) {
            e.poolClaimed = true;
            pr.poolClaims += 1;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- amount <= held (what is owed is held)
        pr.held -= uint96(amount);
        emit Withdrawn(contestId, msg.sender, amount);

        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    // ================================================================== views

    /// @inheritdoc IContestRegistry
    function poseidon() external view returns (address) {
        return _poseidon;
    }

    /// @inheritdoc IContestRegistry
    function contestCount() external view returns (uint256) {
        return _contestCount;
    }

    /// @inheritdoc IContestRegistry
    function phase(uint256 contestId) public view returns (Phase) {
        Config storage cfg = _config[contestId];
        if (cfg.organiser == address(0)) return Phase.None;
        return _phase(cfg, _progress[contestId]);
    }

    /// @inheritdoc IContestRegistry
    function contest(uint256 contestId) external view returns (ContestView memory v) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        v.organiser = cfg.organiser;
        v.params = ContestParams({
            specHash: cfg.specHash,
            verifier: cfg.verifier,
            vkDigest: cfg.vkDigest,
            srsDigest: cfg.srsDigest,
            testSetCommitment: cfg.testSetCommitment,
            testSetSize: cfg.testSetSize,
            minCorrect: cfg.minCorrect,
            features: cfg.features,
            featureSpan: cfg.featureSpan,
            classes: cfg.classes,
            payoutBps: cfg.payoutBps,
            commitBond: cfg.bond,
            commitDeadline: cfg.commitDeadline,
            testSetDeadline: cfg.testSetDeadline,
            proofDeadline: cfg.proofDeadline,
            revealWindow: cfg.revealWindow
        });
        v.prize = cfg.prize;
        v.phase = _phase(cfg, pr);
        v.held = pr.held;
        v.testSetRevealedCount = pr.testSetCount;
        v.testSetRevealed = pr.proofEnds != 0;
        v.proofEnds = pr.proofEnds;
        v.committers = pr.committers;
        v.qualifiers = pr.qualifiers;
        v.provers = pr.provers;
        v.winnersPaid = pr.paidCount;
        v.prizePaid = pr.paidTotal;
        v.createdBlock = cfg.createdBlock;
        v.verifierCodeHash = cfg.verifierCodeHash;
        v.bondPool = _bondPool(cfg, pr);
        v.roundDeadline = pr.roundDeadline;
    }

    /// @inheritdoc IContestRegistry
    function ceremony(uint256 contestId) external view returns (CeremonyView memory v) {
        _existing(contestId);
        Ceremony storage c = _ceremony[contestId];
        v.deadline = c.deadline;
        v.contributions = c.contributions;
        v.log = c.log;
        v.fixedAt = c.fixedAt;
        v.transcriptHash = c.transcriptHash;
    }

    /// @inheritdoc IContestRegistry
    function entry(uint256 contestId, address competitor) external view returns (EntryView memory v) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        Entry storage e = _entries[contestId][competitor];
        v.status = e.status;
        v.commitment = e.commitment;
        v.commitSeq = e.seq;
        v.correct = e.correct;
        v.revealDeadline = e.revealDeadline;
        v.revealedCount = e.revealCount;
        v.committedAt = e.committedAt;
        // Before anyone closes the ranking, show the first ranks as the calls they will get.
        if (
            e.status == EntryStatus.Qualified && !pr.rankingClosed && block.timestamp > pr.proofEnds
                && _position(contestId, pr, competitor) < cfg.payoutBps.length
        ) {
            v.status = EntryStatus.Called;
            v.revealDeadline = uint256(pr.proofEnds) + cfg.revealWindow;
        }
    }

    /// @inheritdoc IContestRegistry
    function original(uint256 fingerprint) external view returns (OriginalView memory v) {
        Original storage o = _originals[fingerprint];
        v.owner = o.owner;
        v.contestId = o.contestId;
        v.committedAt = o.committedAt;
    }

    /// @inheritdoc IContestRegistry
    function ranking(uint256 contestId)
        external
        view
        returns (address[] memory competitors, uint256[] memory correct, uint256[] memory commitSeq)
    {
        _existing(contestId);
        Progress storage pr = _progress[contestId];
        competitors = new address[](pr.qualifiers);
        correct = new uint256[](pr.qualifiers);
        commitSeq = new uint256[](pr.qualifiers);
        address cur = pr.head;
        for (uint256 i = 0; cur != address(0); ++i) {
            Entry storage e = _entries[contestId][cur];
            competitors[i] = cur;
            correct[i] = e.correct;
            commitSeq[i] = e.seq;
            cur = e.next;
        }
    }

    /// @inheritdoc IContestRegistry
    function owed(uint256 contestId, address account) external view returns (uint256 amount) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        (uint256 lazy,) = _lazyClaim(cfg, pr, _entries[contestId][account], account);
        amount = _credit[contestId][account] + lazy;
        // Closing a ranking that nobody entered refunds the organiser (see `_closeRanking`).
        bool closable = !pr.rankingClosed && pr.proofEnds != 0 && block.timestamp > pr.proofEnds;
        if (closable && pr.head == address(0) && account == cfg.organiser) amount += cfg.prize;
    }

    // ================================================================== internals

    /// @dev `opensAt`: when commits may start (now, or a ceremony contest's ceremony deadline).
    function _validate(ContestParams calldata p, uint256 opensAt) private pure {
        if (opensAt >= p.commitDeadline || p.commitDeadline >= p.testSetDeadline || p.testSetDeadline >= p.proofDeadline)
        {
            revert InvalidDeadlines(opensAt, p.commitDeadline, p.testSetDeadline, p.proofDeadline);
        }
        // Deadlines are ordered, so no window below underflows.
        _checkWindow(0, p.commitDeadline - opensAt, MIN_COMMIT_WINDOW);
        _checkWindow(1, p.testSetDeadline - p.commitDeadline, MIN_TEST_SET_WINDOW);
        _checkWindow(2, p.proofDeadline - p.testSetDeadline, MIN_PROOF_WINDOW);
        _checkWindow(3, p.revealWindow, MIN_REVEAL_WINDOW);
        // A free entry makes sybils free: 99 of them leave an honest competitor 1 % of a
        // defaulted prize, a near-free cancel option for the organiser.
        if (p.commitBond == 0) revert ZeroBond();
        uint256 ranks = p.payoutBps.length;
        if (ranks == 0 || ranks > MAX_PAID_RANKS) revert InvalidPayoutRanks(ranks, MAX_PAID_RANKS);
        uint256 sum;
        for (uint256 i = 0; i < ranks; ++i) {
            if (p.payoutBps[i] == 0) revert ZeroPayoutShare(i);
            sum += p.payoutBps[i];
        }
        if (sum != BPS) revert PayoutSharesDoNotSum(sum);
        if (p.minCorrect == 0 || p.minCorrect > p.testSetSize) revert InvalidThreshold(p.minCorrect, p.testSetSize);
        if (p.testSetCommitment >= PoseidonChain.FIELD_MODULUS) revert CommitmentNotInField(p.testSetCommitment);
        if (p.features == 0 || p.classes < 2) revert InvalidTestSetLayout(p.features, p.featureSpan, p.classes);
    }

    /// @dev The layout `TestSetLayout` decodes `cfg`'s revealed test set against.
    function _layout(Config storage cfg) private view returns (TestSetLayout.Layout memory) {
        return TestSetLayout.Layout(cfg.testSetSize, cfg.features, cfg.featureSpan, cfg.classes);
    }

    /// @dev Reverts unless `window` seconds of phase `phase` (see `WindowOutOfRange`) lie in
    ///      `min ..= MAX_WINDOW`. Too short a window is an organiser's trap: a 1-second reveal
    ///      window makes every called winner forfeit its bond to the organiser, a 1-second proof
    ///      window lets nobody prove.
    function _checkWindow(uint8 phase_, uint256 window, uint256 min) private pure {
        if (window < min || window > MAX_WINDOW) revert WindowOutOfRange(phase_, window, min, MAX_WINDOW);
    }

    /// @dev keccak-256 of `lib`'s runtime code with bytes 1..20 zeroed if the code starts with
    ///      PUSH20 `lib` (a deployed library's call protection; the compiler's artifact has zeros
    ///      there), else of the code as is; `selfAddressed` tells which. Constructor only, so it
    ///      lives in the creation code. Uses memory above the free pointer without advancing it.
    function _maskedLibraryCodeHash(address lib) private view returns (bool selfAddressed, bytes32 h) {
        assembly ("memory-safe") {
            let a := and(lib, 0xffffffffffffffffffffffffffffffffffffffff) // high bits not assumed clean
            let size := extcodesize(a)
            let ptr := mload(0x40)
            mstore(ptr, 0) // code shorter than a word: the head compared below is zero-padded
            extcodecopy(a, ptr, 0, size)
            // Bytes 0..20 of the code: PUSH20 then the embedded address.
            selfAddressed := eq(shr(88, mload(ptr)), or(shl(160, PUSH20), a))
            if selfAddressed {
                mstore(ptr, and(mload(ptr), not(shl(88, 0xffffffffffffffffffffffffffffffffffffffff))))
            }
            h := keccak256(ptr, size)
        }
    }

    function _existing(uint256 contestId) private view returns (Config storage cfg) {
        cfg = _config[contestId];
        if (cfg.organiser == address(0)) revert ContestNotFound(contestId);
    }

    function _phase(Config storage cfg, Progress storage pr) private view returns (Phase) {
        if (cfg.verifierPending) return block.timestamp <= cfg.commitDeadline ? Phase.Ceremony : Phase.TestSetMissed;
        if (block.timestamp <= cfg.commitDeadline) return Phase.Commit;
        if (pr.proofEnds == 0) {
            return block.timestamp <= cfg.testSetDeadline ? Phase.TestSetReveal : Phase.TestSetMissed;
        }
        if (block.timestamp <= pr.proofEnds) return Phase.Proof;
        if (pr.settled || pr.head == address(0)) return Phase.Settled;
        return Phase.ModelReveal;
    }

    /// @dev Checks the caller may post the test set now; returns the contest.
    function _testSetRevealer(uint256 contestId) private view returns (Config storage cfg, Progress storage pr) {
        cfg = _existing(contestId);
        pr = _progress[contestId];
        if (msg.sender != cfg.organiser) revert NotOrganiser(contestId, msg.sender, cfg.organiser);
        if (cfg.verifierPending) revert VerifierNotFixed(contestId);
        if (pr.proofEnds != 0) revert TestSetAlreadyRevealed(contestId);
        if (block.timestamp <= cfg.commitDeadline || block.timestamp > cfg.testSetDeadline) {
            revert TestSetRevealClosed(contestId, cfg.commitDeadline, cfg.testSetDeadline, block.timestamp);
        }
    }

    /// @dev Checks the ranking is final and closes it on first use.
    function _afterProofDeadline(uint256 contestId) private returns (Config storage cfg, Progress storage pr) {
        cfg = _existing(contestId);
        pr = _progress[contestId];
        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);
        if (block.timestamp <= pr.proofEnds) {
            revert RankingNotFinal(contestId, pr.proofEnds, block.timestamp);
        }
        if (!pr.rankingClosed) _closeRanking(contestId, cfg, pr);
    }

    /// @dev `account`'s entry, which must be called and inside its reveal window.
    function _calledInWindow(uint256 contestId, address account) private view returns (Entry storage e) {
        e = _entries[contestId][account];
        if (e.status != EntryStatus.Called) revert NotCalledToReveal(contestId, account, e.status);
        if (block.timestamp > e.revealDeadline) {
            revert RevealWindowClosed(contestId, account, e.revealDeadline, block.timestamp);
        }
    }

    /// @dev Freezes the ranking and calls the first `ranks` entries with the common deadline
    ///      `proofEnds + revealWindow`. With no ranked entry the contest is settled and the prize
    ///      credited back to the organiser.
    function _closeRanking(uint256 contestId, Config storage cfg, Progress storage pr) private {
        pr.rankingClosed = true;
        address head = pr.head;
        pr.settleCursor = head;
        pr.nextToCall = head;
        _callRound(contestId, pr, cfg.payoutBps.length, pr.proofEnds + cfg.revealWindow);
        if (head == address(0)) _settle(contestId, cfg, pr);
    }

    /// @dev Starts a reveal round: calls the next `count` uncalled entries (fewer if the ranking
    ///      runs out), all with the round's one `deadline`.
    function _callRound(uint256 contestId, Progress storage pr, uint256 count, uint64 deadline) private {
        pr.roundDeadline = deadline;
        address cur = pr.nextToCall;
        uint256 position = pr.calledCount;
        for (uint256 k = 0; k < count && cur != address(0); ++k) {
            Entry storage e = _entries[contestId][cur];
            e.status = EntryStatus.Called;
            e.revealDeadline = deadline;
            emit WinnerCalled(contestId, cur, position, deadline);
            ++position;
            cur = e.next;
        }
        pr.nextToCall = cur;
        // forge-lint: disable-next-line(unsafe-typecast) -- at most `qualifiers`, a uint32
        pr.calledCount = uint32(position);
    }

    /// @dev Credits prizes in ranking order: walks the called entries from `settleCursor`,
    ///      paying each revealed entry the next place's share and skipping forfeited ones, and
    ///      stops at the first entry still inside its window. A revealed entry behind a pending
    ///      one waits, because the pending one's outcome decides its place.
    function _advance(uint256 contestId, Config storage cfg, Progress storage pr) private {
        if (pr.settled) return;
        uint256 ranks = cfg.payoutBps.length;
        uint256 place = pr.paidCount;
        address cur = pr.settleCursor;
        while (cur != address(0) && place < ranks) {
            Entry storage e = _entries[contestId][cur];
            EntryStatus s = e.status;
            if (s == EntryStatus.Revealed) {
                uint256 amount = cfg.prize * cfg.payoutBps[place] / BPS;
                pr.winners[place] = cur;
                pr.paidTotal += amount;
                _credit[contestId][cur] += amount;
                emit PrizeAwarded(contestId, cur, place, amount);
                ++place;
            } else if (s != EntryStatus.Forfeited && s != EntryStatus.Disqualified) {
                break;
            }
            cur = e.next;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- place <= MAX_PAID_RANKS
        pr.paidCount = uint8(place);
        pr.settleCursor = cur;
        if (place == ranks || cur == address(0)) _settle(contestId, cfg, pr);
    }

    /// @dev Every prize is decided: the undistributed remainder goes to the first-placed winner,
    ///      or back to the organiser if nobody was paid. Then the bond pool (final now: the proof
    ///      window is over and no entry is called any more): each paid place `p >= 1` its
    ///      `payoutBps[p]` share, the first place the rest (its own share, unfilled places' and
    ///      rounding). If nobody was paid, the scored entries share it (claimed lazily, see
    ///      `_lazyClaim`). If there is no scored entry either, every prover was a ranked entry
    ///      that was called and did not reveal within a round of at least `MIN_REVEAL_WINDOW`:
    ///      no organiser action causes that (it cannot forge proofs or block reveals), and the
    ///      pool has nobody else to go to, so it goes to the organiser.
    function _settle(uint256 contestId, Config storage cfg, Progress storage pr) private {
        pr.settled = true;
        uint256 paid = pr.paidCount;
        uint256 remainder = cfg.prize - pr.paidTotal;
        address to = paid > 0 ? pr.winners[0] : cfg.organiser;
        pr.paidTotal = cfg.prize;
        _credit[contestId][to] += remainder;

        uint256 pool = _bondPool(cfg, pr);
        if (pool != 0) {
            if (paid > 0) {
                uint256 rest = pool;
                for (uint256 p = 1; p < paid; ++p) {
                    address w = pr.winners[p];
                    uint256 share = pool * cfg.payoutBps[p] / BPS;
                    rest -= share;
                    _credit[contestId][w] += share;
                    if (share != 0) emit BondPoolAwarded(contestId, w, share);
                }
                // rest >= ceil(pool * payoutBps[0] / BPS) > 0
                _credit[contestId][to] += rest;
                emit BondPoolAwarded(contestId, to, rest);
            } else if (pr.provers == pr.qualifiers) {
                _credit[contestId][to] += pool;
                emit BondPoolAwarded(contestId, to, pool);
            } else {
                emit BondPoolAwarded(contestId, address(0), pool);
            }
        }
        emit ContestSettled(contestId, paid, remainder, to);
    }

    /// @dev The bond pool so far: bonds of forfeited called entries, and, once the proof window
    ///      is over and if anybody proved, bonds of entries that never proved (when nobody proved
    ///      those bonds are refunded instead: the contest failed for everyone alike).
    function _bondPool(Config storage cfg, Progress storage pr) private view returns (uint256) {
        uint256 lost = pr.forfeits;
        if (pr.provers != 0 && block.timestamp > pr.proofEnds) lost += pr.committers - pr.provers;
        return lost * cfg.bond;
    }

    /// @dev What `account` can claim beyond its eager credit, and which claims (`CLAIM_*` bits)
    ///      withdrawing it records: the bond of an entry that was never called (after the proof
    ///      window if scored, or unproved while nobody proved; after settlement if ranked), an
    ///      equal share of the bond pool for a scored entry when nobody was paid, the default
    ///      split, and the organiser's refund when nobody committed to a defaulted contest.
    function _lazyClaim(Config storage cfg, Progress storage pr, Entry storage e, address account)
        private
        view
        returns (uint256 amount, uint256 claims)
    {
        EntryStatus s = e.status;
        bool openEntry = s != EntryStatus.None && !e.bondSettled;
        if (block.timestamp <= cfg.commitDeadline) return (0, 0);
        if (pr.proofEnds == 0) {
            // A ceremony contest whose verifier was never fixed had no commits: refund at once.
            if (block.timestamp <= cfg.testSetDeadline && !cfg.verifierPending) return (0, 0);
            // The organiser defaulted: equal shares of the prize plus bonds back.
            if (openEntry) {
                uint256 n = pr.committers;
                uint256 share = cfg.prize / n;
                if (pr.defaultClaims + 1 == n) share = cfg.prize - share * (n - 1);
                amount = cfg.bond + share;
                claims = CLAIM_BOND | CLAIM_DEFAULT_SHARE;
            }
            if (account == cfg.organiser && pr.committers == 0 && !pr.prizeRefundClaimed) {
                amount += cfg.prize;
                claims |= CLAIM_REFUND;
            }
            return (amount, claims);
        }
        if (block.timestamp <= pr.proofEnds) return (0, 0);
        if (
            openEntry
                && (
                    s == EntryStatus.Scored || (s == EntryStatus.Committed && pr.provers == 0)
                        || (s == EntryStatus.Qualified && pr.settled)
                )
        ) {
            amount = cfg.bond;
            claims = CLAIM_BOND;
        }
        // Nobody paid (settled, or about to be: no ranked entry): the scored entries share the
        // pool. The first claimer takes the rounding, so that a share that rounds to 0 (which
        // its entry may never withdraw) cannot lock it.
        if (s == EntryStatus.Scored && !e.poolClaimed && pr.paidCount == 0 && (pr.settled || pr.head == address(0))) {
            uint256 n = pr.provers - pr.qualifiers;
            uint256 pool = _bondPool(cfg, pr);
            uint256 share = pool / n;
            if (pr.poolClaims == 0) share += pool - share * n;
            amount += share;
            claims |= CLAIM_POOL_SHARE;
        }
    }

    /// @dev Inserts `who` into the ranking (best first: more `correct`, then lower `seq`), after
    ///      `hint` if given (which must be a ranked entry that ranks before `who`), else from the
    ///      head. Walks on past every better entry (none for a fresh hint: O(1)); one storage read
    ///      per entry walked.
    function _insert(uint256 contestId, Progress storage pr, address who, uint32 correct, uint64 seq, address hint)
        private
    {
        address prev = hint;
        address cur;
        if (hint == address(0)) {
            cur = pr.head;
        } else {
            Entry storage h = _entries[contestId][hint];
            // During the proof window every ranked entry, and only these, is Qualified.
            if (h.status != EntryStatus.Qualified || h.correct < correct || (h.correct == correct && h.seq > seq)) {
                revert BadRankHint(contestId, hint);
            }
            cur = h.next;
        }
        while (cur != address(0)) {
            Entry storage n = _entries[contestId][cur];
            if (n.correct < correct || (n.correct == correct && n.seq > seq)) break;
            prev = cur;
            cur = n.next;
        }
        _entries[contestId][who].next = cur;
        if (prev == address(0)) pr.head = who;
        else _entries[contestId][prev].next = who;
    }

    /// @dev 0-based position of `who` in the ranking (its length if absent).
    function _position(uint256 contestId, Progress storage pr, address who) private view returns (uint256 i) {
        address cur = pr.head;
        while (cur != address(0) && cur != who) {
            cur = _entries[contestId][cur].next;
            ++i;
        }
    }

    /// @dev The verifier's calldata: the six public instances as 32-byte big-endian words
    ///      (PROTOCOL §6), then the proof bytes, as snark-verifier's `encode_calldata` lays out.
    function _verifierInput(
        uint256 contestId,
        Config storage cfg,
        address competitor,
        uint256 commitment,
        uint256 correct,
        bytes calldata proof
    ) private view returns (bytes memory) {
        return abi.encodePacked(
            block.chainid,
            contestId,
            uint256(uint160(competitor)),
            commitment,
            cfg.testSetCommitment,
            correct,
            proof
        );
    }

    /// @dev STATICCALLs the verifier with at most `VERIFIER_GAS_LIMIT` gas. Accepts only a call
    ///      that succeeds and returns either nothing (snark-verifier's convention) or a first word
    ///      that is non-zero; never copies more than one word of return data.
    function _callVerifier(address verifier, bytes memory input) private view returns (bool accepted) {
        assembly ("memory-safe") {
            let ok := staticcall(VERIFIER_GAS_LIMIT, verifier, add(input, 0x20), mload(input), 0x00, 0x00)
            switch returndatasize()
            case 0 { accepted := ok }
            default {
                if and(ok, iszero(lt(returndatasize(), 0x20))) {
                    returndatacopy(0x00, 0x00, 0x20)
                    accepted := iszero(iszero(mload(0x00)))
                }
            }
        }
    }
}
