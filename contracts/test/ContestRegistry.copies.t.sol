// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture, IPoseidonT3} from "./utils/RegistryFixture.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {EntryStatus, OriginalView} from "../src/ContestTypes.sol";

/// @notice Copy protection (contracts/README.md "Copies"): the fingerprint of a revealed model
///         (its chain before the salt) is recorded registry-wide with the commit time of the
///         entry that revealed it; another address that committed the same weights later is
///         disqualified when it reveals them. Each test is an attack that paid the copier before.
contract ContestRegistryCopiesTest is RegistryFixture {
    uint256 internal constant FIRST = PRIZE * 7000 / 10_000;
    uint256 internal constant SECOND = PRIZE * 2000 / 10_000;
    uint256 internal constant THIRD = PRIZE * 1000 / 10_000;

    /// @dev Weights (three elements) shared by every copy; only the salt differs.
    function weightsWithSalt(uint256 salt) internal pure returns (uint256[] memory e) {
        e = new uint256[](4);
        e[0] = 0x0c0ffee;
        e[1] = 0xabcdef;
        e[2] = uint256(keccak256("weights")) >> 8;
        e[3] = salt % P;
    }

    /// @dev The chain's state before the salt: `P(P(P(tag, w0), w1), w2)`, by plain library calls.
    function fingerprintOf(uint256[] memory elems) internal view returns (uint256 h) {
        h = MODEL_TAG;
        for (uint256 i = 0; i + 1 < elems.length; ++i) {
            h = IPoseidonT3(poseidon).hash([h, elems[i]]);
        }
    }

    function commitElems(uint256 id, address who, uint256[] memory elems) internal {
        uint256 c = chain(MODEL_TAG, elems);
        vm.prank(who);
        registry.commitModel{value: BOND}(id, c);
    }

    function revealElems(uint256 id, address who, uint256[] memory elems) internal {
        vm.prank(who);
        registry.revealModel(id, elems, true);
    }

    /// @dev A contest in which `who` commits `elems` (and bob his own model), proves `correct`
    ///      (bob `bobCorrect`) and reaches the reveal phase.
    function contestWith(address who, uint256[] memory elems, uint256 correct, uint256 bobCorrect)
        internal
        returns (uint256 id)
    {
        id = createDefault();
        commitElems(id, who, elems);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, who, correct);
        if (bobCorrect >= MIN_CORRECT) {
            proveAfter(id, bob, bobCorrect, who);
        } else {
            prove(id, bob, bobCorrect);
        }
        toRevealPhase(id);
    }

    /// @notice Attack: alice wins contest 1 and must reveal her weights; eve re-commits them with
    ///         a fresh salt in contest 2 and wins it. Now eve's reveal is a disqualification: no
    ///         prize, her bond to the pool, and the next entry (bob) is called and paid.
    function test_copyOfARevealedModel_IsDisqualified_NextEntryPaid() public {
        address eve = makeAddr("eve");
        vm.deal(eve, 100 ether);
        uint256[] memory mine = weightsWithSalt(1);
        uint256 c1 = contestWith(alice, mine, N, 0);
        uint256 aliceCommittedAt = registry.entry(c1, alice).committedAt;
        revealElems(c1, alice, mine);
        uint256 fp = fingerprintOf(mine);
        OriginalView memory o = registry.original(fp);
        assertEq(o.owner, alice, "original recorded");
        assertEq(o.contestId, c1, "its contest");
        assertEq(o.committedAt, aliceCommittedAt, "its commit time");

        vm.warp(block.timestamp + 1 hours);
        uint256[] memory copy = weightsWithSalt(2);
        assertTrue(chain(MODEL_TAG, copy) != chain(MODEL_TAG, mine), "another commitment");
        uint256 c2 = contestWith(eve, copy, N, MIN_CORRECT);
        vm.expectEmit();
        emit ModelDisqualified(c2, eve, fp, alice, c1, aliceCommittedAt, BOND);
        revealElems(c2, eve, copy);
        assertEq(uint256(registry.entry(c2, eve).status), uint256(EntryStatus.Disqualified), "disqualified");
        assertEq(registry.owed(c2, eve), 0, "eve: no prize, no bond");
        assertEq(registry.original(fp).owner, alice, "the original stays");

        // Bob, second and called with eve, moves up to first place: the whole prize (the other
        // places are unfilled) and eve's bond.
        assertEq(uint256(registry.entry(c2, bob).status), uint256(EntryStatus.Called), "bob called");
        revealModel(c2, bob);
        assertEq(registry.owed(c2, bob), BOND + PRIZE + BOND, "bob: bond, whole prize, eve's bond");
        assertEq(withdraw(c2, bob), BOND + PRIZE + BOND, "withdrawn");
    }

    /// @dev alice and carol commit the same weights (carol one second later), bob his own
    ///      model; alice and carol prove N, bob N - 1: ranked alice, carol, bob, all called.
    function oneModelTwoAddresses(uint256 saltA, uint256 saltB)
        internal
        returns (uint256 id, uint256[] memory a, uint256[] memory b)
    {
        id = createDefault();
        a = weightsWithSalt(saltA);
        b = weightsWithSalt(saltB);
        commitElems(id, alice, a);
        vm.warp(block.timestamp + 1);
        commitElems(id, carol, b);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, N);
        proveAfter(id, carol, N, alice);
        proveAfter(id, bob, N - 1, carol);
        toRevealPhase(id);
    }

    /// @notice Attack: one model under several addresses fills every paid rank of one contest.
    ///         Only one of them is paid; the copy revealing second is disqualified and the honest
    ///         third entry moves up to second place.
    function test_oneModelUnderTwoAddresses_CopyRevealingSecond_HonestEntryMovesUp() public {
        (uint256 id, uint256[] memory a, uint256[] memory b) = oneModelTwoAddresses(21, 22);
        revealElems(id, alice, a);
        revealElems(id, carol, b);
        revealModel(id, bob);
        assertEq(uint256(registry.entry(id, carol).status), uint256(EntryStatus.Disqualified), "carol copied");
        // Settled: the third place is unfilled (its share to first), carol's bond is the pool.
        assertEq(registry.owed(id, alice), BOND + FIRST + THIRD + BOND * 8000 / 10_000, "alice first");
        assertEq(registry.owed(id, bob), BOND + SECOND + BOND * 2000 / 10_000, "bob second");
        assertEq(registry.owed(id, carol), 0, "carol nothing");
    }

    /// @notice The attacker's reveal order does not help: with the later-committed copy revealing
    ///         first, the earlier one, revealing second in the same contest, is the one
    ///         disqualified. Still one place for one model.
    function test_oneModelUnderTwoAddresses_LaterCopyRevealingFirst_StillOnePlace() public {
        (uint256 id, uint256[] memory a, uint256[] memory b) = oneModelTwoAddresses(11, 12);
        revealElems(id, carol, b);
        revealElems(id, alice, a);
        revealModel(id, bob);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Disqualified), "alice second revealer");
        assertEq(registry.original(fingerprintOf(a)).owner, carol, "the first revealer stays recorded");
        // alice's first place is forfeited: carol (second-ranked) is paid first, bob second.
        assertEq(registry.owed(id, carol), BOND + FIRST + THIRD + BOND * 8000 / 10_000, "carol first");
        assertEq(registry.owed(id, bob), BOND + SECOND + BOND * 2000 / 10_000, "bob second");
        assertEq(registry.owed(id, alice), 0, "alice nothing");
    }

    /// @notice The original's own address may use its model again in a later contest.
    function test_sameAddressReusesItsModel() public {
        uint256[] memory first = weightsWithSalt(31);
        uint256 c1 = contestWith(alice, first, N, 0);
        revealElems(c1, alice, first);
        vm.warp(block.timestamp + 1 hours);
        uint256[] memory again = weightsWithSalt(32);
        uint256 c2 = contestWith(alice, again, N, 0);
        revealElems(c2, alice, again);
        assertEq(uint256(registry.entry(c2, alice).status), uint256(EntryStatus.Revealed), "revealed");
        assertEq(registry.original(fingerprintOf(first)).contestId, c1, "the first contest stays the original");
    }

    /// @notice A copier that reveals before the original cannot take the original's place: when
    ///         the earlier-committed original reveals, it is not disqualified and becomes the
    ///         record.
    function test_earlierCommitmentRevealedLater_BecomesTheOriginal() public {
        uint256[] memory mine = weightsWithSalt(41);
        uint256 c1 = createDefault(); // alice commits first, reveals last
        commitElems(c1, alice, mine);
        vm.warp(block.timestamp + 1 hours);
        uint256[] memory copy = weightsWithSalt(42);
        uint256 c2 = contestWith(carol, copy, N, 0);
        revealElems(c2, carol, copy);
        assertEq(registry.original(fingerprintOf(copy)).owner, carol, "carol recorded first");

        toTestSetPhase(c1);
        revealTestSet(c1);
        prove(c1, alice, N);
        toRevealPhase(c1);
        revealElems(c1, alice, mine);
        assertEq(uint256(registry.entry(c1, alice).status), uint256(EntryStatus.Revealed), "alice not disqualified");
        OriginalView memory o = registry.original(fingerprintOf(mine));
        assertEq(o.owner, alice, "alice's earlier commitment is now the original");
        assertEq(o.contestId, c1, "in contest 1");
    }

    /// @dev Contests `c1` (alice) and `c2` (carol), both committed: test sets revealed, both
    ///      prove N, and the reveal phase begins.
    function proveBothAndReachReveal(uint256 c1, uint256 c2) internal {
        toTestSetPhase(c1);
        // Both posted in one second, so their windows coincide.
        postTestSet(c1);
        postTestSet(c2);
        vm.warp(registry.contest(c1).challengeEnds + 1);
        prove(c1, alice, N);
        prove(c2, carol, N);
        toRevealPhase(c1);
    }

    /// @notice Same-second commitments in two contests cannot be ordered: neither is a copy.
    function test_sameSecondCommitmentsInTwoContests_NeitherDisqualified() public {
        uint256[] memory a = weightsWithSalt(51);
        uint256[] memory b = weightsWithSalt(52);
        uint256 c1 = createDefault();
        uint256 c2 = createDefault();
        commitElems(c1, alice, a);
        commitElems(c2, carol, b);
        proveBothAndReachReveal(c1, c2);
        revealElems(c1, alice, a);
        revealElems(c2, carol, b);
        assertEq(uint256(registry.entry(c2, carol).status), uint256(EntryStatus.Revealed), "carol revealed");
        assertEq(registry.original(fingerprintOf(a)).owner, alice, "the first revealer recorded");
    }

    /// @notice A replaced commitment takes the replacement's time: committing junk early and
    ///         replacing it with a copy later does not backdate the copy.
    function test_replacementTakesItsOwnTime() public {
        uint256[] memory mine = weightsWithSalt(61);
        uint256 c1 = createDefault();
        commitElems(c1, alice, weightsWithSalt(60)); // placeholder; replaced below
        uint256 c2 = createDefault();
        commitElems(c2, carol, weightsWithSalt(99)); // carol's early junk
        vm.warp(block.timestamp + 10);
        uint256 cm = chain(MODEL_TAG, mine);
        vm.prank(alice);
        registry.commitModel(c1, cm); // alice's real model
        vm.warp(block.timestamp + 10);
        uint256[] memory copy = weightsWithSalt(62);
        uint256 cc = chain(MODEL_TAG, copy);
        vm.prank(carol);
        registry.commitModel(c2, cc); // replaced with the copy, later than alice
        assertEq(registry.entry(c2, carol).committedAt, block.timestamp, "replacement time");

        proveBothAndReachReveal(c1, c2);
        revealElems(c1, alice, mine);
        revealElems(c2, carol, copy);
        assertEq(uint256(registry.entry(c2, carol).status), uint256(EntryStatus.Disqualified), "the copy");
    }

    function test_RevertWhen_FinalModelChunkEmpty() public {
        uint256[] memory mine = weightsWithSalt(71);
        uint256 id = contestWith(alice, mine, N, 0);
        vm.startPrank(alice);
        registry.revealModel(id, mine, false);
        vm.expectRevert(IContestRegistryEvents.EmptyChunk.selector);
        registry.revealModel(id, new uint256[](0), true);
        vm.stopPrank();
    }
}
