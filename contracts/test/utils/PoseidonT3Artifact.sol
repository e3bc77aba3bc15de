// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

// Makes forge compile npm `poseidon-solidity`'s PoseidonT3 so tests (and `contest-cli`) can deploy
// it from `out/PoseidonT3.sol/PoseidonT3.json`. Kept alone in this file: foundry.toml compiles
// PoseidonT3 with 1,000,000 optimizer runs, and every file importing it would be compiled the
// same way.
import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
