// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestBase} from "../utils/TestBase.sol";
import {Vm} from "../utils/Vm.sol";
import {IPoseidonT3} from "../utils/RegistryFixture.sol";
import {RegistryEvents} from "../utils/RegistryEvents.sol";
import {PayoutModel} from "../utils/PayoutModel.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ContestRegistry} from "../../src/ContestRegistry.sol";
import {IContestRegistry, IContestRegistryEvents} from "../../src/IContestRegistry.sol";
import {ContestParams, ContestView, EntryStatus, EntryView, Phase} from "../../src/ContestTypes.sol";

/// @notice Drives a registry through random create / commit / reveal / prove / forfeit /
///         close / withdraw sequences and time warps, keeps the ghost books the invariants check,
///         and keeps a reference model of the ranking and the bond pool (`PayoutModel`) that every
///         `ProofAccepted`, `WinnerCalled`, `ModelForfeited`, `PrizeAwarded`, `BondPoolAwarded`
///         and `ContestSettled` the registry emits is checked against as it happens (right entry,
///         place, amount, deadline, order).
/// @dev Every wei the registry owes is owed to an actor the invariants can enumerate: the
///      organisers and the competitors (fixed addresses). Organisers also commit and prove, in
///      their own contests and in others'. Scores run from 0 to N with the threshold at 4, so
///      about 1 accepted proof in 4 is scored (below the threshold, not ranked); players that
///      are never picked to prove never prove (their bonds go to the pool once anybody proved).
///      Ranked proofs come with a rank hint: none, the entry right before, or a stale one
///      further up; now and then a bad hint (an entry ranked below, a scored or unproved entry)
///      is tried first and must revert with `BadRankHint` and leave no trace. The verifier (a
///      `MockVerifier`) rejects about 3 proofs in 8, in one of three ways; a rejected proof must
///      revert with `ProofRejected` and leave no trace (no event, ranking, books or entry
///      unchanged). `settleAndDrain` (for `afterInvariant`) decides every contest, a whole round
///      per `forfeit`, and withdraws everything owed.
contract RegistryHandler is TestBase, RegistryEvents {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant TESTSET_TAG = 0x007a6b636f6e746573742f746573747365742f7631;
    uint256 internal constant MODEL_TAG = 0x7a6b636f6e746573742f6d6f64656c2f7631;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_CONTESTS = 2;
    uint32 internal constant N = 16;
    uint32 internal constant MIN_CORRECT = 4;
    /// @notice Forfeits "as anyone" in `settleAndDrain` (and sometimes in `forfeit`); owed nothing
    ///         ever, so a credit to the forfeiter stays in the registry and fails the drain check.
    address public constant KEEPER = address(0x0E000);

    ContestRegistry public immutable registry;
    MockVerifier public immutable verifier;
    address internal immutable _poseidon;

    address[] public organisers;
    address[] public competitors;
    /// @dev Who enters contests: the competitors, then the organisers.
    address[] internal _players;
    uint256[] public contestIds;
    mapping(address => uint256) internal _commitment;
    uint256[] internal _testSet;
    uint256 internal _testSetCommitment;
    /// @dev A lying organiser's contests (one in four) commit to `_lieCommitment`: `_testSet`
    ///      posted with its first chunk (2 elements) claiming `WRONG`, the rest chained from it,
    ///      so the final check passes and only a challenge of chunk 0 tells (PROTOCOL §14.3).
    uint256 internal constant WRONG = 12_345;
    uint256 internal _lieCommitment;
    uint256 internal _lieState;
    mapping(uint256 => bool) internal _lying;
    /// @dev A successful challenge's challenger and reward, per contest.
    mapping(uint256 => address) internal _challenger;
    mapping(uint256 => uint256) internal _reward;

    // Ghost books.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    mapping(uint256 => mapping(address => uint256)) public ghostWithdrawnBy;
    mapping(uint256 => mapping(address => uint256)) public ghostBondPaid;
    bool public ghostSecondWithdrawSucceeded;
    mapping(bytes32 => uint256) public calls;

    /// @dev A contest's fixed terms, copied at creation.
    struct Terms {
        address organiser;
        uint256 prize;
        uint256 bond;
        uint64 proofDeadline;
        uint64 proofWindow; // proofDeadline - testSetDeadline
        uint64 revealWindow;
        uint16[] payoutBps;
    }

    /// @dev The reference model of one contest, built from the handler's own actions only.
    struct Model {
        uint64 commits; // commit sequence numbers handed out (replacements included)
        uint256 committers; // distinct committed players
        bool testSetRevealed;
        uint64 proofEnds; // the registry's, checked against the reveal's time at the reveal
        address[] qualified; // accepted ranked proofs, in acceptance order
        uint256 scored; // accepted proofs below the threshold
        uint256 called; // WinnerCalled seen
        uint256 forfeits; // ModelForfeited seen
        uint256 forfeitCalls; // forfeit() calls (rounds ended)
        uint256 awards; // PrizeAwarded seen
        uint256 awarded; // their total
        uint256 poolEvents; // BondPoolAwarded seen
        bool settled; // ContestSettled seen
    }

    mapping(uint256 => Terms) internal _terms;
    mapping(uint256 => Model) internal _model;
    mapping(uint256 => mapping(address => PayoutModel.Entry)) internal _entry;
    mapping(uint256 => mapping(address => bool)) internal _called;
    mapping(uint256 => mapping(address => bool)) internal _revealed;
    mapping(uint256 => mapping(address => bool)) internal _forfeited;
    mapping(uint256 => mapping(address => bool)) internal _scored;
    /// @notice Winner of each place, as `PrizeAwarded` announced it.
    mapping(uint256 => mapping(uint256 => address)) public awardedTo;
    /// @dev Each `BondPoolAwarded` of a contest, in order.
    mapping(uint256 => mapping(uint256 => address)) internal _poolTo;
    mapping(uint256 => mapping(uint256 => uint256)) internal _poolAmount;
    /// @dev The entries a `forfeit` call in progress expects `ModelForfeited` for, and how many.
    mapping(uint256 => mapping(address => bool)) internal _expectForfeit;
    uint256 internal _pendingForfeits;

    constructor(ContestRegistry registry_, MockVerifier verifier_, address poseidon_) {
        registry = registry_;
        verifier = verifier_;
        _poseidon = poseidon_;
        for (uint256 i = 0; i < 2; ++i) {
            organisers.push(address(uint160(0x0A000 + i)));
        }
        for (uint256 i = 0; i < 4; ++i) {
            competitors.push(address(uint160(0x0C000 + i)));
            _players.push(competitors[i]);
        }
        for (uint256 i = 0; i < 2; ++i) {
            _players.push(organisers[i]);
        }
        for (uint256 i = 0; i < _players.length; ++i) {
            _commitment[_players[i]] = _chain(MODEL_TAG, _modelElems(_players[i]));
        }
        _testSet = [uint256(3), 1, 4, 1, 5];
        _testSetCommitment = _chain(TESTSET_TAG, _testSet);
        uint256[] memory rest = new uint256[](_testSet.length - 2);
        for (uint256 i = 2; i < _testSet.length; ++i) {
            rest[i - 2] = _testSet[i];
        }
        _lieState = _absorbed(WRONG, rest);
        _lieCommitment = IPoseidonT3(_poseidon).hash([_lieState, _testSet.length]);
    }

    // ------------------------------------------------------------------ actions

    /// @dev The first contest is created by whichever action comes first (see `_contest`).
    function createContest(uint256 seed, uint256 prize, uint256 bond, uint256 ranks) external {
        // A second contest only now and then: each new one takes over most later actions.
        if (contestIds.length >= MAX_CONTESTS || (contestIds.length > 0 && seed % 16 != 0)) return;
        _create(seed, prize, bond, ranks);
    }

    function _create(uint256 seed, uint256 prize, uint256 bond, uint256 ranks) internal returns (uint256 id) {
        address organiser = organisers[seed % organisers.length];
        prize = bound(prize, 1, 100 ether);
        ranks = bound(ranks, 1, 3);
        ContestParams memory p;
        p.specHash = keccak256(abi.encode(seed));
        p.verifier = address(verifier);
        p.vkDigest = keccak256(abi.encode("vk", seed));
        p.srsDigest = keccak256(abi.encode("srs", seed));
        bool lying = seed % 4 == 1;
        p.testSetCommitment = lying ? _lieCommitment : _testSetCommitment;
        p.testSetSize = N;
        p.minCorrect = MIN_CORRECT;
        // 16 rows of 16 features in 0 ..= 7 (3 bits, 82 per element: 4 elements) and labels in
        // 0 ..= 5 (1 element): `_testSet` below decodes (each element's lowest value only).
        p.features = 16;
        p.featureSpan = 7;
        p.classes = 6;
        p.shards = 1;
        p.payoutBps = new uint16[](ranks);
        uint256 left = 10_000;
        for (uint256 i = 0; i + 1 < ranks; ++i) {
            uint256 share = bound(uint256(keccak256(abi.encode(seed, i))), 1, left - (ranks - 1 - i));
            p.payoutBps[i] = uint16(share);
            left -= share;
        }
        p.payoutBps[ranks - 1] = uint16(left);
        // From 1 wei (was 0, now refused): `bound` favours the edge, so the smallest bond is common.
        p.commitBond = bound(bond, 1, 3 ether);
        // Each window just above its minimum (commit, test set 1 h; proof, reveal 1 day) plus up
        // to 3 h, so the short phases still end within a run's warps and the contests differ.
        uint256 step = (seed >> 8) % 3 hours;
        p.commitDeadline = uint64(block.timestamp + 1 hours + step);
        p.testSetDeadline = uint64(p.commitDeadline + 1 hours + step);
        p.proofDeadline = uint64(p.testSetDeadline + 1 days + step);
        p.revealWindow = uint64(1 days + step);

        vm.deal(organiser, prize);
        vm.prank(organiser);
        id = registry.createContest{value: prize}(p);
        contestIds.push(id);
        _lying[id] = lying;
        _terms[id] = Terms(
            organiser,
            prize,
            p.commitBond,
            p.proofDeadline,
            p.proofDeadline - p.testSetDeadline,
            p.revealWindow,
            p.payoutBps
        );
        ghostDeposited += prize;
        calls["create"]++;
    }

    /// @dev Commits for up to `1 + (who >> 8) % 6` players at once (a commit phase is short in a
    ///      32-call run), organisers included; a second commit replaces the first (no bond, a new
    ///      sequence number, so it loses tie priority).
    function commitModel(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.Commit) return;
        uint256 count = 1 + (who >> 8) % 6;
        for (uint256 k = 0; k < count; ++k) {
            _commit(id, _players[(who % _players.length + k) % _players.length]);
        }
    }

    function revealTestSet(uint256 which, uint256 cut) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.TestSetReveal) return;
        _revealTestSet(id, cut);
    }

    /// @dev In the challenge window, an actor (the organiser among them) challenges chunk 0 as
    ///      posted: against a lying organiser it succeeds (the organiser defaults, the actor is
    ///      credited a tenth of the prize); against an honest one it reverts and changes nothing.
    function challengeTestSet(uint256 which, uint256 by) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.TestSetChallenge) return;
        address challenger = _actor(by);
        uint256[] memory first = new uint256[](2);
        first[0] = _testSet[0];
        first[1] = _testSet[1];
        uint256 claimed = _lying[id] ? WRONG : _claim(first);
        uint256 heldBefore = registry.contest(id).held;
        vm.prank(challenger);
        (bool done,) = address(registry).call(
            abi.encodeCall(registry.challengeTestSet, (id, 0, 0, TESTSET_TAG, claimed, first))
        );
        if (!_lying[id]) {
            assertTrue(!done, "an honest chunk cannot be challenged");
            assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetChallenge), "nothing changed");
            calls["challengeRefused"]++;
            return;
        }
        assertTrue(done, "a lying organiser's chunk 0 is challenged");
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "the organiser defaulted");
        assertEq(registry.contest(id).held, heldBefore, "nothing leaves the contest");
        _model[id].testSetRevealed = false;
        _challenger[id] = challenger;
        _reward[id] = _terms[id].prize / 10;
        calls["challenge"]++;
    }

    /// @dev Proves for up to `1 + who % 6` committed players at once (a proof phase is short in a
    ///      32-call run), each with its own `correct` drawn from `correct`; about 3 in 8 proofs
    ///      are rejected by the verifier (the player stays committed and may prove again later).
    function submitProof(uint256 who, uint256 which, uint256 correct) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.Proof) return;
        _prove(id, who, 1 + who % 6, correct);
    }

    /// @dev Reveals the models of up to `1 + who % 3` called players, in one chunk or two.
    function revealModel(uint256 who, uint256 which, bool chunked) external {
        (uint256 id, bool ok) = _contest(which);
        uint256 count = 1 + who % 3;
        for (uint256 k = 0; k < count; ++k) {
            if (!ok || registry.phase(id) != Phase.ModelReveal) return;
            (address c, bool found) = _pick(id, EntryStatus.Called, who % _players.length + k);
            if (!found || block.timestamp > registry.entry(id, c).revealDeadline) return;
            uint256[] memory model = _modelElems(c);
            vm.recordLogs();
            vm.startPrank(c);
            if (chunked) {
                uint256[] memory head = new uint256[](1);
                head[0] = model[0];
                uint256[] memory tail = new uint256[](2);
                tail[0] = model[1];
                tail[1] = model[2];
                registry.revealModel(id, head, false);
                registry.revealModel(id, tail, true);
            } else {
                registry.revealModel(id, model, true);
            }
            vm.stopPrank();
            _revealed[id][c] = true;
            _checkLogs();
            calls["revealModel"]++;
        }
    }

    /// @dev Ends the current reveal round once its deadline has passed (closing the ranking
    ///      first if nobody has), by an actor or by `KEEPER`.
    function forfeit(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.ModelReveal) return;
        if (block.timestamp <= _roundDeadline(id)) return;
        _forfeit(id, (who >> 8) % 3 == 0 ? KEEPER : _actor(who >> 16));
        calls["forfeit"]++;
    }

    function closeRanking(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || !_model[id].testSetRevealed || block.timestamp <= _model[id].proofEnds || _closed(id)) return;
        _closeRanking(id, _actor(who));
        calls["closeRanking"]++;
    }

    function withdraw(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok) return;
        address a = _actor(who);
        if (registry.owed(id, a) == 0) {
            vm.prank(a);
            (bool paid,) = address(registry).call(abi.encodeCall(registry.withdraw, (id)));
            if (paid) ghostSecondWithdrawSucceeded = true; // paid although nothing was owed
            return;
        }
        _withdraw(id, a);
        calls["withdraw"]++;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 1 hours));
        calls["warp"]++;
    }

    /// @dev Moves one contest to its next phase, so short runs reach the late phases: commits
    ///      for a few players then jumps to just after the commit deadline; the organiser posts the
    ///      test set (3 times in 4) or defaults; proves for a few players then jumps past the
    ///      proof window; jumps past the current reveal round.
    function advance(uint256 which, uint256 extra) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok) return;
        ContestParams memory p = registry.contest(id).params;
        Phase ph = registry.phase(id);
        uint256 to;
        if (ph == Phase.Commit) {
            for (uint256 k = 0; k < extra % 4; ++k) {
                _commit(id, _players[((extra >> 8) % _players.length + k) % _players.length]);
            }
            to = p.commitDeadline;
        } else if (ph == Phase.TestSetReveal) {
            if (extra % 4 != 0) {
                _revealTestSet(id, extra >> 2);
                calls["advance"]++;
                return;
            }
            to = p.testSetDeadline;
        } else if (ph == Phase.TestSetChallenge) {
            to = registry.contest(id).challengeEnds;
        } else if (ph == Phase.Proof) {
            _prove(id, extra >> 8, extra % 5, extra >> 16);
            to = _model[id].proofEnds;
        } else if (ph == Phase.ModelReveal) {
            to = _roundDeadline(id);
        } else {
            return;
        }
        // Never backwards: a called entry's window may have closed already (time only runs forward
        // on a chain; warping back could, e.g., reopen the proof phase of a closed ranking).
        to = to + 1 + bound(extra, 0, 10 minutes);
        if (to > block.timestamp) vm.warp(to);
        calls["advance"]++;
    }

    // ------------------------------------------------------------------ liveness (afterInvariant)

    /// @notice Decides everything and pays everyone: warps past every commit, test-set and proof
    ///      deadline, closes every open ranking, ends every reveal round (as `KEEPER`, one
    ///      `forfeit` per round, past its deadline) until the contest is settled, then every
    ///      actor that `owed()` shows a balance for withdraws. Fails if a contest whose test set
    ///      was revealed is still undecided afterwards, or took more rounds than the rules allow
    ///      (each round fills or forfeits every unfilled place, so at most one round per
    ///      ranked entry, plus the first).
    function settleAndDrain() external {
        uint256 latest;
        for (uint256 i = 0; i < contestIds.length; ++i) {
            uint256 d = _terms[contestIds[i]].proofDeadline; // proofEnds <= proofDeadline
            if (d > latest) latest = d;
        }
        if (block.timestamp <= latest) vm.warp(latest + 1);

        for (uint256 i = 0; i < contestIds.length; ++i) {
            uint256 id = contestIds[i];
            Model storage m = _model[id];
            if (!m.testSetRevealed) continue; // a default: nothing to decide
            assertTrue(block.timestamp > m.proofEnds, "liveness: the proof window ends by proofDeadline");
            if (!_closed(id)) _closeRanking(id, KEEPER);
            for (uint256 round = 0; !m.settled; ++round) {
                assertLe(round, m.qualified.length, "liveness: rounds keep being called");
                uint256 d = registry.contest(id).roundDeadline;
                if (block.timestamp <= d) vm.warp(d + 1);
                _forfeit(id, KEEPER);
            }
            assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "liveness: phase Settled");
        }

        for (uint256 i = 0; i < contestIds.length; ++i) {
            uint256 id = contestIds[i];
            for (uint256 a = 0; a < organisers.length + competitors.length; ++a) {
                address who = _actor(a);
                if (registry.owed(id, who) > 0) _withdraw(id, who);
            }
        }
    }

    /// @notice After `settleAndDrain`: the places announced equal the reference model's, every
    ///         forfeit called the next entry, and each actor withdrew exactly what the rules give
    ///         it (bond, places, remainder, forfeited bonds; in a default, bond plus an equal share).
    function checkOutcome(uint256 id) external view {
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        if (!m.testSetRevealed) {
            _checkDefault(id, t);
            return;
        }
        address[] memory ranked = _ranked(id);
        bool[] memory forfeited = new bool[](ranked.length);
        for (uint256 i = 0; i < ranked.length; ++i) {
            forfeited[i] = _forfeited[id][ranked[i]];
        }
        PayoutModel.Outcome memory o = PayoutModel.places(
            ranked, forfeited, t.payoutBps, t.prize, t.organiser, _pool(id), m.scored
        );
        assertEq(m.awards, o.winners.length, "model: places filled");
        for (uint256 j = 0; j < o.winners.length; ++j) {
            assertEq(awardedTo[id][j], o.winners[j], "model: winner of place j");
        }
        uint256 shouldCall = t.payoutBps.length + m.forfeits;
        if (shouldCall > ranked.length) shouldCall = ranked.length;
        assertEq(m.called, shouldCall, "model: each round calls as many as places are left");
        _checkDues(id, o);
    }

    // ------------------------------------------------------------------ for the invariants

    function contestCount() external view returns (uint256) {
        return contestIds.length;
    }

    function actorCount() external view returns (uint256) {
        return organisers.length + competitors.length;
    }

    function actor(uint256 i) external view returns (address) {
        return _actor(i);
    }

    function competitorCount() external view returns (uint256) {
        return competitors.length;
    }

    function organiserOf(uint256 id) external view returns (address) {
        return _terms[id].organiser;
    }

    /// @notice The prize the contest was created with (a challenger's reward comes out of the
    ///         registry's `prize`).
    function prizeOf(uint256 id) external view returns (uint256) {
        return _terms[id].prize;
    }

    // ------------------------------------------------------------------ internals

    /// @dev The organiser posts the test set in one chunk or two (a lying one: two, cut at 2).
    function _revealTestSet(uint256 id, uint256 cut) internal {
        address organiser = _terms[id].organiser;
        cut = _lying[id] ? 2 : bound(cut, 1, _testSet.length);
        uint256[] memory first = new uint256[](cut);
        uint256[] memory rest = new uint256[](_testSet.length - cut);
        for (uint256 i = 0; i < _testSet.length; ++i) {
            if (i < cut) first[i] = _testSet[i];
            else rest[i - cut] = _testSet[i];
        }
        uint256 s1 = _lying[id] ? WRONG : _claim(first);
        uint256 s = _lying[id] ? _lieState : _claim(_testSet);
        vm.startPrank(organiser);
        if (rest.length == 0) {
            registry.revealTestSet(id, first, s, true);
        } else {
            registry.revealTestSet(id, first, s1, false);
            registry.revealTestSet(id, rest, s, true);
        }
        vm.stopPrank();
        Model storage m = _model[id];
        m.testSetRevealed = true;
        m.proofEnds = registry.contest(id).proofEnds;
        assertEq(m.proofEnds, block.timestamp + _terms[id].proofWindow, "proofEnds: a full window from the reveal");
        assertEq(
            registry.contest(id).challengeEnds,
            block.timestamp + _terms[id].proofWindow / 4,
            "challengeEnds: the window's first quarter"
        );
        calls["revealTestSet"]++;
    }

    function _commit(uint256 id, address c) internal {
        bool first = _entry[id][c].seq == 0;
        uint256 value = first ? _terms[id].bond : 0;
        vm.deal(c, value);
        vm.prank(c);
        registry.commitModel{value: value}(id, _commitment[c]);
        Model storage m = _model[id];
        m.commits += 1;
        if (first) m.committers += 1;
        _entry[id][c] = PayoutModel.Entry(c, 0, m.commits);
        assertEq(registry.entry(id, c).commitSeq, m.commits, "commit sequence number");
        ghostDeposited += value;
        ghostBondPaid[id][c] += value;
        calls[first ? bytes32("commit") : bytes32("recommit")]++;
    }

    function _prove(uint256 id, uint256 who, uint256 count, uint256 correct) internal {
        for (uint256 k = 0; k < count; ++k) {
            (address c, bool found) = _pick(id, EntryStatus.Committed, who % _players.length + k);
            if (!found) return;
            uint256 score = bound(uint256(keccak256(abi.encode(correct, k))), 0, N); // < 4: scored
            uint256 verdict = uint256(keccak256(abi.encode(correct, k, "verdict"))) % 8;
            if (verdict == 0) {
                _rejectedProof(id, c, score, MockVerifier.Mode.Revert);
            } else if (verdict == 1) {
                _rejectedProof(id, c, score, MockVerifier.Mode.ReturnFalse);
            } else if (verdict == 2) {
                _rejectedProof(id, c, score, MockVerifier.Mode.ReturnShort);
            } else {
                _acceptedProof(
                    id,
                    c,
                    score,
                    verdict % 2 == 0 ? MockVerifier.Mode.AcceptEmpty : MockVerifier.Mode.ReturnTrue,
                    uint256(keccak256(abi.encode(correct, k, "hint")))
                );
            }
        }
    }

    function _acceptedProof(uint256 id, address c, uint256 score, MockVerifier.Mode mode, uint256 hintSeed)
        internal
    {
        Model storage m = _model[id];
        bool ranked = score >= MIN_CORRECT;
        address hint = ranked ? _hint(id, c, score, hintSeed) : address(uint160(hintSeed)); // ignored if scored
        if (ranked && hintSeed % 5 == 0) _badHint(id, c, score, hintSeed);
        verifier.setMode(mode);
        vm.recordLogs();
        vm.prank(c);
        registry.submitProof(id, score, hex"01", hint);
        verifier.setMode(MockVerifier.Mode.AcceptEmpty);
        _entry[id][c].correct = score;
        if (ranked) m.qualified.push(c);
        else m.scored += 1;
        _scored[id][c] = !ranked;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event per accepted proof");
        assertEq(logs[0].topics[0], ProofAccepted.selector, "ProofAccepted");
        assertEq(address(uint160(uint256(logs[0].topics[2]))), c, "ProofAccepted: competitor");
        assertEq(
            logs[0].data,
            abi.encode(score, ranked, m.qualified.length, m.qualified.length + m.scored),
            "ProofAccepted: correct, ranked, qualifiers, provers"
        );
        (address[] memory order,,) = registry.ranking(id);
        address[] memory expected = _ranked(id);
        assertEq(abi.encode(order), abi.encode(expected), "ranking == the model's, whatever the hint");
        calls[ranked ? bytes32("submitProof") : bytes32("scoredProof")]++;
    }

    /// @dev A valid hint for `c`'s ranked proof of `score`: none, the entry right before it, or
    ///      (stale, as if read before later proofs) one further up.
    function _hint(uint256 id, address c, uint256 score, uint256 seed) internal returns (address) {
        PayoutModel.Entry memory me = PayoutModel.Entry(c, score, _entry[id][c].seq);
        address[] memory order = _ranked(id);
        uint256 before;
        while (before < order.length && PayoutModel.better(_entry[id][order[before]], me)) ++before;
        if (before == 0 || seed % 3 == 0) return address(0);
        if (seed % 3 == 1) return order[before - 1];
        calls["staleHint"]++;
        return order[(seed >> 8) % before];
    }

    /// @dev Tries `c`'s proof with a bad hint first: an entry ranked after it, a scored entry or
    ///      a player without an accepted proof. Must revert `BadRankHint` and leave no trace.
    function _badHint(uint256 id, address c, uint256 score, uint256 seed) internal {
        PayoutModel.Entry memory me = PayoutModel.Entry(c, score, _entry[id][c].seq);
        address bad;
        for (uint256 k = 0; k < _players.length && bad == address(0); ++k) {
            address o = _players[(seed + k) % _players.length];
            EntryStatus st = registry.entry(id, o).status;
            bool worse = st == EntryStatus.Qualified && !PayoutModel.better(_entry[id][o], me);
            if (worse || st == EntryStatus.Scored || st == EntryStatus.Committed || st == EntryStatus.None) bad = o;
        }
        if (bad == address(0)) return;
        bytes32 before = _fingerprint(id, c);
        vm.recordLogs();
        vm.prank(c);
        (bool ok, bytes memory err) =
            address(registry).call(abi.encodeCall(registry.submitProof, (id, score, hex"01", bad)));
        assertTrue(!ok, "bad hint accepted");
        assertEq(err, abi.encodeWithSelector(IContestRegistryEvents.BadRankHint.selector, id, bad), "BadRankHint");
        assertEq(vm.getRecordedLogs().length, 0, "bad hint: no event");
        assertEq(_fingerprint(id, c), before, "bad hint: no trace");
        calls["badHint"]++;
    }

    /// @dev The verifier says no: the call reverts with `ProofRejected` and changes nothing.
    function _rejectedProof(uint256 id, address c, uint256 score, MockVerifier.Mode mode) internal {
        bytes32 before = _fingerprint(id, c);
        verifier.setMode(mode);
        vm.recordLogs();
        vm.prank(c);
        (bool ok, bytes memory err) =
            address(registry).call(abi.encodeCall(registry.submitProof, (id, score, hex"00", address(0))));
        verifier.setMode(MockVerifier.Mode.AcceptEmpty);
        assertTrue(!ok, "rejected proof accepted");
        assertEq(err, abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, c, score), "ProofRejected");
        assertEq(vm.getRecordedLogs().length, 0, "rejected proof: no event");
        assertEq(_fingerprint(id, c), before, "rejected proof: no trace");
        calls["rejectedProof"]++;
    }

    /// @dev Everything a proof could change: the ranking, the books, the entry.
    function _fingerprint(uint256 id, address c) internal view returns (bytes32) {
        (address[] memory who, uint256[] memory correct, uint256[] memory seq) = registry.ranking(id);
        ContestView memory v = registry.contest(id);
        EntryView memory e = registry.entry(id, c);
        return keccak256(
            abi.encode(who, correct, seq, v.qualifiers, v.provers, v.held, v.phase, e, address(registry).balance)
        );
    }

    /// @dev One `forfeit`: every entry shown as called (the first round's if the ranking is not
    ///      closed yet) must be forfeited by it, and no other; then, unless settled, the places
    ///      left are called (called minus forfeited entries is K again, or the ranking ran out).
    function _forfeit(uint256 id, address by) internal {
        uint256 expected;
        for (uint256 k = 0; k < _players.length; ++k) {
            address c = _players[k];
            if (registry.entry(id, c).status == EntryStatus.Called) {
                _expectForfeit[id][c] = true;
                ++expected;
            }
        }
        assertTrue(expected > 0, "forfeit: a round past its deadline has an unrevealed entry");
        _pendingForfeits = expected;
        vm.recordLogs();
        vm.prank(by);
        registry.forfeit(id);
        _checkLogs();
        Model storage m = _model[id];
        m.forfeitCalls += 1;
        if (!m.settled) {
            uint256 ranks = _terms[id].payoutBps.length;
            assertTrue(
                m.called - m.forfeits == ranks || m.called == m.qualified.length,
                "forfeit: as many called as places are left"
            );
        }
    }

    function _closeRanking(uint256 id, address by) internal {
        vm.recordLogs();
        vm.prank(by);
        registry.closeRanking(id);
        _checkLogs();
        assertTrue(_closed(id), "closeRanking: calls an entry or settles");
    }

    function _withdraw(uint256 id, address a) internal {
        vm.recordLogs();
        vm.prank(a);
        uint256 amount = registry.withdraw(id);
        _checkLogs(); // a withdrawal may close the ranking
        ghostWithdrawn += amount;
        ghostWithdrawnBy[id][a] += amount;
        // Straight away, a second withdrawal must find nothing.
        vm.prank(a);
        (bool again,) = address(registry).call(abi.encodeCall(registry.withdraw, (id)));
        if (again) ghostSecondWithdrawSucceeded = true;
    }

    /// @dev Checks the registry's events since `vm.recordLogs()` against the model.
    function _checkLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(registry)) continue;
            bytes32 t = l.topics[0];
            if (t == WinnerCalled.selector) _onWinnerCalled(l);
            else if (t == ModelForfeited.selector) _onForfeited(l);
            else if (t == PrizeAwarded.selector) _onPrizeAwarded(l);
            else if (t == BondPoolAwarded.selector) _onPoolAwarded(l);
            else if (t == ContestSettled.selector) _onSettled(l);
            else assertTrue(t != ProofAccepted.selector, "unexpected ProofAccepted");
        }
        assertEq(_pendingForfeits, 0, "forfeit: a called entry not forfeited");
    }

    /// @dev The next entry in the model's ranking: the first `K` at the common deadline
    ///      `proofEnds + revealWindow` when the ranking closes, then, in each later round, as many
    ///      as were forfeited, with one fresh deadline.
    function _onWinnerCalled(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address who = address(uint160(uint256(l.topics[2])));
        (uint256 position, uint256 deadline) = abi.decode(l.data, (uint256, uint256));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        address[] memory ranked = _ranked(id);
        uint256 ranks = t.payoutBps.length;
        assertEq(position, m.called, "WinnerCalled: position = entries called so far");
        assertTrue(position < ranked.length, "WinnerCalled: beyond the ranking");
        assertEq(who, ranked[position], "WinnerCalled: next entry in the model's ranking");
        if (position < ranks) {
            assertEq(deadline, uint256(m.proofEnds) + t.revealWindow, "WinnerCalled: first round's deadline");
        } else {
            assertLt(position, ranks + m.forfeits, "WinnerCalled: one call per forfeited place");
            assertEq(deadline, block.timestamp + t.revealWindow, "WinnerCalled: fresh round");
        }
        m.called += 1;
        _called[id][who] = true;
    }

    function _onForfeited(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address who = address(uint160(uint256(l.topics[2])));
        (uint256 revealDeadline, uint256 bond) = abi.decode(l.data, (uint256, uint256));
        assertTrue(_expectForfeit[id][who], "ModelForfeited: an entry that was not called and unrevealed");
        assertTrue(_called[id][who], "ModelForfeited: entry was called");
        assertTrue(block.timestamp > revealDeadline, "ModelForfeited: inside the window");
        assertEq(bond, _terms[id].bond, "ModelForfeited: bond");
        _expectForfeit[id][who] = false;
        _pendingForfeits -= 1;
        _forfeited[id][who] = true;
        _model[id].forfeits += 1;
    }

    /// @dev Recorded; checked against the model when the contest settles (same transaction).
    function _onPoolAwarded(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        Model storage m = _model[id];
        assertTrue(!m.settled, "BondPoolAwarded after ContestSettled");
        _poolTo[id][m.poolEvents] = address(uint160(uint256(l.topics[2])));
        _poolAmount[id][m.poolEvents] = abi.decode(l.data, (uint256));
        m.poolEvents += 1;
    }

    /// @dev Place `j` goes to the `j`-th non-forfeited entry in ranking order, once every better
    ///      entry is resolved, places in order, `prize * payoutBps[j] / 10_000` each.
    function _onPrizeAwarded(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address winner = address(uint160(uint256(l.topics[2])));
        (uint256 place, uint256 amount) = abi.decode(l.data, (uint256, uint256));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        assertTrue(!m.settled, "PrizeAwarded after ContestSettled");
        address[] memory ranked = _ranked(id);
        uint256 j;
        uint256 i;
        for (; i < ranked.length && ranked[i] != winner; ++i) {
            address a = ranked[i];
            assertTrue(_revealed[id][a] || _forfeited[id][a], "PrizeAwarded: a better entry is undecided");
            if (!_forfeited[id][a]) ++j;
        }
        assertTrue(i < ranked.length, "PrizeAwarded: winner not in the ranking");
        assertTrue(_called[id][winner] && _revealed[id][winner], "PrizeAwarded: winner not called and revealed");
        assertEq(place, j, "PrizeAwarded: place = non-forfeited entries ranked above");
        assertEq(place, m.awards, "PrizeAwarded: places in order");
        assertTrue(place < t.payoutBps.length, "PrizeAwarded: beyond the paid ranks");
        assertEq(amount, t.prize * t.payoutBps[place] / BPS, "PrizeAwarded: amount = prize * payoutBps[place]");
        awardedTo[id][place] = winner;
        m.awards += 1;
        m.awarded += amount;
    }

    /// @dev Once, when every place is decided: the remainder to place 0's winner (or the organiser).
    function _onSettled(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        (uint256 winnersPaid, uint256 remainder, address to) = abi.decode(l.data, (uint256, uint256, address));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        assertTrue(!m.settled, "ContestSettled twice");
        assertEq(winnersPaid, m.awards, "ContestSettled: winners paid");
        assertEq(remainder, t.prize - m.awarded, "ContestSettled: remainder");
        assertEq(to, m.awards > 0 ? awardedTo[id][0] : t.organiser, "ContestSettled: remainder to first place");
        _checkPoolEvents(id);
        if (m.awards < t.payoutBps.length) {
            address[] memory ranked = _ranked(id);
            for (uint256 i = 0; i < ranked.length; ++i) {
                assertTrue(
                    _revealed[id][ranked[i]] || _forfeited[id][ranked[i]], "ContestSettled: an entry is undecided"
                );
            }
        }
        m.settled = true;
    }

    /// @dev The pool at settlement: each paid place `p >= 1` its share (events only for
    ///      non-zero ones), then place 0 the rest; with no place paid, one event for the scored
    ///      entries (to 0), or for the organiser when there is none; no event for an empty pool.
    function _checkPoolEvents(uint256 id) internal view {
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        uint256 pool = _pool(id);
        assertEq(registry.contest(id).bondPool, pool, "bondPool == the model's pool");
        uint256 k;
        if (pool != 0) {
            if (m.awards > 0) {
                uint256 rest = pool;
                for (uint256 p = 1; p < m.awards; ++p) {
                    uint256 share = pool * t.payoutBps[p] / BPS;
                    rest -= share;
                    if (share == 0) continue;
                    assertEq(_poolTo[id][k], awardedTo[id][p], "BondPoolAwarded: place p's winner");
                    assertEq(_poolAmount[id][k], share, "BondPoolAwarded: pool * payoutBps[p]");
                    ++k;
                }
                assertEq(_poolTo[id][k], awardedTo[id][0], "BondPoolAwarded: first place");
                assertEq(_poolAmount[id][k], rest, "BondPoolAwarded: first place takes the rest");
            } else {
                address to = m.scored > 0 ? address(0) : t.organiser;
                assertEq(_poolTo[id][k], to, "BondPoolAwarded: the scored entries, else the organiser");
                assertEq(_poolAmount[id][k], pool, "BondPoolAwarded: the whole pool");
            }
            ++k;
        }
        assertEq(m.poolEvents, k, "BondPoolAwarded: one per credit");
    }

    /// @dev The model's bond pool once the proof window is over and every round decided.
    function _pool(uint256 id) internal view returns (uint256) {
        Model storage m = _model[id];
        return PayoutModel.bondPool(_terms[id].bond, m.committers, m.qualified.length + m.scored, m.forfeits);
    }

    /// @dev Each actor withdrew exactly what the model gives it; the scored entries' equal shares
    ///      of an unpaid pool add up to it, one of them (the first claimer) with the rounding.
    function _checkDues(uint256 id, PayoutModel.Outcome memory o) internal view {
        Terms storage t = _terms[id];
        Model storage m = _model[id];
        bool anyProver = m.qualified.length + m.scored > 0;
        uint256 dust = o.scored > 0 ? o.pool % o.scored : 0;
        uint256 dustTaken;
        for (uint256 a = 0; a < organisers.length + competitors.length; ++a) {
            address who = _actor(a);
            PayoutModel.Account memory acc = PayoutModel.Account(
                _entry[id][who].seq != 0,
                _scored[id][who] || _isQualified(id, who),
                _scored[id][who],
                _forfeited[id][who]
            );
            uint256 due = PayoutModel.due(o, who, t.organiser, t.bond, acc, anyProver, false);
            uint256 got = ghostWithdrawnBy[id][who];
            if (acc.scored && dust > 0 && got == due + dust) {
                dustTaken += 1;
                continue;
            }
            assertEq(got, due, "model: withdrawn == due");
        }
        if (dust > 0) assertEq(dustTaken, 1, "model: the rounding taken once");
    }

    function _isQualified(uint256 id, address who) internal view returns (bool) {
        address[] storage q = _model[id].qualified;
        for (uint256 i = 0; i < q.length; ++i) {
            if (q[i] == who) return true;
        }
        return false;
    }

    /// @dev A default: each committer took its bond and an equal share (the last one the rounding).
    function _checkDefault(uint256 id, Terms storage t) internal view {
        uint256 n = organisers.length + competitors.length;
        uint256 committers;
        uint256 total;
        for (uint256 a = 0; a < n; ++a) {
            address who = _actor(a);
            if (_entry[id][who].seq != 0) ++committers;
            total += ghostWithdrawnBy[id][who];
        }
        // A successful challenge took its reward out of the prize first.
        uint256 reward = _reward[id];
        uint256 prize = t.prize - reward;
        if (committers == 0) {
            uint256 back = ghostWithdrawnBy[id][t.organiser];
            uint256 own = _challenger[id] == t.organiser ? reward : 0;
            assertEq(back, prize + own, "default: prize (less a reward) back to the organiser");
            assertEq(total, t.prize, "default: the whole prize paid out");
            return;
        }
        uint256 share = prize / committers;
        uint256 lastShare = prize - share * (committers - 1);
        for (uint256 a = 0; a < n; ++a) {
            address who = _actor(a);
            uint256 got = ghostWithdrawnBy[id][who];
            if (who == _challenger[id]) got -= reward;
            if (_entry[id][who].seq == 0) {
                assertEq(got, 0, "default: non-committer paid");
            } else {
                assertTrue(got == t.bond + share || got == t.bond + lastShare, "default: bond + equal share");
            }
        }
        assertEq(total, committers * t.bond + t.prize, "default: prize and bonds paid out");
    }

    /// @dev The model's ranking of the accepted proofs.
    function _ranked(uint256 id) internal view returns (address[] memory) {
        address[] storage q = _model[id].qualified;
        PayoutModel.Entry[] memory es = new PayoutModel.Entry[](q.length);
        for (uint256 i = 0; i < q.length; ++i) {
            es[i] = _entry[id][q[i]];
        }
        return PayoutModel.rank(es);
    }

    /// @dev Whether the registry has closed the ranking: closing calls an entry or settles.
    function _closed(uint256 id) internal view returns (bool) {
        return _model[id].called > 0 || _model[id].settled;
    }

    /// @dev The current reveal round's deadline: the first round's if the ranking is not closed.
    function _roundDeadline(uint256 id) internal view returns (uint256) {
        if (!_closed(id)) return uint256(_model[id].proofEnds) + _terms[id].revealWindow;
        return registry.contest(id).roundDeadline;
    }

    function _actor(uint256 i) internal view returns (address) {
        i %= organisers.length + competitors.length;
        return i < organisers.length ? organisers[i] : competitors[i - organisers.length];
    }

    /// @dev A player whose entry (as the registry's view reports it) has `status`, chosen by
    ///      `seed` among those that do.
    function _pick(uint256 id, EntryStatus status, uint256 seed) internal view returns (address, bool) {
        uint256 n = _players.length;
        for (uint256 k = 0; k < n; ++k) {
            address c = _players[(seed % n + k) % n];
            if (registry.entry(id, c).status == status) return (c, true);
        }
        return (address(0), false);
    }

    /// @dev A player's "packed model and salt".
    function _modelElems(address c) internal pure returns (uint256[] memory model) {
        model = new uint256[](3);
        model[0] = uint160(c);
        model[1] = uint256(keccak256(abi.encode("weights", c))) >> 8;
        model[2] = uint256(keccak256(abi.encode("salt", c))) % P;
    }

    /// @dev Mostly the newest contest, so one contest gets through all its phases in a short
    ///      run; the first action of a run creates the first contest. `ok` is always true now
    ///      (kept so that every action reads the same).
    function _contest(uint256 which) internal returns (uint256 id, bool ok) {
        uint256 n = contestIds.length;
        if (n == 0) {
            uint256 seed = uint256(keccak256(abi.encode(which, "first contest")));
            return (_create(seed, seed >> 64, seed >> 128, seed >> 192), true);
        }
        return (contestIds[which % 2 == 0 ? (which >> 1) % n : n - 1], true);
    }

    /// @dev The chain's state after `elems` from `TESTSET_TAG`, before the length (a claim).
    function _claim(uint256[] memory elems) internal view returns (uint256) {
        return _absorbed(TESTSET_TAG, elems);
    }

    /// @dev The chain's state after `elems` from `h`.
    function _absorbed(uint256 h, uint256[] memory elems) internal view returns (uint256) {
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(_poseidon).hash([h, elems[i]]);
        }
        return h;
    }

    function _chain(uint256 tag, uint256[] memory elems) internal view returns (uint256 h) {
        h = tag;
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(_poseidon).hash([h, elems[i]]);
        }
        h = IPoseidonT3(_poseidon).hash([h, elems.length]);
    }
}
