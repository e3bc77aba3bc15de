// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture, IPoseidonT3} from "./utils/RegistryFixture.sol";
import {PoseidonChain} from "../src/PoseidonChain.sol";
import {ContestParams} from "../src/ContestTypes.sol";

/// @dev Exposes the internal chain library with calldata arrays, as the registry uses it.
contract ChainHarness {
    address private immutable _poseidon;

    constructor(address poseidon) {
        _poseidon = poseidon;
    }

    function absorb(uint256 h, uint256 count, uint256[] calldata elems) external view returns (uint256, uint256) {
        return PoseidonChain.absorb(_poseidon, h, count, elems);
    }

    function finish(uint256 h, uint256 count) external view returns (uint256) {
        return PoseidonChain.finish(_poseidon, h, count);
    }

    /// @dev The whole chain in up to three chunks split at `cut1 <= cut2`.
    function chain3(uint256 tag, uint256[] calldata elems, uint256 cut1, uint256 cut2)
        external
        view
        returns (uint256)
    {
        (uint256 h, uint256 n) = PoseidonChain.absorb(_poseidon, tag, 0, elems[:cut1]);
        (h, n) = PoseidonChain.absorb(_poseidon, h, n, elems[cut1:cut2]);
        (h, n) = PoseidonChain.absorb(_poseidon, h, n, elems[cut2:]);
        return PoseidonChain.finish(_poseidon, h, n);
    }
}

/// @notice On-chain Poseidon against the known vector and the vectors Rust writes
///         (`contest-cli vectors --out contracts/test/vectors/poseidon.json`).
contract PoseidonChainTest is RegistryFixture {
    string internal constant VECTORS = "test/vectors/poseidon.json";
    uint256 internal constant CHAINS = 6;

    ChainHarness internal harness;

    function setUp() public override {
        super.setUp();
        harness = new ChainHarness(poseidon);
    }

    function vectors() internal view returns (string memory) {
        return vm.readFile(VECTORS);
    }

    function chainKey(uint256 k, string memory field) internal pure returns (string memory) {
        return string(abi.encodePacked(".chain", bytes1(uint8(48 + k)), ".", field));
    }

    function test_hash_KnownVectorP12() public view {
        assertEq(
            IPoseidonT3(poseidon).hash([uint256(1), 2]),
            0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a,
            "P(1,2)"
        );
        (uint256 h,) = harness.absorb(1, 0, nums(2));
        assertEq(h, PoseidonChain.HASH_1_2, "absorb(1; [2])");
    }

    function test_tags_AreAsciiStrings() public pure {
        assertEq(PoseidonChain.TESTSET_TAG, uint256(uint160(bytes20("zkcontest/testset/v1"))), "testset tag");
        assertEq(PoseidonChain.MODEL_TAG, uint256(uint144(bytes18("zkcontest/model/v1"))), "model tag");
        assertEq(PoseidonChain.TESTSET_TAG, TESTSET_TAG, "fixture testset tag");
        assertEq(PoseidonChain.MODEL_TAG, MODEL_TAG, "fixture model tag");
    }

    function test_vectors_ModulusMatches() public view {
        assertEq(vm.parseJsonUint(vectors(), ".modulus"), PoseidonChain.FIELD_MODULUS, "modulus");
    }

    function test_vectors_Hash2() public view {
        string memory json = vectors();
        uint256[] memory a = vm.parseJsonUintArray(json, ".hash2.a");
        uint256[] memory b = vm.parseJsonUintArray(json, ".hash2.b");
        uint256[] memory out = vm.parseJsonUintArray(json, ".hash2.out");
        assertTrue(a.length > 0 && a.length == b.length && b.length == out.length, "hash2 arrays");
        for (uint256 i = 0; i < a.length; ++i) {
            assertEq(IPoseidonT3(poseidon).hash([a[i], b[i]]), out[i], "hash2 pair");
        }
    }

    function test_vectors_ChainsInOneChunk() public view {
        string memory json = vectors();
        uint256[CHAINS] memory lengths = [uint256(0), 1, 2, 3, 17, 64];
        for (uint256 k = 0; k < CHAINS; ++k) {
            uint256 tag = vm.parseJsonUint(json, chainKey(k, "tag"));
            uint256[] memory elems = vm.parseJsonUintArray(json, chainKey(k, "elems"));
            uint256 out = vm.parseJsonUint(json, chainKey(k, "out"));
            assertEq(elems.length, lengths[k], "chain length");
            assertTrue(tag == TESTSET_TAG || tag == MODEL_TAG, "chain tag");
            assertEq(harness.chain3(tag, elems, 0, 0), out, "chain (harness)");
            assertEq(chain(tag, elems), out, "chain (reference)");
        }
    }

    function testFuzz_vectors_ChainsInThreeChunks(uint256 k, uint256 cut1, uint256 cut2) public view {
        // The model chains only (odd k): the test-set chains' elements are random field
        // elements, not packed test sets, which the registry refuses (MalformedTestSetElement,
        // tested in the setup suite); its test-set chain is pinned by `chain` in every reveal.
        k = bound(k, 0, CHAINS / 2 - 1) * 2 + 1;
        string memory json = vectors();
        uint256 tag = vm.parseJsonUint(json, chainKey(k, "tag"));
        uint256[] memory elems = vm.parseJsonUintArray(json, chainKey(k, "elems"));
        cut1 = bound(cut1, 0, elems.length);
        cut2 = bound(cut2, cut1, elems.length);
        assertEq(harness.chain3(tag, elems, cut1, cut2), vm.parseJsonUint(json, chainKey(k, "out")), "chain");
    }

    /// @dev Each model vector through the registry's real reveal path, as a winner's model split
    ///      into two chunks at `cut`. Only the model chains (odd k): the test-set chains' elements
    ///      are random field elements, not packed test sets, which the registry refuses
    ///      (MalformedTestSetElement, the setup suite); its test-set chain is checked against
    ///      the independent `chain` in every reveal of a packed test set.
    function testFuzz_vectors_ThroughRegistryReveals(uint256 k, uint256 cut) public {
        k = bound(k, 0, CHAINS / 2 - 1) * 2 + 1;
        string memory json = vectors();
        assertEq(vm.parseJsonUint(json, chainKey(k, "tag")), MODEL_TAG, "a model chain");
        uint256[] memory elems = vm.parseJsonUintArray(json, chainKey(k, "elems"));
        uint256 out = vm.parseJsonUint(json, chainKey(k, "out"));
        // The final chunk holds at least the salt: the first chunk (if any) ends before it.
        cut = bound(cut, 0, elems.length - 1);

        uint256 id = createDefault();
        vm.prank(alice);
        registry.commitModel{value: BOND}(id, out);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, N);
        toRevealPhase(id);
        vm.startPrank(alice);
        if (cut > 0) registry.revealModel(id, slice(elems, 0, cut), false);
        registry.revealModel(id, slice(elems, cut, elems.length), true);
        vm.stopPrank();
        assertEq(registry.owed(id, alice), BOND + PRIZE, "alice paid after reveal");
    }

    function testFuzz_absorb_SplitsAgree(uint256 seed, uint256 len, uint256 cut1, uint256 cut2) public view {
        uint256[] memory elems = new uint256[](bound(len, 0, 24));
        for (uint256 i = 0; i < elems.length; ++i) {
            elems[i] = uint256(keccak256(abi.encode(seed, i))) % P;
        }
        cut1 = bound(cut1, 0, elems.length);
        cut2 = bound(cut2, cut1, elems.length);
        assertEq(harness.chain3(MODEL_TAG, elems, cut1, cut2), chain(MODEL_TAG, elems), "split chain");
    }

    function test_RevertWhen_ElementNotInField() public {
        uint256[] memory elems = nums(1, P, 3);
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.ElementNotInField.selector, 11, P));
        harness.absorb(TESTSET_TAG, 10, elems);
    }

    function testFuzz_RevertWhen_ElementNotInField(uint256 value, uint256 at) public {
        value = bound(value, P, type(uint256).max);
        uint256[] memory elems = nums(5, 6, 7, 8);
        at = bound(at, 0, 3);
        elems[at] = value;
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.ElementNotInField.selector, at, value));
        harness.absorb(TESTSET_TAG, 0, elems);
    }

    function test_RevertWhen_PoseidonHasNoCode() public {
        ChainHarness broken = new ChainHarness(makeAddr("nothing"));
        vm.expectRevert(abi.encodeWithSelector(PoseidonChain.PoseidonCallFailed.selector, makeAddr("nothing")));
        broken.absorb(TESTSET_TAG, 0, nums(1));
    }
}
