// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestBase} from "./TestBase.sol";
import {RegistryEvents} from "./RegistryEvents.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ContestRegistry} from "../../src/ContestRegistry.sol";
import {ContestParams} from "../../src/ContestTypes.sol";

/// @dev How tests call the deployed library directly (it is `public pure`, so CALL is allowed).
interface IPoseidonT3 {
    function hash(uint256[2] calldata input) external pure returns (uint256);
}

/// @notice Deploys npm `poseidon-solidity`'s PoseidonT3 from its creation code, a registry, a
///         mock verifier, and offers a default contest and lifecycle helpers.
abstract contract RegistryFixture is TestBase, RegistryEvents {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant TESTSET_TAG = 0x007a6b636f6e746573742f746573747365742f7631;
    uint256 internal constant MODEL_TAG = 0x7a6b636f6e746573742f6d6f64656c2f7631;
    uint256 internal constant PRIZE = 10 ether;
    uint256 internal constant BOND = 1 ether;
    uint32 internal constant N = 20;
    uint32 internal constant MIN_CORRECT = 10;
    uint64 internal constant WINDOW = 1 days;
    uint256 internal constant T0 = 1_700_000_000;
    /// @dev Stand-ins for keccak-256 of `vk.bin` and of the SRS file; the registry only records them.
    bytes32 internal constant VK_DIGEST = keccak256("vk.bin");
    bytes32 internal constant SRS_DIGEST = keccak256("kzg_bn254_17.srs");

    address internal poseidon;
    ContestRegistry internal registry;
    MockVerifier internal verifier;

    address internal organiser;
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;

    function setUp() public virtual {
        vm.warp(T0);
        poseidon = deployPoseidon();
        registry = new ContestRegistry(poseidon);
        verifier = new MockVerifier();
        organiser = makeAddr("organiser");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        vm.deal(organiser, 1000 ether);
        vm.deal(alice, 100 ether);
        vm.deal(bob, 100 ether);
        vm.deal(carol, 100 ether);
        vm.deal(dave, 100 ether);
    }

    /// @dev From the artifact that test/utils/PoseidonT3Artifact.sol makes forge compile.
    function deployPoseidon() internal returns (address lib) {
        bytes memory code = vm.getCode("PoseidonT3.sol:PoseidonT3");
        assembly {
            lib := create(0, add(code, 0x20), mload(code))
        }
        require(lib != address(0), "PoseidonT3 deployment failed");
    }

    // ------------------------------------------------------------ reference chain (PROTOCOL §2)

    /// @dev Written independently of `PoseidonChain`: plain library calls, one per step.
    function chain(uint256 tag, uint256[] memory elems) internal view returns (uint256 h) {
        h = IPoseidonT3(poseidon).hash([absorbed(tag, elems), elems.length]);
    }

    /// @dev The chain's state after `elems` from `tag`, before the length.
    function absorbed(uint256 tag, uint256[] memory elems) internal view returns (uint256 h) {
        h = tag;
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(poseidon).hash([h, elems[i]]);
        }
    }

    /// @dev An honest organiser's claim for a test-set chunk ending after `prefix` (the whole
    ///      test set up to the chunk's end): the state after it (PROTOCOL §14.3). Makes calls:
    ///      compute it before `vm.prank` / `vm.expectRevert`.
    function claim(uint256[] memory prefix) internal view returns (uint256) {
        return absorbed(TESTSET_TAG, prefix);
    }

    /// @dev The default test set's layout: `F` features in `0 ..= SPAN` (5 bits, 49 per
    ///      element) and `K` classes (2 bits, 124 per element).
    uint32 internal constant F = 10;
    uint64 internal constant SPAN = 16;
    uint32 internal constant K = 3;

    /// @dev Packs `values` `b`-bit values, value `i` being `f(i)`, least significant first
    ///      (PROTOCOL §3), written independently of the registry's decoder.
    function packStream(uint256 values, uint256 b, uint256 mul, uint256 mod) internal pure returns (uint256[] memory e) {
        uint256 per = 248 / b;
        e = new uint256[]((values + per - 1) / per);
        for (uint256 i = 0; i < values; ++i) {
            e[i / per] |= ((i * mul + 3) % mod) << (b * (i % per));
        }
    }

    /// @dev `x` then `y`: a packed test set from its two packed streams.
    function concat(uint256[] memory x, uint256[] memory y) internal pure returns (uint256[] memory e) {
        e = new uint256[](x.length + y.length);
        for (uint256 i = 0; i < x.length; ++i) e[i] = x[i];
        for (uint256 i = 0; i < y.length; ++i) e[x.length + i] = y[i];
    }

    /// @dev The default contest's parameters for a test set of `rows` rows in this layout,
    ///      committing to `elems` (threshold 1).
    function layoutParams(uint32 rows, uint32 features, uint64 span, uint32 classes, uint256[] memory elems)
        internal
        view
        returns (ContestParams memory p)
    {
        p = defaultParams();
        p.testSetSize = rows;
        p.minCorrect = 1;
        p.features = features;
        p.featureSpan = span;
        p.classes = classes;
        p.testSetCommitment = chain(TESTSET_TAG, elems);
    }

    /// @dev A valid packed test set of `N` rows: 5 feature elements (the last holding 4 values)
    ///      then 1 label element.
    function testSetElems() internal pure returns (uint256[] memory) {
        return concat(packStream(uint256(N) * F, 5, 7, SPAN + 1), packStream(N, 2, 1, K));
    }

    /// @dev A competitor's packed model plus salt: three "weight" elements and a salt.
    function modelElems(address who) internal pure returns (uint256[] memory e) {
        e = new uint256[](4);
        e[0] = uint160(who);
        e[1] = 0xabcdef;
        e[2] = uint256(keccak256(abi.encode(who))) >> 8;
        e[3] = uint256(keccak256(abi.encode("salt", who))) % P;
    }

    function modelCommitment(address who) internal view returns (uint256) {
        return chain(MODEL_TAG, modelElems(who));
    }

    function slice(uint256[] memory a, uint256 from, uint256 to) internal pure returns (uint256[] memory s) {
        s = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) {
            s[i - from] = a[i];
        }
    }

    // ------------------------------------------------------------ default contest

    function bps3() internal pure returns (uint16[] memory b) {
        b = new uint16[](3);
        b[0] = 7000;
        b[1] = 2000;
        b[2] = 1000;
    }

    function defaultParams() internal view returns (ContestParams memory p) {
        p.specHash = keccak256("spec");
        p.verifier = address(verifier);
        p.vkDigest = VK_DIGEST;
        p.srsDigest = SRS_DIGEST;
        p.testSetCommitment = chain(TESTSET_TAG, testSetElems());
        p.testSetSize = N;
        p.minCorrect = MIN_CORRECT;
        p.features = F;
        p.featureSpan = SPAN;
        p.classes = K;
        p.shards = 1;
        p.payoutBps = bps3();
        p.commitBond = BOND;
        p.commitDeadline = uint64(block.timestamp + 1 days);
        p.testSetDeadline = uint64(block.timestamp + 2 days);
        p.proofDeadline = uint64(block.timestamp + 3 days);
        p.revealWindow = WINDOW;
    }

    function create(ContestParams memory p) internal returns (uint256 id) {
        vm.prank(organiser);
        id = registry.createContest{value: PRIZE}(p);
    }

    function createDefault() internal returns (uint256) {
        return create(defaultParams());
    }

    function commit(uint256 id, address who) internal {
        uint256 c = modelCommitment(who); // before the prank: it makes calls
        vm.prank(who);
        registry.commitModel{value: BOND}(id, c);
    }

    /// @dev Note: `vm.prank` applies to the next call, so compute arguments that make calls
    ///      (Poseidon, registry views) before pranking.
    function toTestSetPhase(uint256 id) internal {
        vm.warp(registry.contest(id).params.commitDeadline + 1);
    }

    /// @dev Posts the default test set in one chunk (honest claim). The challenge window then
    ///      runs; `revealTestSet` also waits it out, so proofs are accepted after it.
    function postTestSet(uint256 id) internal {
        uint256[] memory elems = testSetElems();
        uint256 s = claim(elems);
        vm.prank(organiser);
        registry.revealTestSet(id, elems, s, true);
    }

    /// @dev Posts the default test set and moves past its challenge window, into the proof phase.
    function revealTestSet(uint256 id) internal {
        postTestSet(id);
        vm.warp(registry.contest(id).challengeEnds + 1);
    }

    /// @dev The calldata `submitProof` sends the verifier (PROTOCOL §6: the six instances as
    ///      32-byte words, then the proof), from the registry's views.
    function verifierInput(uint256 id, address who, uint256 correct, bytes memory proof)
        internal
        view
        returns (bytes memory)
    {
        return abi.encodePacked(
            block.chainid,
            id,
            uint256(uint160(who)),
            registry.entry(id, who).commitment,
            registry.contest(id).params.testSetCommitment,
            correct,
            proof
        );
    }

    /// @dev A proof inserted from the head of the ranking (no hint).
    function prove(uint256 id, address who, uint256 correct) internal {
        vm.prank(who);
        registry.submitProof(id, correct, hex"beef", address(0));
    }

    /// @dev A proof inserted after `hint`.
    function proveAfter(uint256 id, address who, uint256 correct, address hint) internal {
        vm.prank(who);
        registry.submitProof(id, correct, hex"beef", hint);
    }

    /// @dev The first second after the proof window (which runs from the test-set reveal).
    function toRevealPhase(uint256 id) internal {
        vm.warp(registry.contest(id).proofEnds + 1);
    }

    /// @dev The current reveal round's deadline (before the ranking closes: the first round's).
    function roundDeadline(uint256 id) internal view returns (uint256) {
        uint256 d = registry.contest(id).roundDeadline;
        if (d != 0) return d;
        return uint256(registry.contest(id).proofEnds) + registry.contest(id).params.revealWindow;
    }

    /// @dev Past the current round's deadline, then one `forfeit` (by `by`).
    function forfeitRound(uint256 id, address by) internal {
        uint256 d = roundDeadline(id);
        if (block.timestamp <= d) vm.warp(d + 1);
        vm.prank(by);
        registry.forfeit(id);
    }

    function revealModel(uint256 id, address who) internal {
        vm.prank(who);
        registry.revealModel(id, modelElems(who), true);
    }

    function withdraw(uint256 id, address who) internal returns (uint256 amount) {
        uint256 before = who.balance;
        vm.prank(who);
        amount = registry.withdraw(id);
        assertEq(who.balance - before, amount, "withdraw: balance delta");
    }

    /// @dev Creates the default contest, commits `who` in order, reveals the test set and proves
    ///      `scores[i]` for `who[i]` (a score of 0 means no proof; below `MIN_CORRECT` a scored,
    ///      unranked entry).
    function contestWithProofs(address[] memory who, uint256[] memory scores) internal returns (uint256 id) {
        id = createDefault();
        for (uint256 i = 0; i < who.length; ++i) {
            commit(id, who[i]);
        }
        toTestSetPhase(id);
        revealTestSet(id);
        for (uint256 i = 0; i < who.length; ++i) {
            if (scores[i] != 0) prove(id, who[i], scores[i]);
        }
    }

    function addrs(address a) internal pure returns (address[] memory r) {
        r = new address[](1);
        r[0] = a;
    }

    function addrs(address a, address b) internal pure returns (address[] memory r) {
        r = new address[](2);
        r[0] = a;
        r[1] = b;
    }

    function addrs(address a, address b, address c) internal pure returns (address[] memory r) {
        r = new address[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    function addrs(address a, address b, address c, address d) internal pure returns (address[] memory r) {
        r = new address[](4);
        r[0] = a;
        r[1] = b;
        r[2] = c;
        r[3] = d;
    }

    function nums(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function nums(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function nums(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    function nums(uint256 a, uint256 b, uint256 c, uint256 d) internal pure returns (uint256[] memory r) {
        r = new uint256[](4);
        r[0] = a;
        r[1] = b;
        r[2] = c;
        r[3] = d;
    }
}
