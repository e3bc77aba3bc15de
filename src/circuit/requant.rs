//! Requantisation and saturation of one value (`docs/PROTOCOL.md` §9.2):
//! `q = floor((z + half) / p)` with `p = 2^s`, `half = 2^(s−1)` (0 when `s = 0`), then
//! `a = min(max(q, lo), hi)`.
//!
//! # Constraints and why each is needed
//! Per layer, from the committed shift `s ∈ [0, s_max]`: `m = 2^(s_max − s)` and
//! `H = half·m` (`= 2^(s_max − 1)` if `s > 0`, else 0). Per value the prover supplies `a, dh, dl`
//! and the gadget constrains
//! 1. `a − lo ∈ [0, hi − lo]`: the output is in range;
//! 2. `0 ≤ dh, dl < 2^E` (range checks; `E ≥ 35` is `excess_bits`, a multiple of the lookup
//!    width so each check is whole limbs);
//! 3. `dh·(hi − a) + dl·(a − lo) = 0`: an excess above (below) only when the output sits at
//!    the top (bottom) of the range;
//! 4. with `q := a + dh − dl`: `t := z·m + H − q·2^s_max ∈ [0, 2^s_max)` (one range check).
//!
//! Soundness: by 1–2 `q` is an integer with `|q| < 2^(E+1)`, and `z` is an integer far below
//! the modulus (`docs/PROTOCOL.md` §10), so `t` is an integer (no wrap-around: every term is
//! below `2^(E + 2·s_max + 50) ≪ p`). `0 ≤ t < 2^s_max` says
//! `q·2^s_max ≤ (z + half)·m < (q + 1)·2^s_max`, and since `m·2^s = 2^s_max` that is
//! `q = floor((z + half) / 2^s)`: the floor quotient, uniquely. (`t` is the remainder scaled by
//! `m`; checking it against `2^s_max` replaces a remainder check against the variable `2^s`.)
//! In 3 both products are non-negative integers below `2^(E+25)`, so their sum is 0 in the
//! field only if both are 0. Given `q`: if `dh > 0` then `a = hi` and `q = hi + dh > hi`; if
//! `dl > 0` then `a = lo` and `q < lo`; both cannot hold since `lo < hi`; if both are 0 then
//! `a = q`. So `a` is exactly `clamp(q, lo, hi)`. Without 3 a prover could report any `a` in
//! range; without the upper bound in 4 it could shift `q` down by one (and up by one without
//! the lower bound).

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::PrimeField;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;

use super::fr_i64;

/// Smallest bit width of the excess `dh`, `dl` beyond the saturation bounds. `|z| < 2^33` for
/// every spec the schema admits (`docs/PROTOCOL.md` §9.2), so `|q| ≤ 2^33` and the excess is
/// below `2^35`.
pub const EXCESS_BITS: usize = 35;

/// The excess bound actually checked: `EXCESS_BITS` rounded up to whole lookup limbs (a
/// partial last limb costs an extra multiplication and lookup per check; any bound far below
/// the modulus is as sound).
pub fn excess_bits(lookup_bits: usize) -> usize {
    EXCESS_BITS.div_ceil(lookup_bits) * lookup_bits
}

/// Per-layer constants of the requantisation, derived in-circuit from the committed shift.
#[derive(Clone, Copy, Debug)]
pub struct LayerShift {
    /// `m = 2^(s_max − s)`.
    pub m: AssignedValue<Fr>,
    /// `H = half·m`: `2^(s_max − 1)` if `s > 0`, else 0.
    pub h: AssignedValue<Fr>,
    /// `s_max` from the spec.
    pub s_max: u32,
    /// The native shift (witness generation only).
    pub s: u32,
}

impl LayerShift {
    /// Derives `m` and `H` from the committed shift cell `s`.
    ///
    /// # Assumptions
    /// `s` is already constrained to `[0, s_max]` (it is, by the model-commitment range checks).
    pub fn derive(
        ctx: &mut Context<Fr>,
        range: &RangeChip<Fr>,
        s_cell: AssignedValue<Fr>,
        s: u32,
        s_max: u32,
    ) -> Self {
        let gate = range.gate();
        let bits = (u32::BITS - s_max.leading_zeros()).max(1) as usize;
        let two = ctx.load_constant(Fr::from(2));
        // m = 2^(s_max − s): pow_var decomposes the exponent (in [0, s_max]) into `bits` bits,
        // so m is exactly that power of two.
        let e = gate.sub(ctx, Constant(Fr::from(u64::from(s_max))), s_cell);
        let m = gate.pow_var(ctx, two, e, bits);
        // H = [s ≠ 0]·2^(s_max − 1) (and 0 when s_max = 0, where s = 0).
        let s_is_zero = gate.is_zero(ctx, s_cell);
        let top = if s_max == 0 {
            Fr::from(0)
        } else {
            Fr::from_u128(1u128 << (s_max - 1))
        };
        let h = gate.mul_add(ctx, s_is_zero, Constant(-top), Constant(top));
        Self { m, h, s_max, s }
    }
}

/// The prover's values for one requantisation (computed natively from `z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantWitness {
    /// Saturated output.
    pub a: i64,
    /// Excess above `hi`.
    pub dh: i64,
    /// Excess below `lo`.
    pub dl: i64,
}

impl RequantWitness {
    /// The honest values for `z`, shift `s` and the range `[lo, hi]`.
    pub fn new(z: i64, s: u32, lo: i64, hi: i64) -> Self {
        let half = if s == 0 { 0 } else { 1i64 << (s - 1) };
        let q = (z + half) >> s;
        Self {
            a: q.clamp(lo, hi),
            dh: (q - hi).max(0),
            dl: (lo - q).max(0),
        }
    }
}

/// Requantises and saturates `z` into `[lo, hi]` with the honest witness; returns `a`.
pub fn requantize_saturate(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    z: AssignedValue<Fr>,
    z_native: i64,
    shift: &LayerShift,
    lo: i64,
    hi: i64,
) -> AssignedValue<Fr> {
    let w = RequantWitness::new(z_native, shift.s, lo, hi);
    constrain(ctx, range, z, &w, shift, lo, hi)
}

/// Loads `w` and constrains it to be the requantisation of `z` (see the module docs).
pub fn constrain(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    z: AssignedValue<Fr>,
    w: &RequantWitness,
    shift: &LayerShift,
    lo: i64,
    hi: i64,
) -> AssignedValue<Fr> {
    let gate = range.gate();
    // 1. a ∈ [lo, hi].
    let a = ctx.load_witness(fr_i64(w.a));
    let a_off = if lo == 0 {
        a
    } else {
        gate.sub(ctx, a, Constant(fr_i64(lo)))
    };
    let span = (hi - lo) as u64 + 1;
    if span == 1 {
        gate.assert_is_const(ctx, &a_off, &Fr::from(0));
    } else if span.is_power_of_two() {
        // [0, 2^b) exactly: one range check says it all.
        range.range_check(ctx, a_off, span.trailing_zeros() as usize);
    } else {
        range.check_less_than_safe(ctx, a_off, span);
    }
    // 2. excesses are small non-negative integers.
    let dh = ctx.load_witness(fr_i64(w.dh));
    let dl = ctx.load_witness(fr_i64(w.dl));
    let e_bits = excess_bits(range.lookup_bits());
    range.range_check(ctx, dh, e_bits);
    range.range_check(ctx, dl, e_bits);
    // 3. dh·(hi − a) + dl·(a − lo) = 0.
    let room_above = gate.sub(ctx, Constant(Fr::from(span - 1)), a_off);
    let above = gate.mul(ctx, dh, room_above);
    let both = gate.mul_add(ctx, dl, a_off, above);
    gate.assert_is_const(ctx, &both, &Fr::from(0));
    // 4. t = z·m + H − 2^s_max·(a + dh − dl) ∈ [0, 2^s_max).
    let big = Fr::from_u128(1u128 << shift.s_max);
    let t = gate.inner_product(
        ctx,
        [z, shift.h, a, dh, dl],
        [
            halo2_base::QuantumCell::Existing(shift.m),
            Constant(Fr::from(1)),
            Constant(-big),
            Constant(-big),
            Constant(big),
        ],
    );
    if shift.s_max == 0 {
        gate.assert_is_const(ctx, &t, &Fr::from(0));
    } else {
        range.range_check(ctx, t, shift.s_max as usize);
    }
    a
}

#[cfg(test)]
mod tests {
    use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
    use halo2_base::gates::circuit::CircuitBuilderStage;
    use halo2_base::halo2_proofs::dev::MockProver;

    use super::*;
    use crate::model::requantize;

    const K: u32 = 11;

    /// Runs `constrain` on each `(z, s, lo, hi, witness)` and checks the output against `want`.
    fn mock(cases: &[(i64, u32, i64, i64, RequantWitness)], s_max: u32) -> bool {
        let mut builder = BaseCircuitBuilder::from_stage(CircuitBuilderStage::Mock)
            .use_k(K as usize)
            .use_lookup_bits(10);
        let range = builder.range_chip();
        let ctx = builder.main(0);
        for &(z, s, lo, hi, w) in cases {
            let z_cell = ctx.load_witness(fr_i64(z));
            let s_cell = ctx.load_witness(Fr::from(u64::from(s)));
            let shift = LayerShift::derive(ctx, &range, s_cell, s, s_max);
            let a = constrain(ctx, &range, z_cell, &w, &shift, lo, hi);
            // The output must be the value the witness claims (what the next layer consumes).
            assert_eq!(*a.value(), fr_i64(w.a));
        }
        builder.calculate_params(Some(20));
        MockProver::run(K, &builder, vec![])
            .expect("mock prover runs")
            .verify()
            .is_ok()
    }

    #[test]
    fn honest_witness_matches_reference_for_both_range_kinds() {
        let mut cases = Vec::new();
        // [0, 15] and [−512, 511] have power-of-two sizes; [0, 10] and [−3, 7] do not.
        for (lo, hi) in [(0, 15), (0, 10), (-512, 511), (-3, 7)] {
            for s in [0u32, 1, 3, 6] {
                for z in (-700..=700).step_by(37) {
                    let w = RequantWitness::new(z, s, lo, hi);
                    assert_eq!(w.a, requantize(z, s).clamp(lo, hi), "z {z} s {s}");
                    cases.push((z, s, lo, hi, w));
                }
            }
        }
        assert!(mock(&cases, 6));
    }

    #[test]
    fn quotient_off_by_one_fails() {
        // z = 100, s = 3: y = 104 = 13·8 + 0. Claiming q = 12 keeps y = 12·8 + 8, a remainder
        // of 8 = p: the scaled remainder t = 104·8 − 12·64 = 64 = 2^s_max is out of range.
        let honest = RequantWitness::new(100, 3, 0, 255);
        assert_eq!(honest.a, 13);
        assert!(mock(&[(100, 3, 0, 255, honest)], 6));
        let low = RequantWitness { a: 12, ..honest };
        assert!(!mock(&[(100, 3, 0, 255, low)], 6));
        // And q one too large: a negative remainder (t = 105·8 − 14·64 < 0).
        let honest = RequantWitness::new(101, 3, 0, 255);
        let high = RequantWitness {
            a: honest.a + 1,
            ..honest
        };
        assert!(!mock(&[(101, 3, 0, 255, high)], 6));
        // The largest remainder is accepted: z = 99, s = 3: y = 103 = 12·8 + 7.
        let edge = RequantWitness::new(99, 3, 0, 255);
        assert_eq!(edge.a, 12);
        assert!(mock(&[(99, 3, 0, 255, edge)], 6));
    }

    #[test]
    fn wrong_saturation_fails() {
        // q = 40 > hi = 15: honest a = 15, dh = 25. Claiming a = 14, dh = 26 keeps the identity.
        let honest = RequantWitness::new(320, 3, 0, 15);
        assert_eq!((honest.a, honest.dh), (15, 25));
        let low = RequantWitness {
            a: 14,
            dh: 26,
            ..honest
        };
        assert!(!mock(&[(320, 3, 0, 15, low)], 6));
        // q = −5 < lo = 0: honest a = 0, dl = 5; claiming a = 1, dl = 6 fails.
        let honest = RequantWitness::new(-40, 3, 0, 15);
        let high = RequantWitness {
            a: honest.a + 1,
            dl: honest.dl + 1,
            ..honest
        };
        assert!(!mock(&[(-40, 3, 0, 15, high)], 6));
        // An in-range q reported as saturated: a = hi with a negative "excess" is not allowed.
        let honest = RequantWitness::new(80, 3, 0, 15); // q = 10
        let bogus = RequantWitness {
            a: 15,
            dl: 5,
            ..honest
        };
        assert!(!mock(&[(80, 3, 0, 15, bogus)], 6));
        // A signed range (the logits): q = 9 > 7 and q = −10 < −3, each shifted by one.
        let honest = RequantWitness::new(72, 3, -3, 7);
        assert_eq!((honest.a, honest.dh), (7, 2));
        assert!(mock(&[(72, 3, -3, 7, honest)], 6));
        let shifted = RequantWitness {
            a: 6,
            dh: 3,
            ..honest
        };
        assert!(!mock(&[(72, 3, -3, 7, shifted)], 6));
        let honest = RequantWitness::new(-80, 3, -3, 7);
        assert_eq!((honest.a, honest.dl), (-3, 7));
        let shifted = RequantWitness {
            a: -2,
            dl: 8,
            ..honest
        };
        assert!(!mock(&[(-80, 3, -3, 7, shifted)], 6));
        // Both excesses at once (they cancel in q): dl > 0 while a = hi is refused.
        let honest = RequantWitness::new(320, 3, 0, 15);
        let both = RequantWitness {
            dh: honest.dh + 1,
            dl: 1,
            ..honest
        };
        assert!(!mock(&[(320, 3, 0, 15, both)], 6));
    }
}
