// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {PayoutModel} from "./utils/PayoutModel.sol";
import {Vm} from "./utils/Vm.sol";
import {ContestParams, EntryStatus, EntryView, Phase} from "../src/ContestTypes.sol";

/// @notice Who gets which place. A fuzz test checks every `WinnerCalled`, `PrizeAwarded` and
///         `ContestSettled` event and every account's withdrawal against the reference model
///         (`test/utils/PayoutModel.sol`) over fuzzed rankings with ties, replaced commitments,
///         forfeits and move-ups, reveal orders, share splits and prizes, with the organiser
///         sometimes competing; unit tests pin the corner cases.
contract ContestRegistryPlacesTest is RegistryFixture {
    uint256 internal constant FIRST = PRIZE * 7000 / 10_000;
    uint256 internal constant SECOND = PRIZE * 2000 / 10_000;
    uint256 internal constant THIRD = PRIZE * 1000 / 10_000;

    address internal keeper;
    address internal eve;

    // One fuzz case's contest, kept in storage for the helpers (stack depth).
    uint256 internal fid;
    uint256 internal fprize;
    uint16[] internal fbps;
    address[] internal entrants;
    address[] internal ranked; // the model's ranking
    uint256 internal commits;
    uint256 internal forfeits;
    mapping(address => uint256) internal seqOf;
    mapping(address => uint256) internal scoreOf; // 0: no proof
    mapping(address => bool) internal willForfeit;
    mapping(address => bool) internal forfeited;

    function setUp() public override {
        super.setUp();
        keeper = makeAddr("keeper");
        eve = makeAddr("eve");
        vm.deal(eve, 100 ether);
    }

    // ------------------------------------------------------------------ against the model

    /// @notice The registry awards place `j` to the `j`-th non-forfeited entry in ranking order
    ///         (more correct first, ties by earlier commit), `prize * payoutBps[j] / 10_000` each,
    ///         in place order, the remainder to the first-placed winner (or the organiser); it
    ///         calls the top `K` and one more per forfeit; and every account (the forfeiter
    ///         included, who gets nothing) withdraws exactly its due, leaving 0 wei.
    function testFuzz_places_MatchReferenceModel(uint256 seed) public {
        _createFuzzed(seed);
        _enter(seed);
        toRevealPhase(fid);
        vm.recordLogs();
        _revealOrForfeit(seed);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        PayoutModel.Outcome memory o = _modelOutcome();
        _checkEvents(logs, o);
        _checkWithdrawals(o);
    }

    function _createFuzzed(uint256 seed) internal {
        uint256 ranks = 1 + seed % 4;
        uint256 left = 10_000;
        for (uint256 i = 0; i + 1 < ranks; ++i) {
            uint256 share = bound(uint256(keccak256(abi.encode(seed, "share", i))), 1, left - (ranks - 1 - i));
            fbps.push(uint16(share));
            left -= share;
        }
        fbps.push(uint16(left));
        fprize = bound(uint256(keccak256(abi.encode(seed, "prize"))), 1, 1000 ether);
        ContestParams memory p = defaultParams();
        p.payoutBps = fbps;
        vm.deal(organiser, organiser.balance + fprize);
        vm.prank(organiser);
        fid = registry.createContest{value: fprize}(p);
    }

    /// @dev 1 to 6 entrants out of alice, bob, carol, dave, eve and the organiser, committing in
    ///      a fuzzed order; about 1 in 4 replaces its commitment afterwards (a later sequence
    ///      number); scores of 10 to 12 (ties are common), about 1 in 8 proves nothing; proofs in
    ///      another order; about 1 in 3 of them will not reveal.
    function _enter(uint256 seed) internal {
        address[6] memory pool = [alice, bob, carol, dave, eve, organiser];
        for (uint256 i = 6; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, "shuffle", i))) % i;
            (pool[i - 1], pool[j]) = (pool[j], pool[i - 1]);
        }
        uint256 n = 1 + (seed >> 8) % 6;
        for (uint256 i = 0; i < n; ++i) {
            entrants.push(pool[i]);
            commit(fid, pool[i]);
            seqOf[pool[i]] = ++commits;
        }
        for (uint256 i = 0; i < n; ++i) {
            address who = entrants[i];
            if (uint256(keccak256(abi.encode(seed, "recommit", who))) % 4 != 0) continue;
            uint256 c = modelCommitment(who);
            vm.prank(who);
            registry.commitModel(fid, c);
            seqOf[who] = ++commits;
        }
        toTestSetPhase(fid);
        revealTestSet(fid);
        for (uint256 k = 0; k < n; ++k) {
            address who = entrants[(k + seed % n) % n];
            uint256 r = uint256(keccak256(abi.encode(seed, "score", who))) % 8;
            willForfeit[who] = uint256(keccak256(abi.encode(seed, "forfeit", who))) % 3 == 0;
            if (r == 0) continue;
            scoreOf[who] = MIN_CORRECT + r % 3;
            prove(fid, who, scoreOf[who]);
        }
    }

    /// @dev Rounds: the entries called now reveal (in a fuzzed order) unless they are to forfeit;
    ///      then time passes their window and they are forfeited by the keeper, the organiser,
    ///      alice or themselves; the entries this calls up play the next round.
    function _revealOrForfeit(uint256 seed) internal {
        if ((seed >> 32) & 1 == 1 || !_anyQualified()) registry.closeRanking(fid);
        for (uint256 round = 0; round < 8; ++round) {
            address[] memory called = _calledNow(seed, round);
            if (called.length == 0) break;
            uint256 latest;
            for (uint256 i = 0; i < called.length; ++i) {
                if (!willForfeit[called[i]]) {
                    revealModel(fid, called[i]);
                } else if (registry.entry(fid, called[i]).revealDeadline > latest) {
                    latest = registry.entry(fid, called[i]).revealDeadline;
                }
            }
            if (latest == 0) continue;
            vm.warp(latest + 1);
            for (uint256 i = 0; i < called.length; ++i) {
                address who = called[i];
                if (!willForfeit[who]) continue;
                address[4] memory by = [keeper, organiser, alice, who];
                vm.prank(by[uint256(keccak256(abi.encode(seed, "by", who))) % 4]);
                registry.forfeit(fid, who);
                forfeited[who] = true;
                ++forfeits;
            }
        }
        assertEq(uint256(registry.phase(fid)), uint256(Phase.Settled), "settled");
    }

    function _anyQualified() internal view returns (bool) {
        for (uint256 i = 0; i < entrants.length; ++i) {
            if (scoreOf[entrants[i]] != 0) return true;
        }
        return false;
    }

    /// @dev The entrants the registry shows as called now, in a fuzzed order.
    function _calledNow(uint256 seed, uint256 round) internal view returns (address[] memory called) {
        uint256 n = entrants.length;
        address[] memory tmp = new address[](n);
        uint256 m;
        uint256 start = uint256(keccak256(abi.encode(seed, "order", round))) % n;
        for (uint256 k = 0; k < n; ++k) {
            address who = entrants[(start + k) % n];
            if (registry.entry(fid, who).status == EntryStatus.Called) tmp[m++] = who;
        }
        called = new address[](m);
        for (uint256 i = 0; i < m; ++i) {
            called[i] = tmp[i];
        }
    }

    function _modelOutcome() internal returns (PayoutModel.Outcome memory) {
        uint256 q;
        for (uint256 i = 0; i < entrants.length; ++i) {
            if (scoreOf[entrants[i]] != 0) ++q;
        }
        PayoutModel.Entry[] memory es = new PayoutModel.Entry[](q);
        uint256 k;
        for (uint256 i = 0; i < entrants.length; ++i) {
            address who = entrants[i];
            if (scoreOf[who] != 0) es[k++] = PayoutModel.Entry(who, scoreOf[who], seqOf[who]);
        }
        ranked = PayoutModel.rank(es);
        bool[] memory lost = new bool[](q);
        for (uint256 i = 0; i < q; ++i) {
            lost[i] = forfeited[ranked[i]];
        }
        return PayoutModel.places(ranked, lost, fbps, fprize, organiser);
    }

    function _checkEvents(Vm.Log[] memory logs, PayoutModel.Outcome memory o) internal view {
        uint256 awards;
        uint256 calls;
        bool settled;
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(registry)) continue;
            if (l.topics[0] == WinnerCalled.selector) {
                (uint256 position,) = abi.decode(l.data, (uint256, uint256));
                assertEq(position, calls, "WinnerCalled: position");
                assertEq(
                    address(uint160(uint256(l.topics[2]))), ranked[calls], "WinnerCalled: next in the model's ranking"
                );
                ++calls;
            } else if (l.topics[0] == PrizeAwarded.selector) {
                (uint256 place, uint256 amount) = abi.decode(l.data, (uint256, uint256));
                assertTrue(!settled && awards < o.winners.length, "PrizeAwarded: one too many");
                assertEq(place, awards, "PrizeAwarded: places in order");
                assertEq(address(uint160(uint256(l.topics[2]))), o.winners[awards], "PrizeAwarded: the model's winner");
                assertEq(amount, o.amounts[awards], "PrizeAwarded: the model's amount");
                ++awards;
            } else if (l.topics[0] == ContestSettled.selector) {
                (uint256 winnersPaid, uint256 remainder, address to) = abi.decode(l.data, (uint256, uint256, address));
                assertTrue(!settled, "ContestSettled twice");
                assertEq(winnersPaid, o.winners.length, "ContestSettled: winners paid");
                assertEq(remainder, o.remainder, "ContestSettled: remainder");
                assertEq(to, o.remainderTo, "ContestSettled: remainder to");
                settled = true;
            }
        }
        assertEq(awards, o.winners.length, "every place awarded");
        assertTrue(settled, "ContestSettled emitted");
        uint256 shouldCall = fbps.length + forfeits;
        if (shouldCall > ranked.length) shouldCall = ranked.length;
        assertEq(calls, shouldCall, "the top K called, then one more per forfeit");
    }

    function _checkWithdrawals(PayoutModel.Outcome memory o) internal {
        address[7] memory everyone = [alice, bob, carol, dave, eve, organiser, keeper];
        for (uint256 i = 0; i < everyone.length; ++i) {
            address who = everyone[i];
            uint256 due = PayoutModel.due(o, who, organiser, BOND, seqOf[who] != 0, forfeited[who], forfeits);
            assertEq(registry.owed(fid, who), due, "owed == the model's due");
            if (due > 0) assertEq(withdraw(fid, who), due, "withdrawn == the model's due");
        }
        assertEq(address(registry).balance, 0, "nothing left in the registry");
    }

    // ------------------------------------------------------------------ corner cases

    /// @notice carol and dave tie at the last paid rank (third); carol committed first, so she
    ///         holds it and dave is not called. carol forfeits: dave is called with a fresh
    ///         window, moves up and is paid the third share; carol's bond goes to the organiser,
    ///         nothing to the keeper who forfeited her.
    function test_forfeit_TieAtLastPaidRank_NextTiedEntryMovesUp() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol, dave), nums(18, 15, 12, 12));
        toRevealPhase(id);
        (address[] memory order,) = registry.ranking(id);
        assertEq(order[2], carol, "carol's earlier commit wins the tie");
        assertEq(order[3], dave, "dave behind her");
        revealModel(id, alice);
        revealModel(id, bob);
        assertEq(uint256(registry.entry(id, dave).status), uint256(EntryStatus.Qualified), "dave not called");

        uint256 deadline = registry.entry(id, carol).revealDeadline;
        vm.warp(deadline + 1);
        vm.expectEmit();
        emit ModelForfeited(id, carol, deadline, BOND, organiser);
        vm.expectEmit();
        emit WinnerCalled(id, dave, 3, deadline + 1 + WINDOW);
        vm.prank(keeper);
        registry.forfeit(id, carol);
        assertEq(registry.contest(id).winnersPaid, 2, "third place waits for dave");

        vm.expectEmit();
        emit PrizeAwarded(id, dave, 2, THIRD);
        vm.expectEmit();
        emit ContestSettled(id, 3, 0, alice);
        revealModel(id, dave);

        assertEq(withdraw(id, alice), FIRST + BOND, "alice first");
        assertEq(withdraw(id, bob), SECOND + BOND, "bob second");
        assertEq(withdraw(id, dave), THIRD + BOND, "dave moved up to third");
        assertEq(withdraw(id, organiser), BOND, "carol's bond to the organiser");
        assertEq(registry.owed(id, carol), 0, "carol gets nothing");
        assertEq(registry.owed(id, keeper), 0, "the forfeiter gets nothing");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice The organiser enters its own contest: it is ranked and paid like anyone, and as
    ///         organiser it also collects a forfeited bond and the unfilled third share.
    function test_organiserAsCompetitor_PaidLikeAnyoneAndCollectsForfeitedBond() public {
        uint256 id = createDefault();
        commit(id, alice);
        commit(id, organiser);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, organiser, 15);
        prove(id, bob, 12);
        toRevealPhase(id);
        revealModel(id, organiser); // waits for alice
        revealModel(id, bob);
        assertEq(registry.owed(id, organiser), BOND, "only its bond while alice may reveal");
        vm.warp(registry.entry(id, alice).revealDeadline + 1);
        vm.expectEmit();
        emit PrizeAwarded(id, organiser, 0, FIRST);
        vm.expectEmit();
        emit PrizeAwarded(id, bob, 1, SECOND);
        vm.expectEmit();
        emit ContestSettled(id, 2, THIRD, organiser);
        vm.prank(bob);
        registry.forfeit(id, alice);
        assertEq(withdraw(id, organiser), FIRST + THIRD + 2 * BOND, "first place, remainder, own and alice's bonds");
        assertEq(withdraw(id, bob), SECOND + BOND, "bob second; nothing for forfeiting alice");
        assertEq(registry.owed(id, alice), 0, "alice forfeited");
        assertEq(address(registry).balance, 0, "drained");
    }
}
