//! The accuracy circuit (issue #7): in-circuit commitments, range checks, the batched
//! Freivalds check of every dense layer, requantisation and argmax.
//!
//! Built so far: the in-circuit Poseidon chain (`poseidon`).

pub mod freivalds;
pub mod poseidon;
pub mod two_phase;
