// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {ShardedFixture} from "./utils/ShardedFixture.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";
import {IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, EntryStatus} from "../src/ContestTypes.sol";

/// @notice Shared columns (PROTOCOL §14.2.1): an entry's model proof opens its model column to
///         its commitment `C`, anyone's test-set proof opens a shard's rows column to `T_s`, and a
///         shard proof (whose `C` and `T_s` are binding only) is accepted only if its first two
///         points are columns so opened. Each test is an attack by one party on another; the
///         verifiers are mocks (the real circuits' points are compared in the Rust tests).
contract ContestRegistryColumnsTest is ShardedFixture {
    MockVerifier internal modelVerifier;
    MockVerifier internal testSetVerifier;

    function setUp() public override {
        super.setUp();
        modelVerifier = new MockVerifier();
        testSetVerifier = new MockVerifier();
    }

    /// @dev A G1 point's 64 bytes, made up from `seed` (the mocks do not look).
    function point(uint256 seed) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode(seed, 0)), keccak256(abi.encode(seed, 1)));
    }

    /// @dev A model or test-set proof whose column is `point(seed)`.
    function sideProof(uint256 seed) internal pure returns (bytes memory) {
        return abi.encodePacked(point(seed), hex"c0ffee");
    }

    /// @dev A shard proof whose model column is `point(m)` and rows column `point(r)`.
    function shardProof(uint256 m, uint256 r) internal pure returns (bytes memory) {
        return abi.encodePacked(point(m), point(r), hex"beef");
    }

    function createShared(address testSet) internal returns (uint256 id) {
        ContestParams memory p = shardedParams();
        vm.prank(organiser);
        id = registry.createSharedContest{value: PRIZE}(p, address(modelVerifier), testSet);
    }

    /// @dev A two-shard contest with both shared columns, alice and bob committed, the test set
    ///      revealed and its challenge window over.
    function sharedContest() internal returns (uint256 id) {
        id = createShared(address(testSetVerifier));
        commitAndRevealShards(id);
    }

    function openModel(uint256 id, address who, uint256 seed) internal {
        vm.prank(who);
        registry.submitModelProof(id, sideProof(seed));
    }

    function openRows(uint256 id, address by, uint256 shard, uint256 seed) internal {
        vm.prank(by);
        registry.submitTestSetProof(id, shard, sideProof(seed));
    }

    function submitShard(uint256 id, address who, uint256 shard, bytes memory proof) internal {
        vm.prank(who);
        registry.submitShardProof(id, shard, 3, proof, address(0));
    }

    function notOpened(uint256 id, uint256 column, uint256 seed) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(
            IContestRegistryEvents.ColumnNotOpened.selector, id, column, keccak256(point(seed))
        );
    }

    /// @notice The registry records both verifiers' code hashes at creation and emits them; a
    ///         contest created the usual way has none.
    function test_columns_CreationRecordsBothVerifiers() public {
        ContestParams memory p = shardedParams();
        vm.expectEmit();
        emit ColumnVerifiersFixed(
            1, address(modelVerifier), address(modelVerifier).codehash, address(testSetVerifier),
            address(testSetVerifier).codehash
        );
        uint256 id = createShared(address(testSetVerifier));
        (address m, bytes32 mh, address t, bytes32 th) = registry.columnVerifiers(id);
        assertEq(m, address(modelVerifier), "model verifier");
        assertEq(mh, address(modelVerifier).codehash, "its code hash");
        assertEq(t, address(testSetVerifier), "test-set verifier");
        assertEq(th, address(testSetVerifier).codehash, "its code hash");
        uint256 plain = create(p);
        (m, mh, t, th) = registry.columnVerifiers(plain);
        assertEq(m, address(0), "none");
        assertEq(t, address(0), "none");
        assertEq(mh | th, bytes32(0), "no hashes");
    }

    /// @notice Attack (organiser): a verifier address without code, which would accept every
    ///         call. Refused for both; the test-set verifier may be left out (0).
    function test_columns_VerifiersMustHaveCode() public {
        ContestParams memory p = shardedParams();
        vm.startPrank(organiser);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierHasNoCode.selector, address(0xdead)));
        registry.createSharedContest{value: PRIZE}(p, address(0xdead), address(testSetVerifier));
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierHasNoCode.selector, address(0)));
        registry.createSharedContest{value: PRIZE}(p, address(0), address(testSetVerifier));
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.VerifierHasNoCode.selector, address(0xbeef)));
        registry.createSharedContest{value: PRIZE}(p, address(modelVerifier), address(0xbeef));
        uint256 id = registry.createSharedContest{value: PRIZE}(p, address(modelVerifier), address(0));
        vm.stopPrank();
        (address m,, address t,) = registry.columnVerifiers(id);
        assertEq(m, address(modelVerifier), "model verifier");
        assertEq(t, address(0), "no test-set verifier");
    }

    /// @notice The model verifier gets the sender's commitment as `C` (and 0 for `T` and
    ///         `correct`), in the commit phase already; the column is recorded for the sender and
    ///         that commitment.
    function test_columns_ModelProofIsCheckedAgainstTheSendersCommitment() public {
        uint256 id = createShared(address(testSetVerifier));
        commit(id, alice);
        uint256 c = registry.entry(id, alice).commitment;
        bytes memory proof = sideProof(1);
        vm.expectCall(
            address(modelVerifier),
            abi.encodePacked(block.chainid, id, uint256(uint160(alice)), c, uint256(0), uint256(0), proof)
        );
        vm.expectEmit();
        emit ModelColumnOpened(id, alice, c, keccak256(point(1)));
        openModel(id, alice, 1);
        assertTrue(registry.columnOpened(id, keccak256(abi.encodePacked(alice, c, point(1)))), "recorded");
        assertTrue(!registry.columnOpened(id, keccak256(abi.encodePacked(bob, c, point(1)))), "for alice only");
    }

    /// @notice Attack (competitor): a shard proof computed with other weights than the committed
    ///         ones has another model column: no model proof opened it, refused before the
    ///         verifier runs. So is another entry's opened column: bob cannot borrow alice's, nor
    ///         can dave, who committed alice's very commitment (a copy, without her weights).
    function test_columns_ShardNeedsTheSendersOwnModelColumn() public {
        uint256 id = createShared(address(testSetVerifier));
        uint256 copied = modelCommitment(alice);
        vm.prank(dave);
        registry.commitModel{value: BOND}(id, copied);
        commitAndRevealShards(id);
        openRows(id, carol, 0, 7);
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, alice, 0, shardProof(1, 7));
        openModel(id, alice, 1);
        vm.expectRevert(notOpened(id, 0, 2));
        submitShard(id, alice, 0, shardProof(2, 7));
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, bob, 0, shardProof(1, 7));
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, dave, 0, shardProof(1, 7));
        submitShard(id, alice, 0, shardProof(1, 7));
        assertEq(registry.entry(id, alice).shardsProved, 1, "alice's shard in");
    }

    /// @notice Attack (competitor): a model proof for one commitment, then a replaced commitment
    ///         (another model) before the deadline. The column was opened to the old `C` only.
    function test_columns_ReplacedCommitmentNeedsANewModelProof() public {
        uint256 id = createShared(address(testSetVerifier));
        commit(id, alice);
        openModel(id, alice, 1);
        vm.prank(alice);
        registry.commitModel(id, 4242);
        commit(id, bob);
        revealShards(id);
        openRows(id, carol, 0, 7);
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, alice, 0, shardProof(1, 7));
        openModel(id, alice, 1);
        submitShard(id, alice, 0, shardProof(1, 7));
    }

    /// @notice Attack (competitor): a shard proof over other rows than the revealed shard's (its
    ///         rows column not opened to `T_s`), or over the other shard's rows. Refused; a
    ///         test-set proof anyone sent for this shard makes it acceptable, and the shard
    ///         verifier still runs with the registry's `T_s`.
    function test_columns_ShardNeedsItsOwnRowsColumn() public {
        uint256 id = sharedContest();
        openModel(id, alice, 1);
        vm.expectRevert(notOpened(id, 1, 7));
        submitShard(id, alice, 1, shardProof(1, 7));
        openRows(id, bob, 0, 7);
        vm.expectRevert(notOpened(id, 1, 7));
        submitShard(id, alice, 1, shardProof(1, 7));

        (uint256 t1,,) = registry.shardInfo(id, 1, alice);
        bytes memory proof = sideProof(8);
        vm.expectCall(
            address(testSetVerifier),
            abi.encodePacked(block.chainid, id, uint256(uint160(carol)), uint256(0), t1, uint256(0), proof)
        );
        vm.expectEmit();
        emit TestSetColumnOpened(id, 1, carol, keccak256(point(8)));
        openRows(id, carol, 1, 8);
        assertTrue(registry.columnOpened(id, keccak256(abi.encodePacked(uint256(1), t1, point(8)))), "recorded");

        bytes memory shard = shardProof(1, 8);
        uint256 c = registry.entry(id, alice).commitment;
        vm.expectCall(
            address(verifier), abi.encodePacked(block.chainid, id, uint256(uint160(alice)), c, t1, uint256(3), shard)
        );
        submitShard(id, alice, 1, shard);
        assertEq(registry.entry(id, alice).shardsProved, 1, "shard 1 in");
    }

    /// @notice Attack (outsider): a test-set proof with other blinding rows (another point) for a
    ///         shard already opened. It is recorded beside the first, which stays good: nobody
    ///         can take a shard's rows column away from the competitors.
    function test_columns_AnotherTestSetProofTakesNothingAway() public {
        uint256 id = sharedContest();
        openModel(id, alice, 1);
        openModel(id, bob, 2);
        openRows(id, alice, 0, 7);
        openRows(id, dave, 0, 9);
        submitShard(id, alice, 0, shardProof(1, 7));
        submitShard(id, bob, 0, shardProof(2, 9));
        openRows(id, dave, 1, 7);
        submitShard(id, alice, 1, shardProof(1, 7));
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Scored), "all shards in");
        assertEq(registry.entry(id, alice).correct, 6, "3 + 3");
    }

    /// @notice Attack (competitor): a model or test-set proof its verifier rejects records
    ///         nothing; a verifier whose code changed after creation refuses every proof.
    function test_columns_RejectedOrChangedVerifierRecordsNothing() public {
        uint256 id = sharedContest();
        modelVerifier.setMode(MockVerifier.Mode.Revert);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, alice, 0));
        openModel(id, alice, 1);
        testSetVerifier.setMode(MockVerifier.Mode.ReturnFalse);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, carol, 0));
        openRows(id, carol, 0, 7);

        modelVerifier.setMode(MockVerifier.Mode.AcceptEmpty);
        testSetVerifier.setMode(MockVerifier.Mode.AcceptEmpty);
        bytes32 mh = address(modelVerifier).codehash;
        bytes32 th = address(testSetVerifier).codehash;
        vm.etch(address(modelVerifier), hex"00");
        vm.etch(address(testSetVerifier), hex"00");
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.VerifierCodeChanged.selector, id, address(modelVerifier), mh, keccak256(hex"00")
            )
        );
        openModel(id, alice, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.VerifierCodeChanged.selector,
                id,
                address(testSetVerifier),
                th,
                keccak256(hex"00")
            )
        );
        openRows(id, carol, 0, 7);
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, alice, 0, shardProof(1, 7));
    }

    /// @notice Attack (competitor): proofs too short to hold their points, against verifiers that
    ///         would accept anything. Nothing is recorded, no shard accepted.
    function test_columns_ShortProofsAreRefused() public {
        uint256 id = sharedContest();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, alice, 0));
        registry.submitModelProof(id, hex"beef");
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofRejected.selector, id, carol, 0));
        registry.submitTestSetProof(id, 0, hex"beef");
        openModel(id, alice, 1);
        openRows(id, carol, 0, 7);
        bytes memory full = shardProof(1, 7);
        bytes memory cut = new bytes(127);
        for (uint256 i = 0; i < cut.length; ++i) {
            cut[i] = full[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ColumnNotOpened.selector, id, 0, bytes32(0)));
        submitShard(id, alice, 0, cut);
    }

    /// @notice Model and test-set proofs have windows: a model proof from commitment to the end
    ///         of the proof window, a test-set proof from the reveal to that end; shards in range.
    function test_columns_Windows() public {
        uint256 id = createShared(address(testSetVerifier));
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NotCommitted.selector, id, carol));
        registry.submitModelProof(id, sideProof(1));
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.TestSetNotRevealed.selector, id));
        registry.submitTestSetProof(id, 0, sideProof(7));
        commitAndRevealShards(id);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ShardOutOfRange.selector, id, 2, 2));
        registry.submitTestSetProof(id, 2, sideProof(7));
        uint64 ends = registry.contest(id).proofEnds;
        vm.warp(ends + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofWindowClosed.selector, id, ends, ends + 1));
        registry.submitModelProof(id, sideProof(1));
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.ProofWindowClosed.selector, id, ends, ends + 1));
        registry.submitTestSetProof(id, 0, sideProof(7));
    }

    /// @notice An entry whose shards are all in has nothing left to prove: no more model proofs
    ///         (each would publish one more opening of its column).
    function test_columns_NoModelProofAfterTheLastShard() public {
        uint256 id = sharedContest();
        openModel(id, alice, 1);
        openRows(id, carol, 0, 7);
        openRows(id, carol, 1, 8);
        submitShard(id, alice, 0, shardProof(1, 7));
        submitShard(id, alice, 1, shardProof(1, 8));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.AlreadyProved.selector, id, alice, 6));
        registry.submitModelProof(id, sideProof(1));
    }

    /// @notice Without the verifier there is nothing to open: model and test-set proofs are
    ///         refused in a plain contest, test-set proofs in a model-only one, whose shard proofs
    ///         carry their own rows (the second point is not compared).
    function test_columns_OnlyTheColumnsTheContestShares() public {
        uint256 plain = revealedShardedContest();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NoSharedColumns.selector, plain));
        registry.submitModelProof(plain, sideProof(1));
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NoSharedColumns.selector, plain));
        registry.submitTestSetProof(plain, 0, sideProof(7));
        submitShard(plain, alice, 0, shardProof(1, 7));

        uint256 id = createShared(address(0));
        commitAndRevealShards(id);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.NoSharedColumns.selector, id));
        registry.submitTestSetProof(id, 0, sideProof(7));
        vm.expectRevert(notOpened(id, 0, 1));
        submitShard(id, alice, 0, shardProof(1, 7));
        openModel(id, alice, 1);
        submitShard(id, alice, 0, shardProof(1, 7));
        submitShard(id, alice, 1, shardProof(1, 99));
        assertEq(registry.entry(id, alice).shardsProved, 2, "both shards in");
    }
}
