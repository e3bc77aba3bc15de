// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;
contract Probe { function f(uint256 x) external pure returns (uint256) { return x + 1; } }
