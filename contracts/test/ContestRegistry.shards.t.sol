// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IPoseidonT3} from "./utils/RegistryFixture.sol";
import {ShardedFixture} from "./utils/ShardedFixture.sol";
import {IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, EntryStatus, Phase} from "../src/ContestTypes.sol";

/// @notice Sharded test sets (PROTOCOL §14.1): `T = Chain(TESTSET_ROOT_TAG, T_0 … T_{M-1})`,
///         each shard proved on its own against the registry's `T_s`, an entry scored with the
///         sum once all its shards are in. Each test is an attack by one party on another.
contract ContestRegistryShardsTest is ShardedFixture {
    /// @notice Attack (organiser): a shard count that does not divide the rows, or none.
    function test_shards_CountMustDivideTheRows() public {
        ContestParams memory p = shardedParams();
        p.shards = 0;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.InvalidShards.selector, 0, N));
        registry.createContest{value: PRIZE}(p);
        p.shards = 3;
        vm.prank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.InvalidShards.selector, 3, N));
        registry.createContest{value: PRIZE}(p);
    }

    /// @notice The reveal records each shard's own commitment, computed from the claimed state
    ///         of the chunk ending the shard, and checks the root.
    function test_shards_RevealRecordsEveryShardAndChecksTheRoot() public {
        uint256 id = revealedShardedContest();
        assertEq(uint256(registry.phase(id)), uint256(Phase.Proof), "proof phase");
        (uint256 t0,,) = registry.shardInfo(id, 0, alice);
        (uint256 t1,,) = registry.shardInfo(id, 1, alice);
        (uint256 t2,,) = registry.shardInfo(id, 2, alice);
        assertEq(t0, shardCommitment(0), "T_0");
        assertEq(t1, shardCommitment(1), "T_1");
        assertEq(t2, 0, "no third shard");
        assertEq(registry.contest(id).testSetRevealedCount, 2 * PER_SHARD, "all elements");
    }

    /// @notice Attack (organiser): the same data committed as one flat chain in a two-shard
    ///         contest. The registry checks the root of the shards, so the reveal cannot finish.
    function test_shards_FlatCommitmentIsNotTheRoot() public {
        ContestParams memory p = shardedParams();
        uint256[] memory e = all();
        p.testSetCommitment = chain(TESTSET_TAG, e);
        uint256 id = create(p);
        toTestSetPhase(id);
        uint256[] memory s0 = shardElems(0);
        uint256[] memory s1 = shardElems(1);
        uint256 c0 = absorbed(TESTSET_TAG, s0);
        uint256 c1 = absorbed(TESTSET_TAG, s1);
        vm.startPrank(organiser);
        registry.revealTestSet(id, s0, c0, false);
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.CommitmentMismatch.selector, p.testSetCommitment, root(), 8)
        );
        registry.revealTestSet(id, s1, c1, true);
        vm.stopPrank();
    }

    /// @notice Attack (organiser): a chunk spanning two shards would let one claim hide the
    ///         restart of the second shard's chain; refused. So is a chunk past the last shard.
    function test_shards_ChunkCannotCrossAShard() public {
        uint256 id = create(shardedParams());
        toTestSetPhase(id);
        uint256[] memory e = all();
        vm.startPrank(organiser);
        registry.revealTestSet(id, slice(e, 0, 2), WRONG, false);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkCrossesShard.selector, 2, 4, PER_SHARD));
        registry.revealTestSet(id, slice(e, 2, 6), WRONG, false);
        registry.revealTestSet(id, slice(e, 2, 4), WRONG, false);
        registry.revealTestSet(id, slice(e, 4, 8), WRONG, false);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetLengthMismatch.selector, 8, 9));
        registry.revealTestSet(id, nums(1), WRONG, false);
        vm.stopPrank();
    }

    /// @notice Attack (organiser): a wrong claim inside the second shard. A challenge replays the
    ///         chunk from the tag (the shard's chain starts there, as the registry recorded), and
    ///         the organiser defaults; the honest first shard cannot be challenged.
    function test_shards_WrongClaimInTheSecondShardIsChallenged() public {
        uint256[] memory s0 = shardElems(0);
        uint256[] memory s1 = shardElems(1);
        uint256 c0 = absorbed(TESTSET_TAG, s0);
        uint256 c2 = absorbed(WRONG, slice(s1, 2, 4));
        uint256 t1 = IPoseidonT3(poseidon).hash([c2, PER_SHARD]);
        ContestParams memory p = shardedParams();
        p.testSetCommitment = chain(ROOT_TAG, nums(chain(TESTSET_TAG, s0), t1));
        uint256 id = create(p);
        commit(id, alice);
        toTestSetPhase(id);
        vm.startPrank(organiser);
        registry.revealTestSet(id, s0, c0, false);
        registry.revealTestSet(id, slice(s1, 0, 2), WRONG, false);
        registry.revealTestSet(id, slice(s1, 2, 4), c2, true);
        vm.stopPrank();
        (uint256 recorded,,) = registry.shardInfo(id, 1, alice);
        assertEq(recorded, t1, "T_1 from the (wrong) claim");

        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ChunkChecksOut.selector, id, 0, c0));
        registry.challengeTestSet(id, 0, 0, TESTSET_TAG, c0, s0);
        // The state before the second shard's first chunk is the tag, not shard 0's last claim.
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotThePostedChunk.selector, id, 1));
        registry.challengeTestSet(id, 1, 4, c0, WRONG, slice(s1, 0, 2));
        uint256 computed = absorbed(TESTSET_TAG, slice(s1, 0, 2));
        vm.expectEmit();
        emit TestSetChallenged(id, 1, bob, type(uint256).max, computed, WRONG, PRIZE / 10);
        vm.prank(bob);
        registry.challengeTestSet(id, 1, 4, TESTSET_TAG, WRONG, slice(s1, 0, 2));
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "defaulted");
    }

    /// @notice Attack (organiser): a label out of range in the second shard's label element.
    ///         The challenge decodes it against the shard's layout from the shard's start and
    ///         names it by its index in the whole set.
    function test_shards_MalformedElementDecodedWithinItsShard() public {
        uint256[] memory s0 = shardElems(0);
        uint256[] memory s1 = shardElems(1);
        s1[3] |= 3; // label 0 := 3, past K - 1 = 2
        uint256 c0 = absorbed(TESTSET_TAG, s0);
        uint256 c1 = absorbed(TESTSET_TAG, s1);
        ContestParams memory p = shardedParams();
        p.testSetCommitment = chain(ROOT_TAG, nums(chain(TESTSET_TAG, s0), chain(TESTSET_TAG, s1)));
        uint256 id = create(p);
        toTestSetPhase(id);
        vm.startPrank(organiser);
        registry.revealTestSet(id, s0, c0, false);
        registry.revealTestSet(id, s1, c1, true);
        vm.stopPrank();
        vm.expectEmit();
        emit TestSetChallenged(id, 1, bob, 7, 0, c1, PRIZE / 10);
        vm.prank(bob);
        registry.challengeTestSet(id, 1, 4, TESTSET_TAG, c1, s1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.TestSetMissed), "defaulted");
    }

    /// @notice An entry is ranked with the sum of its shards, each proved against the
    ///         registry's `T_s`; until its last shard it is neither ranked nor counted.
    function test_shards_ScoreIsTheSumOfEveryShard() public {
        uint256 id = revealedShardedContest();
        verifier.expectInput(input(id, alice, shardCommitment(0), 7));
        vm.expectEmit();
        emit ShardProofAccepted(id, alice, 0, 7, 1);
        proveShard(id, alice, 0, 7);
        assertEq(registry.contest(id).provers, 0, "not counted before every shard");
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Committed), "still committed");
        (, bool proved, uint256 correct) = registry.shardInfo(id, 0, alice);
        assertTrue(proved, "shard 0 proved");
        assertEq(correct, 7, "its count");

        verifier.expectInput(input(id, alice, shardCommitment(1), 6));
        vm.expectEmit();
        emit ProofAccepted(id, alice, 13, true, 1, 1);
        proveShard(id, alice, 1, 6);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "ranked");
        assertEq(registry.entry(id, alice).correct, 13, "7 + 6");
        assertEq(registry.entry(id, alice).shardsProved, 2, "both shards");
    }

    /// @notice Attack (competitor): a proof made against another shard's commitment (say, the
    ///         shard its model does best on) is checked against the registry's `T_s` and fails.
    function test_shards_ProofAgainstAnotherShardIsRejected() public {
        uint256 id = revealedShardedContest();
        verifier.expectInput(input(id, alice, shardCommitment(0), 9));
        refused(id, 1, 9, abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, alice, 9));
    }

    /// @notice Attack (competitor): the same shard twice (its best count summed twice), a shard
    ///         past the last, a count above a shard's rows.
    function test_shards_EachShardOnceAndInRange() public {
        uint256 id = revealedShardedContest();
        proveShard(id, alice, 0, 9);
        refused(id, 0, 9, abi.encodeWithSelector(IContestRegistryEvents.ShardAlreadyProved.selector, id, alice, 0));
        // `submitProof` is shard 0.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ShardAlreadyProved.selector, id, alice, 0));
        registry.submitProof(id, 9, hex"beef", address(0));
        refused(id, 2, 1, abi.encodeWithSelector(IContestRegistryEvents.ShardOutOfRange.selector, id, 2, M));
        refused(id, 1, 11, abi.encodeWithSelector(IContestRegistryEvents.CorrectExceedsTestSetSize.selector, 11, 10));
        proveShard(id, alice, 1, 10);
        refused(id, 1, 10, abi.encodeWithSelector(IContestRegistryEvents.AlreadyProved.selector, id, alice, 19));
    }

    /// @dev alice's proof of `correct` rows of `shard` reverts with `err`.
    function refused(uint256 id, uint256 shard, uint256 correct, bytes memory err) internal {
        vm.prank(alice);
        vm.expectRevert(err);
        registry.submitShardProof(id, shard, correct, hex"beef", address(0));
    }

    /// @notice Attack (competitor): prove only the shard the model is good at and skip the rest.
    ///         Missing a shard at the deadline, the entry never proved: not ranked, its bond to
    ///         the pool, however high its partial count.
    function test_shards_EntryMissingAShardNeverProved() public {
        uint256 id = revealedShardedContest();
        proveShard(id, alice, 0, 6);
        proveShard(id, alice, 1, 5);
        proveShard(id, bob, 1, 10);
        assertEq(registry.contest(id).provers, 1, "only alice proved");
        toRevealPhase(id);
        (address[] memory ranked,,) = registry.ranking(id);
        assertEq(ranked.length, 1, "one ranked entry");
        assertEq(ranked[0], alice, "alice, 11 rows");
        assertEq(registry.owed(id, bob), 0, "bob's bond went to the pool");
        assertEq(uint256(registry.entry(id, bob).status), uint256(EntryStatus.Committed), "bob never proved");
    }

    /// @notice A one-shard contest: `shardInfo(id, 0, …)` is `T` and the entry's own proof.
    function test_shards_OneShardIsTheWholeSet() public {
        uint256 id = createDefault();
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 12);
        (uint256 t, bool proved, uint256 correct) = registry.shardInfo(id, 0, alice);
        assertEq(t, chain(TESTSET_TAG, testSetElems()), "T");
        assertTrue(proved, "proved");
        assertEq(correct, 12, "count");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.AlreadyProved.selector, id, alice, 12));
        registry.submitShardProof(id, 0, 12, hex"beef", address(0));
    }
}
