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
import {RegistryHandlerBase} from "./RegistryHandlerBase.sol";

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
///      One contest in four is sharded (PROTOCOL §14.1: two shards of 8 rows under a root `T`):
///      its test set is posted shard by shard, and its players prove shard by shard — all their
///      missing shards or only the next one, a shard proved twice or out of range must revert and
///      leave no trace — so that some entries are left part-way, which the reference model
///      treats as never proved (bond to the pool) and the registry must too.
contract RegistryHandler is RegistryHandlerBase {
    constructor(ContestRegistry registry_, MockVerifier verifier_, address poseidon_)
        RegistryHandlerBase(registry_, verifier_, poseidon_)
    {
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
        _shardSet = [uint256(3), 1, 4, 1, 5, 2];
        uint256[] memory roots = new uint256[](SHARDS);
        for (uint256 sh = 0; sh < SHARDS; ++sh) {
            roots[sh] = _chain(TESTSET_TAG, _shard(sh));
        }
        _shardRoot = _chain(ROOT_TAG, roots);
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
        bool sharded = seed % 4 == 2;
        p.testSetCommitment = lying ? _lieCommitment : sharded ? _shardRoot : _testSetCommitment;
        p.testSetSize = N;
        p.minCorrect = MIN_CORRECT;
        // 16 rows of 16 features in 0 ..= 7 (3 bits, 82 per element: 4 elements) and labels in
        // 0 ..= 5 (1 element): `_testSet` below decodes (each element's lowest value only).
        p.features = 16;
        p.featureSpan = 7;
        p.classes = 6;
        p.shards = sharded ? SHARDS : 1;
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
        _sharded[id] = sharded;
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
        (bool done,) =
            address(registry).call(abi.encodeCall(registry.challengeTestSet, (id, 0, 0, TESTSET_TAG, claimed, first)));
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

    // ------------------------------------------------------------------ internals

    /// @dev The organiser posts the test set in one chunk or two (a lying one: two, cut at 2); a
    ///      sharded one shard by shard, the first in one chunk or two.
    function _revealTestSet(uint256 id, uint256 cut) internal {
        address organiser = _terms[id].organiser;
        if (_sharded[id]) {
            uint256[] memory first0 = _shard(0);
            uint256[] memory second = _shard(1);
            cut = bound(cut, 1, first0.length);
            uint256[] memory head = new uint256[](cut);
            uint256[] memory tail = new uint256[](first0.length - cut);
            for (uint256 i = 0; i < first0.length; ++i) {
                if (i < cut) head[i] = first0[i];
                else tail[i - cut] = first0[i];
            }
            vm.startPrank(organiser);
            registry.revealTestSet(id, head, _claim(head), false);
            if (tail.length > 0) registry.revealTestSet(id, tail, _claim(first0), false);
            registry.revealTestSet(id, second, _claim(second), true);
            vm.stopPrank();
            _testSetVerified(id);
            return;
        }
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
        _testSetVerified(id);
    }

    /// @dev Books a verified test-set reveal and checks the windows it opened.
    function _testSetVerified(uint256 id) internal {
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
            if (_sharded[id]) {
                _proveShards(id, c, score, uint256(keccak256(abi.encode(correct, k, "shards"))));
            } else if (verdict == 0) {
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

    function _acceptedProof(uint256 id, address c, uint256 score, MockVerifier.Mode mode, uint256 hintSeed) internal {
        bool ranked = score >= MIN_CORRECT;
        address hint = ranked ? _hint(id, c, score, hintSeed) : address(uint160(hintSeed)); // ignored if scored
        if (ranked && hintSeed % 5 == 0) _badHint(id, c, score, hintSeed);
        verifier.setMode(mode);
        vm.recordLogs();
        vm.prank(c);
        registry.submitProof(id, score, hex"01", hint);
        verifier.setMode(MockVerifier.Mode.AcceptEmpty);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event per accepted proof");
        _booked(id, c, score, logs[0]);
    }

    /// @dev Books `c`'s entry, complete with `score`, in the reference model, and checks its
    ///      `ProofAccepted` and the registry's ranking against the model's.
    function _booked(uint256 id, address c, uint256 score, Vm.Log memory log) internal {
        Model storage m = _model[id];
        bool ranked = score >= MIN_CORRECT;
        _entry[id][c].correct = score;
        if (ranked) m.qualified.push(c);
        else m.scored += 1;
        _scored[id][c] = !ranked;
        assertEq(log.topics[0], ProofAccepted.selector, "ProofAccepted");
        assertEq(address(uint160(uint256(log.topics[2]))), c, "ProofAccepted: competitor");
        assertEq(
            log.data,
            abi.encode(score, ranked, m.qualified.length, m.qualified.length + m.scored),
            "ProofAccepted: correct, ranked, qualifiers, provers"
        );
        (address[] memory order,,) = registry.ranking(id);
        address[] memory expected = _ranked(id);
        assertEq(abi.encode(order), abi.encode(expected), "ranking == the model's, whatever the hint");
        calls[ranked ? bytes32("submitProof") : bytes32("scoredProof")]++;
    }

    /// @dev `c` proves shards of a sharded contest: every missing one, or (one time in three)
    ///      only the first missing one, so that some entries stay part-way. Shard `s` counts
    ///      `score` split in two (each at most 8 rows); one proof in eight is rejected by the
    ///      verifier; now and then a shard already proved, or one out of range, is tried first.
    ///      Each refusal must revert with its error and leave no trace. An accepted shard emits
    ///      `ShardProofAccepted` (and changes nothing else); the last one also `ProofAccepted`,
    ///      with the sum of the counts of all the entry's shards, and books the entry.
    function _proveShards(uint256 id, address c, uint256 score, uint256 seed) internal {
        uint256 last = seed % 3 == 0 ? 1 : SHARDS;
        uint256 sent;
        for (uint256 sh = 0; sh < SHARDS && sent < last; ++sh) {
            if (_shardMask[id][c] & (1 << sh) != 0) continue;
            uint256 part = sh == 0 ? score - score / 2 : score / 2;
            uint256 r = uint256(keccak256(abi.encode(seed, sh)));
            if (r % 7 == 0) {
                uint256 done = _shardMask[id][c] & 1 != 0 ? 0 : _shardMask[id][c] & 2 != 0 ? 1 : SHARDS;
                bytes memory why = done == SHARDS
                    ? abi.encodeWithSelector(IContestRegistryEvents.ShardOutOfRange.selector, id, SHARDS, SHARDS)
                    : abi.encodeWithSelector(IContestRegistryEvents.ShardAlreadyProved.selector, id, c, done);
                _refusedShard(id, c, done, part, why, MockVerifier.Mode.AcceptEmpty);
            }
            if (r % 8 == 1) {
                bytes memory why = abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, c, part);
                _refusedShard(id, c, sh, part, why, MockVerifier.Mode.Revert);
                return; // the entry tries again some other time
            }
            _acceptedShard(id, c, sh, part, r);
            ++sent;
        }
    }

    /// @dev `c`'s accepted proof of shard `sh` counting `part`.
    function _acceptedShard(uint256 id, address c, uint256 sh, uint256 part, uint256 seed) internal {
        uint256 total = _shardSum[id][c] + part;
        bool complete = _shardMask[id][c] | (1 << sh) == (1 << SHARDS) - 1;
        address hint = complete && total >= MIN_CORRECT ? _hint(id, c, total, seed) : address(0);
        vm.recordLogs();
        vm.prank(c);
        registry.submitShardProof(id, sh, part, hex"01", hint);
        _shardMask[id][c] |= 1 << sh;
        _shardSum[id][c] = total;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, complete ? 2 : 1, "ShardProofAccepted, and ProofAccepted with the last");
        assertEq(logs[0].topics[0], ShardProofAccepted.selector, "ShardProofAccepted");
        assertEq(address(uint160(uint256(logs[0].topics[2]))), c, "ShardProofAccepted: competitor");
        assertEq(
            logs[0].data,
            abi.encode(sh, part, complete ? SHARDS : 1),
            "ShardProofAccepted: shard, correct, shardsProved"
        );
        if (complete) {
            _booked(id, c, total, logs[1]);
        } else {
            assertEq(uint256(registry.entry(id, c).status), uint256(EntryStatus.Committed), "part-way: committed");
            calls["shardProof"]++;
        }
    }

    /// @dev `c`'s proof of `shard` (counting `part`) with the verifier in `mode` must revert with
    ///      `why` and change nothing.
    function _refusedShard(uint256 id, address c, uint256 shard, uint256 part, bytes memory why, MockVerifier.Mode mode)
        internal
    {
        bytes32 before = _fingerprint(id, c);
        verifier.setMode(mode);
        vm.recordLogs();
        vm.prank(c);
        (bool ok, bytes memory err) =
            address(registry).call(abi.encodeCall(registry.submitShardProof, (id, shard, part, hex"01", address(0))));
        verifier.setMode(MockVerifier.Mode.AcceptEmpty);
        assertTrue(!ok, "refused shard proof accepted");
        assertEq(err, why, "the shard proof's error");
        assertEq(vm.getRecordedLogs().length, 0, "refused shard proof: no event");
        assertEq(_fingerprint(id, c), before, "refused shard proof: no trace");
        calls["refusedShard"]++;
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
        assertEq(
            err, abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, c, score), "ProofRejected"
        );
        assertEq(vm.getRecordedLogs().length, 0, "rejected proof: no event");
        assertEq(_fingerprint(id, c), before, "rejected proof: no trace");
        calls["rejectedProof"]++;
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
}
