//! zkcontest: provably fair ML contests.
//!
//! Data flows one way (see `docs/ARCHITECTURE.md`):
//! `commit, spec, model → circuit → prover → evm, chain → contest → cli, dashboard`.
//! A module imports only from modules to its left; only `cli` reads the environment, touches
//! the terminal or uses `anyhow`.

pub mod chain;
pub mod circuit;
pub mod cli;
pub mod commit;
pub mod contest;
pub mod dashboard;
pub mod evm;
pub mod model;
pub mod prover;
pub mod spec;
