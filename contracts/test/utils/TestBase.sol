// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Vm} from "./Vm.sol";

/// @notice Minimal test base: assertions that revert with a message, `bound`, named addresses.
/// @dev Written for this repository; forge treats a reverting `test*` function as a failure.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string message, uint256 left, uint256 right);
    error AssertionFailedBytes(string message, bytes left, bytes right);

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertionFailed(message, 0, 1);
    }

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, left, right);
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, uint160(left), uint160(right));
    }

    function assertEq(bytes32 left, bytes32 right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, uint256(left), uint256(right));
    }

    function assertEq(bool left, bool right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, left ? 1 : 0, right ? 1 : 0);
    }

    function assertEq(bytes memory left, bytes memory right, string memory message) internal pure {
        if (keccak256(left) != keccak256(right)) revert AssertionFailedBytes(message, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory message) internal pure {
        if (left > right) revert AssertionFailed(message, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory message) internal pure {
        if (left < right) revert AssertionFailed(message, left, right);
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) revert AssertionFailed(message, left, right);
    }

    /// @dev Maps `x` into `[lo, hi]` (inclusive) without discarding fuzz runs; identity when in range.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo;
        if (size == type(uint256).max) return x;
        return lo + (x % (size + 1));
    }

    /// @dev A deterministic address for a name, labelled in traces.
    function makeAddr(string memory name) internal returns (address account) {
        account = address(uint160(uint256(keccak256(abi.encodePacked("zkcontest.test.", name)))));
        vm.label(account, name);
    }
}
