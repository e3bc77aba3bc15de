//! The model in an advice column of its own, whose commitment is the same point in every proof
//! of one entry (commit-and-prove; `docs/PROTOCOL.md` §14.2): a one-time model proof range-checks
//! the column's parameters and hashes them to `C`, and shard proofs use the same column without
//! either, the registry comparing the column's commitment in each proof with the model proof's.
//!
//! # What makes the commitment the same point
//! A KZG commitment to an advice column is `Σ_r v_r·[L_r(τ)]`: a function of the column's `n`
//! values and nothing else (halo2-axiom ignores the `Blind` for KZG). So every proof must give
//! the column the same value at every row, for the same `k`:
//! - rows `0..P`: the model's parameters in the commitment's order (each convolution's kernel and
//!   biases, each dense layer's weights and biases, the shifts), copy-constrained to the
//!   halo2-base cells the rest of the circuit reads;
//! - rows `P..P + MASK_ROWS`: masks derived from the salt (below), assigned, used by no gate;
//! - the last `TAIL_ROWS` rows: more masks. The circuit assigns those above halo2's unusable rows;
//!   halo2 fills the unusable rows (its blinding rows) from the prover's RNG, so the prover hands
//!   halo2 an RNG whose first words are these masks (`prover::shared_model`): the column is the
//!   first phase-0 advice column, whose blinding rows halo2-axiom 0.5.3 draws first, eight
//!   `next_u64` per value through `from_u512`. A test pins that two proofs give the same point.
//! - every other row: 0.
//!
//! # Hiding
//! Each proof opens the column only at its own challenge point (the permutation argument queries
//! it at the current row; no gate reads it). `j` published proofs of the entry reveal `j`
//! evaluations of one polynomial, which has `MASK_ROWS + TAIL_ROWS` uniformly random values
//! unknown to the verifier: while `j` is at most that count, the evaluations are uniformly random
//! whatever the parameters (the `j × (MASK_ROWS + TAIL_ROWS)` matrix of Lagrange values at
//! independent random points has full rank except with negligible probability). This is an
//! argument, not a proof of zero knowledge for the combined proofs. The masks are a PRF of the
//! salt (`poseidon2(poseidon2(MASK_TAG, salt), i)`), which stays secret until the model is
//! revealed, when the parameters are public anyway.
//!
//! # A shard's rows
//! The same mechanism serves a shard's test rows ([`SharedColumn::rows`]: features row-major,
//! then labels, zeros in the tail — public once revealed, nothing to hide): one test-set proof
//! opens `T_s` from the column and range-checks it, and every entry's shard proof copies its
//! inputs from a column committed to the same point (`docs/PROTOCOL.md` §14.2.1). In a shard
//! proof with both, the model's column is the first advice column and the rows' the second.

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_base::halo2_proofs::plonk::{Advice, Column, Error};
use halo2_base::AssignedValue;

use crate::commit::poseidon::poseidon2;

/// Salt-derived masks in the column's body: proofs of one entry stay hiding up to this many plus
/// `TAIL_ROWS` published proofs (a spec with shared-model shards has fewer shards than that).
pub const MASK_ROWS: usize = 256;
/// Rows at the bottom of the column holding masks: at least halo2's unusable rows (blinding
/// factors plus one) of every circuit with the column, which configure checks.
pub const TAIL_ROWS: usize = 16;
/// Domain tag of the masks: "zkcontest/model-mask/v1" as a big-endian integer.
const MASK_TAG: u128 = 0x7a6b636f6e746573742f6d61736b;

/// A halo2-base cell and the column cell it must equal.
pub type Link = (AssignedValue<Fr>, Cell);

/// A shared column's content and the halo2-base cells its rows are bound to: the model's
/// ([`SharedColumn::model`]) or a shard's rows ([`SharedColumn::rows`]).
#[derive(Clone, Debug)]
pub struct SharedColumn {
    /// Rows from 0: the parameters, then `MASK_ROWS` masks (or a shard's rows).
    pub body: Vec<Fr>,
    /// The last `TAIL_ROWS` rows of the column.
    pub tail: Vec<Fr>,
    /// `(halo2-base cell, body row)` pairs the circuit constrains equal.
    pub links: Vec<(AssignedValue<Fr>, usize)>,
}

/// The `count` masks of `salt`, from index `from`.
fn masks(salt: Fr, from: usize, count: usize) -> Vec<Fr> {
    let key = poseidon2(Fr::from_u128(MASK_TAG), salt);
    (from..from + count)
        .map(|i| poseidon2(key, Fr::from(i as u64)))
        .collect()
}

impl SharedColumn {
    /// The model's column for the parameter cells `params` (in the commitment's order) and
    /// `salt`.
    pub fn model(params: &[AssignedValue<Fr>], salt: Fr) -> Self {
        let mut body: Vec<Fr> = params.iter().map(|c| *c.value()).collect();
        body.extend(masks(salt, 0, MASK_ROWS));
        Self {
            body,
            tail: masks(salt, MASK_ROWS, TAIL_ROWS),
            links: params.iter().enumerate().map(|(i, c)| (*c, i)).collect(),
        }
    }

    /// A shard's rows (`values`: its features row-major, then its labels), public once revealed:
    /// no masks, zeros in the tail. `links` bind halo2-base cells to body rows.
    pub fn rows(values: Vec<Fr>, links: Vec<(AssignedValue<Fr>, usize)>) -> Self {
        Self {
            body: values,
            tail: vec![Fr::ZERO; TAIL_ROWS],
            links,
        }
    }

    /// The column's value at every one of its `n` rows.
    pub fn values(&self, n: usize) -> Vec<Fr> {
        let mut column = vec![Fr::ZERO; n];
        column[..self.body.len()].copy_from_slice(&self.body);
        column[n - TAIL_ROWS..].copy_from_slice(&self.tail);
        column
    }

    /// The RNG words that make halo2 fill the unusable rows (from `unusable_start` to `n`) with
    /// the column's values there: per value, its four little-endian limbs and four zero words
    /// (`from_u512` of a value below `p` is that value).
    pub fn blinding_words(&self, n: usize, unusable_start: usize) -> Vec<u64> {
        self.values(n)[unusable_start..]
            .iter()
            .flat_map(|v| {
                let repr = v.to_repr();
                let mut words = [0u64; 8];
                for (w, bytes) in words.iter_mut().zip(repr.as_ref().chunks(8)) {
                    let mut le = [0u8; 8];
                    le.copy_from_slice(bytes);
                    *w = u64::from_le_bytes(le);
                }
                words
            })
            .collect()
    }

    /// Assigns the body and the tail's rows above `unusable_start` to `column`; returns the
    /// links as `(halo2-base cell, column cell)` and the body's cells.
    pub fn assign(
        &self,
        region: &mut Region<'_, Fr>,
        column: Column<Advice>,
        n: usize,
        unusable_start: usize,
    ) -> Result<(Vec<Link>, Vec<Cell>), Error> {
        if self.body.len() + TAIL_ROWS > n || unusable_start + TAIL_ROWS < n {
            return Err(Error::NotEnoughRowsAvailable {
                current_k: n.trailing_zeros(),
            });
        }
        let mut cells = Vec::with_capacity(self.body.len());
        for (row, v) in self.body.iter().enumerate() {
            cells.push(region.assign_advice(column, row, Value::known(*v)).cell());
        }
        for (i, v) in self.tail.iter().enumerate() {
            let row = n - TAIL_ROWS + i;
            if row < unusable_start {
                region.assign_advice(column, row, Value::known(*v));
            }
        }
        let links = self
            .links
            .iter()
            .map(|(c, row)| (*c, cells[*row]))
            .collect();
        Ok((links, cells))
    }
}
