// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture, IPoseidonT3} from "./utils/RegistryFixture.sol";
import {ContestParams} from "../src/ContestTypes.sol";

/// @notice Marginal gas figures for docs/BENCHMARKS.md, printed with `forge test --mc GasBench -vv`.
///         Each figure is the gas one external call used (gasleft() before minus after).
contract GasBenchTest is RegistryFixture {
    event log_named_uint(string key, uint256 val);

    /// @dev The digits contest's test set: 477 packed elements (PROTOCOL §4).
    uint256 internal constant DIGITS_ELEMS = 477;

    function elems(uint256 n, uint256 seed) internal pure returns (uint256[] memory e) {
        e = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            e[i] = uint256(keccak256(abi.encode(seed, i))) >> 8; // < 2^248, like packed data
        }
    }

    function test_gas_PoseidonHash() public {
        IPoseidonT3(poseidon).hash([uint256(1), 2]); // warm the account
        uint256 before = gasleft();
        IPoseidonT3(poseidon).hash([uint256(3), 4]);
        emit log_named_uint("PoseidonT3.hash, warm external call", before - gasleft());
    }

    function revealTestSetGas(uint256 n) internal returns (uint256 used) {
        uint256[] memory e = elems(n, n);
        ContestParams memory p = defaultParams();
        p.testSetCommitment = chain(TESTSET_TAG, e);
        uint256 id = create(p);
        toTestSetPhase(id);
        vm.prank(organiser);
        uint256 before = gasleft();
        registry.revealTestSet(id, e, true);
        used = before - gasleft();
    }

    function test_gas_RevealTestSetPerElement() public {
        uint256 one = revealTestSetGas(1);
        uint256 digits = revealTestSetGas(DIGITS_ELEMS);
        emit log_named_uint("revealTestSet, 1 element, last chunk", one);
        emit log_named_uint("revealTestSet, 477 elements, last chunk", digits);
        emit log_named_uint("revealTestSet, marginal gas per element", (digits - one) / (DIGITS_ELEMS - 1));
        emit log_named_uint("revealTestSet, marginal gas per KB (32 elements)", (digits - one) * 32 / (DIGITS_ELEMS - 1));
    }

    /// @dev bob (1 element) and carol (200 elements) both reveal behind a pending alice, so the
    ///      two calls do the same bookkeeping and differ only in elements absorbed.
    function test_gas_RevealModelPerElement() public {
        uint256[] memory small = elems(1, 1);
        uint256[] memory big = elems(200, 2);
        uint256 id = createDefault();
        uint256 c1 = chain(MODEL_TAG, small);
        uint256 c2 = chain(MODEL_TAG, big);
        commit(id, alice);
        vm.prank(bob);
        registry.commitModel{value: BOND}(id, c1);
        vm.prank(carol);
        registry.commitModel{value: BOND}(id, c2);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, bob, 17);
        prove(id, carol, 16);
        toRevealPhase(id);
        registry.closeRanking(id);
        vm.prank(bob);
        uint256 before = gasleft();
        registry.revealModel(id, small, true);
        uint256 gasSmall = before - gasleft();
        vm.prank(carol);
        before = gasleft();
        registry.revealModel(id, big, true);
        uint256 gasBig = before - gasleft();
        emit log_named_uint("revealModel, 1 element, waits for rank 0", gasSmall);
        emit log_named_uint("revealModel, 200 elements, waits for rank 0", gasBig);
        emit log_named_uint("revealModel, marginal gas per element", (gasBig - gasSmall) / 199);
    }

    /// @dev Successful withdrawals only (so the gas report's withdraw row has no reverts): a
    ///      winner's eager credit, a never-called entry's lazy bond, a default share.
    function test_gas_Withdraw() public {
        ContestParams memory p = defaultParams();
        p.payoutBps = new uint16[](1);
        p.payoutBps[0] = 10_000;
        uint256 id = create(p);
        commit(id, alice);
        commit(id, bob);
        toTestSetPhase(id);
        revealTestSet(id);
        prove(id, alice, 18);
        prove(id, bob, 15);
        toRevealPhase(id);
        revealModel(id, alice); // the one paid rank: settles; bob is never called
        emit log_named_uint("withdraw, winner (prize + bond credited)", gasOfWithdraw(id, alice));
        emit log_named_uint("withdraw, never-called entry (bond, computed lazily)", gasOfWithdraw(id, bob));

        ContestParams memory q = defaultParams();
        uint256 id2 = create(q);
        commit(id2, carol);
        commit(id2, dave);
        vm.warp(q.testSetDeadline + 1);
        emit log_named_uint("withdraw, organiser default (share + bond)", gasOfWithdraw(id2, carol));
    }

    function gasOfWithdraw(uint256 id, address who) internal returns (uint256 used) {
        vm.prank(who);
        uint256 before = gasleft();
        registry.withdraw(id);
        used = before - gasleft();
    }

    function test_gas_SubmitProofExcludingVerifier() public {
        uint256 id = createDefault();
        address[10] memory people;
        for (uint256 i = 0; i < 10; ++i) {
            people[i] = makeAddr(string(abi.encodePacked("competitor", bytes1(uint8(48 + i)))));
            vm.deal(people[i], BOND);
            vm.prank(people[i]);
            registry.commitModel{value: BOND}(id, i + 1);
        }
        toTestSetPhase(id);
        revealTestSet(id);
        bytes memory proof = new bytes(2656); // the size of a k=17 proof (DESIGN §5)
        // The test double's own cost, for the same calldata, to subtract.
        bytes memory input = registry.verifierCalldata(id, people[0], 20, proof);
        uint256 before = gasleft();
        (bool ok,) = address(verifier).staticcall(input);
        uint256 mockGas = before - gasleft();
        require(ok, "mock");
        uint256 first;
        uint256 last;
        for (uint256 i = 0; i < 10; ++i) {
            vm.prank(people[i]);
            before = gasleft();
            registry.submitProof(id, 20 - i, proof); // each new entry goes to the end
            uint256 used = before - gasleft();
            if (i == 0) first = used;
            last = used;
        }
        emit log_named_uint("test-double verifier call (subtracted below)", mockGas);
        emit log_named_uint("submitProof, 2,656-byte proof, first entry, excl. verifier", first - mockGas);
        emit log_named_uint("submitProof, 10th entry (walks 9), excl. verifier", last - mockGas);
        emit log_named_uint("submitProof, marginal gas per better entry walked", (last - first) / 9);
    }
}
