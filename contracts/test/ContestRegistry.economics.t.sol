// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, EntryStatus, Phase} from "../src/ContestTypes.sol";

/// @notice The economic rules R1–R7 of contracts/README.md, each test an attack that succeeded
///         under the previous rules (unproved bonds refunded, forfeited bonds to the organiser,
///         one forfeit per entry, proof window to a fixed deadline, O(n) insertion) and now fails.
///         Rank hints (R7) and the proof window (R5) are tested in ContestRegistry.proof.t.sol.
contract ContestRegistryEconomicsTest is RegistryFixture {
    uint256 internal constant FIRST = PRIZE * 7000 / 10_000;
    uint256 internal constant SECOND = PRIZE * 2000 / 10_000;
    uint256 internal constant THIRD = PRIZE * 1000 / 10_000;

    address internal eve;
    address internal keeper;

    function setUp() public override {
        super.setUp();
        eve = makeAddr("eve");
        keeper = makeAddr("keeper");
        vm.deal(eve, 100 ether);
    }

    function sybil(uint256 i) internal pure returns (address) {
        return address(uint160(0x5b1100 + i));
    }

    /// @dev Commits `who` with the bond `bond` (for contests whose bond is not `BOND`).
    function commitWith(uint256 id, address who, uint256 bond) internal {
        uint256 c = modelCommitment(who);
        vm.deal(who, who.balance + bond);
        vm.prank(who);
        registry.commitModel{value: bond}(id, c);
    }

    function expectNothingToWithdraw(uint256 id, address who) internal {
        vm.prank(who);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, who));
        registry.withdraw(id);
    }

    // ------------------------------------------------------------------ R2: non-provers pay

    /// @notice Attack (pick the best): one person commits ten model variants from ten addresses
    ///         and proves only the best. Before, the nine unproved bonds came back after the proof
    ///         deadline: extra variants were free lottery tickets. Now they go to the bond pool,
    ///         paid out by the payout split: the honest second and third places get their shares,
    ///         first place (the attacker's best variant) the rest, and the nine addresses nothing.
    function test_pickTheBest_UnprovenSybilBondsGoToPaidPlaces() public {
        uint256 id = createDefault();
        for (uint256 i = 0; i < 10; ++i) {
            commitWith(id, sybil(i), BOND);
        }
        commit(id, alice);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, sybil(3), 18); // the best variant; the other nine never prove
        prove(id, alice, 15);
        prove(id, bob, 12);
        toRevealPhase(id);
        uint256 pool = 9 * BOND;
        assertEq(registry.contest(id).bondPool, pool, "nine unproved bonds pooled");
        for (uint256 i = 0; i < 10; ++i) {
            if (i == 3) continue;
            assertEq(registry.owed(id, sybil(i)), 0, "an unproved variant gets nothing back");
            expectNothingToWithdraw(id, sybil(i));
        }
        revealModel(id, sybil(3));
        revealModel(id, alice);
        vm.expectEmit();
        emit PrizeAwarded(id, bob, 2, THIRD);
        vm.expectEmit();
        emit BondPoolAwarded(id, alice, pool * 2000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, bob, pool * 1000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, sybil(3), pool - pool * 2000 / 10_000 - pool * 1000 / 10_000);
        vm.expectEmit();
        emit ContestSettled(id, 3, 0, sybil(3));
        revealModel(id, bob);

        assertEq(withdraw(id, alice), SECOND + BOND + 1.8 ether, "alice: second, bond, 20 % of the pool");
        assertEq(withdraw(id, bob), THIRD + BOND + 0.9 ether, "bob: third, bond, 10 % of the pool");
        uint256 attacker = withdraw(id, sybil(3));
        assertEq(attacker, FIRST + BOND + 6.3 ether, "the best variant: first, bond, the pool's rest");
        assertLt(attacker, FIRST + 10 * BOND, "the attacker gets back less than the old rules gave");
        for (uint256 i = 0; i < 10; ++i) {
            if (i != 3) assertEq(registry.owed(id, sybil(i)), 0, "still nothing");
        }
        assertEq(registry.owed(id, organiser), 0, "nothing for the organiser");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice The same attack when the attacker's best variant loses: its unproved siblings'
    ///         bonds pay the honest winner.
    function test_pickTheBest_WhenTheBestVariantLoses_ItsSiblingsPayTheWinner() public {
        ContestParams memory p = defaultParams();
        p.payoutBps = new uint16[](1);
        p.payoutBps[0] = 10_000;
        uint256 id = create(p);
        for (uint256 i = 0; i < 5; ++i) {
            commitWith(id, sybil(i), BOND);
        }
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, sybil(0), 15);
        toRevealPhase(id);
        revealModel(id, alice);
        assertEq(withdraw(id, alice), PRIZE + BOND + 4 * BOND, "prize, bond and the four unproved bonds");
        assertEq(withdraw(id, sybil(0)), BOND, "the proved variant: its bond (ranked, never called)");
        for (uint256 i = 1; i < 5; ++i) {
            assertEq(registry.owed(id, sybil(i)), 0, "unproved: nothing");
        }
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice If nobody proves at all, no bond is pooled: everyone gets its bond back and the
    ///         organiser its prize (the contest failed for everyone alike).
    function test_nobodyProved_BondsRefunded() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(0, 0));
        toRevealPhase(id);
        assertEq(registry.contest(id).bondPool, 0, "no pool");
        assertEq(withdraw(id, alice), BOND, "alice's bond");
        assertEq(withdraw(id, bob), BOND, "bob's bond");
        assertEq(withdraw(id, organiser), PRIZE, "the prize");
        assertEq(address(registry).balance, 0, "drained");
    }

    // ------------------------------------------------------------------ R1: scored, not ranked

    /// @notice A below-threshold model could not prove before (`BelowThreshold`), so an honest but
    ///         weak entry had to stay unproved, which is exactly what a sybil does. Now it proves,
    ///         is scored (not in `ranking`), and gets its bond back once the proof window is over,
    ///         before settlement; the entry that did not prove loses its bond to the pool.
    function test_belowThreshold_ScoredEntryGetsBondBack_NotRanked() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol), nums(18, MIN_CORRECT - 1, 0));
        assertEq(uint256(registry.entry(id, bob).status), uint256(EntryStatus.Scored), "bob scored");
        (address[] memory who,,) = registry.ranking(id);
        assertEq(who.length, 1, "only alice ranked");
        assertEq(who[0], alice, "alice");
        expectNothingToWithdraw(id, bob); // during the proof window
        toRevealPhase(id);
        assertEq(registry.owed(id, bob), BOND, "bob's bond once the window is over");
        assertEq(withdraw(id, bob), BOND, "bob withdraws before the contest settles");
        assertEq(uint256(registry.phase(id)), uint256(Phase.ModelReveal), "not settled yet");
        assertEq(registry.owed(id, carol), 0, "carol never proved: her bond is pooled");
        revealModel(id, alice);
        assertEq(withdraw(id, alice), PRIZE + BOND + BOND, "alice: prize, bond, carol's bond");
        expectNothingToWithdraw(id, bob); // a paid contest: no pool share for the scored
        assertEq(address(registry).balance, 0, "drained");
    }

    // ------------------------------------------------------------------ R3, R4: the pool

    /// @notice Attack: the organiser knows the test set, so its sybils can top the ranking and
    ///         then never reveal. Before, each forfeited bond was credited to the organiser: the
    ///         delay cost it nothing. Now forfeited bonds go to the pool, which the paid places
    ///         share by the payout split (the first place the rest): the organiser's balance and
    ///         credit are untouched by every forfeit.
    function test_forfeitedBonds_NeverReachTheOrganiser_PoolSplitByBps() public {
        uint256 id = createDefault();
        address s1 = sybil(1);
        address s2 = sybil(2);
        commitWith(id, s1, BOND);
        commitWith(id, s2, BOND);
        commit(id, alice);
        commit(id, bob);
        commit(id, carol);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, s1, N);
        proveAfter(id, s2, N, s1);
        prove(id, alice, 15);
        proveAfter(id, bob, 12, alice);
        proveAfter(id, carol, 11, bob);
        toRevealPhase(id);
        uint256 organiserBalance = organiser.balance;

        revealModel(id, alice); // called with s1 and s2; waits for them
        forfeitRound(id, keeper); // s1, s2 forfeited together; alice first; bob and carol called
        assertEq(uint256(registry.entry(id, s1).status), uint256(EntryStatus.Forfeited), "s1");
        assertEq(uint256(registry.entry(id, s2).status), uint256(EntryStatus.Forfeited), "s2");
        assertEq(registry.owed(id, organiser), 0, "no forfeited bond for the organiser");
        assertEq(registry.contest(id).bondPool, 2 * BOND, "both bonds in the pool");
        revealModel(id, bob);
        revealModel(id, carol);

        assertEq(registry.owed(id, organiser), 0, "the organiser is owed nothing");
        assertEq(organiser.balance, organiserBalance, "organiser's balance unchanged");
        expectNothingToWithdraw(id, organiser);
        assertEq(withdraw(id, alice), FIRST + BOND + 1.4 ether, "first: 70 % of the pool");
        assertEq(withdraw(id, bob), SECOND + BOND + 0.4 ether, "second: 20 %");
        assertEq(withdraw(id, carol), THIRD + BOND + 0.2 ether, "third: 10 %");
        assertEq(registry.owed(id, s1), 0, "s1 nothing");
        assertEq(registry.owed(id, s2), 0, "s2 nothing");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice Unfilled places' pool shares go to first place with the rounding: two places
    ///         filled of three, so first takes 70 % + 10 %.
    function test_pool_UnfilledPlacesShareGoesToFirst() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol), nums(18, 15, 12));
        toRevealPhase(id);
        revealModel(id, bob);
        revealModel(id, carol);
        vm.expectEmit();
        emit BondPoolAwarded(id, carol, BOND * 2000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, bob, BOND * 8000 / 10_000);
        vm.expectEmit();
        emit ContestSettled(id, 2, THIRD, bob);
        forfeitRound(id, keeper);
        assertEq(withdraw(id, bob), FIRST + THIRD + BOND + 0.8 ether, "first: prize and pool rest");
        assertEq(withdraw(id, carol), SECOND + BOND + 0.2 ether, "second");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice For any bond, split and number of forfeits ahead of three honest entries: place
    ///         `p >= 1` gets exactly `pool * payoutBps[p] / 10_000` of the pool, place 0 the rest,
    ///         the pool is conserved and the organiser gets nothing but rounding-free zero.
    function testFuzz_pool_SplitByBpsRestToFirst(uint256 bond, uint256 s0, uint256 s1, uint256 lost) public {
        bond = bound(bond, 1, 10 ether);
        s0 = bound(s0, 1, 9998);
        s1 = bound(s1, 1, 9999 - s0);
        lost = bound(lost, 1, 3);
        ContestParams memory p = defaultParams();
        p.commitBond = bond;
        p.payoutBps[0] = uint16(s0);
        p.payoutBps[1] = uint16(s1);
        p.payoutBps[2] = uint16(10_000 - s0 - s1);
        uint256 id = create(p);
        for (uint256 i = 0; i < lost; ++i) {
            commitWith(id, sybil(i), bond);
        }
        commitWith(id, alice, bond);
        commitWith(id, bob, bond);
        commitWith(id, carol, bond);
        commitWith(id, dave, bond); // never proves
        toTestSetPhase(id);
        revealTestSet(id);
        for (uint256 i = 0; i < lost; ++i) {
            prove(id, sybil(i), N);
        }
        prove(id, alice, 15);
        prove(id, bob, 12);
        prove(id, carol, 11);
        toRevealPhase(id);
        registry.closeRanking(id);
        for (uint256 round = 0; uint256(registry.entry(id, carol).status) != uint256(EntryStatus.Revealed); ++round) {
            address[3] memory honest = [alice, bob, carol];
            for (uint256 k = 0; k < 3; ++k) {
                if (registry.entry(id, honest[k]).status == EntryStatus.Called) revealModel(id, honest[k]);
            }
            if (registry.entry(id, carol).status == EntryStatus.Revealed) break;
            forfeitRound(id, keeper);
        }
        uint256 pool = (lost + 1) * bond; // the forfeits and dave
        uint256 second = pool * s1 / 10_000;
        uint256 third = pool * (10_000 - s0 - s1) / 10_000;
        uint256 prize2 = PRIZE * s1 / 10_000;
        uint256 prize3 = PRIZE * (10_000 - s0 - s1) / 10_000;
        assertEq(withdraw(id, bob), prize2 + bond + second, "second place: its bps of the pool");
        assertEq(withdraw(id, carol), prize3 + bond + third, "third place: its bps of the pool");
        assertEq(withdraw(id, alice), PRIZE - prize2 - prize3 + bond + pool - second - third, "first: the rest");
        assertEq(registry.owed(id, organiser), 0, "nothing for the organiser");
        assertEq(address(registry).balance, 0, "pool conserved, nothing stuck");
    }

    /// @notice Nobody paid (the only ranked entry forfeits): the scored entries share the pool
    ///         (the forfeited bond and the unproved one) equally, lazily; the first to claim takes
    ///         the rounding, and the total is conserved. The prize goes back to the organiser, the
    ///         pool does not.
    function test_nobodyPaid_PoolSplitEquallyAmongScored_RoundingToFirstClaimer() public {
        uint256 bond = 5; // wei: the pool of 10 does not divide by 3
        ContestParams memory p = defaultParams();
        p.commitBond = bond;
        uint256 id = create(p);
        address[5] memory who = [alice, bob, carol, dave, eve];
        for (uint256 i = 0; i < 5; ++i) {
            commitWith(id, who[i], bond);
        }
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18); // ranked; will not reveal
        prove(id, bob, 5);
        prove(id, carol, 6);
        prove(id, dave, 7); // eve never proves
        toRevealPhase(id);
        assertEq(withdraw(id, carol), bond, "carol takes her bond before settlement");
        vm.expectEmit();
        emit ModelForfeited(id, alice, roundDeadline(id), bond);
        vm.expectEmit();
        emit BondPoolAwarded(id, address(0), 2 * bond);
        vm.expectEmit();
        emit ContestSettled(id, 0, PRIZE, organiser);
        forfeitRound(id, keeper);
        assertEq(registry.owed(id, bob), bond + 3 + 1, "bob would be first: bond, share, rounding");
        assertEq(withdraw(id, dave), bond + 3 + 1, "dave claims first: bond, share and the rounding");
        assertEq(registry.owed(id, bob), bond + 3, "bob now: bond and an equal share");
        assertEq(withdraw(id, bob), bond + 3, "bob");
        assertEq(withdraw(id, carol), 3, "carol: her share (her bond came earlier)");
        assertEq(registry.owed(id, eve), 0, "eve never proved");
        assertEq(registry.owed(id, alice), 0, "alice forfeited");
        assertEq(withdraw(id, organiser), PRIZE, "the organiser: the prize back, no pool");
        assertEq(address(registry).balance, 0, "pool conserved: 4 + 3 + 3");
    }

    /// @notice Why the first claimer, not the last, takes the rounding: a scored entry whose
    ///         share rounds to 0 and whose bond is already withdrawn has nothing to withdraw, so a
    ///         "last claimer" might never come and the dust would be locked. Here a 1-wei pool and
    ///         two scored entries that both took their bonds early: the first claim takes the wei,
    ///         the other is owed nothing, and the registry ends empty.
    function test_nobodyPaid_ShareRoundingToZero_NothingLocked() public {
        ContestParams memory p = defaultParams();
        p.commitBond = 1;
        uint256 id = create(p);
        commitWith(id, alice, 1);
        commitWith(id, bob, 1);
        commitWith(id, carol, 1);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, bob, 5);
        prove(id, carol, 6);
        toRevealPhase(id);
        assertEq(withdraw(id, bob), 1, "bob's bond");
        assertEq(withdraw(id, carol), 1, "carol's bond");
        forfeitRound(id, keeper); // alice: a 1-wei pool for two scored entries
        assertEq(withdraw(id, carol), 1, "the first claimer takes the whole wei");
        assertEq(registry.owed(id, bob), 0, "bob's share rounds to 0");
        expectNothingToWithdraw(id, bob);
        assertEq(withdraw(id, organiser), PRIZE, "prize back");
        assertEq(address(registry).balance, 0, "nothing locked");
    }

    /// @notice No ranked entry at all: the contest settles as soon as the proof window is over,
    ///         and the scored entries share the unproved bonds (shown by `owed` before anybody
    ///         closes the ranking).
    function test_nobodyRanked_ScoredShareThePool() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol), nums(5, 6, 0));
        toRevealPhase(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "settled: nobody ranked");
        assertEq(registry.owed(id, alice), BOND + BOND / 2, "bond and half of carol's");
        vm.expectEmit();
        emit BondPoolAwarded(id, address(0), BOND);
        vm.expectEmit();
        emit ContestSettled(id, 0, PRIZE, organiser);
        assertEq(withdraw(id, alice), BOND + BOND / 2, "alice");
        assertEq(withdraw(id, bob), BOND + BOND / 2, "bob");
        assertEq(withdraw(id, organiser), PRIZE, "prize back");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @notice None paid and none scored: every prover was a ranked entry that did not reveal in
    ///         a round of at least a day, which no organiser action causes; the pool has nobody
    ///         else to go to, so the organiser takes it with the prize.
    function test_nobodyPaidNoneScored_PoolToOrganiser() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol), nums(18, 15, 0));
        toRevealPhase(id);
        vm.expectEmit();
        emit BondPoolAwarded(id, organiser, 3 * BOND);
        vm.expectEmit();
        emit ContestSettled(id, 0, PRIZE, organiser);
        forfeitRound(id, keeper);
        assertEq(withdraw(id, organiser), PRIZE + 3 * BOND, "prize and the pool");
        assertEq(address(registry).balance, 0, "drained");
    }

    // ------------------------------------------------------------------ R6: one reveal round

    /// @dev 20 sybils that commit first, prove N and never reveal, ahead of one honest entry;
    ///      everyone proves with a fresh hint. Ends rounds (one `forfeit` each, by the honest
    ///      entry, a second after each deadline) until the honest entry, which reveals as soon as
    ///      it is called, is paid. Checks that each `forfeit` forfeits every called sybil and calls
    ///      the next ones together with one deadline. Returns the number of `forfeit` calls and
    ///      the time from the end of the proof window to the honest entry's payout.
    function sybilsAhead(uint16[] memory bps) internal returns (uint256 rounds, uint256 elapsed) {
        ContestParams memory p = defaultParams();
        p.payoutBps = bps;
        uint256 id = create(p);
        for (uint256 i = 0; i < 20; ++i) {
            commitWith(id, sybil(i), BOND);
        }
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        for (uint256 i = 0; i < 20; ++i) {
            proveAfter(id, sybil(i), N, i == 0 ? address(0) : sybil(i - 1));
        }
        proveAfter(id, alice, 15, sybil(19));
        toRevealPhase(id);
        uint256 start = registry.contest(id).proofEnds;
        registry.closeRanking(id);
        while (true) {
            if (registry.entry(id, alice).status == EntryStatus.Called) revealModel(id, alice);
            if (registry.phase(id) == Phase.Settled) break;
            uint256 deadline = registry.contest(id).roundDeadline;
            bool[20] memory wasCalled;
            for (uint256 i = 0; i < 20; ++i) {
                wasCalled[i] = registry.entry(id, sybil(i)).status == EntryStatus.Called;
            }
            forfeitRound(id, alice);
            ++rounds;
            for (uint256 i = 0; i < 20; ++i) {
                if (!wasCalled[i]) continue;
                assertEq(
                    uint256(registry.entry(id, sybil(i)).status),
                    uint256(EntryStatus.Forfeited),
                    "one forfeit call ends the whole round"
                );
            }
            if (registry.phase(id) == Phase.Settled) break;
            uint256 fresh = registry.contest(id).roundDeadline;
            assertEq(fresh, deadline + 1 + WINDOW, "one fresh deadline for the round");
            uint256 called;
            for (uint256 i = 0; i < 21; ++i) {
                address who = i < 20 ? sybil(i) : alice;
                if (registry.entry(id, who).status != EntryStatus.Called) continue;
                assertEq(registry.entry(id, who).revealDeadline, fresh, "called together");
                ++called;
            }
            assertEq(called, _min(bps.length, 21 - _forfeited(id)), "the next K called together");
        }
        elapsed = block.timestamp - start;
        assertEq(withdraw(id, alice), PRIZE + BOND + 20 * BOND, "the honest entry: prize, bond, every sybil bond");
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _forfeited(uint256 id) internal view returns (uint256 n) {
        for (uint256 i = 0; i < 20; ++i) {
            if (registry.entry(id, sybil(i)).status == EntryStatus.Forfeited) ++n;
        }
    }

    /// @notice Attack (slow settlement): 20 sybils that never reveal, ranked above an honest entry.
    ///         With one paid place each round calls one entry, so the honest entry is called after
    ///         20 rounds and paid on its reveal: 20 `forfeit` calls and 20 reveal windows (plus a
    ///         second each); the 20 forfeited bonds are its too.
    function test_slowSettlement_TwentySybilsAhead_OnePlace_TwentyRounds() public {
        uint16[] memory bps = new uint16[](1);
        bps[0] = 10_000;
        (uint256 rounds, uint256 elapsed) = sybilsAhead(bps);
        assertEq(rounds, 20, "one round per sybil");
        assertEq(elapsed, 20 * (WINDOW + 1), "20 reveal windows");
    }

    /// @notice With three paid places every round forfeits three sybils in one `forfeit` call and
    ///         calls the next three together: the honest entry is called in the 7th round (with the
    ///         last two sybils) and paid when it ends: ceil(20 / 3) = 7 `forfeit` calls and 7
    ///         windows (the old rules took one `forfeit` per sybil, 20 calls).
    function test_slowSettlement_TwentySybilsAhead_ThreePlaces_SevenRounds() public {
        (uint256 rounds, uint256 elapsed) = sybilsAhead(bps3());
        assertEq(rounds, 7, "ceil(20 / 3) rounds");
        assertEq(elapsed, 7 * (WINDOW + 1), "7 reveal windows");
    }
}
