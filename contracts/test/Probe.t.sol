// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;
import {Probe} from "../src/Probe.sol";
contract ProbeTest { function test_f() external { require(new Probe().f(1) == 2, "bad"); } function test_fail() external { require(new Probe().f(1) == 3, "expected failure"); } }
