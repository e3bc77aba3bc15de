//! In-circuit circomlib Poseidon and the commitment chains `C` and `T` (`docs/PROTOCOL.md`
//! §1–2), on a dedicated chip: two rows per round in three phase-1 advice columns that the
//! Freivalds chip shares (it uses their first rows; the chains start below them).
//!
//! # Layout of one permutation (`ROWS_PER_PERMUTATION` rows from `b`)
//! For round `r` (0 ≤ r < 65; full rounds are 0–3 and 61–64):
//!
//! | row | `col_0` | `col_1` | `col_2` | fixed `k_a` | fixed `k_b` | selector |
//! |---|---|---|---|---|---|---|
//! | `b + 2r` | `s_0` | `s_1` | `s_2` | `rc_0` | `rc_2` | – |
//! | `b + 2r + 1` | `y_0` | `y_1` | `y_2` | `rc_1` | `full` | `q_round` |
//!
//! (round `r`'s constants `rc_j` and its full-round flag spread over two fixed columns and the
//! round's two rows: each fixed column is one more commitment for the on-chain verifier to
//! multiply, an extra row of the same column is free.)
//!
//! and row `b + 130` holds the state after the last round; its `col_0` is `P(a, b)`.
//!
//! # Constraints and why each is needed
//! One gate, on every `y` row (selector `q_round`), reads the round's input state `s` in the
//! row above, `y` in its own row and the next round's state `s'` in the row below. With
//! `x_j = s_j + rc_j` (round constants added) and the fixed flag `full` (1 on full rounds, 0
//! on partial rounds) it constrains
//! - `y_0 = x_0²`;
//! - `y_j = 1 + full·(x_j² − 1)` for `j = 1, 2`: `x_j²` in full rounds, `1` in partial ones;
//! - `s'_i = Σ_j M_ij · x_j · y_j²`.
//!
//! So `x_j · y_j²` is the S-box `x_j⁵` where the round applies it and `x_j` where it does not,
//! and the row below is exactly one round of `commit::poseidon::permute` (ARK, S-box, MDS)
//! applied to the row above: `y` is forced, so the prover has no freedom inside a round. The
//! round constants, `full` and the selector are fixed columns, part of the verifying key, so
//! the prover cannot change the permutation either. Every term has degree ≤ 4 (`q·x·y²`,
//! `q·full·x²`), the degree halo2-base's lookups already impose, so the chip does not enlarge
//! the extended domain.
//!
//! The caller must copy-constrain each permutation's first row to `[0, h, e]` (`zero`, the
//! chain value, the element) and the last permutation's output to the public `C`/`T` cell —
//! [`PoseidonConfig::assign`] returns those links; without them the rounds would hash values
//! unrelated to the committed, range-checked ones.

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector,
};
use halo2_base::halo2_proofs::poly::Rotation;
use halo2_base::AssignedValue;
use halo2_base::Context;

use super::Operand;
use crate::commit::poseidon::{constants, FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};

/// Rounds of the permutation.
pub const ROUNDS: usize = FULL_ROUNDS + PARTIAL_ROUNDS;
/// Rows one permutation occupies in the chip.
pub const ROWS_PER_PERMUTATION: usize = 2 * ROUNDS + 1;

fn is_full(round: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&round)
}

/// `Chain(tag, elems)` = `P(…P(P(tag, e_0), e_1)…, n)` over halo2-base cells: the inputs and the
/// claimed output live in halo2-base's region; the chip proves the output.
#[derive(Clone, Debug)]
pub struct PoseidonChain {
    /// The initial chain value (a halo2-base constant cell).
    pub tag: AssignedValue<Fr>,
    /// The absorbed elements (halo2-base cells, or the features chip's packed elements).
    pub elems: Vec<Operand>,
    /// The element count `n` (a halo2-base constant cell).
    pub len: AssignedValue<Fr>,
    /// The chain's output (a halo2-base witness cell, bound to the chip's last output).
    pub out: AssignedValue<Fr>,
    /// Tests only: add `delta` to the chip cell at (`row` of this chain, `col`), to show that
    /// the round gates reject a single wrong intermediate value.
    #[cfg(test)]
    pub fault: Option<(usize, usize, Fr)>,
}

impl PoseidonChain {
    /// Loads the tag and the count as constants and the natively computed output as a witness.
    ///
    /// # Assumptions
    /// The caller constrains every element to be canonical and of the intended form (e.g. a
    /// packed, range-checked value); the chain itself accepts any field element.
    pub fn load(ctx: &mut Context<Fr>, tag: Fr, elems: Vec<Operand>) -> Self {
        let values: Vec<Fr> = elems.iter().map(Operand::value).collect();
        let out = crate::commit::chain(tag, &values);
        Self {
            tag: ctx.load_constant(tag),
            len: ctx.load_constant(Fr::from(elems.len() as u64)),
            elems,
            out: ctx.load_witness(out),
            #[cfg(test)]
            fault: None,
        }
    }

    /// Rows the chain occupies in the chip.
    pub fn rows(&self) -> usize {
        chain_rows(self.elems.len())
    }
}

/// Rows a chain of `elems` elements occupies (known before any witness exists): one
/// permutation per element and one for the count.
pub fn chain_rows(elems: usize) -> usize {
    (elems + 1) * ROWS_PER_PERMUTATION
}

/// Columns, fixed round constants and selectors of the Poseidon chip.
#[derive(Clone, Debug)]
pub struct PoseidonConfig {
    cols: [Column<Advice>; WIDTH],
    /// `rc_0` on `s` rows, `rc_1` on `y` rows (fixed: part of the verifying key). Shared with
    /// the circuit's constants (`circuit::public`), which live in other rows.
    k_a: Column<Fixed>,
    /// `rc_2` on `s` rows; on `y` rows 1 for full rounds, 0 for partial rounds.
    k_b: Column<Fixed>,
    q_round: Selector,
}

impl PoseidonConfig {
    /// Creates the second fixed column and the round gates over `cols` (equality must be
    /// enabled on them by their owner); `k_a` is a fixed column whose rows the chip may use
    /// from the `start` given to [`PoseidonConfig::assign`] on.
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        cols: [Column<Advice>; WIDTH],
        k_a: Column<Fixed>,
    ) -> Self {
        let k_b = meta.fixed_column();
        let q_round = meta.selector();
        let mds = constants().mds;
        type Exprs = [Expression<Fr>; WIDTH];
        // The gate sits on the `y` row: the round's input state is the row above, its output
        // the row below. Queries at {−1, 0, +1} on all three columns form one rotation set (the
        // SHPLONK verifier pays per distinct set) that includes `acc`'s {−1, 0}.
        meta.create_gate("poseidon: round", |m| {
            let q = m.query_selector(q_round);
            let f = m.query_fixed(k_b, Rotation::cur());
            let rc = [
                m.query_fixed(k_a, Rotation::prev()),
                m.query_fixed(k_a, Rotation::cur()),
                m.query_fixed(k_b, Rotation::prev()),
            ];
            let x: Exprs =
                core::array::from_fn(|j| m.query_advice(cols[j], Rotation::prev()) + rc[j].clone());
            let y: Exprs = core::array::from_fn(|j| m.query_advice(cols[j], Rotation::cur()));
            let next: Exprs = core::array::from_fn(|j| m.query_advice(cols[j], Rotation::next()));
            let one = Expression::Constant(Fr::ONE);
            let square = |j: usize| x[j].clone() * x[j].clone();
            // One formula for both kinds of round: `A_j = x_j · y_j²` with `y_j = x_j²` (so
            // `A_j = x_j⁵`, the S-box) for element 0 always and for elements 1, 2 in full
            // rounds (`f = 1`), and `y_j = 1` (so `A_j = x_j`, no S-box) for elements 1, 2 in
            // partial rounds (`f = 0`). Degrees: `q·f·x²` and `q·x·y²` are 4.
            let mut out = vec![q.clone() * (y[0].clone() - square(0))];
            for (j, yj) in y.iter().enumerate().skip(1) {
                let want = one.clone() + f.clone() * (square(j) - one.clone());
                out.push(q.clone() * (yj.clone() - want));
            }
            let after: Exprs = core::array::from_fn(|j| x[j].clone() * y[j].clone() * y[j].clone());
            for (i, row) in mds.iter().enumerate() {
                out.push(q.clone() * (next[i].clone() - mix(row, &after)));
            }
            out
        });
        Self {
            cols,
            k_a,
            k_b,
            q_round,
        }
    }

    /// Assigns every chain from `start` on; returns the `(halo2-base cell, chip cell)` pairs the
    /// caller must constrain equal (each permutation's `0` and element, the first chain value,
    /// the last count, the output). Chain values between permutations are constrained here.
    pub fn assign(
        &self,
        region: &mut Region<Fr>,
        start: usize,
        chains: &[PoseidonChain],
        zero: &AssignedValue<Fr>,
        packed: &[Cell],
    ) -> Result<Vec<(AssignedValue<Fr>, Cell)>, Error> {
        let c = constants();
        let mut links = Vec::new();
        let mut row = start;
        for chain in chains {
            #[cfg(test)]
            let fault = chain.fault.map(|(r, c, d)| (row + r, c, d));
            #[cfg(not(test))]
            let fault: Option<(usize, usize, Fr)> = None;
            let put = |region: &mut Region<Fr>, row: usize, values: &[Fr; WIDTH]| {
                let mut values = *values;
                if let Some((r, c, d)) = fault {
                    if r == row {
                        values[c] += d;
                    }
                }
                self.put_state(region, row, &values)
            };
            // The previous permutation's output cell and value (None before the first).
            let mut h: Option<(Cell, Fr)> = None;
            let len = Operand::Base(chain.len);
            for e in chain.elems.iter().chain(std::iter::once(&len)) {
                let prev = h.map_or(*chain.tag.value(), |(_, v)| v);
                let mut state = [Fr::ZERO, prev, e.value()];
                let first = put(region, row, &state)?;
                links.push((*zero, first[0]));
                match h {
                    // The chain value is the previous permutation's output.
                    Some((cell, _)) => region.constrain_equal(cell, first[1]),
                    None => links.push((chain.tag, first[1])),
                }
                match e {
                    Operand::Base(v) => links.push((*v, first[2])),
                    Operand::Raw { index, .. } => {
                        let cell = packed.get(*index).ok_or(Error::Synthesis)?;
                        region.constrain_equal(*cell, first[2]);
                    }
                }
                let mut last = first;
                for (r, rc) in c.round_constants.iter().enumerate() {
                    let full = is_full(r);
                    self.q_round.enable(region, row + 1)?;
                    region.assign_fixed(self.k_a, row, rc[0]);
                    region.assign_fixed(self.k_b, row, rc[2]);
                    region.assign_fixed(self.k_a, row + 1, rc[1]);
                    region.assign_fixed(self.k_b, row + 1, Fr::from(u64::from(full)));
                    let x: [Fr; WIDTH] = core::array::from_fn(|j| state[j] + rc[j]);
                    let sboxed = |j: usize| full || j == 0;
                    let y: [Fr; WIDTH] =
                        core::array::from_fn(|j| if sboxed(j) { x[j].square() } else { Fr::ONE });
                    // (`x·y²` is then the S-box output, or `x` itself where there is none.)
                    put(region, row + 1, &y)?;
                    let after: [Fr; WIDTH] = core::array::from_fn(|j| x[j] * y[j].square());
                    state = c
                        .mds
                        .map(|m| m.iter().zip(&after).map(|(a, b)| *a * b).sum());
                    row += 2;
                    // The next round's input, or after the last round the output state.
                    last = put(region, row, &state)?;
                }
                h = Some((last[0], state[0]));
                row += 1;
            }
            let (out, _) = h.ok_or(Error::Synthesis)?;
            links.push((chain.out, out));
        }
        Ok(links)
    }

    fn put_state(
        &self,
        region: &mut Region<Fr>,
        row: usize,
        values: &[Fr; WIDTH],
    ) -> Result<[Cell; WIDTH], Error> {
        let mut cells = Vec::with_capacity(WIDTH);
        for (col, v) in self.cols.iter().zip(values) {
            cells.push(region.assign_advice(*col, row, Value::known(*v)).cell());
        }
        cells.try_into().map_err(|_| Error::Synthesis)
    }
}

/// `Σ_j m_j · v_j` as an expression.
fn mix(m: &[Fr; WIDTH], v: &[Expression<Fr>; WIDTH]) -> Expression<Fr> {
    v.iter()
        .zip(m)
        .map(|(e, k)| e.clone() * Expression::Constant(*k))
        .reduce(|a, b| a + b)
        .unwrap_or(Expression::Constant(Fr::ZERO))
}

#[cfg(test)]
mod tests;
