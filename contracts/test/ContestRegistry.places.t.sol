// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {PayoutModel} from "./utils/PayoutModel.sol";
import {Vm} from "./utils/Vm.sol";
import {ContestParams, EntryStatus, EntryView, Phase} from "../src/ContestTypes.sol";

/// @notice Who gets which place, and the bond pool. A fuzz test checks every `WinnerCalled`,
///         `PrizeAwarded`, `BondPoolAwarded` and `ContestSettled` event and every account's
///         withdrawal against the reference model (`test/utils/PayoutModel.sol`) over fuzzed
///         rankings with ties, scored and unproved entries, replaced commitments, rank hints,
///         forfeit rounds and move-ups, reveal orders, share splits and prizes, with the organiser
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
    uint256 internal provers;
    uint256 internal scoredCount;
    uint256 internal forfeitCalls;
    uint256[] internal roundStarts; // when each forfeit call started a round
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

    /// @notice The registry awards place `j` to the `j`-th non-forfeited ranked entry in ranking
    ///         order (more correct first, ties by earlier commit), `prize * payoutBps[j] / 10_000`
    ///         each, in place order, the remainder to the first-placed winner (or the organiser);
    ///         the bond pool (unproved entries' bonds once anybody proved, forfeited bonds) by the
    ///         same split with the rest to first place, or to the scored entries, or the
    ///         organiser; it calls the top `K`, then after each round as many as places are
    ///         unfilled; and every account (the forfeiter included, who gets nothing) withdraws
    ///         exactly its due, leaving 0 wei.
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
    ///      number); scores of 10 to 12 (ties are common), about 1 in 8 proves nothing and 1 in 8
    ///      proves below the threshold (scored); proofs in another order, each with a fresh rank
    ///      hint or none; about 1 in 3 ranked entries will not reveal.
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
            ++provers;
            if (r == 1) {
                scoreOf[who] = MIN_CORRECT - 1 - uint256(keccak256(abi.encode(seed, "low", who))) % 3;
                ++scoredCount;
                prove(fid, who, scoreOf[who]);
                continue;
            }
            scoreOf[who] = MIN_CORRECT + r % 3;
            bool hinted = uint256(keccak256(abi.encode(seed, "hinted", who))) % 2 == 0;
            proveAfter(fid, who, scoreOf[who], hinted ? _freshHint(who) : address(0));
        }
    }

    /// @dev The ranked entry `who` goes right after (address(0): it goes first).
    function _freshHint(address who) internal view returns (address hint) {
        (address[] memory r, uint256[] memory c, uint256[] memory q) = registry.ranking(fid);
        uint256 correct = scoreOf[who];
        uint256 seq = seqOf[who];
        for (uint256 i = 0; i < r.length; ++i) {
            if (c[i] > correct || (c[i] == correct && q[i] < seq)) hint = r[i];
        }
    }

    function _ranked(address who) internal view returns (bool) {
        return scoreOf[who] >= MIN_CORRECT;
    }

    /// @dev Rounds: the entries called now reveal (in a fuzzed order) unless they are to forfeit;
    ///      then time passes the round's deadline and one `forfeit` by the keeper, the organiser,
    ///      alice or one of the entries to forfeit ends the round; the entries this calls up play
    ///      the next round.
    function _revealOrForfeit(uint256 seed) internal {
        if ((seed >> 32) & 1 == 1 || !_anyRanked()) registry.closeRanking(fid);
        for (uint256 round = 0; round < 8; ++round) {
            address[] memory called = _calledNow(seed, round);
            if (called.length == 0) break;
            address loser;
            for (uint256 i = 0; i < called.length; ++i) {
                if (!willForfeit[called[i]]) revealModel(fid, called[i]);
                else loser = called[i];
            }
            if (loser == address(0)) continue;
            uint256 deadline = roundDeadline(fid);
            vm.warp(deadline + 1 + uint256(keccak256(abi.encode(seed, "late", round))) % 1 hours);
            address[4] memory by = [keeper, organiser, alice, loser];
            roundStarts.push(block.timestamp);
            vm.prank(by[uint256(keccak256(abi.encode(seed, "by", round))) % 4]);
            registry.forfeit(fid);
            ++forfeitCalls;
            for (uint256 i = 0; i < called.length; ++i) {
                if (!willForfeit[called[i]]) continue;
                assertEq(
                    uint256(registry.entry(fid, called[i]).status),
                    uint256(EntryStatus.Forfeited),
                    "one forfeit call ends the whole round"
                );
                forfeited[called[i]] = true;
                ++forfeits;
            }
        }
        assertEq(uint256(registry.phase(fid)), uint256(Phase.Settled), "settled");
    }

    function _anyRanked() internal view returns (bool) {
        for (uint256 i = 0; i < entrants.length; ++i) {
            if (_ranked(entrants[i])) return true;
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
            if (_ranked(entrants[i])) ++q;
        }
        PayoutModel.Entry[] memory es = new PayoutModel.Entry[](q);
        uint256 k;
        for (uint256 i = 0; i < entrants.length; ++i) {
            address who = entrants[i];
            if (_ranked(who)) es[k++] = PayoutModel.Entry(who, scoreOf[who], seqOf[who]);
        }
        ranked = PayoutModel.rank(es);
        bool[] memory lost = new bool[](q);
        for (uint256 i = 0; i < q; ++i) {
            lost[i] = forfeited[ranked[i]];
        }
        uint256 pool = PayoutModel.bondPool(BOND, entrants.length, provers, forfeits);
        return PayoutModel.places(ranked, lost, fbps, fprize, organiser, pool, scoredCount);
    }

    function _checkEvents(Vm.Log[] memory logs, PayoutModel.Outcome memory o) internal view {
        uint256 awards;
        uint256 calls;
        uint256 poolEvents;
        bool settled;
        uint256 firstRound = uint256(registry.contest(fid).proofEnds) + WINDOW;
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(registry)) continue;
            if (l.topics[0] == WinnerCalled.selector) {
                (uint256 position, uint256 deadline) = abi.decode(l.data, (uint256, uint256));
                assertEq(position, calls, "WinnerCalled: position");
                assertEq(
                    address(uint160(uint256(l.topics[2]))), ranked[calls], "WinnerCalled: next in the model's ranking"
                );
                if (position < fbps.length) {
                    assertEq(deadline, firstRound, "WinnerCalled: the first round's common deadline");
                } else {
                    assertTrue(_startedARound(deadline - WINDOW), "WinnerCalled: a round started by a forfeit");
                }
                ++calls;
            } else if (l.topics[0] == PrizeAwarded.selector) {
                (uint256 place, uint256 amount) = abi.decode(l.data, (uint256, uint256));
                assertTrue(!settled && awards < o.winners.length, "PrizeAwarded: one too many");
                assertEq(place, awards, "PrizeAwarded: places in order");
                assertEq(address(uint160(uint256(l.topics[2]))), o.winners[awards], "PrizeAwarded: the model's winner");
                assertEq(amount, o.amounts[awards], "PrizeAwarded: the model's amount");
                ++awards;
            } else if (l.topics[0] == BondPoolAwarded.selector) {
                assertTrue(!settled, "BondPoolAwarded after ContestSettled");
                _checkPoolEvent(l, o, poolEvents);
                ++poolEvents;
            } else if (l.topics[0] == ContestSettled.selector) {
                (uint256 winnersPaid, uint256 remainder, address to) = abi.decode(l.data, (uint256, uint256, address));
                assertTrue(!settled, "ContestSettled twice");
                assertEq(winnersPaid, o.winners.length, "ContestSettled: winners paid");
                assertEq(remainder, o.remainder, "ContestSettled: remainder");
                assertEq(to, o.remainderTo, "ContestSettled: remainder to");
                settled = true;
            } else if (l.topics[0] == ModelForfeited.selector) {
                (, uint256 bond) = abi.decode(l.data, (uint256, uint256));
                assertEq(bond, BOND, "ModelForfeited: bond");
            }
        }
        assertEq(awards, o.winners.length, "every place awarded");
        assertEq(poolEvents, _expectedPoolEvents(o), "BondPoolAwarded: one per credit");
        assertTrue(settled, "ContestSettled emitted");
        uint256 shouldCall = fbps.length + forfeits;
        if (shouldCall > ranked.length) shouldCall = ranked.length;
        assertEq(calls, shouldCall, "the top K called, then as many as places left per round");
    }

    function _startedARound(uint256 t) internal view returns (bool) {
        for (uint256 i = 0; i < roundStarts.length; ++i) {
            if (roundStarts[i] == t) return true;
        }
        return false;
    }

    /// @dev Paid places `1 ..` with a non-zero share, then place 0 with the rest; or one event
    ///      for the scored entries or the organiser; none for an empty pool.
    function _expectedPoolEvents(PayoutModel.Outcome memory o) internal pure returns (uint256 n) {
        if (o.pool == 0) return 0;
        if (o.winners.length == 0) return 1;
        for (uint256 p = 0; p < o.winners.length; ++p) {
            if (o.poolAmounts[p] != 0) ++n;
        }
    }

    function _checkPoolEvent(Vm.Log memory l, PayoutModel.Outcome memory o, uint256 k) internal view {
        address to = address(uint160(uint256(l.topics[2])));
        uint256 amount = abi.decode(l.data, (uint256));
        assertTrue(o.pool > 0, "BondPoolAwarded: empty pool");
        if (o.winners.length == 0) {
            assertEq(to, o.scored > 0 ? address(0) : organiser, "BondPoolAwarded: to the scored, else the organiser");
            assertEq(amount, o.pool, "BondPoolAwarded: the whole pool");
            return;
        }
        // Places 1.. with a non-zero share, in order, then place 0.
        uint256 p = 1;
        for (uint256 seen = 0; p < o.winners.length; ++p) {
            if (o.poolAmounts[p] == 0) continue;
            if (seen == k) break;
            ++seen;
        }
        if (p == o.winners.length) p = 0;
        assertEq(to, o.winners[p], "BondPoolAwarded: the place's winner");
        assertEq(amount, o.poolAmounts[p], "BondPoolAwarded: the place's share");
    }

    function _checkWithdrawals(PayoutModel.Outcome memory o) internal {
        address[7] memory everyone = [alice, bob, carol, dave, eve, organiser, keeper];
        bool firstScoredSeen;
        for (uint256 i = 0; i < everyone.length; ++i) {
            address who = everyone[i];
            PayoutModel.Account memory a = PayoutModel.Account(
                seqOf[who] != 0, scoreOf[who] != 0, scoreOf[who] != 0 && !_ranked(who), forfeited[who]
            );
            bool first = a.scored && !firstScoredSeen;
            if (a.scored) firstScoredSeen = true;
            uint256 due = PayoutModel.due(o, who, organiser, BOND, a, provers > 0, first);
            assertEq(registry.owed(fid, who), due, "owed == the model's due");
            if (due > 0) assertEq(withdraw(fid, who), due, "withdrawn == the model's due");
        }
        assertEq(address(registry).balance, 0, "nothing left in the registry");
    }

    // ------------------------------------------------------------------ corner cases

    /// @notice carol and dave tie at the last paid rank (third); carol committed first, so she
    ///         holds it and dave is not called. carol forfeits: dave is called with a fresh
    ///         window, moves up and is paid the third share; carol's bond goes to the pool (split
    ///         70/20/10 among the paid places), nothing to the organiser or the keeper.
    function test_forfeit_TieAtLastPaidRank_NextTiedEntryMovesUp() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol, dave), nums(18, 15, 12, 12));
        toRevealPhase(id);
        (address[] memory order,,) = registry.ranking(id);
        assertEq(order[2], carol, "carol's earlier commit wins the tie");
        assertEq(order[3], dave, "dave behind her");
        revealModel(id, alice);
        revealModel(id, bob);
        assertEq(uint256(registry.entry(id, dave).status), uint256(EntryStatus.Qualified), "dave not called");

        uint256 deadline = registry.entry(id, carol).revealDeadline;
        vm.warp(deadline + 1);
        vm.expectEmit();
        emit ModelForfeited(id, carol, deadline, BOND);
        vm.expectEmit();
        emit WinnerCalled(id, dave, 3, deadline + 1 + WINDOW);
        vm.prank(keeper);
        registry.forfeit(id);
        assertEq(registry.contest(id).winnersPaid, 2, "third place waits for dave");

        vm.expectEmit();
        emit PrizeAwarded(id, dave, 2, THIRD);
        vm.expectEmit();
        emit ContestSettled(id, 3, 0, alice);
        revealModel(id, dave);

        assertEq(withdraw(id, alice), FIRST + BOND + BOND * 7 / 10, "alice first, 70 % of the pool");
        assertEq(withdraw(id, bob), SECOND + BOND + BOND * 2 / 10, "bob second, 20 %");
        assertEq(withdraw(id, dave), THIRD + BOND + BOND / 10, "dave moved up to third, 10 %");
        assertEq(registry.owed(id, organiser), 0, "carol's bond not to the organiser");
        assertEq(registry.owed(id, carol), 0, "carol gets nothing");
        assertEq(registry.owed(id, keeper), 0, "the forfeiter gets nothing");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice The organiser enters its own contest: it is ranked and paid like anyone, and the
    ///         bond forfeited ahead of it reaches it only as first place's pool share (as it
    ///         would any winner), never as organiser.
    function test_organiserAsCompetitor_PaidLikeAnyone() public {
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
        emit BondPoolAwarded(id, bob, BOND * 2000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, organiser, BOND * 8000 / 10_000);
        vm.expectEmit();
        emit ContestSettled(id, 2, THIRD, organiser);
        vm.prank(bob);
        registry.forfeit(id);
        assertEq(
            withdraw(id, organiser), FIRST + THIRD + BOND + BOND * 8 / 10, "first place, remainder, bond, pool rest"
        );
        assertEq(withdraw(id, bob), SECOND + BOND + BOND * 2 / 10, "bob second; nothing for forfeiting alice");
        assertEq(registry.owed(id, alice), 0, "alice forfeited");
        assertEq(address(registry).balance, 0, "drained");
    }
}
