// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice The forge cheatcodes this test suite uses, and nothing else.
/// @dev Written for this repository (forge-std is not available offline); signatures follow
///      the foundry book's cheatcode reference.
interface Vm {
    /// @dev A log captured by `recordLogs`, as `getRecordedLogs` returns it.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function deal(address account, uint256 balance) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function expectRevert(bytes4 selector) external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert() external;
    /// @dev Matches on the 4-byte selector only (forge 1.x `expectRevert(bytes4)` matches exactly).
    function expectPartialRevert(bytes4 selector) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function expectEmit() external;
    function expectCall(address callee, bytes calldata data) external;
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function getCode(string calldata artifactPath) external view returns (bytes memory);
    function getDeployedCode(string calldata artifactPath) external view returns (bytes memory);
    function assume(bool condition) external pure;
    function label(address account, string calldata name) external;
    function etch(address target, bytes calldata code) external;
    function recordLogs() external;
    /// @dev Returns the logs captured since `recordLogs` and clears them.
    function getRecordedLogs() external returns (Log[] memory logs);
    /// @dev Marks `target`'s account and storage slots cold again, as at the start of a transaction.
    function cool(address target) external;
    /// @dev Stop and restart charging gas (for bulk setup beyond the block gas limit).
    function pauseGasMetering() external;
    function resumeGasMetering() external;
    function projectRoot() external view returns (string memory);
    /// @dev The environment variable `name` parsed as a bool, or `defaultValue` if unset.
    function envOr(string calldata name, bool defaultValue) external view returns (bool);
}
