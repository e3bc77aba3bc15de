//! Requantisation and saturation of every layer output (`docs/PROTOCOL.md` §9.2), on a chip:
//! `q = floor((z + half) / p)` with `p = 2^s`, `half = 2^(s−1)` (0 when `s = 0`), then
//! `a = min(max(q, lo), hi)`.
//!
//! # Where it lives
//! The chip owns no column. Each value gets a block of rows in two phase-0 columns that exist
//! anyway: `V`, the Freivalds chip's `val` column (below the Freivalds rows; in a circuit with
//! pooled blocks, `circuit::pooled`'s column, whose rotations both gates share), and `L`,
//! halo2-base's lookup advice column (below halo2-base's own range-check cells). Every row of
//! `L` is looked up in the `[0, 2^lb)` table without a selector (`lb` = lookup bits), so a value
//! written there is range-checked for free. Blocks are placed at the bottom of the usable rows,
//! so their position depends only on the pinned circuit size. Doing this in halo2-base cost 52
//! cells and 9 lookups per hidden value and was 60 % of the digits circuit. Both kinds of value
//! share one block layout, and their two gates read both columns at the same rotations: each
//! extra rotation or gate term is code in the on-chain verifier, which EIP-170 caps.
//!
//! # Constraints and why each is needed
//! Per layer, from the committed shift `s ∈ [0, shift_max]`, halo2-base derives
//! `m = 2^(S − s)` and `H' = [s > 0]·2^(S − 1) − 2^S·lo` where `S ≥ shift_max` is the spec's
//! `shift_max` rounded up to whole lookup limbs and `lo` the layer's lower bound. A block
//! (selector at its first row) holds
//!
//! | | `V` | `L` |
//! |---|---|---|
//! | rows | `z, m, H', u, b, span` | limbs of `t`, `e` (and, hidden only, of `u` and `span − u`) |
//!
//! where `u = a − lo` is the offset output, `span = hi − lo`; `z, m, H', u, span` are copies of
//! halo2-base cells (the Freivalds-checked product entry, the layer's shift constants, the
//! output, a constant from the fixed column); `b` is the prover's direction bit and `t, e` its
//! scaled remainder and excess, each as limbs `Σ_i l_i·2^(i·lb)`. The gate constrains
//! 1. hidden values (`span = activation_max`, which sizes the limbs): `u = Σ u-limbs` and
//!    `span − u = Σ c-limbs`: both are integers in
//!    `[0, 2^(n·lb))` (`n·lb < 250`), so `u ∈ [0, span]`. (A value below `lo` would make the
//!    first a field element near `p`, one above `hi` the second.) Logits (`span = 2^B − 1`)
//!    have `u` range-checked to `B` bits by halo2-base instead, which costs the few logits less
//!    than two more limbs per block would cost every block;
//! 2. `b·(1 − b) = 0`;
//! 3. `e·(b·(span − u) + (1 − b)·u) = 0`, with `e = Σ e-limbs ∈ [0, 2^E)`: an excess only
//!    upwards when the output is `hi`, only downwards when it is `lo`;
//! 4. with `q := a + (2b − 1)·e` (so `q − lo = u + (2b − 1)·e`):
//!    `t := z·m + H' − 2^S·(u + (2b − 1)·e) = Σ t-limbs ∈ [0, 2^S)`.
//!
//! Soundness: `z` is an integer with `|z| < 2^33` (the Freivalds check makes it exactly
//! `x·W + b` over range-checked values: at most 1024 products of `2^15`-bounded inputs and
//! int8 weights plus an int32 bias), `|a| < 2^31`, `e < 2^E` with `E = lb·⌈33/lb⌉`, so every
//! term of 3 and 4 is an integer far below the field modulus (`< 2^(33 + S + 2)` with
//! `S ≤ 32 + lb`) and field equality is integer equality. 4 is `t = z·m + H − 2^S·q` with
//! `H = [s > 0]·2^(S − 1)`, so it says `q·2^S ≤ (z + half)·2^(S−s) < (q + 1)·2^S`, i.e.
//! `q = floor((z + half) / 2^s)`, uniquely. In 3 both products are non-negative integers, so
//! each is 0: if `e > 0` and `b = 1` then `a = hi` and `q = hi + e > hi`; if `e > 0` and `b = 0`
//! then `a = lo` and `q = lo − e < lo`; if `e = 0` then `a = q`, which 1 puts in `[lo, hi]`. In
//! every case `a = clamp(q, lo, hi)`. Without 4's upper bound the prover could shift `q` down by
//! one (up by one without the lower bound); without 3, report any `a` in range; without 2,
//! scale the excess; without the copies, requantise values unrelated to the checked products.
//! The honest `e` is below `2^33`: `|z| < 2^33` gives `|q| < 2^33`; when `q > hi ≥ 0`,
//! `e = q − hi ≤ q`, and when `q < lo ≤ 0`, `e = lo − q ≤ −q`.

use halo2_base::gates::circuit::BaseCircuitParams;
use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Selector,
};
use halo2_base::halo2_proofs::poly::Rotation;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;

use serde::{Deserialize, Serialize};

use super::{fr_i128, pow2};

/// Bits of the largest excess `|q − a|` (see the module docs: below `2^33`).
pub const EXCESS_BITS: usize = 33;

/// The spec's bounds that size a block (the rest of the layout follows from the lookup width).
/// Part of the circuit's parameters: the gates are built from them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequantBounds {
    /// Largest shift (`quantisation.shift_max`).
    pub shift_max: u32,
    /// Largest hidden activation (`quantisation.activation_max`).
    pub activation_max: i64,
    /// Values per window of the pooled-requantisation gate (`circuit::pooled`), 0 when the
    /// circuit has none (and keys made before it existed).
    #[serde(default)]
    pub pool_window: usize,
}

/// The block layout for a lookup width and the spec's bounds (the same for both kinds of value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockShape {
    /// Lookup width `lb`: every limb is in `[0, 2^lb)`.
    pub lookup_bits: usize,
    /// Limbs of the scaled remainder `t`; `S = t_limbs·lb ≥ shift_max`.
    pub t_limbs: usize,
    /// Limbs of the excess `e`.
    pub e_limbs: usize,
    /// Limbs of a hidden value's `u` and of `span − u` (each).
    pub u_limbs: usize,
}

impl BlockShape {
    /// The layout for lookup width `lookup_bits` and `bounds`.
    pub fn new(lookup_bits: usize, bounds: RequantBounds) -> Self {
        let span_bits =
            (u64::BITS - (bounds.activation_max.max(1) as u64).leading_zeros()) as usize;
        Self {
            lookup_bits,
            t_limbs: (bounds.shift_max as usize).div_ceil(lookup_bits).max(1),
            e_limbs: EXCESS_BITS.div_ceil(lookup_bits),
            u_limbs: span_bits.div_ceil(lookup_bits),
        }
    }

    /// `S`: the scaled remainder's bits, `shift_max` rounded up to whole limbs (at least one).
    pub fn shift_bits(&self) -> u32 {
        (self.t_limbs * self.lookup_bits) as u32
    }

    const V_ROWS: usize = 6;

    fn l_rows(&self) -> usize {
        self.t_limbs + self.e_limbs + 2 * self.u_limbs
    }

    /// Rows of one block.
    pub fn rows(&self) -> usize {
        Self::V_ROWS.max(self.l_rows())
    }
}

/// Per-layer constants of the requantisation, derived in-circuit from the committed shift.
#[derive(Clone, Copy, Debug)]
pub struct LayerShift {
    /// `m = 2^(S − s)`.
    pub m: AssignedValue<Fr>,
    /// `H' = [s > 0]·2^(S − 1) − 2^S·lo`.
    pub h: AssignedValue<Fr>,
    /// The native shift (witness generation only).
    pub s: u32,
}

impl LayerShift {
    /// Derives `m` and `H'` from the committed shift cell `s` for `S = big_s` and the layer's
    /// lower bound `lo`.
    ///
    /// # Assumptions
    /// `s` is already constrained to `[0, shift_max]` with `shift_max ≤ big_s` (it is, by the
    /// model-commitment range checks and the schema).
    pub fn derive(
        ctx: &mut Context<Fr>,
        range: &RangeChip<Fr>,
        (s_cell, s): (AssignedValue<Fr>, u32),
        big_s: u32,
        lo: i64,
    ) -> Self {
        let gate = range.gate();
        let bits = (u32::BITS - big_s.leading_zeros()).max(1) as usize;
        let two = ctx.load_constant(Fr::from(2));
        // m = 2^(S − s): pow_var decomposes the exponent (in [0, S]) into `bits` bits, so m is
        // exactly that power of two.
        let e = gate.sub(ctx, Constant(Fr::from(u64::from(big_s))), s_cell);
        let m = gate.pow_var(ctx, two, e, bits);
        // H' = [s ≠ 0]·2^(S − 1) − 2^S·lo = top − 2^S·lo − [s = 0]·top.
        let s_is_zero = gate.is_zero(ctx, s_cell);
        let top = pow2(big_s.saturating_sub(1));
        let base = top - pow2(big_s) * fr_i128(lo.into());
        let h = gate.mul_add(ctx, s_is_zero, Constant(-top), Constant(base));
        Self { m, h, s }
    }

    /// Shift 0 with `lo = 0` (`m = 2^S`, `H' = 0`), as constant cells: the block then proves
    /// `a = clamp(z, 0, hi)` (argmax's comparisons use it with `hi = 1`).
    pub fn identity(ctx: &mut Context<Fr>, big_s: u32) -> Self {
        Self {
            m: ctx.load_constant(pow2(big_s)),
            h: ctx.load_constant(Fr::ZERO),
            s: 0,
        }
    }
}

/// The prover's values for one requantisation (computed natively from `z`, or forged by tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantWitness {
    /// Saturated output.
    pub a: i64,
    /// Direction of the excess: `q = a + e` if set, `q = a − e` if not.
    pub above: bool,
    /// `|q − a|`.
    pub e: i64,
}

impl RequantWitness {
    /// The honest values for `z`, shift `s` and the range `[lo, hi]`.
    pub fn new(z: i64, s: u32, lo: i64, hi: i64) -> Self {
        let half = if s == 0 { 0 } else { 1i64 << (s - 1) };
        let q = (z + half) >> s;
        let a = q.clamp(lo, hi);
        Self {
            a,
            above: q > hi,
            e: (q - a).abs(),
        }
    }
}

/// One value to requantise: halo2-base cells the block copies, and the native values.
#[derive(Clone, Debug)]
pub struct RequantJob {
    /// `[z, m, H', u, span]` (halo2-base cells).
    pub cells: [AssignedValue<Fr>; 5],
    /// A logit (`u` range-checked by halo2-base) rather than a hidden activation (`lo = 0`,
    /// `u = a` range-checked by the block).
    pub logit: bool,
    /// Native `z`, shift and range.
    pub z: i64,
    /// See `z`.
    pub s: u32,
    /// See `z`.
    pub lo: i64,
    /// See `z`.
    pub hi: i64,
    /// The prover's values.
    pub w: RequantWitness,
}

impl RequantJob {
    /// Loads the output `w.a` (as `u = a − lo`) and returns the job and the output cell `a`.
    /// The prover passes `RequantWitness::new(z, s, lo, hi)`; tests forge other values.
    ///
    /// `shift` must be derived with this `lo`; `span` must be a constant cell holding
    /// `hi − lo`. Hidden values need `lo = 0`; logits need `hi − lo + 1` a power of two.
    #[allow(clippy::too_many_arguments)]
    pub fn with_witness(
        ctx: &mut Context<Fr>,
        range: &RangeChip<Fr>,
        (z, z_native): (AssignedValue<Fr>, i64),
        shift: &LayerShift,
        span: AssignedValue<Fr>,
        (lo, hi): (i64, i64),
        logit: bool,
        w: RequantWitness,
    ) -> (Self, AssignedValue<Fr>) {
        let u = ctx.load_witness(fr_i128((w.a - lo).into()));
        let a = if logit {
            // u ∈ [0, 2^B) = [0, span]: the block does not check a logit's range.
            let bits = (hi - lo + 1).trailing_zeros();
            assert_eq!(
                hi - lo + 1,
                1i64 << bits,
                "logit ranges have power-of-two sizes"
            );
            range.range_check(ctx, u, bits as usize);
            range.gate().add(ctx, u, Constant(fr_i128(lo.into())))
        } else {
            assert_eq!(lo, 0, "hidden activations start at 0 (ReLU)");
            u
        };
        let job = Self {
            cells: [z, shift.m, shift.h, u, span],
            logit,
            z: z_native,
            s: shift.s,
            lo,
            hi,
            w,
        };
        (job, a)
    }
}

/// The requantisation gate over `V` and `L`.
#[derive(Clone, Debug)]
pub struct RequantConfig {
    val: Column<Advice>,
    look: Column<Advice>,
    shape: BlockShape,
    q_hidden: Selector,
    q_logit: Selector,
}

impl RequantConfig {
    /// Creates the gates for blocks of `shape` over `val` (phase 0, equality enabled) and `look`
    /// (phase 0, equality enabled, every row looked up in the `[0, 2^shape.lookup_bits)` table).
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        val: Column<Advice>,
        look: Column<Advice>,
        shape: BlockShape,
    ) -> Self {
        let lookup_bits = shape.lookup_bits;
        let (q_hidden, q_logit) = (meta.selector(), meta.selector());
        // One gate per kind (simple selectors cannot be added, and compression needs them
        // simple); both read the same rotations, so the verifier opens the columns at one set
        // of points.
        for (name, sel, hidden) in [
            ("requantisation: hidden", q_hidden, true),
            ("requantisation: logits", q_logit, false),
        ] {
            meta.create_gate(name, |m| {
                let q = m.query_selector(sel);
                let v: Vec<Expression<Fr>> = (0..BlockShape::V_ROWS)
                    .map(|i| m.query_advice(val, Rotation(i as i32)))
                    .collect();
                let l: Vec<Expression<Fr>> = (0..shape.l_rows())
                    .map(|i| m.query_advice(look, Rotation(i as i32)))
                    .collect();
                let limbs = |from: usize, n: usize| limb_sum(&l[from..from + n], lookup_bits);
                let [z, mm, h, u, b, span] = core::array::from_fn(|i| v[i].clone());
                let (nt, ne, nu) = (shape.t_limbs, shape.e_limbs, shape.u_limbs);
                let t = limbs(0, nt);
                let e = limbs(nt, ne);
                let room = span - u.clone();
                let mut out = Vec::with_capacity(5);
                if hidden {
                    // 1. a hidden output is in [0, span] (a logit's u: halo2-base's range check).
                    out.push(q.clone() * (limbs(nt + ne, nu) - u.clone()));
                    out.push(q.clone() * (limbs(nt + ne + nu, nu) - room.clone()));
                }
                let rules = quotient_rules(&q, [z, mm, h], [u, room, b], [t, e], shape);
                out.extend(rules);
                out
            });
        }
        Self {
            val,
            look,
            shape,
            q_hidden,
            q_logit,
        }
    }

    /// Assigns every block from `start` on; returns the `(halo2-base cell, chip cell)` pairs the
    /// caller must constrain equal.
    pub fn assign(
        &self,
        region: &mut Region<Fr>,
        start: usize,
        jobs: &[RequantJob],
    ) -> Result<Vec<(AssignedValue<Fr>, Cell)>, Error> {
        let shape = self.shape;
        let big_s = shape.shift_bits();
        let lb = shape.lookup_bits;
        let mut links = Vec::with_capacity(jobs.len() * 5);
        let mut row = start;
        for job in jobs {
            if job.logit {
                self.q_logit.enable(region, row)?;
            } else {
                self.q_hidden.enable(region, row)?;
            }
            // The block's values come from the native job; the links below make them equal to
            // the halo2-base cells (a test swaps a cell to show the links are what binds them).
            let half: i128 = if job.s == 0 { 0 } else { 1 << (big_s - 1) };
            let m = 1i128 << (big_s - job.s);
            let h = half - (i128::from(job.lo) << big_s);
            let u = i128::from(job.w.a - job.lo);
            let span = i128::from(job.hi - job.lo);
            let v_values = [i128::from(job.z), m, h, u, i128::from(job.w.above), span];
            // Which job cell each V row copies (`b`, row 4, is the prover's own).
            let sources = [Some(0), Some(1), Some(2), Some(3), None, Some(4)];
            for (i, (value, src)) in v_values.iter().zip(sources).enumerate() {
                let raw = region
                    .assign_advice(self.val, row + i, Value::known(fr_i128(*value)))
                    .cell();
                if let Some(src) = src {
                    links.push((job.cells[src], raw));
                }
            }
            let e = i128::from(job.w.e);
            let q_off = u + if job.w.above { e } else { -e };
            let t = i128::from(job.z) * m + h - (q_off << big_s);
            let mut limbs = [split(t, shape.t_limbs, lb), split(e, shape.e_limbs, lb)].concat();
            if !job.logit {
                limbs.extend(split(u, shape.u_limbs, lb));
                limbs.extend(split(span - u, shape.u_limbs, lb));
            }
            for (i, limb) in limbs.iter().enumerate() {
                region.assign_advice(self.look, row + i, Value::known(*limb));
            }
            row += shape.rows();
        }
        Ok(links)
    }
}

/// `Σ_i limbs[i]·2^(i·bits)`: a number written as lookup limbs, least significant first
/// (0 without limbs).
pub(super) fn limb_sum(limbs: &[Expression<Fr>], bits: usize) -> Expression<Fr> {
    limbs
        .iter()
        .enumerate()
        .map(|(i, l)| l.clone() * Expression::Constant(pow2((i * bits) as u32)))
        .reduce(|x, y| x + y)
        .unwrap_or(Expression::Constant(Fr::ZERO))
}

/// Rules 2–4 of the module docs, each times the selector `q`, for a block's `z, m, H'`, its
/// output `u`, `span − u` and direction bit `b`, and its remainder `t` and excess `e` (their
/// limbs recomposed): `b` is a bit, an excess only at the matching end of the range, and the
/// rounded quotient `0 ≤ z·m + H' − 2^S·q < 2^S`. The pooled-requantisation gate
/// (`circuit::pooled`) states the same rules for its blocks.
pub(super) fn quotient_rules(
    q: &Expression<Fr>,
    [z, mm, h]: [Expression<Fr>; 3],
    [u, room, b]: [Expression<Fr>; 3],
    [t, e]: [Expression<Fr>; 2],
    shape: BlockShape,
) -> [Expression<Fr>; 3] {
    let one = Expression::Constant(Fr::ONE);
    let two = Expression::Constant(Fr::from(2));
    let big = Expression::Constant(pow2(shape.shift_bits()));
    let q_off = u.clone() + (b.clone() * two - one.clone()) * e.clone();
    [
        // 2. the direction is a bit.
        q.clone() * (b.clone() * (one.clone() - b.clone())),
        // 3. an excess only at the matching end of the range.
        q.clone() * (e * (b.clone() * room + (one - b) * u)),
        // 4. q is the rounded quotient: 0 ≤ z·m + H − 2^S·q < 2^S.
        q.clone() * (t - (z * mm + h - big * q_off)),
    ]
}

/// Records the lookup column, which the chip writes into, in the params (the figures report it;
/// `TwoPhaseCircuit` makes the column itself whenever the params have lookup bits, because
/// halo2-base would make none for a single advice column). Call after `calculate_params`.
pub fn reserve_lookup_column(params: &mut BaseCircuitParams) {
    params.num_lookup_advice_per_phase[0] = params.num_lookup_advice_per_phase[0].max(1);
}

/// `v` as `n` limbs of `bits` bits, least significant first; the last limb takes what is left
/// (out of the lookup's range, or negative, when `v` does not fit: forged witnesses must reach
/// the lookup rather than fail here).
pub(super) fn split(mut v: i128, n: usize, bits: usize) -> Vec<Fr> {
    let base = 1i128 << bits;
    let mut out = Vec::with_capacity(n);
    for _ in 1..n {
        out.push(fr_i128(v.rem_euclid(base)));
        v = v.div_euclid(base);
    }
    out.push(fr_i128(v));
    out
}

#[cfg(test)]
pub(crate) mod tests;
