// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";
import {IContestRegistry} from "../src/IContestRegistry.sol";
import {ContestParams, EntryView, EntryStatus} from "../src/ContestTypes.sol";

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
        registry.submitProof(id, 15, proof);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "qualified");
    }

    function test_verifierCalldata_MatchesWhatSubmitProofSends() public {
        revealTestSet(id);
        bytes memory proof = hex"c0ffee";
        assertEq(registry.verifierCalldata(id, alice, 12, proof), expectedInput(alice, 12, proof), "calldata");
    }

    function test_submitProof_EmitsAndRecordsEntry() public {
        revealTestSet(id);
        vm.expectEmit();
        emit ProofAccepted(id, alice, 15, 0, 1);
        prove(id, alice, 15);
        EntryView memory e = registry.entry(id, alice);
        assertEq(e.correct, 15, "correct");
        assertEq(registry.contest(id).qualifiers, 1, "qualifiers");
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
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.ProofRejected.selector, id, alice, 15));
        registry.submitProof{gas: 10_000_000}(id, 15, hex"beef");
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
        registry.submitProof{gas: 20_000_000}(id, 15, hex"beef");
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "accepted under cap");
    }

    function test_RevertWhen_TooLittleGasForVerifier() public {
        revealTestSet(id);
        vm.prank(alice);
        vm.expectPartialRevert(IContestRegistry.InsufficientGasForVerifier.selector);
        registry.submitProof{gas: 1_000_000}(id, 15, hex"beef");
    }

    function test_RevertWhen_ProofBeforeTestSetRevealed() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.TestSetNotRevealed.selector, id));
        registry.submitProof(id, 15, hex"beef");
    }

    function test_RevertWhen_ProofAfterDeadline() public {
        revealTestSet(id);
        uint256 deadline = registry.contest(id).params.proofDeadline;
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.ProofWindowClosed.selector, id, deadline, deadline + 1));
        registry.submitProof(id, 15, hex"beef");
    }

    function test_submitProof_AtDeadlineSecond() public {
        revealTestSet(id);
        vm.warp(registry.contest(id).params.proofDeadline);
        prove(id, alice, 15);
        assertEq(
            uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "accepted in its last second"
        );
    }

    function test_RevertWhen_ProofFromNonCompetitor() public {
        revealTestSet(id);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.NotCommitted.selector, id, dave));
        registry.submitProof(id, 15, hex"beef");
    }

    function test_RevertWhen_SecondProof() public {
        revealTestSet(id);
        prove(id, alice, 15);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.AlreadyProved.selector, id, alice, 15));
        registry.submitProof(id, 16, hex"beef");
    }

    function test_RevertWhen_CorrectExceedsTestSetSize() public {
        revealTestSet(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.CorrectExceedsTestSetSize.selector, N + 1, N));
        registry.submitProof(id, N + 1, hex"beef");
    }

    function test_RevertWhen_CorrectBelowThreshold() public {
        revealTestSet(id);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistry.BelowThreshold.selector, MIN_CORRECT - 1, MIN_CORRECT)
        );
        registry.submitProof(id, MIN_CORRECT - 1, hex"beef");
    }

    function testFuzz_submitProof_ThresholdBounds(uint256 correct) public {
        revealTestSet(id);
        correct = bound(correct, 0, 2 * N);
        if (correct > N) {
            vm.expectRevert(abi.encodeWithSelector(IContestRegistry.CorrectExceedsTestSetSize.selector, correct, N));
        } else if (correct < MIN_CORRECT) {
            vm.expectRevert(abi.encodeWithSelector(IContestRegistry.BelowThreshold.selector, correct, MIN_CORRECT));
        }
        vm.prank(alice);
        registry.submitProof(id, correct, hex"beef");
    }

    function expectRejected(address who, uint256 correct) internal {
        vm.prank(who);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistry.ProofRejected.selector, id, who, correct));
        registry.submitProof(id, correct, hex"beef");
    }

    // ------------------------------------------------------------------ ranking

    function test_ranking_ByCorrectThenEarlierCommit() public {
        revealTestSet(id);
        prove(id, carol, 12); // committed third
        prove(id, bob, 15);
        vm.expectEmit();
        emit ProofAccepted(id, alice, 12, 1, 3); // ties with carol, committed earlier
        prove(id, alice, 12);
        (address[] memory who, uint256[] memory correct) = registry.ranking(id);
        assertEq(who.length, 3, "three ranked");
        assertEq(who[0], bob, "first");
        assertEq(who[1], alice, "second: earlier commit wins the tie");
        assertEq(who[2], carol, "third");
        assertEq(correct[0], 15, "score 1");
        assertEq(correct[2], 12, "score 3");
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
        (address[] memory who,) = registry.ranking(id2);
        assertEq(who[0], bob, "bob first after alice's replacement");
    }

    function testFuzz_ranking_IsSorted(uint256 seed) public {
        revealTestSet(id);
        address[4] memory people = [alice, bob, carol, dave];
        commitLate(dave);
        for (uint256 i = 0; i < 4; ++i) {
            prove(id, people[i], bound(uint256(keccak256(abi.encode(seed, i))), MIN_CORRECT, N));
        }
        (address[] memory who, uint256[] memory correct) = registry.ranking(id);
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

    /// @dev Commits `who` by rewinding to the commit deadline and back (test-only shortcut).
    function commitLate(address who) internal {
        uint256 now_ = block.timestamp;
        vm.warp(registry.contest(id).params.commitDeadline);
        commit(id, who);
        vm.warp(now_);
    }
}
