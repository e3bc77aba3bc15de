//! Public instances and circuit constants, bound by a gate instead of the permutation
//! argument.
//!
//! halo2-base's usual wiring copies each public cell to the instance column and each constant
//! cell to a fixed constants column, so both columns take part in the permutation argument:
//! each costs the on-chain verifier a permutation commitment `σ` (a scalar multiplication) and
//! an evaluation. Here neither column has equality. The first rows of the Freivalds chip's
//! phase-0 `val` column hold, in order, the public instances (rows `0..I`) and the circuit's
//! distinct constants (rows `I..I + K`), and the Freivalds chip's chain-start gate, switched
//! on at those rows, constrains
//!
//! ```text
//! q_first · (val − cst − instance) = 0        (and q_first · (acc − val) = 0)
//! ```
//!
//! with `cst` a fixed column (0 on the instance rows, the constant on a constant's row) and
//! `instance` the instance column (the public inputs on rows `0..I`, 0 below: the verifier
//! builds the instance polynomial from the `I` values it is given and nothing else). So a
//! public row's `val` cell *is* the public input and a constant row's `val` cell *is* the
//! constant: `cst` and `q_first` are fixed, part of the verifying key, and `instance` is the
//! verifier's. halo2-base's cells are then copy-constrained to those `val` cells (`val` has
//! equality), which gives exactly what the copies to the instance and fixed columns gave.
//!
//! On the Freivalds chip's own `q_first` rows (each chain's leading 0) `cst` and `instance`
//! are 0, so the same gate makes `val = acc = 0` there: the gate is shared rather than a new
//! selector, because a selector that cannot share a compressed selector column costs the
//! verifier as much as the `σ` it saves. `cst` is also where the Poseidon chip keeps half of
//! its round constants (on its own rows, below the Freivalds rows): a fixed column's rows are
//! free to share, each extra column is one more point in the verifying key.
//!
//! Which constants exist depends on the circuit's shape only (halo2-base records them while
//! building; they are the same for every witness), but halo2-base records them only when it
//! also records copy constraints (keygen, mock), so keygen stores them in the pinning and the
//! prover lays them out from there: a proof made from wrong constants fails the gate, it can
//! never prove something else.

use std::collections::BTreeMap;

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::halo2_proofs::circuit::Cell;
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;

/// What the public rows hold, for the copy constraints of the caller.
#[derive(Clone, Debug, Default)]
pub struct PublicLayout {
    /// `(halo2-base public cell, val cell)` pairs to constrain equal.
    pub instance_links: Vec<(AssignedValue<Fr>, Cell)>,
    /// The `val` cell holding each constant.
    pub constant_cells: BTreeMap<Fr, Cell>,
}

/// The distinct constants halo2-base recorded for `builder`, sorted (empty when the builder
/// only generates witnesses: the prover takes them from the pinning).
pub fn recorded_constants(builder: &BaseCircuitBuilder<Fr>) -> Vec<Fr> {
    let cm = builder.core().copy_manager.lock();
    let cm = cm.unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut constants: Vec<Fr> = cm.constant_equalities.iter().map(|(c, _)| *c).collect();
    constants.sort();
    constants.dedup();
    constants
}
