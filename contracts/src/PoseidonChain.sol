// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @title PoseidonChain
/// @notice The commitment chain of docs/PROTOCOL.md §2, computed incrementally:
///         `h_0 = tag; h_{i+1} = P(h_i, e_i); Chain = P(h_n, n)`, where `P(a, b)` is circomlib's
///         two-input Poseidon as implemented by npm `poseidon-solidity`'s `PoseidonT3.hash`.
/// @dev `PoseidonT3.hash(uint256[2])` is a `public pure` library function; it is called on the
///      deployed library's address with STATICCALL, so the caller's bytecode has no link
///      placeholders. `PoseidonT3` reduces its inputs mod p silently; this library therefore
///      rejects every non-canonical element itself (PROTOCOL §2: reject, never reduce).
library PoseidonChain {
    /// @notice The BN254 scalar field modulus `p`.
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Domain tag of the test-set commitment `T`: ASCII "zkcontest/testset/v1" (20 bytes;
    ///         the leading `00` only stops solc from reading the literal as an address).
    uint256 internal constant TESTSET_TAG = 0x007a6b636f6e746573742f746573747365742f7631;
    /// @notice Domain tag of a sharded test set's root `Chain(TESTSET_ROOT_TAG, T_0 … T_{M-1})`:
    ///         ASCII "zkcontest/testset-root/v1" (PROTOCOL §14.1).
    uint256 internal constant TESTSET_ROOT_TAG = 0x7a6b636f6e746573742f746573747365742d726f6f742f7631;
    /// @notice Domain tag of the model commitment `C`: ASCII "zkcontest/model/v1".
    uint256 internal constant MODEL_TAG = 0x7a6b636f6e746573742f6d6f64656c2f7631;
    /// @notice `P(1, 2)`, checked against the library at registry deployment.
    uint256 internal constant HASH_1_2 = 0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a;

    /// @dev Selector of `hash(uint256[2])`.
    uint256 private constant HASH_SELECTOR = 0x561558fe;

    /// @notice Element number `index` of a chain (counted from the chain's start) is `>= p`.
    error ElementNotInField(uint256 index, uint256 value);
    /// @notice The Poseidon library at `poseidon` did not return one word.
    error PoseidonCallFailed(address poseidon);

    /// @notice `P(a, b)`. Inputs are not range-checked here; callers pass canonical values.
    function hash2(address poseidon, uint256 a, uint256 b) internal view returns (uint256 out) {
        bool ok;
        assembly ("memory-safe") {
            // Temporary use of the memory above the free pointer; it is not advanced.
            let ptr := mload(0x40)
            mstore(ptr, shl(224, HASH_SELECTOR))
            mstore(add(ptr, 0x04), a)
            mstore(add(ptr, 0x24), b)
            // Yul evaluates arguments right to left: call first, then read returndatasize.
            ok := staticcall(gas(), poseidon, ptr, 0x44, 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            out := mload(0x00)
        }
        if (!ok) revert PoseidonCallFailed(poseidon);
    }

    /// @notice Checks that every element is canonical (`< p`) and returns `count + elems.length`.
    /// @dev Reverts with `ElementNotInField(count + i, elems[i])` on the first element `>= p`.
    function checkField(uint256 count, uint256[] calldata elems) internal pure returns (uint256) {
        for (uint256 i = 0; i < elems.length; ++i) {
            if (elems[i] >= FIELD_MODULUS) revert ElementNotInField(count + i, elems[i]);
        }
        return count + elems.length;
    }

    /// @notice Absorbs `elems` into the running state `(h, count)` and returns the new state.
    /// @dev Reverts with `ElementNotInField(count + i, elems[i])` on the first element `>= p`.
    function absorb(address poseidon, uint256 h, uint256 count, uint256[] calldata elems)
        internal
        view
        returns (uint256, uint256)
    {
        checkField(count, elems);
        bool ok = true;
        assembly ("memory-safe") {
            // Temporary use of the memory above the free pointer; it is not advanced.
            let ptr := mload(0x40)
            mstore(ptr, shl(224, HASH_SELECTOR))
            let end := add(elems.offset, shl(5, elems.length))
            for { let p := elems.offset } lt(p, end) { p := add(p, 0x20) } {
                mstore(add(ptr, 0x04), h)
                mstore(add(ptr, 0x24), calldataload(p))
                let success := staticcall(gas(), poseidon, ptr, 0x44, 0x00, 0x20)
                ok := and(ok, and(success, eq(returndatasize(), 0x20)))
                h := mload(0x00)
            }
        }
        if (!ok) revert PoseidonCallFailed(poseidon);
        return (h, count + elems.length);
    }

    /// @notice The chain's value after `count` elements: `P(h, count)` (length strengthening).
    function finish(address poseidon, uint256 h, uint256 count) internal view returns (uint256) {
        return hash2(poseidon, h, count);
    }
}
