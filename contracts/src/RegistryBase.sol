// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IContestRegistryEvents} from "./IContestRegistry.sol";
import {ContestParams, EntryStatus, Phase} from "./ContestTypes.sol";
import {PoseidonChain} from "./PoseidonChain.sol";
import {TestSetLayout} from "./TestSetLayout.sol";

/// @title RegistryBase
/// @notice The registry's constants, storage layout and the rules both of its code halves use:
///         `ContestRegistry` (deployed at the registry's address) and `RegistryAnnex` (code the
///         registry runs by DELEGATECALL, on its own storage, because the whole would not fit
///         in EIP-170's 24,576 bytes). Neither declares storage of its own, so both see this
///         layout at the same slots.
/// @dev Money flow. Every wei a contest receives (prize, bonds) is added to `_progress.held`
///      and every withdrawal subtracts from it, so the registry's balance is the sum of `held`
///      over contests. Amounts owed are either credited eagerly to `_credit` (prizes, returned
///      bonds of revealed winners, remainders, the bond pool's shares of paid places, a
///      successful test-set challenger's reward) or computed lazily when an account withdraws
///      (bonds of entries that are never called, of scored entries and, when nobody proved, of
///      entries that never proved; equal shares of the bond pool among scored entries; shares of
///      a defaulted prize; the organiser's refunds), because those concern unboundedly many
///      accounts. The bond pool itself is never stored: it is
///      `bond * (forfeits + committers - provers)` (the second term once the proof window is
///      over and only if somebody proved), see `_bondPool`.
abstract contract RegistryBase is IContestRegistryEvents {
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
    /// @notice Most elements in one test-set chunk: a challenge recomputes one chunk's Poseidon
    ///         chain (~19.4k gas an element, ~5M gas for a full chunk), which must fit in a block.
    uint256 public constant MAX_TESTSET_CHUNK = 256;
    /// @notice Share of the prize (basis points) credited to a successful test-set challenger.
    uint256 public constant CHALLENGE_REWARD_BPS = 1_000;
    /// @dev Gas forwarded to a verifier (`IContestRegistry.VERIFIER_GAS_LIMIT`), and the gas kept
    ///      back on top: the 1/64 that CALL withholds plus the few opcodes between check and call.
    uint256 internal constant VERIFIER_GAS = 3_000_000;
    uint256 internal constant VERIFIER_GAS_MARGIN = VERIFIER_GAS / 63 + 5_000;
    /// @dev Bytes of one G1 point in a proof (x then y, big-endian): a shared column's commitment
    ///      is the proof's first point (the model's) or its second (a shard's rows).
    uint256 internal constant POINT = 64;

    /// @dev What `_lazyClaim` found claimable (bits of its `claims`).
    uint256 internal constant CLAIM_BOND = 1;
    uint256 internal constant CLAIM_DEFAULT_SHARE = 2;
    uint256 internal constant CLAIM_REFUND = 4;
    uint256 internal constant CLAIM_POOL_SHARE = 8;

    /// @dev Fixed at creation.
    struct Config {
        address organiser;
        uint64 commitDeadline;
        /// @dev A ceremony contest whose verifier is not fixed yet (no commits, no test set).
        bool verifierPending;
        /// @dev Created by `createSharedContest` (its verifiers in `_columns`); in the slot every
        ///      proof reads for `organiser`, so that other contests' proofs pay nothing for it.
        bool sharedColumns;
        address verifier;
        uint64 testSetDeadline;
        /// @dev `ContestParams.shards`, in the slot every proof reads for `verifier`.
        uint32 shards;
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
        /// @dev Test-set chunks posted (since the last restart), the challenge window's end (0
        ///      until the test set is revealed), and whether a challenge succeeded.
        uint32 testSetChunks;
        uint64 challengeEnds;
        bool testSetFaulted;
        /// @dev A sharded test set's root chain, `Chain(TESTSET_ROOT_TAG, T_0 …)` before its
        ///      length, over the shards completed so far.
        uint256 shardRoot;
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
        /// @dev Shards proved (`correct` sums their counts until all are in).
        uint32 shardsProved;
    }

    /// @dev A contest's shared-column verifiers and their code hashes at creation (PROTOCOL
    ///      §14.2.1), all zero for a contest created without (`createContest`).
    struct Columns {
        address model;
        address testSet;
        bytes32 modelCodeHash;
        bytes32 testSetCodeHash;
    }

    /// @dev The earliest-committed revealed entry of a model fingerprint (one slot).
    struct Original {
        address owner;
        uint64 committedAt;
        uint32 contestId;
    }


    address internal immutable _poseidon;
    uint256 internal _contestCount;
    uint256 internal _lock = 1;

    mapping(uint256 => Config) internal _config;
    mapping(uint256 => Progress) internal _progress;
    mapping(uint256 => mapping(address => Entry)) internal _entries;
    mapping(uint256 => mapping(address => uint256)) internal _credit;
    mapping(uint256 => Ceremony) internal _ceremony;
    /// @dev Per contest and chunk: `keccak256(start, stateBefore, stateAfter, elems)` as posted.
    mapping(uint256 => mapping(uint256 => bytes32)) internal _testSetChunk;
    /// @dev Registry-wide, by model fingerprint (the model chain before the salt).
    mapping(uint256 => Original) internal _originals;
    /// @dev Per contest and shard: `T_s`, computed from the shard's last claimed chain state when
    ///      its last element was posted (PROTOCOL §14.1). Unused for a one-shard contest.
    mapping(uint256 => mapping(uint256 => uint256)) internal _shardCommitment;
    /// @dev Per contest, entry and shard: `correct_s + 1` once the shard's proof was accepted.
    mapping(uint256 => mapping(address => mapping(uint256 => uint256))) internal _shardCorrect;
    /// @dev Per contest: its shared-column verifiers (`createSharedContest`).
    mapping(uint256 => Columns) internal _columns;
    /// @dev Per contest: the columns a model or test-set proof opened, by `_modelKey` / `_rowsKey`.
    mapping(uint256 => mapping(bytes32 => bool)) internal _opened;


    modifier nonReentrant() {
        if (_lock != 1) revert Reentered();
        _lock = 2;
        _;
        _lock = 1;
    }

    constructor(address poseidonT3) {
        _poseidon = poseidonT3;
    }

    /// @dev `opensAt`: when commits may start (now, or a ceremony contest's ceremony deadline).
    function _validate(ContestParams calldata p, uint256 opensAt) internal pure {
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
        if (p.shards == 0 || p.testSetSize % p.shards != 0) revert InvalidShards(p.shards, p.testSetSize);
    }

    /// @dev The layout `TestSetLayout` decodes each shard of `cfg`'s revealed test set against
    ///      (the whole set when it has one shard): `N / M` rows.
    function _layout(Config storage cfg) internal view returns (TestSetLayout.Layout memory) {
        return TestSetLayout.Layout(cfg.testSetSize / cfg.shards, cfg.features, cfg.featureSpan, cfg.classes);
    }

    /// @dev Reverts unless `window` seconds of phase `phase` (see `WindowOutOfRange`) lie in
    ///      `min ..= MAX_WINDOW`. Too short a window is an organiser's trap: a 1-second reveal
    ///      window makes every called winner forfeit its bond to the organiser, a 1-second proof
    ///      window lets nobody prove.
    function _checkWindow(uint8 phase_, uint256 window, uint256 min) internal pure {
        if (window < min || window > MAX_WINDOW) revert WindowOutOfRange(phase_, window, min, MAX_WINDOW);
    }

    function _existing(uint256 contestId) internal view returns (Config storage cfg) {
        cfg = _config[contestId];
        if (cfg.organiser == address(0)) revert ContestNotFound(contestId);
    }

    function _phase(Config storage cfg, Progress storage pr) internal view returns (Phase) {
        if (cfg.verifierPending) return block.timestamp <= cfg.commitDeadline ? Phase.Ceremony : Phase.TestSetMissed;
        if (block.timestamp <= cfg.commitDeadline) return Phase.Commit;
        if (pr.proofEnds == 0) {
            return block.timestamp <= cfg.testSetDeadline && !pr.testSetFaulted ? Phase.TestSetReveal : Phase.TestSetMissed;
        }
        if (block.timestamp <= pr.challengeEnds) return Phase.TestSetChallenge;
        if (block.timestamp <= pr.proofEnds) return Phase.Proof;
        if (pr.settled || pr.head == address(0)) return Phase.Settled;
        return Phase.ModelReveal;
    }

    /// @dev Checks the caller may post the test set now; returns the contest.
    function _testSetRevealer(uint256 contestId) internal view returns (Config storage cfg, Progress storage pr) {
        cfg = _existing(contestId);
        pr = _progress[contestId];
        if (msg.sender != cfg.organiser) revert NotOrganiser(contestId, msg.sender, cfg.organiser);
        if (cfg.verifierPending) revert VerifierNotFixed(contestId);
        if (pr.proofEnds != 0 || pr.testSetFaulted) revert TestSetAlreadyRevealed(contestId);
        if (block.timestamp <= cfg.commitDeadline || block.timestamp > cfg.testSetDeadline) {
            revert TestSetRevealClosed(contestId, cfg.commitDeadline, cfg.testSetDeadline, block.timestamp);
        }
    }

    /// @dev Checks the ranking is final and closes it on first use.
    function _afterProofDeadline(uint256 contestId) internal returns (Config storage cfg, Progress storage pr) {
        cfg = _existing(contestId);
        pr = _progress[contestId];
        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);
        if (block.timestamp <= pr.proofEnds) {
            revert RankingNotFinal(contestId, pr.proofEnds, block.timestamp);
        }
        if (!pr.rankingClosed) _closeRanking(contestId, cfg, pr);
    }

    /// @dev `account`'s entry, which must be called and inside its reveal window.
    function _calledInWindow(uint256 contestId, address account) internal view returns (Entry storage e) {
        e = _entries[contestId][account];
        if (e.status != EntryStatus.Called) revert NotCalledToReveal(contestId, account, e.status);
        if (block.timestamp > e.revealDeadline) {
            revert RevealWindowClosed(contestId, account, e.revealDeadline, block.timestamp);
        }
    }

    /// @dev Freezes the ranking and calls the first `ranks` entries with the common deadline
    ///      `proofEnds + revealWindow`. With no ranked entry the contest is settled and the prize
    ///      credited back to the organiser.
    function _closeRanking(uint256 contestId, Config storage cfg, Progress storage pr) internal {
        pr.rankingClosed = true;
        address head = pr.head;
        pr.settleCursor = head;
        pr.nextToCall = head;
        _callRound(contestId, pr, cfg.payoutBps.length, pr.proofEnds + cfg.revealWindow);
        if (head == address(0)) _settle(contestId, cfg, pr);
    }

    /// @dev Starts a reveal round: calls the next `count` uncalled entries (fewer if the ranking
    ///      runs out), all with the round's one `deadline`.
    function _callRound(uint256 contestId, Progress storage pr, uint256 count, uint64 deadline) internal {
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
    function _advance(uint256 contestId, Config storage cfg, Progress storage pr) internal {
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
    function _settle(uint256 contestId, Config storage cfg, Progress storage pr) internal {
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
    function _bondPool(Config storage cfg, Progress storage pr) internal view returns (uint256) {
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
        internal
        view
        returns (uint256 amount, uint256 claims)
    {
        EntryStatus s = e.status;
        bool openEntry = s != EntryStatus.None && !e.bondSettled;
        if (block.timestamp <= cfg.commitDeadline) return (0, 0);
        if (pr.proofEnds == 0) {
            // A ceremony contest whose verifier was never fixed had no commits: refund at once.
            if (block.timestamp <= cfg.testSetDeadline && !cfg.verifierPending && !pr.testSetFaulted) return (0, 0);
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
        internal
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
    function _position(uint256 contestId, Progress storage pr, address who) internal view returns (uint256 i) {
        address cur = pr.head;
        while (cur != address(0) && cur != who) {
            cur = _entries[contestId][cur].next;
            ++i;
        }
    }

    /// @dev Key of a model column that `who`'s model proof opened to its commitment `commitment`
    ///      (`point`: the proof's first 64 bytes): 116 bytes hashed.
    function _modelKey(address who, uint256 commitment, bytes calldata point) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(who, commitment, point));
    }

    /// @dev Key of a rows column that a test-set proof opened to shard `shard`'s commitment `ts`:
    ///      128 bytes hashed, so never a model key.
    function _rowsKey(uint256 shard, uint256 ts, bytes calldata point) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(shard, ts, point));
    }

    /// @dev Reverts unless `verifier`, its code hash still `codeHash`, accepts `proof` for the
    ///      sender with the instances `commitment`, `testSet` and `correct`. The verifier's
    ///      calldata: the six public instances as 32-byte big-endian words (PROTOCOL §6), then the
    ///      proof bytes, as snark-verifier's `encode_calldata` lays out.
    function _verifyWith(
        uint256 contestId,
        address verifier,
        bytes32 codeHash,
        uint256 commitment,
        uint256 testSet,
        uint256 correct,
        bytes calldata proof
    ) internal view {
        // The code competitors checked before committing, byte for byte. Also refuses an account
        // emptied since (self-destructed: its hash is 0 or that of empty code), on which a call
        // would "succeed" vacuously.
        bytes32 current = verifier.codehash;
        if (current != codeHash) revert VerifierCodeChanged(contestId, verifier, codeHash, current);
        bytes memory input = abi.encodePacked(
            block.chainid, contestId, uint256(uint160(msg.sender)), commitment, testSet, correct, proof
        );
        if (gasleft() < VERIFIER_GAS + VERIFIER_GAS_MARGIN) {
            revert InsufficientGasForVerifier(gasleft(), VERIFIER_GAS + VERIFIER_GAS_MARGIN);
        }
        if (!_callVerifier(verifier, input)) revert ProofRejected(contestId, msg.sender, correct);
    }

    /// @dev STATICCALLs the verifier with at most `VERIFIER_GAS` gas. Accepts only a call that
    ///      succeeds and returns either nothing (snark-verifier's convention) or a first word
    ///      that is non-zero; never copies more than one word of return data.
    function _callVerifier(address verifier, bytes memory input) private view returns (bool accepted) {
        assembly ("memory-safe") {
            let ok := staticcall(VERIFIER_GAS, verifier, add(input, 0x20), mload(input), 0x00, 0x00)
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
