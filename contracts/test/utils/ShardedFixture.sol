// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./RegistryFixture.sol";
import {ContestParams} from "../../src/ContestTypes.sol";

/// @notice A two-shard contest (PROTOCOL §14.1) and its helpers, for the tests of shards and of
///         shared columns.
abstract contract ShardedFixture is RegistryFixture {
    uint256 internal constant ROOT_TAG = 0x7a6b636f6e746573742f746573747365742d726f6f742f7631;
    uint32 internal constant M = 2;
    /// @dev A shard of `N / M = 10` rows: 100 features (5 bits, 49 an element: 3 elements) and
    ///      10 labels (1 element).
    uint256 internal constant PER_SHARD = 4;
    uint256 internal constant WRONG = 12_345;

    /// @dev Shard `s`'s packed rows (different data in each shard).
    function shardElems(uint256 s) internal pure returns (uint256[] memory) {
        uint256 rows = N / M;
        return concat(packStream(rows * F, 5, 7 + 2 * s, SPAN + 1), packStream(rows, 2, 1 + s, K));
    }

    function shardCommitment(uint256 s) internal view returns (uint256) {
        return chain(TESTSET_TAG, shardElems(s));
    }

    function all() internal pure returns (uint256[] memory) {
        return concat(shardElems(0), shardElems(1));
    }

    function root() internal view returns (uint256) {
        return chain(ROOT_TAG, nums(shardCommitment(0), shardCommitment(1)));
    }

    function shardedParams() internal view returns (ContestParams memory p) {
        p = defaultParams();
        p.shards = M;
        p.testSetCommitment = root();
    }

    /// @dev A two-shard contest (alice and bob committed) whose test set is posted honestly in
    ///      three chunks, `[0, 2)` and `[2, 4)` (shard 0) and `[4, 8)` (shard 1), and whose
    ///      challenge window is over.
    function revealedShardedContest() internal returns (uint256 id) {
        id = create(shardedParams());
        commitAndRevealShards(id);
    }

    /// @dev In contest `id` (two shards, `shardedParams`): alice and bob commit, the test set is
    ///      posted as `revealedShardedContest` does, and the challenge window runs out.
    function commitAndRevealShards(uint256 id) internal {
        commit(id, alice);
        commit(id, bob);
        revealShards(id);
    }

    /// @dev Moves contest `id` (two shards, `shardedParams`) past its commit deadline, posts its
    ///      test set in three honest chunks (`[0, 2)` and `[2, 4)` of shard 0, then shard 1) and
    ///      waits out the challenge window.
    function revealShards(uint256 id) internal {
        toTestSetPhase(id);
        uint256[] memory s0 = shardElems(0);
        uint256[] memory s1 = shardElems(1);
        uint256 c1 = absorbed(TESTSET_TAG, slice(s0, 0, 2));
        uint256 c2 = absorbed(TESTSET_TAG, s0);
        uint256 c3 = absorbed(TESTSET_TAG, s1);
        vm.startPrank(organiser);
        registry.revealTestSet(id, slice(s0, 0, 2), c1, false);
        registry.revealTestSet(id, slice(s0, 2, 4), c2, false);
        registry.revealTestSet(id, s1, c3, true);
        vm.stopPrank();
        vm.warp(registry.contest(id).challengeEnds + 1);
    }

    function proveShard(uint256 id, address who, uint256 shard, uint256 correct) internal {
        vm.prank(who);
        registry.submitShardProof(id, shard, correct, hex"beef", address(0));
    }

    /// @dev The verifier's calldata for `who`'s proof of `correct` against `testSet`.
    function input(uint256 id, address who, uint256 testSet, uint256 correct) internal view returns (bytes memory) {
        return abi.encodePacked(
            block.chainid, id, uint256(uint160(who)), registry.entry(id, who).commitment, testSet, correct, hex"beef"
        );
    }
}
