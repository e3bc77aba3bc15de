// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {WrongPoseidon} from "./mocks/MockVerifier.sol";
import {ContestRegistry} from "../src/ContestRegistry.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, ContestView, EntryView, EntryStatus, Phase} from "../src/ContestTypes.sol";
import {PoseidonChain} from "../src/PoseidonChain.sol";

/// @notice Constructor, createContest, commitModel, revealTestSet.
contract ContestRegistrySetupTest is RegistryFixture {
    // ------------------------------------------------------------------ constructor

    function test_constructor_RecordsPoseidon() public view {
        assertEq(registry.poseidon(), poseidon, "poseidon");
        assertEq(registry.contestCount(), 0, "no contests");
    }

    function test_RevertWhen_PoseidonComputesWrongHash() public {
        address wrong = address(new WrongPoseidon());
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PoseidonMismatch.selector, wrong, 42));
        new ContestRegistry(wrong);
    }

    function test_RevertWhen_PoseidonHasNoCode() public {
        address nothing = makeAddr("nothing");
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.PoseidonCallFailed.selector, nothing));
        new ContestRegistry(nothing);
    }

    // ------------------------------------------------------------------ createContest

    function test_createContest_StoresParamsAndEscrowsPrize() public {
        ContestParams memory p = defaultParams();
        vm.expectEmit();
        emit ContestCreated(1, organiser, PRIZE, p, keccak256(address(verifier).code));
        uint256 id = create(p);

        assertEq(id, 1, "first id");
        assertEq(registry.contestCount(), 1, "count");
        assertEq(address(registry).balance, PRIZE, "escrow");
        ContestView memory v = registry.contest(id);
        assertEq(v.organiser, organiser, "organiser");
        assertEq(abi.encode(v.params), abi.encode(p), "params");
        assertEq(v.prize, PRIZE, "prize");
        assertEq(v.held, PRIZE, "held");
        assertEq(uint256(v.phase), uint256(Phase.Commit), "phase");
        assertEq(uint256(registry.phase(id)), uint256(Phase.Commit), "phase()");
        assertEq(uint256(registry.phase(2)), uint256(Phase.None), "no contest 2");
    }

    function test_createContest_IdsIncrement() public {
        createDefault();
        assertEq(createDefault(), 2, "second id");
        assertEq(address(registry).balance, 2 * PRIZE, "both escrowed");
    }

    function test_createContest_RecordsItsBlock() public {
        vm.roll(1234);
        uint256 first = createDefault();
        vm.roll(5678);
        uint256 second = createDefault();
        vm.roll(9999);
        assertEq(registry.contest(first).createdBlock, 1234, "first contest's block");
        assertEq(registry.contest(second).createdBlock, 5678, "second contest's block");
    }

    function test_RevertWhen_CreateWithoutPrize() public {
        ContestParams memory p = defaultParams();
        vm.prank(organiser);
        vm.expectRevert(IContestRegistryEvents.NoPrize.selector);
        registry.createContest(p);
    }

    function test_RevertWhen_CommitDeadlineNotInFuture() public {
        ContestParams memory p = defaultParams();
        p.commitDeadline = uint64(block.timestamp);
        expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IContestRegistryEvents.InvalidDeadlines.selector,
                block.timestamp,
                p.commitDeadline,
                p.testSetDeadline,
                p.proofDeadline
            )
        );
    }

    function test_RevertWhen_TestSetDeadlineNotAfterCommit() public {
        ContestParams memory p = defaultParams();
        p.testSetDeadline = p.commitDeadline;
        expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IContestRegistryEvents.InvalidDeadlines.selector,
                block.timestamp,
                p.commitDeadline,
                p.testSetDeadline,
                p.proofDeadline
            )
        );
    }

    function test_RevertWhen_ProofDeadlineNotAfterTestSet() public {
        ContestParams memory p = defaultParams();
        p.proofDeadline = p.testSetDeadline;
        expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IContestRegistryEvents.InvalidDeadlines.selector,
                block.timestamp,
                p.commitDeadline,
                p.testSetDeadline,
                p.proofDeadline
            )
        );
    }

    /// @dev Order first (`InvalidDeadlines`), then each window in phase order (`WindowOutOfRange`).
    function testFuzz_createContest_Deadlines(uint64 commitAt, uint64 testSetAt, uint64 proofAt) public {
        ContestParams memory p = defaultParams();
        p.commitDeadline = commitAt;
        p.testSetDeadline = testSetAt;
        p.proofDeadline = proofAt;
        bool ordered = block.timestamp < commitAt && commitAt < testSetAt && testSetAt < proofAt;
        if (!ordered) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IContestRegistryEvents.InvalidDeadlines.selector, block.timestamp, commitAt, testSetAt, proofAt
                )
            );
        } else {
            expectWindowCheck(p);
        }
        vm.prank(organiser);
        registry.createContest{value: PRIZE}(p);
    }

    /// @dev Every window fuzzed from 1 second to a day past the maximum (`bound` favours the
    ///      edges, so the boundaries come up); valid ones must be stored as given.
    function testFuzz_createContest_Windows(uint256 c, uint256 t, uint256 pr, uint256 r) public {
        c = bound(c, 1, MAX_WINDOW + 1 days);
        t = bound(t, 1, MAX_WINDOW + 1 days);
        pr = bound(pr, 1, MAX_WINDOW + 1 days);
        r = bound(r, 1, MAX_WINDOW + 1 days);
        ContestParams memory p = withWindows(c, t, pr, r);
        bool valid = expectWindowCheck(p);
        vm.prank(organiser);
        uint256 id = registry.createContest{value: PRIZE}(p);
        if (valid) assertEq(abi.encode(registry.contest(id).params), abi.encode(p), "params stored");
    }

    /// @notice Attack: an organiser sets `revealWindow = 1` second. Every called winner (and
    ///         every entry called after it) gets one second to reveal a whole model, misses it and
    ///         is forfeited; with nobody paid the prize goes back to the organiser (and, before
    ///         the bond pool, the bonds went to it too). The contract once accepted any window
    ///         from 1 second; this must be refused (0 as well, as before).
    function test_RevertWhen_RevealWindowOneSecond_EveryWinnerForfeits() public {
        ContestParams memory p = defaultParams();
        p.revealWindow = 1;
        expectCreateRevert(p, windowError(3, 1, 1 days));
        p.revealWindow = 0;
        expectCreateRevert(p, windowError(3, 0, 1 days));
    }

    /// @notice Attack: a proof window of 1 second (`proofDeadline = testSetDeadline + 1`) after
    ///         a test set posted at its deadline lets nobody prove; the organiser gets the prize
    ///         back (no qualifier) after taking the competitors' time. Accepted by today's contract.
    function test_RevertWhen_ProofWindowOneSecond_NobodyCanProve() public {
        ContestParams memory p = defaultParams();
        p.proofDeadline = p.testSetDeadline + 1;
        expectCreateRevert(p, windowError(2, 1, 1 days));
    }

    /// @notice Each window, boundaries both sides: `min - 1` refused, `min` accepted, 365 days
    ///         accepted, 365 days + 1 refused (commit 1 h, test set 1 h, proof 1 day, reveal
    ///         1 day). Fails on today's contract, which checked only `1 <= revealWindow <= 365 days`.
    function test_createContest_CommitWindowBoundaries() public {
        checkWindowBoundaries(0, 1 hours);
    }

    function test_createContest_TestSetWindowBoundaries() public {
        checkWindowBoundaries(1, 1 hours);
    }

    function test_createContest_ProofWindowBoundaries() public {
        checkWindowBoundaries(2, 1 days);
    }

    function test_createContest_RevealWindowBoundaries() public {
        checkWindowBoundaries(3, 1 days);
    }

    function test_constants_Windows() public view {
        assertEq(registry.MIN_COMMIT_WINDOW(), 1 hours, "commit");
        assertEq(registry.MIN_TEST_SET_WINDOW(), 1 hours, "test set");
        assertEq(registry.MIN_PROOF_WINDOW(), 1 days, "proof");
        assertEq(registry.MIN_REVEAL_WINDOW(), 1 days, "reveal");
        assertEq(registry.MAX_WINDOW(), 365 days, "max");
    }

    /// @notice Attack: with a bond of 0 sybils cost nothing. An organiser that commits 99 free
    ///         sybils and then defaults leaves an honest competitor 1 % of the prize (a default
    ///         splits it among committers), a near-free cancel option. Accepted by today's
    ///         contract ("the bond may be 0"); must be refused.
    function test_RevertWhen_ZeroBond_FreeSybilsCancelContest() public {
        ContestParams memory p = defaultParams();
        p.commitBond = 0;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.ZeroBond.selector));
        p.commitBond = 1; // the smallest bond is accepted
        create(p);
    }

    function test_RevertWhen_NoPaidRanks() public {
        ContestParams memory p = defaultParams();
        p.payoutBps = new uint16[](0);
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.InvalidPayoutRanks.selector, 0, 16));
    }

    function test_RevertWhen_TooManyPaidRanks() public {
        ContestParams memory p = defaultParams();
        p.payoutBps = new uint16[](17);
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.InvalidPayoutRanks.selector, 17, 16));
    }

    function test_RevertWhen_PayoutShareZero() public {
        ContestParams memory p = defaultParams();
        p.payoutBps[1] = 0;
        p.payoutBps[0] = 9000;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.ZeroPayoutShare.selector, 1));
    }

    function test_RevertWhen_PayoutSharesDoNotSum() public {
        ContestParams memory p = defaultParams();
        p.payoutBps[2] = 999;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.PayoutSharesDoNotSum.selector, 9999));
    }

    function testFuzz_createContest_PayoutSplits(uint256 seed, uint256 ranks, bool breakSum) public {
        ranks = bound(ranks, 1, 16);
        uint16[] memory split = new uint16[](ranks);
        uint256 left = 10_000;
        for (uint256 i = 0; i + 1 < ranks; ++i) {
            // Leave at least 1 bp for each later rank.
            uint256 share = bound(uint256(keccak256(abi.encode(seed, i))), 1, left - (ranks - 1 - i));
            split[i] = uint16(share);
            left -= share;
        }
        split[ranks - 1] = uint16(left);
        ContestParams memory p = defaultParams();
        p.payoutBps = split;
        if (breakSum) {
            split[0] += 1;
            vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PayoutSharesDoNotSum.selector, 10_001));
        }
        vm.prank(organiser);
        registry.createContest{value: PRIZE}(p);
    }

    function test_RevertWhen_ThresholdZero() public {
        ContestParams memory p = defaultParams();
        p.minCorrect = 0;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.InvalidThreshold.selector, 0, N));
    }

    function test_RevertWhen_ThresholdAboveTestSetSize() public {
        ContestParams memory p = defaultParams();
        p.minCorrect = N + 1;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.InvalidThreshold.selector, N + 1, N));
    }

    function test_RevertWhen_TestSetCommitmentNotInField() public {
        ContestParams memory p = defaultParams();
        p.testSetCommitment = P;
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.CommitmentNotInField.selector, P));
    }

    function test_RevertWhen_VerifierHasNoCode() public {
        ContestParams memory p = defaultParams();
        p.verifier = makeAddr("eoa");
        expectCreateRevert(p, abi.encodeWithSelector(IContestRegistryEvents.VerifierHasNoCode.selector, p.verifier));
    }

    function expectCreateRevert(ContestParams memory p, bytes memory err) internal {
        vm.prank(organiser);
        vm.expectRevert(err);
        registry.createContest{value: PRIZE}(p);
    }

    uint256 internal constant MAX_WINDOW = 365 days;

    function windowError(uint8 phase_, uint256 window, uint256 min) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IContestRegistryEvents.WindowOutOfRange.selector, phase_, window, min, MAX_WINDOW);
    }

    /// @dev The default contest with these windows (commit, test set, proof, reveal), in seconds.
    function withWindows(uint256 c, uint256 t, uint256 pr, uint256 r) internal view returns (ContestParams memory p) {
        p = defaultParams();
        p.commitDeadline = uint64(block.timestamp + c);
        p.testSetDeadline = uint64(p.commitDeadline + t);
        p.proofDeadline = uint64(p.testSetDeadline + pr);
        p.revealWindow = uint64(r);
    }

    /// @dev For ordered deadlines: expects the first window out of range, if any, to revert
    ///      `createContest`; returns whether all are in range.
    function expectWindowCheck(ContestParams memory p) internal returns (bool valid) {
        uint256[4] memory w = [
            uint256(p.commitDeadline) - block.timestamp,
            uint256(p.testSetDeadline) - p.commitDeadline,
            uint256(p.proofDeadline) - p.testSetDeadline,
            uint256(p.revealWindow)
        ];
        uint256[4] memory min = [uint256(1 hours), 1 hours, 1 days, 1 days];
        for (uint8 i = 0; i < 4; ++i) {
            if (w[i] < min[i] || w[i] > MAX_WINDOW) {
                vm.expectRevert(windowError(i, w[i], min[i]));
                return false;
            }
        }
        return true;
    }

    /// @dev Phase `phase_`'s window at `min - 1`, `min`, `MAX_WINDOW`, `MAX_WINDOW + 1`; the
    ///      other windows at the default 1 day.
    function checkWindowBoundaries(uint8 phase_, uint256 min) internal {
        uint256[4] memory at = [min - 1, min, MAX_WINDOW, MAX_WINDOW + 1];
        for (uint256 k = 0; k < 4; ++k) {
            uint256[4] memory w = [uint256(1 days), 1 days, 1 days, 1 days];
            w[phase_] = at[k];
            ContestParams memory p = withWindows(w[0], w[1], w[2], w[3]);
            if (k == 0 || k == 3) {
                expectCreateRevert(p, windowError(phase_, at[k], min));
            } else {
                uint256 id = create(p);
                assertEq(abi.encode(registry.contest(id).params), abi.encode(p), "accepted at the boundary");
            }
        }
    }

    // ------------------------------------------------------------------ commitModel

    function test_commitModel_LocksBond() public {
        uint256 id = createDefault();
        uint256 c = modelCommitment(alice);
        vm.expectEmit();
        emit ModelCommitted(id, alice, c, 1, BOND, false, 1);
        commit(id, alice);

        EntryView memory e = registry.entry(id, alice);
        assertEq(uint256(e.status), uint256(EntryStatus.Committed), "status");
        assertEq(e.commitment, c, "commitment");
        assertEq(e.commitSeq, 1, "seq");
        assertEq(registry.contest(id).held, PRIZE + BOND, "held");
        assertEq(registry.contest(id).committers, 1, "committers");
        assertEq(address(registry).balance, PRIZE + BOND, "balance");
    }

    function test_commitModel_ReplacementTakesNewSeqWithoutBond() public {
        uint256 id = createDefault();
        commit(id, alice);
        commit(id, bob);
        vm.expectEmit();
        emit ModelCommitted(id, alice, 1234, 3, BOND, true, 2);
        vm.prank(alice);
        registry.commitModel(id, 1234);

        EntryView memory e = registry.entry(id, alice);
        assertEq(e.commitment, 1234, "replaced commitment");
        assertEq(e.commitSeq, 3, "new seq");
        assertEq(registry.contest(id).held, PRIZE + 2 * BOND, "one bond each");
    }

    function test_RevertWhen_CommitAfterDeadline() public {
        uint256 id = createDefault();
        uint256 deadline = registry.contest(id).params.commitDeadline;
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.CommitPhaseOver.selector, id, deadline, deadline + 1)
        );
        registry.commitModel{value: BOND}(id, 1);
    }

    function test_commitModel_AtDeadlineSecond() public {
        uint256 id = createDefault();
        vm.warp(registry.contest(id).params.commitDeadline);
        commit(id, alice);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Committed), "committed");
    }

    function test_RevertWhen_CommitWithWrongBond() public {
        uint256 id = createDefault();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WrongBond.selector, BOND - 1, BOND));
        registry.commitModel{value: BOND - 1}(id, 1);
    }

    function test_RevertWhen_ReplacementPaysAgain() public {
        uint256 id = createDefault();
        commit(id, alice);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.WrongBond.selector, BOND, 0));
        registry.commitModel{value: BOND}(id, 1);
    }

    function test_RevertWhen_CommitmentNotInField() public {
        uint256 id = createDefault();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.CommitmentNotInField.selector, P + 1));
        registry.commitModel{value: BOND}(id, P + 1);
    }

    function test_RevertWhen_CommitToUnknownContest() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ContestNotFound.selector, 7));
        registry.commitModel{value: BOND}(7, 1);
    }

    function testFuzz_commitModel_AnyBond(uint256 bond) public {
        bond = bound(bond, 1, 50 ether); // was from 0; a zero bond is now refused (ZeroBond)
        ContestParams memory p = defaultParams();
        p.commitBond = bond;
        uint256 id = create(p);
        vm.prank(alice);
        registry.commitModel{value: bond}(id, 5);
        assertEq(registry.contest(id).held, PRIZE + bond, "held");
        assertEq(address(registry).balance, PRIZE + bond, "balance");
    }

    // ------------------------------------------------------------------ revealTestSet

    function test_revealTestSet_OneChunkOpensProofPhase() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetReveal), "phase before");
        uint256[] memory elems = testSetElems();
        uint256 state = claim(elems);
        vm.expectEmit();
        emit TestSetChunkRevealed(id, 0, 0, state, elems);
        vm.expectEmit();
        ContestParams memory p = registry.contest(id).params;
        uint256 window = p.proofDeadline - p.testSetDeadline;
        uint256 ends = block.timestamp + window;
        uint256 challengeEnds = block.timestamp + window / 4;
        emit TestSetRevealed(id, elems.length, chain(TESTSET_TAG, elems), challengeEnds, ends);
        postTestSet(id);
        ContestView memory v = registry.contest(id);
        assertTrue(v.testSetRevealed, "revealed");
        assertEq(v.proofEnds, ends, "proof window from the reveal");
        assertEq(v.challengeEnds, challengeEnds, "its first quarter for challenges");
        assertEq(v.testSetRevealedCount, elems.length, "count");
        assertEq(uint256(v.phase), uint256(Phase.TestSetChallenge), "challenge phase after");
        vm.warp(challengeEnds);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetChallenge), "up to its last second");
        vm.warp(challengeEnds + 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Proof), "then proofs");
    }

    function testFuzz_revealTestSet_ChunkBoundaries(uint256 cut1, uint256 cut2) public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256[] memory elems = testSetElems();
        cut1 = bound(cut1, 1, elems.length - 1);
        cut2 = bound(cut2, cut1 + 1, elems.length);
        uint256 s1 = claim(slice(elems, 0, cut1));
        uint256 s2 = claim(slice(elems, 0, cut2));
        uint256 s3 = claim(elems);
        vm.startPrank(organiser);
        registry.revealTestSet(id, slice(elems, 0, cut1), s1, false);
        vm.expectEmit();
        emit TestSetChunkRevealed(id, 1, cut1, s2, slice(elems, cut1, cut2));
        registry.revealTestSet(id, slice(elems, cut1, cut2), s2, false);
        assertEq(registry.contest(id).testSetRevealedCount, cut2, "partial count");
        assertTrue(!registry.contest(id).testSetRevealed, "not yet revealed");
        registry.revealTestSet(id, slice(elems, cut2, elems.length), s3, true);
        vm.stopPrank();
        assertTrue(registry.contest(id).testSetRevealed, "revealed");
    }

    function test_restartTestSetReveal_DiscardsPartialChunks() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256 s = claim(testSetElems());
        vm.startPrank(organiser);
        registry.revealTestSet(id, nums(99, 98), 7, false); // wrong data
        vm.expectEmit();
        emit TestSetRevealRestarted(id, 2);
        registry.restartTestSetReveal(id);
        registry.revealTestSet(id, testSetElems(), s, true);
        vm.stopPrank();
        assertTrue(registry.contest(id).testSetRevealed, "revealed after restart");
    }

    function test_RevertWhen_TestSetRevealedByOther() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotOrganiser.selector, id, alice, organiser));
        registry.revealTestSet(id, testSetElems(), 0, true);
    }

    function test_RevertWhen_TestSetRevealedDuringCommitPhase() public {
        uint256 id = createDefault();
        ContestParams memory p = registry.contest(id).params;
        vm.prank(organiser);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.TestSetRevealClosed.selector, id, p.commitDeadline, p.testSetDeadline, block.timestamp
            )
        );
        registry.revealTestSet(id, testSetElems(), 0, true);
    }

    function test_RevertWhen_TestSetRevealedAfterDeadline() public {
        uint256 id = createDefault();
        ContestParams memory p = registry.contest(id).params;
        vm.warp(p.testSetDeadline + 1);
        vm.prank(organiser);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.TestSetRevealClosed.selector,
                id,
                p.commitDeadline,
                p.testSetDeadline,
                p.testSetDeadline + 1
            )
        );
        registry.revealTestSet(id, testSetElems(), 0, true);
    }

    function test_revealTestSet_AtDeadlineSecond() public {
        uint256 id = createDefault();
        vm.warp(registry.contest(id).params.testSetDeadline);
        revealTestSet(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Proof), "revealed in its last second");
    }

    /// @dev The test set may only be posted once no one can commit any more: not in the commit
    ///      deadline's own second, from the next one on.
    function test_RevertWhen_TestSetRevealedAtCommitDeadlineSecond() public {
        uint256 id = createDefault();
        ContestParams memory p = registry.contest(id).params;
        vm.warp(p.commitDeadline);
        vm.prank(organiser);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.TestSetRevealClosed.selector, id, p.commitDeadline, p.testSetDeadline, p.commitDeadline
            )
        );
        registry.revealTestSet(id, testSetElems(), 0, true);
        vm.warp(p.commitDeadline + 1);
        revealTestSet(id);
        assertTrue(registry.contest(id).testSetRevealed, "revealed one second later");
    }

    function test_RevertWhen_TestSetRevealedTwice() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        revealTestSet(id);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetAlreadyRevealed.selector, id));
        registry.revealTestSet(id, testSetElems(), 0, true);
    }

    function test_RevertWhen_TestSetChunkEmpty() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        vm.prank(organiser);
        vm.expectRevert(IContestRegistryEvents.EmptyChunk.selector);
        registry.revealTestSet(id, new uint256[](0), 0, false);
    }

    function test_RevertWhen_TestSetElementNotInField() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        vm.startPrank(organiser);
        registry.revealTestSet(id, nums(1, 2), 0, false);
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.ElementNotInField.selector, 3, P + 5));
        registry.revealTestSet(id, nums(3, P + 5), 0, true);
        vm.stopPrank();
    }

    function test_RevertWhen_TestSetDoesNotMatchCommitment() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256[] memory elems = testSetElems();
        elems[2] = 1;
        uint256 expected = registry.contest(id).params.testSetCommitment;
        uint256 computed = chain(TESTSET_TAG, elems);
        uint256 s = claim(elems);
        vm.prank(organiser);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.CommitmentMismatch.selector, expected, computed, elems.length)
        );
        registry.revealTestSet(id, elems, s, true);
    }

    function test_RevertWhen_TestSetTruncated() public {
        uint256 id = createDefault();
        toTestSetPhase(id);
        uint256[] memory elems = slice(testSetElems(), 0, 4);
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetLengthMismatch.selector, 6, 4));
        registry.revealTestSet(id, elems, 0, true);
    }

    // ------------------------------------------------- the revealed test set decodes (§4)

    /// @dev A contest whose `T` commits to `elems` (the organiser's choice), in the test-set phase,
    ///      alice committed.
    function contestCommittingTo(uint256[] memory elems) internal returns (uint256 id) {
        ContestParams memory p = defaultParams();
        p.testSetCommitment = chain(TESTSET_TAG, elems);
        id = create(p);
        commit(id, alice);
        toTestSetPhase(id);
    }

    /// @dev Posts `elems` as committed in the chunks `[0, cut)` and `[cut, end)` (one chunk if
    ///      `cut` is 0), with honest claims. Returns the claims.
    function postIn2(uint256 id, uint256[] memory elems, uint256 cut) internal returns (uint256 s1, uint256 s) {
        s1 = claim(slice(elems, 0, cut));
        s = claim(elems);
        vm.startPrank(organiser);
        if (cut > 0) registry.revealTestSet(id, slice(elems, 0, cut), s1, false);
        registry.revealTestSet(id, slice(elems, cut, elems.length), s, true);
        vm.stopPrank();
    }

    /// @dev The organiser committed to a test set that does not decode. Posting it is not checked
    ///      element by element (PROTOCOL §14.3), but a challenge of the chunk holding the bad
    ///      element makes the organiser default (alice gets the default split and her bond, the
    ///      challenger its reward) instead of taking the prize back after nobody could prove; a
    ///      challenge of a chunk before it that decodes and hashes right fails.
    function assertChallengedAndDefaults(uint256[] memory elems, uint256 bad) internal {
        uint256 id = contestCommittingTo(elems);
        (uint256 s1, uint256 s) = postIn2(id, elems, bad);
        uint256 reward = PRIZE / 10;
        if (bad > 0) {
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, 0, s1));
            registry.challengeTestSet(id, 0, 0, TESTSET_TAG, s1, slice(elems, 0, bad));
        }
        uint256[] memory rest = slice(elems, bad, elems.length);
        vm.expectEmit();
        emit TestSetChallenged(id, bad > 0 ? 1 : 0, bob, bad, 0, s, reward);
        vm.prank(bob);
        registry.challengeTestSet(id, bad > 0 ? 1 : 0, bad, bad > 0 ? s1 : TESTSET_TAG, s, rest);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "organiser defaulted at once");
        assertEq(registry.owed(id, alice), PRIZE - reward + BOND, "alice: the defaulted prize and her bond");
        assertEq(registry.owed(id, bob), reward, "bob: the challenger's reward");
        assertEq(registry.owed(id, organiser), 0, "organiser: nothing back");
    }

    function test_RevertWhen_TestSetLabelNotBelowClasses() public {
        uint256[] memory e = testSetElems();
        e[5] |= uint256(3) << (2 * 7); // row 7's label becomes 3 = K
        assertChallengedAndDefaults(e, 5);
    }

    function test_RevertWhen_TestSetFeatureAboveItsRange() public {
        uint256[] memory e = testSetElems();
        e[2] = (e[2] & ~(uint256(31) << 15)) | (uint256(SPAN + 1) << 15); // value 3 of element 2
        assertChallengedAndDefaults(e, 2);
    }

    function test_RevertWhen_TestSetBitsPastTheLastValue() public {
        uint256[] memory e = testSetElems();
        e[4] |= 1 << (5 * 4); // element 4 holds 4 values: a fifth is padding
        assertChallengedAndDefaults(e, 4);
        e = testSetElems();
        e[1] |= 1 << 247; // past 49 five-bit values in a full element
        assertChallengedAndDefaults(e, 1);
        e = testSetElems();
        e[5] |= 1 << (2 * N); // past the 20 labels
        assertChallengedAndDefaults(e, 5);
    }

    function test_RevertWhen_TestSetHasAnElementPastItsEnd() public {
        uint256[] memory good = testSetElems();
        uint256[] memory e = new uint256[](good.length + 1);
        for (uint256 i = 0; i < good.length; ++i) e[i] = good[i];
        // A zero element: decodes as nothing. The count is checked when the reveal ends.
        uint256 id = contestCommittingTo(e);
        uint256 s = claim(e);
        vm.prank(organiser);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.TestSetLengthMismatch.selector, good.length, e.length)
        );
        registry.revealTestSet(id, e, s, true);
        vm.warp(registry.contest(id).params.testSetDeadline + 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "organiser defaulted");
        assertEq(registry.owed(id, alice), PRIZE + BOND, "alice: the defaulted prize and her bond");
    }

    function test_RevertWhen_TestSetLayoutInvalid() public {
        ContestParams memory p = defaultParams();
        p.features = 0;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.InvalidTestSetLayout.selector, 0, SPAN, K));
        registry.createContest{value: PRIZE}(p);
        p = defaultParams();
        p.classes = 1;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.InvalidTestSetLayout.selector, F, SPAN, 1));
        registry.createContest{value: PRIZE}(p);
    }

    /// @dev Any layout: the packing of in-range values reveals in two chunks and neither can be
    ///      challenged; the same set with one value moved just past its range (or one bit set
    ///      past an element's values) is challenged at that element's chunk. Packed here by `packStream`, independently of the registry.
    function testFuzz_revealTestSet_DecodesExactlyThePackingOfInRangeValues(
        uint32 rows,
        uint32 features,
        uint64 span,
        uint32 classes,
        uint256 victim
    ) public {
        rows = uint32(bound(rows, 1, 100));
        features = uint32(bound(features, 1, 20));
        span = uint64(bound(span, 1, 2 ** 20));
        classes = uint32(bound(classes, 2, 1000));
        uint256[] memory e;
        uint256[] memory bad;
        uint256 j;
        {
            uint256 bx = bitsFor(span);
            uint256 by = bitsFor(classes - 1);
            uint256[] memory x = packStream(uint256(rows) * features, bx, 7919, uint256(span) + 1);
            e = concat(x, packStream(rows, by, 31, classes));
            // The mutation: element `j`'s first value set to span + 1 (when that still fits its
            // width) or, if the span fills the width, bit 252 (past any value, and still < p).
            j = victim % e.length;
            uint256 b = j < x.length ? bx : by;
            uint256 spanJ = j < x.length ? span : classes - 1;
            bad = slice(e, 0, e.length);
            if (spanJ + 1 < 2 ** b) bad[j] = (bad[j] & ~((2 ** b) - 1)) | (spanJ + 1);
            else bad[j] |= 1 << 252;
        }
        uint256 id = create(layoutParams(rows, features, span, classes, e));
        uint256 id2 = create(layoutParams(rows, features, span, classes, bad));
        toTestSetPhase(id);
        uint256 cut = victim % (e.length + 1);
        if (cut == e.length) cut = 0; // one chunk
        assertUnchallengeable(id, e, cut);
        assertChallengedAt(id2, bad, cut, j);
    }

    /// @dev `elems` (as committed by `id`) posted in two chunks at `cut`: neither chunk can be
    ///      challenged.
    function assertUnchallengeable(uint256 id, uint256[] memory e, uint256 cut) internal {
        (uint256 s1, uint256 s) = postIn2(id, e, cut);
        assertTrue(registry.contest(id).testSetRevealed, "the packing of in-range values reveals");
        if (cut > 0) {
            vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, 0, s1));
            registry.challengeTestSet(id, 0, 0, TESTSET_TAG, s1, slice(e, 0, cut));
        }
        uint256 last = cut > 0 ? 1 : 0;
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, last, s));
        registry.challengeTestSet(id, last, cut, cut > 0 ? s1 : TESTSET_TAG, s, slice(e, cut, e.length));
    }

    /// @dev `bad` (as committed by `id`, element `j` malformed) posted in two chunks at `cut`:
    ///      the chunk holding `j` is challenged, with `j` reported, and the organiser defaults.
    function assertChallengedAt(uint256 id, uint256[] memory bad, uint256 cut, uint256 j) internal {
        (uint256 s1, uint256 s) = postIn2(id, bad, cut);
        bool second = cut > 0 && j >= cut;
        uint256 from = second ? cut : 0;
        uint256 to = cut > 0 && !second ? cut : bad.length;
        uint256 claimed = to == bad.length ? s : s1;
        uint256[] memory chunkElems = slice(bad, from, to);
        uint256 before = second ? s1 : TESTSET_TAG;
        vm.expectEmit();
        emit TestSetChallenged(id, second ? 1 : 0, bob, j, 0, claimed, PRIZE / 10);
        vm.prank(bob);
        registry.challengeTestSet(id, second ? 1 : 0, from, before, claimed, chunkElems);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "the organiser defaulted");
    }

    function bitsFor(uint256 span) internal pure returns (uint256 b) {
        b = 1;
        while (span >> b != 0) ++b;
    }

    function test_phase_TestSetMissedAfterDeadline() public {
        uint256 id = createDefault();
        vm.warp(registry.contest(id).params.testSetDeadline + 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "missed");
    }
}
