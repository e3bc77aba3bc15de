//! Max pooling and requantisation in one block: a convolution followed by max pooling proves each
//! pooled value in a gate of its own instead of halo2-base cells (`docs/PROTOCOL.md` §10).
//!
//! # Where it lives
//! A block per pooled value, in `P` (a phase-0 advice column, equality enabled, made only when
//! the circuit has such a layer; the requantisation chip's blocks then use it too, so the two
//! gates share its rotations) and `L`, the lookup column (every row looked up in `[0, 2^lb)`).
//! The blocks sit just above the requantisation chip's blocks at the bottom of the usable rows,
//! so their place depends only on k and the spec.
//! Proving the same in halo2-base took 29 cells and 4 lookup cells a window plus a 6-row
//! requantisation block; on digits-cnn that was 1.34M cells, two halo2-base columns at k = 20.
//!
//! # Constraints
//! For a window of `w ≤ MAX_WINDOW` pre-activations (`w` fixed per circuit; a smaller window
//! repeats its first value, which changes neither its maximum nor the argument), the block
//! (selector at its first row) holds
//!
//! | | `P` | `L` |
//! |---|---|---|
//! | rows | `z_0 … z_{w−1}, m', b` | `d_0 … d_{w−1}`, limbs of `t`, `e`, then `u`, `span − u` |
//!
//! where `z_i` are copies of the window's pre-activations (the cells the Freivalds chip checks
//! as the convolution's output), `m'` a copy of the layer's `requant` multiplier `2^(S − s)`,
//! `b` the prover's direction bit, `u` the output `a` itself (hidden values: `lo = 0`, so
//! `u = a`; one limb, as the layer uses the gate only when `span < 2^lb`, and the halo2-base
//! cell the next layer reads is a copy of it) and `span` the spec's `activation_max`, a constant
//! of the gate. `P` is the requantisation chip's column too (both kinds of block share its
//! rotations). The rounding constant is `H = 2^(S − 1)` for every shift: `requant` uses
//! `[s > 0]·2^(S − 1)`, but for `s = 0` (`m' = 2^S`) `t = 2^S·(z − q) + 2^(S − 1) ∈ [0, 2^S)` still
//! forces `q = z`, the reference's `requantize(z, 0)`, so no copy of `H'` is needed. With
//! `m := z_0 + d_0` the gate constrains
//! 1. `z_i + d_i = m` for every `i ≥ 1` (so `d_i = m − z_i` for every `i`);
//! 2. `Π_i d_i = 0`;
//! 3. requantisation of `m` exactly as `requant`'s hidden gate (1–4 there) with `z := m`:
//!    `span − u` equals its limbs (and `u`, a lookup cell, is its own), `b·(1 − b) = 0`,
//!    `e·(b·(span − u) + (1 − b)·u) = 0`, and `t = m·m' + 2^(S − 1) − 2^S·(u + (2b − 1)·e)`.
//!
//! Soundness. The `z_i` are integers with `|z_i| < 2^33` (the Freivalds check over range-checked
//! values, as for `requant`'s `z`). Every `d_i` is a lookup cell, so a field element in
//! `[0, 2^lb)`. By 2 some `d_j = 0`, so `m = z_j`, an integer; then `d_i = z_j − z_i` is an integer
//! in `(−2^34, 2^34)`, whose field element is below `2^lb` only if it is non-negative (a negative
//! one is at least `p − 2^34`). So `m ≥ z_i` for all `i` and `m` is one of them: `m = max_i z_i`.
//! `m` satisfies `requant`'s bound on `z`, and 3 is that chip's argument word for word, so
//! `a = clamp(floor((m + half) / 2^s), 0, span)`, which equals the reference semantics' maximum
//! of the requantised activations because requantisation and clamping do not decrease
//! (`accuracy::layers::convolution`). Completeness needs every honest `m − z_i` below `2^lb`:
//! the layer uses this gate only when the window's difference bound fits one limb, and the
//! degree (`w + 1` with the selector) within the constraint system's 5, hence `w ≤ 4`.
//!
//! A tampering test for each rule: a claimed maximum that is not one (a difference outside the
//! lookup, or no zero difference), a window value swapped for another cell, a requantised output
//! off by one (`pooled/tests.rs`).

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Selector,
};
use halo2_base::halo2_proofs::poly::Rotation;
use halo2_base::AssignedValue;
use halo2_base::Context;

use super::requant::{limb_sum, quotient_rules, split, BlockShape, LayerShift, RequantWitness};
use super::{fr_i128, fr_i64, pow2};

/// The largest window the gate proves: `Π d_i` with the selector has degree `w + 1`, and the
/// constraint system's degree is 5.
pub const MAX_WINDOW: usize = 4;

/// The block layout: the requantisation limbs' shape and the window size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PooledShape {
    /// The requantisation part (the same limbs as `requant`'s hidden blocks).
    pub block: BlockShape,
    /// Values per window `w` (`1 ≤ w ≤ MAX_WINDOW`).
    pub window: usize,
}

impl PooledShape {
    fn p_rows(&self) -> usize {
        self.window + 2
    }

    fn l_rows(&self) -> usize {
        let b = &self.block;
        self.window + b.t_limbs + b.e_limbs + 2
    }

    /// Rows of one block.
    pub fn rows(&self) -> usize {
        self.p_rows().max(self.l_rows())
    }

    /// The first of `P`'s rows in a block: `P` fills the block's last rows, so that with the
    /// requantisation blocks' `P` rows (from the top of theirs) the column is queried at every
    /// rotation `L` is, one rotation set (the SHPLONK verifier's code grows with each set).
    fn p_first(&self) -> usize {
        self.rows() - self.p_rows()
    }
}

/// One pooled value to prove: halo2-base cells the block copies, and the native values.
#[derive(Clone, Debug)]
pub struct PooledJob {
    /// The window's pre-activations, `w` of them (halo2-base cells).
    pub z: Vec<AssignedValue<Fr>>,
    /// Their values.
    pub z_native: Vec<i64>,
    /// `[m', u]` (halo2-base cells: the layer's multiplier `2^(S − s)` and the output, which the
    /// block holds in `L`).
    pub cells: [AssignedValue<Fr>; 2],
    /// The prover's differences `d_i` to the claimed maximum (honest: `max z_native − z_i`;
    /// tests forge others). The block's maximum is `z_0 + d_0`.
    pub d: Vec<i64>,
    /// The layer's shift.
    pub s: u32,
    /// The prover's requantisation of `max`.
    pub w: RequantWitness,
    /// Tests: the limb written for `span − u` instead of the true one (a cheating prover's
    /// in-range value).
    #[cfg(test)]
    pub room_limb: Option<i64>,
}

impl PooledJob {
    /// The job for `window` (cells and values), padded to `size` values by repeating its values
    /// (which changes no maximum), with the layer's `shift` and the output range `[0, hi]`; loads
    /// the output and returns it.
    /// The prover passes `max = max(window)` and `w = RequantWitness::new(max, s, 0, hi)`.
    pub fn with_witness(
        ctx: &mut Context<Fr>,
        window: &[(AssignedValue<Fr>, i64)],
        size: usize,
        shift: &LayerShift,
        max: i64,
        w: RequantWitness,
    ) -> (Self, AssignedValue<Fr>) {
        let padded = window.iter().copied().cycle().take(size.max(window.len()));
        let (z, z_native): (Vec<_>, Vec<i64>) = padded.unzip();
        let u = ctx.load_witness(fr_i64(w.a));
        let job = Self {
            z,
            d: z_native.iter().map(|&v| max - v).collect(),
            z_native,
            cells: [shift.m, u],
            s: shift.s,
            w,
            #[cfg(test)]
            room_limb: None,
        };
        (job, u)
    }
}

/// The pooled-requantisation gate over `P` and `L`.
#[derive(Clone, Debug)]
pub struct PooledConfig {
    val: Column<Advice>,
    look: Column<Advice>,
    shape: PooledShape,
    span: i64,
    q: Selector,
}

impl PooledConfig {
    /// Creates the gate for blocks of `shape` over `val` (phase 0, equality enabled) and `look`
    /// (phase 0, equality enabled, every row looked up in `[0, 2^lookup_bits)`), for outputs in
    /// `[0, span]` with `span < 2^lookup_bits` (the output is one limb).
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        val: Column<Advice>,
        look: Column<Advice>,
        shape: PooledShape,
        span: i64,
    ) -> Self {
        let q = meta.selector();
        let lb = shape.block.lookup_bits;
        meta.create_gate("pooled requantisation", |m| {
            let q = m.query_selector(q);
            let p: Vec<Expression<Fr>> = (0..shape.p_rows())
                .map(|i| m.query_advice(val, Rotation((shape.p_first() + i) as i32)))
                .collect();
            let l: Vec<Expression<Fr>> = (0..shape.l_rows())
                .map(|i| m.query_advice(look, Rotation(i as i32)))
                .collect();
            let w = shape.window;
            let limbs = |from: usize, n: usize| limb_sum(&l[from..from + n], lb);
            let (z, d) = (&p[..w], &l[..w]);
            let [mm, b] = core::array::from_fn(|i| p[w + i].clone());
            let max = z[0].clone() + d[0].clone();
            let mut out = Vec::with_capacity(w + 5);
            // 1. every difference is to the same m.
            for i in 1..w {
                out.push(q.clone() * (z[i].clone() + d[i].clone() - max.clone()));
            }
            // 2. one difference is zero.
            let product = d.iter().cloned().reduce(|x, y| x * y);
            out.extend(product.map(|p| q.clone() * p));
            // 3. the requantisation of m (`requant`'s hidden gate with z := m).
            let block = shape.block;
            let (nt, ne) = (block.t_limbs, block.e_limbs);
            let t = limbs(w, nt);
            let e = limbs(w + nt, ne);
            let u = l[w + nt + ne].clone();
            let h = Expression::Constant(pow2(block.shift_bits() - 1));
            let room = Expression::Constant(fr_i64(span)) - u.clone();
            out.push(q.clone() * (l[w + nt + ne + 1].clone() - room.clone()));
            let rules = quotient_rules(&q, [max, mm, h], [u, room, b], [t, e], block);
            out.extend(rules);
            out
        });
        Self {
            val,
            look,
            shape,
            span,
            q,
        }
    }

    /// The block layout.
    pub fn shape(&self) -> PooledShape {
        self.shape
    }

    /// Assigns every block from `start` on; returns the `(halo2-base cell, chip cell)` pairs the
    /// caller must constrain equal.
    pub fn assign(
        &self,
        region: &mut Region<Fr>,
        start: usize,
        jobs: &[PooledJob],
    ) -> Result<Vec<(AssignedValue<Fr>, Cell)>, Error> {
        let shape = self.shape;
        let block = shape.block;
        let (big_s, lb) = (block.shift_bits(), block.lookup_bits);
        let mut links = Vec::with_capacity(jobs.len() * (shape.window + 2));
        let mut row = start;
        for job in jobs {
            if job.z.len() != shape.window || job.d.len() != shape.window {
                return Err(Error::Synthesis);
            }
            self.q.enable(region, row)?;
            let p_row = row + shape.p_first();
            let half: i128 = 1 << (big_s - 1);
            let m = 1i128 << (big_s - job.s);
            let u = i128::from(job.w.a);
            // P: the window, then m' (copies) and b (the prover's).
            let copied = job
                .z
                .iter()
                .zip(&job.z_native)
                .map(|(c, &v)| (*c, v.into()));
            let multiplier = std::iter::once((job.cells[0], m));
            for (i, (cell, value)) in copied.chain(multiplier).enumerate() {
                let raw = region
                    .assign_advice(self.val, p_row + i, Value::known(fr_i128(value)))
                    .cell();
                links.push((cell, raw));
            }
            let b = Fr::from(u64::from(job.w.above));
            region.assign_advice(self.val, p_row + shape.window + 1, Value::known(b));
            // L: the differences to the claimed maximum, then the requantisation limbs.
            let mut limbs: Vec<Fr> = job.d.iter().map(|&d| fr_i64(d)).collect();
            let max = i128::from(job.z_native[0]) + i128::from(job.d[0]);
            let e = i128::from(job.w.e);
            let q_off = u + if job.w.above { e } else { -e };
            let t = max * m + half - (q_off << big_s);
            limbs.extend(split(t, block.t_limbs, lb));
            limbs.extend(split(e, block.e_limbs, lb));
            let u_row = limbs.len();
            limbs.push(fr_i128(u));
            let room = i128::from(self.span) - u;
            #[cfg(test)]
            let room = job.room_limb.map_or(room, i128::from);
            limbs.push(fr_i128(room));
            for (i, limb) in limbs.iter().enumerate() {
                let cell = region.assign_advice(self.look, row + i, Value::known(*limb));
                if i == u_row {
                    links.push((job.cells[1], cell.cell()));
                }
            }
            row += shape.rows();
        }
        Ok(links)
    }
}

#[cfg(test)]
mod tests;
