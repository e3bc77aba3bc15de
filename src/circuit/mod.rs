//! The accuracy circuit (issue #7): in-circuit commitments, range checks, the batched
//! Freivalds check of every dense layer, requantisation and argmax.
//!
//! - `accuracy`: the statement, the witness and the circuit builder;
//! - `two_phase`: the halo2 `Circuit` (halo2-base phase 0 + the Freivalds chip in phase 1);
//! - `freivalds`: the batched matrix-product check;
//! - `conv`: the same check for convolutions, over the im2col structure without forming it;
//! - `requant`: the requantisation/saturation chip (phase 0, in shared columns);
//! - `argmax`: per-row correctness;
//! - `pool`: max and average pooling over requantised activations;
//! - `pooled`: a convolution's max pooling and requantisation in one block per pooled value;
//! - `poseidon`: circomlib Poseidon and the commitment chain in-circuit;
//! - `public`: public instances and constants bound by a gate (no equality on their columns).

pub mod accuracy;
pub mod argmax;
pub mod conv;
pub mod features;
pub mod freivalds;
pub mod model_column;
pub mod pool;
pub mod pooled;
pub mod poseidon;
pub mod public;
pub mod requant;
pub mod two_phase;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};

/// Errors building the circuit.
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    /// The witness does not have the spec's shape.
    #[error("{0}")]
    Shape(String),
    /// The model could not be evaluated.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// The test set does not fit the spec.
    #[error(transparent)]
    TestSet(#[from] crate::spec::TestSetError),
    /// A commitment helper failed.
    #[error(transparent)]
    Commit(#[from] crate::commit::CommitError),
}

/// `Result` with [`CircuitError`].
pub type Result<T> = std::result::Result<T, CircuitError>;

/// A signed integer as a field element (negative values as `p − |v|`).
pub fn fr_i64(v: i64) -> Fr {
    if v >= 0 {
        Fr::from(v as u64)
    } else {
        -Fr::from(v.unsigned_abs())
    }
}

/// A signed 128-bit integer as a field element (negative values as `p − |v|`).
pub fn fr_i128(v: i128) -> Fr {
    if v >= 0 {
        Fr::from_u128(v as u128)
    } else {
        -Fr::from_u128(v.unsigned_abs())
    }
}

/// A value a chip copies: a halo2-base cell, or the `index`-th cell of a list another chip
/// assigns (the features chip's value cells, its packed elements), with its value.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A halo2-base cell.
    Base(halo2_base::AssignedValue<Fr>),
    /// A cell of another chip, by position in the list the caller resolves it against.
    Raw {
        /// Position in that list.
        index: usize,
        /// The value.
        value: Fr,
    },
}

impl Operand {
    /// The operand's value.
    pub fn value(&self) -> Fr {
        match self {
            Operand::Base(v) => *v.value(),
            Operand::Raw { value, .. } => *value,
        }
    }
}

/// `2^bits` as a field element.
pub fn pow2(bits: u32) -> Fr {
    Fr::from(2).pow_vartime([u64::from(bits)])
}
