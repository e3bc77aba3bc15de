//! Typed bindings for `ContestRegistry`, generated at compile time by alloy's `sol!` from the
//! committed forge artifact (`contracts/artifacts/ContestRegistry.json`, refreshed by
//! `scripts/export-artifacts.py`, checked against `forge build` by `scripts/test.sh`): call
//! encoders and return decoders, the events and the custom errors. Private to `chain`: the rest
//! of the crate sees `chain::registry`'s plain types.
#![allow(
    clippy::all,
    missing_docs,
    unreachable_pub,
    non_camel_case_types,
    non_snake_case
)]

alloy::sol!(
    #[sol(all_derives)]
    ContestRegistry,
    "contracts/artifacts/ContestRegistry.json"
);

/// The committed `ContestRegistry` artifact (ABI and creation code).
pub const CONTEST_REGISTRY_ARTIFACT: &str =
    include_str!("../../contracts/artifacts/ContestRegistry.json");

/// The committed `RegistryAnnex` artifact: the code a registry runs by DELEGATECALL for nine of
/// its functions, created by the registry's constructor at `CREATE(registry, 1)`.
pub const REGISTRY_ANNEX_ARTIFACT: &str =
    include_str!("../../contracts/artifacts/RegistryAnnex.json");

/// Creation code of the `PoseidonT3` library (npm `poseidon-solidity`, compiled by forge with
/// 1,000,000 optimizer runs); `ContestRegistry` calls it by address.
pub const POSEIDON_T3_ARTIFACT: &str = include_str!("../../contracts/artifacts/PoseidonT3.json");
