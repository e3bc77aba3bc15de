// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, EntryView, EntryStatus, Phase} from "../src/ContestTypes.sol";

/// @notice submitProof: the verifier call (layout, gas cap, accept/reject), checks, ranking.
contract ContestRegistryProofTest is RegistryFixture {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = createDefault();
        commit(id, alice);
        commit(id, bob);
        commit(id, carol);
        toTestSetPhase(id);
    }

    function expectedInput(address who, uint256 correct, bytes memory proof) internal view returns (bytes memory) {
        return abi.encodePacked(
            block.chainid,
            id,
            uint256(uint160(who)),
            modelCommitment(who),
            chain(TESTSET_TAG, testSetElems()),
            correct,
            proof
        );
    }

    function test_submitProof_PassesInstancesThenProofToVerifier() public {
        revealTestSet(id);
        bytes memory proof = hex"00112233445566778899aabbccddeeff";
        bytes memory input = expectedInput(alice, 15, proof);
        // The instance words, spelled out: chainid, contestId, submitter, C, T, correct.
        assertEq(input.length, 6 * 32 + proof.length, "layout length");
        verifier.expectInput(input); // the mock rejects any other calldata
        vm.expectCall(address(verifier), input);
        vm.prank(alice);
        registry.submitProof(id, 15, proof, address(0));
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "qualified");
    }

    function test_verifierInput_MatchesWhatSubmitProofSends() public {
        revealTestSet(id);
        bytes memory proof = hex"c0ffee";
        assertEq(verifierInput(id, alice, 12, proof), expectedInput(alice, 12, proof), "calldata");
    }

    function test_submitProof_EmitsAndRecordsEntry() public {
        revealTestSet(id);
        vm.expectEmit();
        emit ProofAccepted(id, alice, 15, true, 1, 1);
        prove(id, alice, 15);
        EntryView memory e = registry.entry(id, alice);
        assertEq(e.correct, 15, "correct");
        assertEq(uint256(e.status), uint256(EntryStatus.Qualified), "qualified");
        assertEq(registry.contest(id).qualifiers, 1, "qualifiers");
        assertEq(registry.contest(id).provers, 1, "provers");
    }

    function test_submitProof_AcceptsReturnTrue() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.ReturnTrue);
        prove(id, alice, 15);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "qualified");
    }

    function test_RevertWhen_VerifierReverts() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.Revert);
        expectRejected(alice, 15);
    }

    function test_RevertWhen_VerifierReturnsFalse() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.ReturnFalse);
        expectRejected(alice, 15);
    }

    function test_RevertWhen_VerifierReturnsShortData() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.ReturnShort);
        expectRejected(alice, 15);
    }

    function test_RevertWhen_VerifierBurnsAllGas() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.BurnGas);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, alice, 15));
        registry.submitProof{gas: 10_000_000}(id, 15, hex"beef", address(0));
    }

    function test_RevertWhen_InstancesBoundToAnotherSender() public {
        revealTestSet(id);
        // A proof made for alice's instances, submitted by bob, reaches the verifier with bob's
        // address and commitment, which a real verifier rejects; the mock rejects on mismatch.
        verifier.expectInput(expectedInput(alice, 15, hex"beef"));
        expectRejected(bob, 15);
    }

    function test_submitProof_CapsVerifierGas() public {
        revealTestSet(id);
        verifier.setMode(MockVerifier.Mode.AcceptIfGasCapped);
        verifier.setGasCap(registry.VERIFIER_GAS_LIMIT());
        vm.prank(alice);
        registry.submitProof{gas: 20_000_000}(id, 15, hex"beef", address(0));
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "accepted under cap");
    }

    function test_RevertWhen_TooLittleGasForVerifier() public {
        revealTestSet(id);
        vm.prank(alice);
        vm.expectPartialRevert(IContestRegistryEvents.InsufficientGasForVerifier.selector);
        registry.submitProof{gas: 1_000_000}(id, 15, hex"beef", address(0));
    }

    function test_RevertWhen_ProofBeforeTestSetRevealed() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetNotRevealed.selector, id));
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    function test_RevertWhen_ProofAfterDeadline() public {
        revealTestSet(id);
        uint256 deadline = registry.contest(id).proofEnds;
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofWindowClosed.selector, id, deadline, deadline + 1));
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    function test_submitProof_AtDeadlineSecond() public {
        revealTestSet(id);
        vm.warp(registry.contest(id).proofEnds);
        prove(id, alice, 15);
        assertEq(
            uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "accepted in its last second"
        );
    }

    function test_RevertWhen_ProofFromNonCompetitor() public {
        revealTestSet(id);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotCommitted.selector, id, dave));
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    function test_RevertWhen_SecondProof() public {
        revealTestSet(id);
        prove(id, alice, 15);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.AlreadyProved.selector, id, alice, 15));
        registry.submitProof(id, 16, hex"beef", address(0));
    }

    function test_RevertWhen_CorrectExceedsTestSetSize() public {
        revealTestSet(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CorrectExceedsTestSetSize.selector, N + 1, N));
        registry.submitProof(id, N + 1, hex"beef", address(0));
    }

    /// @notice A proof below `minCorrect` is accepted (formerly `BelowThreshold`): the entry is
    ///         scored, not ranked (not in `ranking`, not counted in `qualifiers`), and counts as a
    ///         prover.
    function test_submitProof_BelowThresholdIsScoredNotRanked() public {
        revealTestSet(id);
        prove(id, bob, 15);
        vm.expectEmit();
        emit ProofAccepted(id, alice, MIN_CORRECT - 1, false, 1, 2);
        prove(id, alice, MIN_CORRECT - 1);
        EntryView memory e = registry.entry(id, alice);
        assertEq(uint256(e.status), uint256(EntryStatus.Scored), "scored");
        assertEq(e.correct, MIN_CORRECT - 1, "correct recorded");
        (address[] memory who,,) = registry.ranking(id);
        assertEq(who.length, 1, "only bob ranked");
        assertEq(who[0], bob, "bob");
        assertEq(registry.contest(id).qualifiers, 1, "qualifiers");
        assertEq(registry.contest(id).provers, 2, "provers");
        // A scored entry has proved: no second proof.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.AlreadyProved.selector, id, alice, MIN_CORRECT - 1));
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    /// @dev 0 correct is a score too.
    function test_submitProof_ZeroCorrectIsScored() public {
        revealTestSet(id);
        vm.expectEmit();
        emit ProofAccepted(id, alice, 0, false, 0, 1);
        prove(id, alice, 0);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Scored), "scored");
    }

    function testFuzz_submitProof_ThresholdBounds(uint256 correct) public {
        revealTestSet(id);
        correct = bound(correct, 0, 2 * N);
        if (correct > N) {
            vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CorrectExceedsTestSetSize.selector, correct, N));
        }
        vm.prank(alice);
        registry.submitProof(id, correct, hex"beef", address(0));
        if (correct > N) return;
        EntryStatus expected = correct < MIN_CORRECT ? EntryStatus.Scored : EntryStatus.Qualified;
        assertEq(uint256(registry.entry(id, alice).status), uint256(expected), "scored below, ranked from minCorrect");
        (address[] memory who,,) = registry.ranking(id);
        assertEq(who.length, correct < MIN_CORRECT ? 0 : 1, "ranked iff correct >= minCorrect");
    }

    function expectRejected(address who, uint256 correct) internal {
        vm.prank(who);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, who, correct));
        registry.submitProof(id, correct, hex"beef", address(0));
    }

    // ------------------------------------------------------------------ ranking

    function test_ranking_ByCorrectThenEarlierCommit() public {
        revealTestSet(id);
        prove(id, carol, 12); // committed third
        prove(id, bob, 15);
        vm.expectEmit();
        emit ProofAccepted(id, alice, 12, true, 3, 3); // ties with carol, committed earlier
        prove(id, alice, 12);
        (address[] memory who, uint256[] memory correct, uint256[] memory seq) = registry.ranking(id);
        assertEq(who.length, 3, "three ranked");
        assertEq(who[0], bob, "first");
        assertEq(who[1], alice, "second: earlier commit wins the tie");
        assertEq(who[2], carol, "third");
        assertEq(correct[0], 15, "score 1");
        assertEq(correct[2], 12, "score 3");
        assertEq(seq[0], 2, "bob's commit sequence number");
        assertEq(seq[1], 1, "alice's");
        assertEq(seq[2], 3, "carol's");
    }

    function test_ranking_ReplacedCommitmentLosesTiePriority() public {
        // Back in the commit phase: a new contest where alice replaces after bob commits.
        uint256 id2 = createDefault();
        commit(id2, alice);
        commit(id2, bob);
        uint256 c = modelCommitment(alice);
        vm.prank(alice);
        registry.commitModel(id2, c); // replacement with the same model: new, later sequence number
        toTestSetPhase(id2);
        revealTestSet(id2);
        prove(id2, alice, 14);
        prove(id2, bob, 14);
        (address[] memory who,,) = registry.ranking(id2);
        assertEq(who[0], bob, "bob first after alice's replacement");
    }

    function testFuzz_ranking_IsSorted(uint256 seed) public {
        revealTestSet(id);
        address[4] memory people = [alice, bob, carol, dave];
        commitLate(dave);
        for (uint256 i = 0; i < 4; ++i) {
            prove(id, people[i], bound(uint256(keccak256(abi.encode(seed, i))), MIN_CORRECT, N));
        }
        (address[] memory who, uint256[] memory correct,) = registry.ranking(id);
        assertEq(who.length, 4, "all ranked");
        for (uint256 i = 1; i < who.length; ++i) {
            assertGe(correct[i - 1], correct[i], "non-increasing correct");
            if (correct[i - 1] == correct[i]) {
                assertTrue(
                    registry.entry(id, who[i - 1]).commitSeq < registry.entry(id, who[i]).commitSeq, "tie order"
                );
            }
        }
    }

    // ------------------------------------------------------------------ rank hints (O(1) insertion)

    function expectBadHint(address who, uint256 correct, address hint) internal {
        vm.prank(who);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.BadRankHint.selector, id, hint));
        registry.submitProof(id, correct, hex"beef", hint);
    }

    function rankingOf(uint256 contestId) internal view returns (address[] memory who) {
        (who,,) = registry.ranking(contestId);
    }

    /// @notice A fresh hint (the entry the new one goes after) inserts there, ties included.
    function test_submitProof_HintInsertsRightAfterIt() public {
        revealTestSet(id);
        prove(id, bob, 15);
        proveAfter(id, carol, 12, bob);
        proveAfter(id, alice, 12, bob); // ties with carol, committed earlier: between the two
        address[] memory who = rankingOf(id);
        assertEq(who.length, 3, "three ranked");
        assertEq(who[0], bob, "bob");
        assertEq(who[1], alice, "alice, after her hint, before carol");
        assertEq(who[2], carol, "carol");
    }

    /// @notice Attack: a hint that ranks below the new entry would let a submitter jump the
    ///         queue (be inserted after a worse entry, i.e. ranked too low for someone else or
    ///         break the order). A worse entry is refused.
    function test_RevertWhen_HintIsWorseEntry() public {
        revealTestSet(id);
        prove(id, bob, 12);
        expectBadHint(alice, 15, bob);
    }

    /// @notice Equal `correct` and a later commit ranks below too: refused.
    function test_RevertWhen_HintTiesWithLaterCommit() public {
        revealTestSet(id);
        prove(id, carol, 12); // seq 3
        expectBadHint(alice, 12, carol); // alice: seq 1
        proveAfter(id, bob, 12, address(0));
        expectBadHint(alice, 12, bob); // bob: seq 2, still later than alice
    }

    /// @notice Hints that are not ranked entries of this contest: an address that never
    ///         committed, a committed entry without a proof, a scored (unranked) entry, the
    ///         submitter itself, and a ranked entry of another contest.
    function test_RevertWhen_HintIsNotARankedEntryOfThisContest() public {
        ContestParams memory q = defaultParams();
        q.commitDeadline = uint64(block.timestamp + 1 hours); // `id` is in its test-set phase
        uint256 other = create(q);
        commit(other, dave);
        toTestSetPhase(other);
        revealTestSet(other);
        prove(other, dave, 20); // ranked first in the other contest
        revealTestSet(id);
        prove(id, carol, MIN_CORRECT - 1); // scored, not ranked
        expectBadHint(alice, 15, makeAddr("stranger"));
        expectBadHint(alice, 15, bob); // committed, never proved
        expectBadHint(alice, 15, carol); // scored
        expectBadHint(alice, 15, alice); // itself
        expectBadHint(alice, 15, dave); // ranked, but in the other contest
        prove(id, alice, 15);
        assertEq(rankingOf(id)[0], alice, "a valid proof still goes in");
    }

    /// @notice A stale hint: the client read the ranking (bob alone, so alice's hint is bob),
    ///         then carol's better proof was inserted right after bob. The registry walks on from
    ///         the hint past carol, so alice still lands in her place.
    function test_submitProof_StaleHintStillInsertsAtTheRightPlace() public {
        revealTestSet(id);
        prove(id, bob, 18);
        address hint = rankingOf(id)[0];
        prove(id, carol, 14); // inserted after bob since the client read the ranking
        proveAfter(id, alice, 12, hint);
        address[] memory who = rankingOf(id);
        assertEq(who[0], bob, "bob");
        assertEq(who[1], carol, "carol, inserted since");
        assertEq(who[2], alice, "alice, walked past carol");
    }

    /// @notice Any valid hint (any better ranked entry, or none) gives the same ranking as
    ///         inserting from the head.
    function testFuzz_submitProof_AnyValidHintGivesTheSameRanking(uint256 seed) public {
        commitLate(dave);
        revealTestSet(id);
        address[4] memory people = [alice, bob, carol, dave];
        for (uint256 i = 0; i < 4; ++i) {
            address who = people[(seed % 4 + i) % 4];
            uint256 correct = bound(uint256(keccak256(abi.encode(seed, i))), MIN_CORRECT, MIN_CORRECT + 2);
            uint256 seq = registry.entry(id, who).commitSeq;
            (address[] memory ranked, uint256[] memory cs, uint256[] memory seqs) = registry.ranking(id);
            // The entries that rank before `who`: a prefix of the ranking.
            uint256 better;
            while (better < ranked.length && (cs[better] > correct || (cs[better] == correct && seqs[better] < seq))) {
                ++better;
            }
            uint256 pick = uint256(keccak256(abi.encode(seed, "hint", i))) % (better + 1);
            proveAfter(id, who, correct, pick == better ? address(0) : ranked[pick]);
        }
        (address[] memory w, uint256[] memory c, uint256[] memory q) = registry.ranking(id);
        assertEq(w.length, 4, "all ranked");
        for (uint256 i = 1; i < w.length; ++i) {
            assertTrue(c[i - 1] > c[i] || (c[i - 1] == c[i] && q[i - 1] < q[i]), "sorted by correct, then seq");
        }
    }

    // ------------------------------------------------------------------ proof window from the reveal

    /// @notice Attack: the organiser posts the test set at the last second of `testSetDeadline`.
    ///         The proof window still lasts the full `proofDeadline - testSetDeadline` from that
    ///         moment (`proofEnds`): proofs are accepted until then and refused after.
    function test_proofWindow_LateTestSetReveal_FullWindowAfterIt() public {
        ContestParams memory p = registry.contest(id).params;
        uint256 window = p.proofDeadline - p.testSetDeadline;
        vm.warp(p.testSetDeadline);
        vm.expectEmit();
        emit TestSetRevealed(
            id, testSetElems().length, p.testSetCommitment, p.testSetDeadline + window / 4, p.testSetDeadline + window
        );
        revealTestSet(id);
        uint256 ends = registry.contest(id).proofEnds;
        assertEq(ends, p.testSetDeadline + window, "a full window from the reveal");
        vm.warp(ends);
        prove(id, alice, 15);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Proof), "proof phase in its last second");
        vm.warp(ends + 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofWindowClosed.selector, id, ends, ends + 1));
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    /// @notice An early reveal ends the proof window early (`reveal + window`, before
    ///         `proofDeadline`): the ranking is final then, and a proof after it is refused.
    function test_proofWindow_EarlyReveal_EndsEarly() public {
        ContestParams memory p = registry.contest(id).params;
        uint256 window = p.proofDeadline - p.testSetDeadline;
        assertEq(registry.contest(id).proofEnds, 0, "0 before the reveal");
        uint256 revealedAt = block.timestamp; // the second after the commit deadline
        revealTestSet(id);
        uint256 ends = registry.contest(id).proofEnds;
        assertEq(ends, revealedAt + window, "window from the reveal");
        assertLt(ends, p.proofDeadline, "earlier than the latest possible end");
        prove(id, alice, 15);
        vm.warp(ends + 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.ModelReveal), "proof phase over");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofWindowClosed.selector, id, ends, ends + 1));
        registry.submitProof(id, 15, hex"beef", address(0));
        registry.closeRanking(id);
        assertEq(registry.entry(id, alice).revealDeadline, ends + WINDOW, "first round from proofEnds");
    }

    /// @dev Commits `who` by rewinding to the commit deadline and back (test-only shortcut).
    function commitLate(address who) internal {
        uint256 now_ = block.timestamp;
        vm.warp(registry.contest(id).params.commitDeadline);
        commit(id, who);
        vm.warp(now_);
    }
}
