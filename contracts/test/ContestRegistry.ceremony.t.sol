// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {AcceptAllVerifier} from "./mocks/MockVerifier.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {CeremonyView, ContestParams, ContestView, EntryStatus, Phase} from "../src/ContestTypes.sol";

/// @notice A contest whose SRS comes from its own powers-of-tau ceremony: contributions are
///         recorded in order (with a running digest) until the ceremony's deadline; only then
///         does the organiser fix the verifier, once; only then may anyone commit.
contract ContestRegistryCeremonyTest is RegistryFixture {
    uint64 internal constant CEREMONY = 2 hours;
    bytes32 internal constant TRANSCRIPT_HI = keccak256("transcript hi");
    bytes32 internal constant TRANSCRIPT_LO = keccak256("transcript lo");

    function ceremonyParams() internal view returns (ContestParams memory p) {
        p = defaultParams();
        p.verifier = address(0);
        p.vkDigest = 0;
        p.srsDigest = 0;
        // The commit window counts from the ceremony's deadline.
        p.commitDeadline = uint64(block.timestamp + CEREMONY + 1 days);
        p.testSetDeadline = uint64(block.timestamp + CEREMONY + 2 days);
        p.proofDeadline = uint64(block.timestamp + CEREMONY + 3 days);
    }

    function createCeremony() internal returns (uint256 id) {
        ContestParams memory p = ceremonyParams();
        vm.prank(organiser);
        id = registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + CEREMONY));
    }

    function h(string memory s) internal pure returns (bytes32[2] memory x) {
        x[0] = keccak256(abi.encode(s, 0));
        x[1] = keccak256(abi.encode(s, 1));
    }

    function contribute(uint256 id, address who, string memory s) internal {
        vm.prank(who);
        registry.contributeToCeremony(id, h(s));
    }

    function fix(uint256 id) internal {
        vm.prank(organiser);
        registry.fixVerifier(id, address(verifier), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
    }

    function afterCeremony(uint256 id) internal {
        vm.warp(registry.ceremony(id).deadline + 1);
    }

    // ------------------------------------------------------------------ creation

    function test_createCeremonyContest_OpensTheCeremonyWithoutAVerifier() public {
        ContestParams memory p = ceremonyParams();
        uint64 deadline = uint64(block.timestamp + CEREMONY);
        vm.expectEmit();
        emit ContestCreated(1, organiser, PRIZE, p, bytes32(0));
        vm.expectEmit();
        emit CeremonyOpened(1, deadline);
        vm.prank(organiser);
        uint256 id = registry.createCeremonyContest{value: PRIZE}(p, deadline);

        assertEq(uint8(registry.phase(id)), uint8(Phase.Ceremony), "phase");
        CeremonyView memory c = registry.ceremony(id);
        assertEq(c.deadline, deadline, "deadline");
        assertEq(c.contributions, 0, "contributions");
        assertEq(c.fixedAt, 0, "not fixed");
        ContestView memory v = registry.contest(id);
        assertEq(v.params.verifier, address(0), "no verifier");
        assertEq(v.verifierCodeHash, bytes32(0), "no code hash");
        // A plain contest has no ceremony.
        assertEq(registry.ceremony(createDefault()).deadline, 0, "plain contest");
    }

    function test_RevertWhen_CeremonyContestPresetsTheVerifier() public {
        ContestParams memory p = ceremonyParams();
        p.verifier = address(verifier);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CeremonyVerifierPreset.selector, address(verifier)));
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + CEREMONY));

        // Digests would claim keys that do not exist yet.
        p = ceremonyParams();
        p.srsDigest = SRS_DIGEST;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CeremonyVerifierPreset.selector, address(0)));
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + CEREMONY));
        p = ceremonyParams();
        p.vkDigest = VK_DIGEST;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CeremonyVerifierPreset.selector, address(0)));
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + CEREMONY));
    }

    function test_RevertWhen_CeremonyWindowOutOfRange() public {
        ContestParams memory p = ceremonyParams();
        uint256 max = registry.MAX_WINDOW();
        uint256 min = registry.MIN_CEREMONY_WINDOW();
        vm.startPrank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WindowOutOfRange.selector, 4, min - 1, min, max));
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + min - 1));
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WindowOutOfRange.selector, 4, 0, min, max));
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp));
        // The commit window is counted from the ceremony's deadline: a deadline at the commit
        // deadline leaves none.
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.InvalidDeadlines.selector,
                p.commitDeadline,
                p.commitDeadline,
                p.testSetDeadline,
                p.proofDeadline
            )
        );
        registry.createCeremonyContest{value: PRIZE}(p, p.commitDeadline);
        uint64 late = p.commitDeadline - uint64(registry.MIN_COMMIT_WINDOW()) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.WindowOutOfRange.selector, 0, registry.MIN_COMMIT_WINDOW() - 1, registry.MIN_COMMIT_WINDOW(), max
            )
        );
        registry.createCeremonyContest{value: PRIZE}(p, late);
        // The bounds are inclusive.
        registry.createCeremonyContest{value: PRIZE}(p, uint64(block.timestamp + min));
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ contributions

    function test_contributeToCeremony_RecordsInOrderWithARunningLog() public {
        uint256 id = createCeremony();
        bytes32 log1 = keccak256(abi.encodePacked(bytes32(0), alice, h("a")[0], h("a")[1]));
        bytes32 log2 = keccak256(abi.encodePacked(log1, bob, h("b")[0], h("b")[1]));
        vm.expectEmit();
        emit CeremonyContribution(id, alice, 0, h("a"), log1);
        contribute(id, alice, "a");
        vm.warp(registry.ceremony(id).deadline); // the deadline second is inside
        vm.expectEmit();
        emit CeremonyContribution(id, bob, 1, h("b"), log2);
        contribute(id, bob, "b");
        CeremonyView memory c = registry.ceremony(id);
        assertEq(c.contributions, 2, "count");
        assertEq(c.log, log2, "log");
    }

    function test_RevertWhen_ContributingAfterTheDeadlineOrToAPlainContest() public {
        uint256 id = createCeremony();
        uint256 deadline = registry.ceremony(id).deadline;
        afterCeremony(id);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.CeremonyClosed.selector, id, deadline, deadline + 1)
        );
        registry.contributeToCeremony(id, h("late"));

        uint256 plain = createDefault();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CeremonyClosed.selector, plain, 0, block.timestamp));
        registry.contributeToCeremony(plain, h("plain"));

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ContestNotFound.selector, 99));
        registry.contributeToCeremony(99, h("none"));
    }

    // ------------------------------------------------------------------ fixing the verifier

    function test_fixVerifier_RecordsCodeHashDigestsAndTranscript() public {
        uint256 id = createCeremony();
        contribute(id, alice, "a");
        afterCeremony(id);
        vm.expectEmit();
        emit VerifierFixed(
            id, address(verifier), keccak256(address(verifier).code), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO], 1
        );
        fix(id);
        ContestView memory v = registry.contest(id);
        assertEq(v.params.verifier, address(verifier), "verifier");
        assertEq(v.params.vkDigest, VK_DIGEST, "vkDigest");
        assertEq(v.params.srsDigest, SRS_DIGEST, "srsDigest");
        assertEq(v.verifierCodeHash, keccak256(address(verifier).code), "code hash");
        assertEq(uint8(v.phase), uint8(Phase.Commit), "commits open");
        CeremonyView memory c = registry.ceremony(id);
        assertEq(c.fixedAt, block.timestamp, "fixedAt");
        assertEq(c.transcriptHash[0], TRANSCRIPT_HI, "transcript hi");
        assertEq(c.transcriptHash[1], TRANSCRIPT_LO, "transcript lo");
    }

    function test_RevertWhen_FixingDuringTheCeremony() public {
        uint256 id = createCeremony();
        uint256 deadline = registry.ceremony(id).deadline;
        vm.warp(deadline);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CeremonyOpen.selector, id, deadline, deadline));
        registry.fixVerifier(id, address(verifier), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
    }

    function test_RevertWhen_SomeoneElseFixesTheVerifier() public {
        uint256 id = createCeremony();
        afterCeremony(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotOrganiser.selector, id, alice, organiser));
        registry.fixVerifier(id, address(verifier), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
    }

    /// @dev Changing the verifier after it is fixed is impossible, as it is for a plain contest.
    function test_RevertWhen_FixingTwiceOrAPlainContest() public {
        uint256 id = createCeremony();
        afterCeremony(id);
        fix(id);
        address other = address(new AcceptAllVerifier());
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierAlreadyFixed.selector, id));
        registry.fixVerifier(id, other, VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
        assertEq(registry.contest(id).params.verifier, address(verifier), "unchanged");

        uint256 plain = createDefault();
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierAlreadyFixed.selector, plain));
        registry.fixVerifier(plain, other, VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
    }

    function test_RevertWhen_FixingLeavesTooShortACommitWindow() public {
        uint256 id = createCeremony();
        uint64 commitDeadline = registry.contest(id).params.commitDeadline;
        uint256 min = registry.MIN_COMMIT_WINDOW();
        uint256 max = registry.MAX_WINDOW();
        vm.warp(commitDeadline - min + 1);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WindowOutOfRange.selector, 0, min - 1, min, max));
        registry.fixVerifier(id, address(verifier), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
        vm.warp(commitDeadline + 1);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WindowOutOfRange.selector, 0, 0, min, max));
        registry.fixVerifier(id, address(verifier), VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
        // Exactly the minimum is enough.
        vm.warp(commitDeadline - min);
        fix(id);
    }

    function test_RevertWhen_FixedVerifierHasNoCode() public {
        uint256 id = createCeremony();
        afterCeremony(id);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierHasNoCode.selector, alice));
        registry.fixVerifier(id, alice, VK_DIGEST, SRS_DIGEST, [TRANSCRIPT_HI, TRANSCRIPT_LO]);
    }

    // ------------------------------------------------------------------ nothing before the verifier

    function test_RevertWhen_CommittingOrRevealingBeforeTheVerifierIsFixed() public {
        uint256 id = createCeremony();
        uint256 c = modelCommitment(alice);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierNotFixed.selector, id));
        registry.commitModel{value: BOND}(id, c);
        afterCeremony(id); // closed, not fixed yet
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierNotFixed.selector, id));
        registry.commitModel{value: BOND}(id, c);
        assertEq(uint8(registry.phase(id)), uint8(Phase.Ceremony), "still the ceremony");

        toTestSetPhase(id);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierNotFixed.selector, id));
        registry.revealTestSet(id, testSetElems(), 0, true);
    }

    /// @dev Never fixed: nobody could commit, so the organiser gets the prize back as soon as the
    ///      commit deadline is over (not only after the test-set deadline).
    function test_NeverFixed_RefundsTheOrganiserAfterTheCommitDeadline() public {
        uint256 id = createCeremony();
        contribute(id, alice, "a");
        toTestSetPhase(id);
        assertEq(uint8(registry.phase(id)), uint8(Phase.TestSetMissed), "phase");
        assertEq(registry.owed(id, organiser), PRIZE, "owed");
        assertEq(registry.owed(id, alice), 0, "a contributor is owed nothing");
        assertEq(withdraw(id, organiser), PRIZE, "refund");
        assertEq(address(registry).balance, 0, "drained");
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NothingToWithdraw.selector, id, organiser));
        registry.withdraw(id);
    }

    /// @dev After the fix the contest runs like any other, against the fixed verifier.
    function test_CeremonyContest_RunsToPayoutOnTheFixedVerifier() public {
        uint256 id = createCeremony();
        contribute(id, alice, "a");
        contribute(id, bob, "b");
        afterCeremony(id);
        fix(id);
        commit(id, alice);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, N);
        prove(id, bob, MIN_CORRECT);
        toRevealPhase(id);
        revealModel(id, alice);
        revealModel(id, bob);
        assertEq(uint8(registry.phase(id)), uint8(Phase.Settled), "settled");
        assertEq(uint8(registry.entry(id, alice).status), uint8(EntryStatus.Revealed), "alice");
        assertEq(withdraw(id, alice), PRIZE * 7000 / 10_000 + PRIZE * 1000 / 10_000 + BOND, "first + rest");
        assertEq(withdraw(id, bob), PRIZE * 2000 / 10_000 + BOND, "second");
        assertEq(address(registry).balance, 0, "drained");
    }

    /// @dev The verifier's code is pinned from the fix on: replaced code refuses every proof.
    function test_RevertWhen_FixedVerifierCodeChangesLater() public {
        uint256 id = createCeremony();
        afterCeremony(id);
        fix(id);
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        bytes32 recorded = keccak256(address(verifier).code);
        bytes memory other = address(new AcceptAllVerifier()).code;
        vm.etch(address(verifier), other);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.VerifierCodeChanged.selector, id, address(verifier), recorded, keccak256(other)
            )
        );
        registry.submitProof(id, N, hex"beef", address(0));
    }
}
