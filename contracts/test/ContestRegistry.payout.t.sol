// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, ContestView, EntryView, EntryStatus, Phase} from "../src/ContestTypes.sol";
import {PoseidonChain} from "../src/PoseidonChain.sol";

/// @dev Withdraws from its `receive` again and records what happened.
contract ReentrantReceiver {
    IContestRegistry internal immutable _registry;
    uint256 internal immutable _id;
    bytes public reentryError;
    uint256 public received;

    constructor(IContestRegistry registry, uint256 id) {
        _registry = registry;
        _id = id;
    }

    function commit(uint256 commitment) external payable {
        _registry.commitModel{value: msg.value}(_id, commitment);
    }

    function withdraw() external {
        _registry.withdraw(_id);
    }

    receive() external payable {
        received += msg.value;
        try _registry.withdraw(_id) {} catch (bytes memory err) {
            reentryError = err;
        }
    }
}

/// @notice Model reveals, forfeits and move-ups, settlement, withdrawals, views.
contract ContestRegistryPayoutTest is RegistryFixture {
    uint256 internal constant FIRST = PRIZE * 7000 / 10_000;
    uint256 internal constant SECOND = PRIZE * 2000 / 10_000;
    uint256 internal constant THIRD = PRIZE * 1000 / 10_000;

    /// @dev alice 18, bob 15, carol 12, dave 11 (four qualified, three paid ranks).
    function fourQualified() internal returns (uint256 id) {
        id = contestWithProofs(addrs(alice, bob, carol, dave), nums(18, 15, 12, 11));
        toRevealPhase(id);
    }

    /// @dev The first round's deadline: `proofEnds + revealWindow`.
    function revealDeadline(uint256 id) internal view returns (uint256) {
        ContestView memory v = registry.contest(id);
        return uint256(v.proofEnds) + v.params.revealWindow;
    }

    // ------------------------------------------------------------------ reveal and pay

    function test_revealModel_PaysRanksInOrder() public {
        uint256 id = fourQualified();
        uint256 c = modelCommitment(alice);
        vm.expectEmit();
        emit ModelChunkRevealed(id, alice, 0, modelElems(alice));
        vm.expectEmit();
        emit ModelRevealed(id, alice, 4, BOND);
        vm.expectEmit();
        emit PrizeAwarded(id, alice, 0, FIRST);
        revealModel(id, alice);
        assertEq(registry.entry(id, alice).commitment, c, "commitment kept");
        assertEq(registry.owed(id, alice), FIRST + BOND, "alice owed");

        revealModel(id, bob);
        vm.expectEmit();
        emit PrizeAwarded(id, carol, 2, THIRD);
        vm.expectEmit();
        emit ContestSettled(id, 3, 0, alice);
        revealModel(id, carol);

        assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "settled");
        assertEq(withdraw(id, alice), FIRST + BOND, "alice");
        assertEq(withdraw(id, bob), SECOND + BOND, "bob");
        assertEq(withdraw(id, carol), THIRD + BOND, "carol");
        assertEq(withdraw(id, dave), BOND, "dave, never called, gets the bond back");
        assertEq(address(registry).balance, 0, "drained");
        assertEq(registry.contest(id).held, 0, "held");
    }

    function test_revealModel_FirstRevealClosesRankingAndCallsTopRanks() public {
        uint256 id = fourQualified();
        EntryView memory before = registry.entry(id, carol);
        assertEq(uint256(before.status), uint256(EntryStatus.Called), "shown as called before closing");
        assertEq(before.revealDeadline, revealDeadline(id), "deadline shown");
        assertEq(uint256(registry.entry(id, dave).status), uint256(EntryStatus.Qualified), "dave not called");

        vm.expectEmit();
        emit WinnerCalled(id, alice, 0, revealDeadline(id));
        vm.expectEmit();
        emit WinnerCalled(id, bob, 1, revealDeadline(id));
        vm.expectEmit();
        emit WinnerCalled(id, carol, 2, revealDeadline(id));
        revealModel(id, bob);
        assertEq(registry.owed(id, bob), BOND, "bob waits for alice: only the bond so far");
        assertEq(uint256(registry.phase(id)), uint256(Phase.ModelReveal), "model reveal");
    }

    function test_closeRanking_CallsTopRanks() public {
        uint256 id = fourQualified();
        vm.expectEmit();
        emit WinnerCalled(id, alice, 0, revealDeadline(id));
        registry.closeRanking(id);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Called), "called");
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.RankingAlreadyClosed.selector, id));
        registry.closeRanking(id);
    }

    function testFuzz_revealModel_ChunkBoundaries(uint256 cut) public {
        uint256 id = fourQualified();
        uint256[] memory elems = modelElems(alice);
        cut = bound(cut, 1, elems.length - 1);
        vm.startPrank(alice);
        registry.revealModel(id, slice(elems, 0, cut), false);
        assertEq(registry.entry(id, alice).revealedCount, cut, "partial");
        vm.expectEmit();
        emit ModelChunkRevealed(id, alice, cut, slice(elems, cut, elems.length));
        registry.revealModel(id, slice(elems, cut, elems.length), true);
        vm.stopPrank();
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Revealed), "revealed");
    }

    function test_restartModelReveal_DiscardsPartialChunks() public {
        uint256 id = fourQualified();
        vm.startPrank(alice);
        registry.revealModel(id, nums(1, 2), false);
        vm.expectEmit();
        emit ModelRevealRestarted(id, alice, 2);
        registry.restartModelReveal(id);
        registry.revealModel(id, modelElems(alice), true);
        vm.stopPrank();
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Revealed), "revealed");
    }

    function test_RevertWhen_ModelDoesNotMatchCommitment() public {
        uint256 id = fourQualified();
        uint256[] memory elems = modelElems(bob); // alice posts bob's model
        uint256 expected = modelCommitment(alice);
        uint256 computed = modelCommitment(bob);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CommitmentMismatch.selector, expected, computed, 4));
        registry.revealModel(id, elems, true);
    }

    function test_RevertWhen_ModelElementNotInField() public {
        uint256 id = fourQualified();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.ElementNotInField.selector, 1, P));
        registry.revealModel(id, nums(3, P), true);
    }

    function test_RevertWhen_ModelRevealedByUncalledEntry() public {
        uint256 id = fourQualified();
        vm.prank(dave);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.NotCalledToReveal.selector, id, dave, EntryStatus.Qualified)
        );
        registry.revealModel(id, modelElems(dave), true);
    }

    function test_RevertWhen_ModelRevealedTwice() public {
        uint256 id = fourQualified();
        revealModel(id, alice);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.NotCalledToReveal.selector, id, alice, EntryStatus.Revealed)
        );
        registry.revealModel(id, modelElems(alice), true);
    }

    function test_RevertWhen_ModelRevealedBeforeProofDeadline() public {
        uint256 id = contestWithProofs(addrs(alice), nums(18));
        uint256 deadline = registry.contest(id).proofEnds;
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.RankingNotFinal.selector, id, deadline, block.timestamp)
        );
        registry.revealModel(id, modelElems(alice), true);
    }

    function test_RevertWhen_ModelRevealedAfterWindow() public {
        uint256 id = fourQualified();
        uint256 deadline = revealDeadline(id);
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.RevealWindowClosed.selector, id, alice, deadline, deadline + 1)
        );
        registry.revealModel(id, modelElems(alice), true);
    }

    function test_revealModel_AtDeadlineSecond() public {
        uint256 id = fourQualified();
        vm.warp(revealDeadline(id));
        revealModel(id, alice);
        assertEq(
            uint256(registry.entry(id, alice).status), uint256(EntryStatus.Revealed), "revealed in its last second"
        );
    }

    /// @dev The ranking is final only after the proof window's own last second (a proof may
    ///      still arrive in it), so nothing can close it then.
    function test_RevertWhen_RankingClosedAtProofDeadlineSecond() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 15));
        uint256 deadline = registry.contest(id).proofEnds;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.RankingNotFinal.selector, id, deadline, deadline));
        registry.closeRanking(id);
        vm.warp(deadline + 1);
        registry.closeRanking(id);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Called), "closed one second later");
    }

    function test_RevertWhen_ModelChunkEmpty() public {
        uint256 id = fourQualified();
        vm.prank(alice);
        vm.expectRevert(IContestRegistryEvents.EmptyChunk.selector);
        registry.revealModel(id, new uint256[](0), false);
    }

    // ------------------------------------------------------------------ forfeit rounds and move up

    function test_forfeit_NextEntryMovesUpWithFreshWindow() public {
        uint256 id = fourQualified();
        revealModel(id, bob);
        revealModel(id, carol);
        uint256 deadline = revealDeadline(id);
        vm.warp(deadline + 10);

        vm.expectEmit();
        emit ModelForfeited(id, alice, deadline, BOND);
        vm.expectEmit();
        emit PrizeAwarded(id, bob, 0, FIRST); // bob moves up to first place
        vm.expectEmit();
        emit PrizeAwarded(id, carol, 1, SECOND);
        vm.expectEmit();
        emit WinnerCalled(id, dave, 3, deadline + 10 + WINDOW);
        registry.forfeit(id);

        assertEq(registry.owed(id, organiser), 0, "the organiser gets no forfeited bond");
        assertEq(registry.owed(id, alice), 0, "alice gets nothing");
        assertEq(registry.contest(id).bondPool, BOND, "alice's bond in the pool");
        assertEq(registry.contest(id).roundDeadline, deadline + 10 + WINDOW, "the new round's deadline");
        EntryView memory d = registry.entry(id, dave);
        assertEq(uint256(d.status), uint256(EntryStatus.Called), "dave called");
        assertEq(d.revealDeadline, deadline + 10 + WINDOW, "fresh window");

        // Settlement: the pool (alice's bond) by the payout split, the rest to first place.
        vm.expectEmit();
        emit PrizeAwarded(id, dave, 2, THIRD);
        vm.expectEmit();
        emit BondPoolAwarded(id, carol, BOND * 2000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, dave, BOND * 1000 / 10_000);
        vm.expectEmit();
        emit BondPoolAwarded(id, bob, BOND * 7000 / 10_000);
        vm.expectEmit();
        emit ContestSettled(id, 3, 0, bob);
        revealModel(id, dave);
        assertEq(registry.owed(id, dave), THIRD + BOND + BOND / 10, "dave third, and a tenth of the pool");
        assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "settled");
        assertEq(registry.owed(id, bob), FIRST + BOND + BOND * 7 / 10, "bob first");
        assertEq(registry.owed(id, carol), SECOND + BOND + BOND * 2 / 10, "carol second");
        assertEq(registry.owed(id, organiser), 0, "still nothing for the organiser");
    }

    function test_forfeit_RevealedEntryBehindPendingOneWaits() public {
        uint256 id = fourQualified();
        revealModel(id, bob);
        assertEq(registry.owed(id, bob), BOND, "no prize while alice may still reveal");
        revealModel(id, alice);
        assertEq(registry.owed(id, bob), SECOND + BOND, "second once alice is first");
    }

    /// @notice Every called entry forfeits and nobody scored: the prize goes back to the
    ///         organiser, and so does the pool, because nobody else is left to take it (only
    ///         reachable when every prover failed to reveal in a round of a day or more).
    function test_forfeit_AllForfeit_NoScoredEntry_PrizeAndPoolToOrganiser() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 15));
        toRevealPhase(id);
        uint256 deadline = revealDeadline(id);
        vm.warp(deadline + 1);
        vm.expectEmit();
        emit ModelForfeited(id, alice, deadline, BOND);
        vm.expectEmit();
        emit ModelForfeited(id, bob, deadline, BOND);
        vm.expectEmit();
        emit BondPoolAwarded(id, organiser, 2 * BOND);
        vm.expectEmit();
        emit ContestSettled(id, 0, PRIZE, organiser);
        registry.forfeit(id); // both in one call
        assertEq(withdraw(id, organiser), PRIZE + 2 * BOND, "prize and the pool");
        assertEq(address(registry).balance, 0, "drained");
    }

    function test_RevertWhen_ForfeitInsideWindow() public {
        uint256 id = fourQualified();
        uint256 deadline = revealDeadline(id);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.RevealWindowOpen.selector, id, deadline, deadline));
        registry.forfeit(id);
        // The revert undid the implicit closing too.
        assertEq(registry.contest(id).roundDeadline, 0, "nothing closed");
        vm.warp(deadline + 1);
        registry.forfeit(id);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Forfeited), "one second later");
    }

    /// @dev A later round's deadline is checked too, in its own second.
    function test_RevertWhen_ForfeitInsideLaterRound() public {
        uint256 id = fourQualified();
        revealModel(id, alice);
        revealModel(id, bob);
        vm.warp(revealDeadline(id) + 1);
        registry.forfeit(id); // carol; dave called
        uint256 deadline = registry.contest(id).roundDeadline;
        assertEq(deadline, block.timestamp + WINDOW, "fresh round");
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.RevealWindowOpen.selector, id, deadline, deadline));
        registry.forfeit(id);
    }

    function test_RevertWhen_ForfeitAfterSettlement() public {
        uint256 id = fourQualified();
        revealModel(id, alice);
        revealModel(id, bob);
        revealModel(id, carol);
        vm.warp(revealDeadline(id) + 1);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToForfeit.selector, id));
        registry.forfeit(id);
    }

    function test_RevertWhen_ForfeitWithNoRankedEntry() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(5, 0));
        toRevealPhase(id);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToForfeit.selector, id));
        registry.forfeit(id);
    }

    function test_RevertWhen_ForfeitBeforeProofWindowEnds() public {
        uint256 id = contestWithProofs(addrs(alice), nums(18));
        uint256 ends = registry.contest(id).proofEnds;
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.RankingNotFinal.selector, id, ends, block.timestamp));
        registry.forfeit(id);
    }

    // ------------------------------------------------------------------ settlement edge cases

    function test_settle_UnfilledRanksGoToFirstPlace() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 15));
        toRevealPhase(id);
        revealModel(id, alice);
        vm.expectEmit();
        emit ContestSettled(id, 2, THIRD, alice);
        revealModel(id, bob);
        assertEq(registry.owed(id, alice), FIRST + THIRD + BOND, "first place takes the unfilled third");
        assertEq(registry.owed(id, bob), SECOND + BOND, "second");
    }

    function testFuzz_settle_PaysWholePrize(uint256 prize, uint256 s0, uint256 s1) public {
        prize = bound(prize, 1, 1000 ether);
        s0 = bound(s0, 1, 9998);
        s1 = bound(s1, 1, 9999 - s0);
        ContestParams memory p = defaultParams();
        p.payoutBps[0] = uint16(s0);
        p.payoutBps[1] = uint16(s1);
        p.payoutBps[2] = uint16(10_000 - s0 - s1);
        vm.prank(organiser);
        uint256 id = registry.createContest{value: prize}(p);
        commit(id, alice);
        commit(id, bob);
        commit(id, carol);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, bob, 15);
        prove(id, carol, 12);
        toRevealPhase(id);
        revealModel(id, carol);
        revealModel(id, bob);
        revealModel(id, alice);
        uint256 paid = withdraw(id, alice) + withdraw(id, bob) + withdraw(id, carol);
        assertEq(paid, prize + 3 * BOND, "whole prize and bonds paid");
        assertEq(address(registry).balance, 0, "nothing stuck");
    }

    function test_withdraw_NoQualifierRefundsOrganiser() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(0, 0));
        toRevealPhase(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "settled: nobody qualified");
        assertEq(registry.owed(id, organiser), PRIZE, "refund shown before closing");
        vm.expectEmit();
        emit ContestSettled(id, 0, PRIZE, organiser);
        assertEq(withdraw(id, organiser), PRIZE, "refund");
        assertEq(withdraw(id, alice), BOND, "bond back");
        assertEq(withdraw(id, bob), BOND, "bond back");
    }

    /// @dev bob proved below the threshold (scored): his bond comes back after the proof window.
    function test_withdraw_ScoredBondAfterProofWindow() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 5));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, bob));
        registry.withdraw(id);
        toRevealPhase(id);
        assertEq(withdraw(id, bob), BOND, "bob's bond after the proof window");
        assertEq(registry.contest(id).bondPool, 0, "everybody proved: no pool");
    }

    /// @dev bob never proved while alice did: his bond is in the pool, and goes to alice.
    function test_withdraw_NonProverBondGoesToPool() public {
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 0));
        assertEq(registry.contest(id).bondPool, 0, "counted only once the proof window is over");
        toRevealPhase(id);
        assertEq(registry.contest(id).bondPool, BOND, "bob's bond");
        assertEq(registry.owed(id, bob), 0, "nothing for bob");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, bob));
        registry.withdraw(id);
        revealModel(id, alice);
        assertEq(withdraw(id, alice), PRIZE + 2 * BOND, "prize, her bond and bob's");
        assertEq(address(registry).balance, 0, "drained");
    }

    function test_withdraw_UncalledQualifiedBondOnlyAfterSettlement() public {
        uint256 id = fourQualified();
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, dave));
        registry.withdraw(id);
        revealModel(id, alice);
        revealModel(id, bob);
        revealModel(id, carol);
        assertEq(withdraw(id, dave), BOND, "dave's bond after settlement");
    }

    function test_withdraw_DefaultSplitsPrizeAmongCommitted() public {
        ContestParams memory p = defaultParams();
        uint256 id = create(p);
        commit(id, alice);
        commit(id, bob);
        commit(id, carol);
        vm.warp(p.testSetDeadline + 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "missed");
        uint256 share = PRIZE / 3;
        assertEq(registry.owed(id, alice), share + BOND, "share shown");
        assertEq(withdraw(id, alice), share + BOND, "alice");
        assertEq(withdraw(id, bob), share + BOND, "bob");
        assertEq(withdraw(id, carol), PRIZE - 2 * share + BOND, "last claimer takes the rounding");
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, organiser));
        registry.withdraw(id);
        assertEq(address(registry).balance, 0, "drained");
    }

    function test_withdraw_DefaultWithoutCompetitorsRefundsOrganiser() public {
        ContestParams memory p = defaultParams();
        uint256 id = create(p);
        vm.warp(p.testSetDeadline + 1);
        assertEq(withdraw(id, organiser), PRIZE, "refund");
    }

    function test_withdraw_PartialTestSetRevealIsADefault() public {
        ContestParams memory p = defaultParams();
        uint256 id = create(p);
        commit(id, alice);
        toTestSetPhase(id);
        vm.prank(organiser);
        registry.revealTestSet(id, nums(1), 0, false);
        vm.warp(p.testSetDeadline + 1);
        assertEq(withdraw(id, alice), PRIZE + BOND, "alice takes it all");
    }

    function test_RevertWhen_WithdrawTwice() public {
        uint256 id = fourQualified();
        revealModel(id, alice);
        withdraw(id, alice);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, alice));
        registry.withdraw(id);
    }

    function test_RevertWhen_WithdrawReentered() public {
        ContestParams memory p = defaultParams();
        uint256 id = create(p);
        ReentrantReceiver attacker = new ReentrantReceiver(registry, id);
        attacker.commit{value: BOND}(7);
        vm.warp(p.testSetDeadline + 1); // default: the attacker is owed prize + bond
        attacker.withdraw();
        assertEq(attacker.received(), PRIZE + BOND, "paid once");
        assertEq(attacker.reentryError(), abi.encodeWithSelector(IContestRegistryEvents.Reentered.selector), "blocked");
        assertEq(address(registry).balance, 0, "drained once");
    }

    function test_RevertWhen_PaymentRefused() public {
        ContestParams memory p = defaultParams();
        uint256 id = create(p);
        // The registry itself has no receive(); any contract that refuses ETH will do.
        address refuser = address(verifier); // MockVerifier's fallback is not payable
        vm.deal(refuser, BOND);
        vm.prank(refuser);
        registry.commitModel{value: BOND}(id, 7);
        vm.warp(p.testSetDeadline + 1);
        vm.prank(refuser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PaymentFailed.selector, refuser, PRIZE + BOND));
        registry.withdraw(id);
    }

    // ------------------------------------------------------------------ views

    function test_phase_FollowsTheLifecycle() public {
        uint256 id = createDefault();
        assertEq(uint256(registry.phase(id)), uint256(Phase.Commit), "commit");
        commit(id, alice);
        toTestSetPhase(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetReveal), "test set");
        revealTestSet(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Proof), "proof");
        prove(id, alice, 18);
        toRevealPhase(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.ModelReveal), "model reveal");
        revealModel(id, alice);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Settled), "settled");
        ContestView memory v = registry.contest(id);
        assertEq(v.winnersPaid, 1, "winners");
        assertEq(v.prizePaid, PRIZE, "prize paid incl. remainder");
    }

    function test_contest_ReportsRoundsProversAndPool() public {
        uint256 id = contestWithProofs(addrs(alice, bob, carol, dave), nums(18, 15, 5, 0));
        ContestView memory v = registry.contest(id);
        assertEq(v.committers, 4, "committers");
        assertEq(v.provers, 3, "provers: ranked and scored");
        assertEq(v.qualifiers, 2, "qualifiers: ranked only");
        assertEq(v.roundDeadline, 0, "no round before the ranking closes");
        assertEq(v.bondPool, 0, "dave's bond not counted during the proof window");
        toRevealPhase(id);
        assertEq(registry.contest(id).bondPool, BOND, "dave's bond once the window is over");
        registry.closeRanking(id);
        assertEq(registry.contest(id).roundDeadline, revealDeadline(id), "first round");
    }

    function test_RevertWhen_ViewingUnknownContest() public {
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ContestNotFound.selector, 3));
        registry.contest(3);
    }
}
