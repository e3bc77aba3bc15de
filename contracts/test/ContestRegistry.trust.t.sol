// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {AcceptAllVerifier} from "./mocks/MockVerifier.sol";
import {VectorOnlyPoseidon} from "./mocks/PoseidonLookalikes.sol";
import {ContestRegistry} from "../src/ContestRegistry.sol";
import {IContestRegistry, IContestRegistryEvents} from "../src/IContestRegistry.sol";
import {ContestParams, ContestView, EntryStatus, Phase} from "../src/ContestTypes.sol";

/// @notice What decides a contest's outcome is pinned: the verifier by its code hash (recorded at
///         creation, checked at every proof) with the digests of the key and SRS it was rendered
///         from, and the Poseidon library by its code.
contract ContestRegistryTrustTest is RegistryFixture {
    /// @dev EXTCODEHASH of an existing account without code: keccak-256 of no bytes.
    bytes32 internal constant EMPTY_CODE_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    // ------------------------------------------------------------------ verifier

    function test_contest_ReturnsDigestsAndVerifierCodeHash() public {
        uint256 id = createDefault();
        ContestView memory v = registry.contest(id);
        assertEq(v.params.vkDigest, VK_DIGEST, "vkDigest");
        assertEq(v.params.srsDigest, SRS_DIGEST, "srsDigest");
        assertEq(v.verifierCodeHash, address(verifier).codehash, "code hash = EXTCODEHASH");
        assertEq(v.verifierCodeHash, keccak256(address(verifier).code), "code hash = keccak(code)");
    }

    function test_createContest_EmitsDigestsAndVerifierCodeHash() public {
        ContestParams memory p = defaultParams();
        p.vkDigest = bytes32(uint256(0xa11ce));
        p.srsDigest = bytes32(uint256(0xb0b));
        vm.expectEmit();
        emit ContestCreated(1, organiser, PRIZE, p, keccak256(address(verifier).code));
        uint256 id = create(p);
        assertEq(registry.contest(id).params.vkDigest, bytes32(uint256(0xa11ce)), "vkDigest");
        assertEq(registry.contest(id).params.srsDigest, bytes32(uint256(0xb0b)), "srsDigest");
    }

    /// @dev The digests are recorded, not interpreted: zero is stored and returned like any value.
    function test_createContest_AcceptsZeroDigests() public {
        ContestParams memory p = defaultParams();
        p.vkDigest = bytes32(0);
        p.srsDigest = bytes32(0);
        uint256 id = create(p);
        assertEq(abi.encode(registry.contest(id).params), abi.encode(p), "params");
    }

    function test_RevertWhen_VerifierCodeChanged() public {
        uint256 id = createDefault();
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        bytes memory original = address(verifier).code;
        bytes32 recorded = keccak256(original);
        bytes memory other = address(new AcceptAllVerifier()).code;

        vm.etch(address(verifier), other);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.VerifierCodeChanged.selector, id, address(verifier), recorded, keccak256(other)
            )
        );
        registry.submitProof(id, 15, hex"beef", address(0));
        assertEq(registry.contest(id).verifierCodeHash, recorded, "the recorded hash, not the live one");

        // A contest created now records the new code; the old contest keeps its own.
        uint256 later = createDefault();
        assertEq(registry.contest(later).verifierCodeHash, keccak256(other), "later contest");

        vm.etch(address(verifier), original);
        prove(id, alice, 15);
        assertEq(uint256(registry.entry(id, alice).status), uint256(EntryStatus.Qualified), "accepted again");
    }

    /// @dev Formerly `VerifierHasNoCode` at submission: an emptied account has another code hash.
    function test_RevertWhen_VerifierEmptied() public {
        uint256 id = createDefault();
        commit(id, alice);
        toTestSetPhase(id);
        revealTestSet(id);
        bytes32 recorded = keccak256(address(verifier).code);

        vm.etch(address(verifier), "");
        assertEq(address(verifier).codehash, EMPTY_CODE_HASH, "EXTCODEHASH of the emptied account");
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContestRegistryEvents.VerifierCodeChanged.selector, id, address(verifier), recorded, EMPTY_CODE_HASH
            )
        );
        registry.submitProof(id, 15, hex"beef", address(0));
    }

    /// @dev No function of `IContestRegistry` takes a verifier, a digest or a code hash except
    ///      `createContest`; this checks that a whole contest (commit, test-set reveal, proofs,
    ///      model reveals, payouts, withdrawals) leaves them as recorded.
    function test_contest_VerifierFieldsUnchangedThroughWholeContest() public {
        ContestParams memory p = defaultParams();
        uint256 id = contestWithProofs(addrs(alice, bob), nums(18, 15));
        bytes32 codeHash = registry.contest(id).verifierCodeHash;
        toRevealPhase(id);
        revealModel(id, alice);
        revealModel(id, bob);
        withdraw(id, alice);
        withdraw(id, bob);
        ContestView memory v = registry.contest(id);
        assertEq(uint256(v.phase), uint256(Phase.Settled), "settled");
        assertEq(v.params.verifier, address(verifier), "verifier");
        assertEq(v.params.vkDigest, p.vkDigest, "vkDigest");
        assertEq(v.params.srsDigest, p.srsDigest, "srsDigest");
        assertEq(v.verifierCodeHash, codeHash, "verifierCodeHash");
        assertEq(codeHash, address(verifier).codehash, "still the verifier's code");
    }

    // ------------------------------------------------------------------ Poseidon

    /// @dev `keccak256(code)` with bytes 1..20 (the library's embedded address) zeroed.
    function masked(bytes memory code) internal pure returns (bytes32) {
        bytes memory c = bytes.concat(code); // a copy
        for (uint256 i = 1; i <= 20; ++i) {
            c[i] = 0;
        }
        return keccak256(c);
    }

    /// @dev A change of PoseidonT3's compiler settings, of the package or of solc changes the
    ///      artifact and fails here, naming the new hash, instead of failing a deployment.
    function test_POSEIDON_T3_CODEHASH_PinsForgeArtifact() public view {
        bytes memory artifact = vm.getDeployedCode("PoseidonT3.sol:PoseidonT3");
        assertEq(uint256(uint8(artifact[0])), 0x73, "artifact starts with PUSH20");
        assertEq(masked(artifact), keccak256(artifact), "artifact has zeros for the address");
        assertEq(keccak256(artifact), registry.POSEIDON_T3_CODEHASH(), "POSEIDON_T3_CODEHASH");
        // The genuine deployment is the artifact with its own address filled in.
        assertEq(masked(poseidon.code), keccak256(artifact), "deployed code, masked");
        assertEq(poseidon.code.length, artifact.length, "deployed code length");
        assertEq(uint256(uint160(bytes20(slice20(poseidon.code)))), uint160(poseidon), "embedded address");
    }

    function slice20(bytes memory code) internal pure returns (bytes memory s) {
        s = new bytes(20);
        for (uint256 i = 0; i < 20; ++i) {
            s[i] = code[i + 1];
        }
    }

    function test_constructor_AcceptsGenuinePoseidonT3() public {
        address lib = deployPoseidon();
        ContestRegistry r = new ContestRegistry(lib);
        assertEq(r.poseidon(), lib, "poseidon");
    }

    /// @dev Right `P(1, 2)`, wrong code: the vector alone would have let it through.
    function test_RevertWhen_PoseidonCodeMismatch() public {
        address fake = address(new VectorOnlyPoseidon());
        assertTrue(uint8(fake.code[0]) != 0x73, "a contract, not a library");
        vm.expectRevert(
            abi.encodeWithSelector(IContestRegistryEvents.PoseidonCodeMismatch.selector, fake, keccak256(fake.code))
        );
        new ContestRegistry(fake);
    }

    /// @dev A library with PoseidonT3's layout (PUSH20 <own address>) and the right vector.
    function test_RevertWhen_PoseidonCodeMismatch_LookalikeLibrary() public {
        bytes memory init = vm.getCode("PoseidonLookalikes.sol:VectorOnlyPoseidonLib");
        address fake;
        assembly {
            fake := create(0, add(init, 0x20), mload(init))
        }
        require(fake != address(0), "lookalike deployment failed");
        assertEq(uint256(uint8(fake.code[0])), 0x73, "a library");
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PoseidonCodeMismatch.selector, fake, masked(fake.code)));
        new ContestRegistry(fake);
    }

    /// @dev The artifact's runtime code as is (zero address, not patched by a deployment): the
    ///      masked hash matches, the embedded address does not, so the error carries the constant.
    function test_RevertWhen_PoseidonCodeMismatch_AddressNotPatched() public {
        address copy = makeAddr("unpatched PoseidonT3");
        vm.etch(copy, vm.getDeployedCode("PoseidonT3.sol:PoseidonT3"));
        bytes32 expected = registry.POSEIDON_T3_CODEHASH();
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PoseidonCodeMismatch.selector, copy, expected));
        new ContestRegistry(copy);
    }

    /// @dev The genuine deployment's runtime code copied elsewhere embeds another address.
    function test_RevertWhen_PoseidonCodeMismatch_CopiedFromAnotherAddress() public {
        address copy = makeAddr("copied PoseidonT3");
        vm.etch(copy, poseidon.code);
        bytes32 expected = keccak256(poseidon.code);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PoseidonCodeMismatch.selector, copy, expected));
        new ContestRegistry(copy);
    }

    /// @dev PoseidonT3 with its own address patched in but one byte of the CBOR metadata changed,
    ///      as another compiler setting or source path would: still computes Poseidon, rejected.
    function test_RevertWhen_PoseidonCodeMismatch_OtherBuild() public {
        address other = makeAddr("rebuilt PoseidonT3");
        bytes memory code = bytes.concat(poseidon.code);
        for (uint256 i = 0; i < 20; ++i) {
            code[i + 1] = bytes20(other)[i];
        }
        code[code.length - 20] ^= bytes1(0x01); // inside the metadata's IPFS hash
        vm.etch(other, code);
        vm.expectRevert(abi.encodeWithSelector(IContestRegistryEvents.PoseidonCodeMismatch.selector, other, masked(code)));
        new ContestRegistry(other);
    }
}
