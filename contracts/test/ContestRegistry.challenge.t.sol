// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture, IPoseidonT3} from "./utils/RegistryFixture.sol";
import {IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {RegistryAnnex} from "../src/RegistryAnnex.sol";
import {ContestParams, Phase} from "../src/ContestTypes.sol";

/// @notice The optimistic test-set reveal (PROTOCOL §14.3): the organiser posts chunks with
///         claimed Poseidon states; anyone may challenge a chunk in the challenge window (the
///         proof window's first quarter, before any proof), and a wrong claim makes the organiser
///         default. Each test is an attack by one party on another.
contract ContestRegistryChallengeTest is RegistryFixture {
    uint256 internal constant WRONG = 12_345;

    /// @dev A contest (alice committed) whose organiser posts the default test set in two chunks
    ///      `[0, 3)` and `[3, 6)`, claiming `WRONG` after the first; `T` is committed to match,
    ///      so the final check passes and only a challenge can tell. Returns the second claim.
    function lyingOrganiser() internal returns (uint256 id, uint256 s2) {
        uint256[] memory e = testSetElems();
        s2 = absorbed(WRONG, slice(e, 3, 6));
        ContestParams memory p = defaultParams();
        p.testSetCommitment = IPoseidonT3(poseidon).hash([s2, e.length]);
        id = create(p);
        commit(id, alice);
        toTestSetPhase(id);
        vm.startPrank(organiser);
        registry.revealTestSet(id, slice(e, 0, 3), WRONG, false);
        registry.revealTestSet(id, slice(e, 3, 6), s2, true);
        vm.stopPrank();
    }

    /// @notice Attack (organiser): the data is right but a claimed state is not. Any competitor
    ///         or outsider shows it; the organiser defaults at once, as if it had never revealed.
    function test_challenge_WrongClaimMakesTheOrganiserDefault() public {
        (uint256 id, uint256 s2) = lyingOrganiser();
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetChallenge), "challenge window");
        uint256[] memory e = testSetElems();
        // The second chunk is right from the claimed state before it.
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, 1, s2));
        registry.challengeTestSet(id, 1, 3, WRONG, s2, slice(e, 3, 6));
        uint256 computed = claim(slice(e, 0, 3));
        vm.expectEmit();
        emit TestSetChallenged(id, 0, bob, type(uint256).max, computed, WRONG, PRIZE / 10);
        vm.prank(bob);
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));

        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "defaulted");
        assertTrue(!registry.contest(id).testSetRevealed, "not revealed any more");
        assertEq(registry.contest(id).prize, PRIZE - PRIZE / 10, "the reward came out of the prize");
        assertEq(registry.owed(id, alice), PRIZE - PRIZE / 10 + BOND, "alice: the rest and her bond");
        assertEq(registry.owed(id, bob), PRIZE / 10, "bob: the reward");
        assertEq(registry.owed(id, organiser), 0, "organiser: nothing");
        assertEq(withdraw(id, bob), PRIZE / 10, "bob withdraws");
        assertEq(withdraw(id, alice), PRIZE - PRIZE / 10 + BOND, "alice withdraws");
        assertEq(registry.contest(id).held, 0, "all paid out");

        // Nothing can revive it: no second reveal, no proof, no second challenge.
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetAlreadyRevealed.selector, id));
        registry.revealTestSet(id, e, 0, true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetNotRevealed.selector, id));
        registry.submitProof(id, 15, hex"beef", address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.ChallengeClosed.selector, id, Phase.TestSetMissed)
        );
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
    }

    /// @notice Attack (challenger): a challenge that does not name the chunk exactly as posted —
    ///         other elements, another start or state, a chunk index past the posted ones.
    function test_RevertWhen_ChallengeIsNotThePostedChunk() public {
        (uint256 id,) = lyingOrganiser();
        uint256[] memory e = testSetElems();
        uint256[] memory other = slice(e, 0, 3);
        other[1] ^= 1;
        bytes memory notPosted = abi.encodeWithSelector(IContestRegistryEvents.NotThePostedChunk.selector, id, 0);
        vm.expectRevert(notPosted);
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, other);
        vm.expectRevert(notPosted);
        registry.challengeTestSet(id, 0, 1, TESTSET_TAG, WRONG, slice(e, 0, 3));
        vm.expectRevert(notPosted);
        registry.challengeTestSet(id, 0, 0, 7, WRONG, slice(e, 0, 3));
        vm.expectRevert(notPosted);
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG + 1, slice(e, 0, 3));
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotThePostedChunk.selector, id, 2));
        registry.challengeTestSet(id, 2, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
    }

    /// @notice Attack (organiser with sybils): waiting for the scores, then "challenging" its own
    ///         bad chunk to cancel. Challenges close when the first proof can arrive.
    function test_challengeWindow_ClosesBeforeTheFirstProof() public {
        (uint256 id,) = lyingOrganiser();
        uint256 ends = registry.contest(id).challengeEnds;
        vm.warp(ends);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.ChallengeWindowOpen.selector, id, ends, block.timestamp)
        );
        registry.submitProof(id, 15, hex"beef", address(0));
        vm.warp(ends + 1);
        prove(id, alice, 15);
        uint256[] memory e = testSetElems();
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChallengeClosed.selector, id, Phase.Proof));
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
    }

    /// @notice A challenge before the reveal is complete is refused: the organiser may still
    ///         restart, and a restart discards the earlier chunks for good.
    function test_challenge_NotBeforeTheRevealEndsAndNotOfDiscardedChunks() public {
        uint256 id = createDefault();
        commit(id, alice);
        toTestSetPhase(id);
        uint256[] memory e = testSetElems();
        uint256[] memory first = slice(e, 0, 3);
        vm.prank(organiser);
        registry.revealTestSet(id, first, WRONG, false);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.ChallengeClosed.selector, id, Phase.TestSetReveal)
        );
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, first);
        uint256 s = claim(e);
        vm.startPrank(organiser);
        registry.restartTestSetReveal(id);
        registry.revealTestSet(id, e, s, true);
        vm.stopPrank();
        // Chunk 0 is now the honest whole set; the discarded one cannot be named.
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotThePostedChunk.selector, id, 0));
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, first);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, 0, s));
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, s, e);
    }

    /// @notice Attack (organiser): a chunk too long to recompute in one transaction would be
    ///         unchallengeable.
    function test_RevertWhen_ChunkTooLong() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256 max = registry.MAX_TESTSET_CHUNK();
        uint256[] memory e = new uint256[](max + 1);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkTooLong.selector, max + 1, max));
        registry.revealTestSet(id, e, 0, false);
    }

    /// @notice Attack (organiser): a claim `>= p` that PoseidonT3 would silently reduce — it would
    ///         pass the final check while competitors' clients cannot read it — is refused.
    function test_RevertWhen_ClaimNotInField() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256[] memory e = testSetElems();
        uint256 s = claim(e);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ClaimNotInField.selector, s + P));
        registry.revealTestSet(id, e, s + P, true);
        vm.prank(organiser);
        registry.revealTestSet(id, e, s, true);
        assertTrue(registry.contest(id).testSetRevealed, "the canonical claim is taken");
    }

    /// @notice Nobody committed: the organiser still loses the reward to the challenger and gets
    ///         the rest back, as for a missed reveal.
    function test_challenge_NoCommitters_RefundLessTheReward() public {
        uint256[] memory e = testSetElems();
        uint256 s2 = absorbed(WRONG, slice(e, 3, 6));
        ContestParams memory p = defaultParams();
        p.testSetCommitment = IPoseidonT3(poseidon).hash([s2, e.length]);
        uint256 id = create(p);
        toTestSetPhase(id);
        vm.startPrank(organiser);
        registry.revealTestSet(id, slice(e, 0, 3), WRONG, false);
        registry.revealTestSet(id, slice(e, 3, 6), s2, true);
        vm.stopPrank();
        vm.prank(carol);
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
        assertEq(registry.owed(id, organiser), PRIZE - PRIZE / 10, "organiser: the prize less the reward");
        assertEq(registry.owed(id, carol), PRIZE / 10, "carol: the reward");
    }

    /// @notice The registry's annex holds no contest: called directly (not through the
    ///         registry) even on a contest that exists in the registry, it refuses.
    function test_RevertWhen_AnnexCalledDirectly() public {
        (uint256 id,) = lyingOrganiser();
        // The registry's first creation: CREATE(registry, 1).
        RegistryAnnex annex = RegistryAnnex(
            address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), address(registry), bytes1(0x01))))))
        );
        assertTrue(address(annex).code.length > 0, "the registry created its annex there");
        uint256[] memory e = testSetElems();
        bytes memory notFound = abi.encodeWithSelector(IContestRegistryEvents.ContestNotFound.selector, id);
        vm.expectRevert(notFound);
        annex.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
        vm.expectRevert(notFound);
        annex.forfeit(id);
        vm.prank(organiser);
        vm.expectRevert(notFound);
        annex.restartTestSetReveal(id);
        // Through the registry, the same challenge succeeds.
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, WRONG, slice(e, 0, 3));
    }
}
