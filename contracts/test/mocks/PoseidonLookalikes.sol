// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {PoseidonChain} from "../../src/PoseidonChain.sol";

/// @notice Not Poseidon, but passes the registry's one-vector check: `P(1, 2)` for every input.
///         A plain contract, so its code does not start with PUSH20 <own address>.
contract VectorOnlyPoseidon {
    function hash(uint256[2] calldata) external pure returns (uint256) {
        return PoseidonChain.HASH_1_2;
    }
}

/// @notice The same impostor as a library (deploy its creation code): its runtime code starts
///         with PUSH20 <own address> like PoseidonT3's, so only the masked code hash tells them
///         apart.
library VectorOnlyPoseidonLib {
    function hash(uint256[2] memory) public pure returns (uint256) {
        return PoseidonChain.HASH_1_2;
    }
}
