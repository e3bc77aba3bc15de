//! Typed bindings for `ContestRegistry`, generated at compile time by ethers' abigen from the
//! committed forge artifact (`contracts/artifacts/ContestRegistry.json`, refreshed by
//! `scripts/export-artifacts.py`, checked against `forge build` by `scripts/test.sh`).
//! Private to `chain`: the rest of the crate sees `chain::registry`'s plain types.
#![allow(clippy::all, missing_docs, unreachable_pub)]

ethers::contract::abigen!(
    ContestRegistryContract,
    "contracts/artifacts/ContestRegistry.json"
);

/// Creation code of the `PoseidonT3` library (npm `poseidon-solidity`, compiled by forge with
/// 1,000,000 optimizer runs); `ContestRegistry` calls it by address.
pub const POSEIDON_T3_ARTIFACT: &str = include_str!("../../contracts/artifacts/PoseidonT3.json");
