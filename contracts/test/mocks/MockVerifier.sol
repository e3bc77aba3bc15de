// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice Test double for a snark-verifier contract, for contest-logic tests only. It is called
///         with STATICCALL, so it cannot record anything; instead a test may set the exact
///         calldata it expects, and it rejects anything else (and tests use `vm.expectCall`).
contract MockVerifier {
    enum Mode {
        AcceptEmpty, // succeed, return nothing (snark-verifier's convention)
        ReturnTrue, // succeed, return abi.encode(true)
        ReturnFalse, // succeed, return abi.encode(false)
        ReturnShort, // succeed, return one byte
        Revert, // revert(0, 0), as snark-verifier does on a bad proof
        BurnGas, // loop until out of gas, like a corrupted G1 point
        AcceptIfGasCapped // succeed only if the registry capped the forwarded gas
    }

    Mode public mode;
    bytes32 public expectedInputHash;
    uint256 public gasCap;

    function setMode(Mode m) external {
        mode = m;
    }

    function expectInput(bytes calldata input) external {
        expectedInputHash = keccak256(input);
    }

    function setGasCap(uint256 cap) external {
        gasCap = cap;
    }

    fallback(bytes calldata input) external returns (bytes memory) {
        if (expectedInputHash != bytes32(0) && keccak256(input) != expectedInputHash) revert();
        Mode m = mode;
        if (m == Mode.AcceptEmpty) return "";
        if (m == Mode.ReturnTrue) return abi.encode(true);
        if (m == Mode.ReturnFalse) return abi.encode(false);
        if (m == Mode.ReturnShort) return hex"01";
        if (m == Mode.BurnGas) {
            uint256 x;
            while (true) {
                x = uint256(keccak256(abi.encode(x)));
            }
        }
        if (m == Mode.AcceptIfGasCapped) {
            if (gasleft() <= gasCap) return "";
        }
        revert();
    }
}

/// @notice Accepts every proof, with code unlike `MockVerifier`'s: what an organiser might swap
///         in after competitors checked the verifier.
contract AcceptAllVerifier {
    fallback() external {}
}

/// @notice A "Poseidon library" that answers `P(1, 2)` wrongly.
contract WrongPoseidon {
    function hash(uint256[2] calldata) external pure returns (uint256) {
        return 42;
    }
}
