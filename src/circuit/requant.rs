//! Requantisation and saturation of one value (`docs/PROTOCOL.md` §9.2):
//! `q = floor((z + half) / p)` with `p = 2^s`, `half = 2^(s−1)` (0 when `s = 0`), then
//! `a = min(max(q, lo), hi)`.
//!
//! # Constraints and why each is needed
//! The prover supplies `r, a, dh, dl` and the gadget constrains
//! 1. `0 ≤ r < 2^s_max` (range check) and `r·2^(s_max−s) < 2^s_max` (range check): together
//!    `r` is an integer in `[0, p)`;
//! 2. `a − lo ∈ [0, hi − lo]`: the output is in range;
//! 3. `0 ≤ dh, dl < 2^EXCESS_BITS` (range checks);
//! 4. `dh·(hi − a) = 0` and `dl·(a − lo) = 0`: an excess above (below) is only allowed when the
//!    output sits at the top (bottom) of the range;
//! 5. `q := a + dh − dl` and `q·p + r = z + half`.
//!
//! Soundness: by 2–3, `|q| < 2^(EXCESS_BITS+1)`, so 5 is an equation between integers far
//! below the modulus; with `0 ≤ r < p` it makes `q` the floor quotient and `r` the remainder
//! (unique). Given `q`: if `dh > 0` then `a = hi` (4) and `q = hi + dh > hi`; if `dl > 0` then
//! `a = lo` and `q < lo`; both cannot hold since `lo < hi`; if both are 0 then `a = q`. So `a`
//! is exactly `clamp(q, lo, hi)`. Without 4 a prover could report any `a` in range; without the
//! second check of 1 it could shift `q` by one and move `r` past `p`.

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::PrimeField;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;

use super::fr_i64;

/// Bits of the excess `dh`, `dl` beyond the saturation bounds. `|z| < 2^33` for every spec the
/// schema admits (`docs/PROTOCOL.md` §9.2), so `|q| ≤ 2^33` and the excess is below `2^35`.
pub const EXCESS_BITS: usize = 35;

/// Per-layer constants of the requantisation, derived in-circuit from the committed shift.
#[derive(Clone, Copy, Debug)]
pub struct LayerShift {
    /// `p = 2^s`.
    pub p: AssignedValue<Fr>,
    /// `2^(s−1)`, or 0 when `s = 0`.
    pub half: AssignedValue<Fr>,
    /// `m = 2^(s_max − s)`.
    pub m: AssignedValue<Fr>,
    /// `s_max` from the spec.
    pub s_max: u32,
    /// The native shift (witness generation only).
    pub s: u32,
}

impl LayerShift {
    /// Derives `p`, `half` and `m` from the committed shift cell `s`.
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
        // p = 2^s (pow_var decomposes s into `bits` bits, so p is exactly a power of two).
        let p = gate.pow_var(ctx, two, s_cell, bits);
        // half: 2·half + [s = 0] = p.
        let s_is_zero = gate.is_zero(ctx, s_cell);
        let half = ctx.load_witness(if s == 0 {
            Fr::from(0)
        } else {
            Fr::from(1u64 << (s - 1))
        });
        let lhs = gate.mul_add(ctx, half, Constant(Fr::from(2)), s_is_zero);
        ctx.constrain_equal(&lhs, &p);
        // m = 2^(s_max − s): m·p = 2^s_max, and m is a power of two by the same decomposition.
        let e = gate.sub(ctx, Constant(Fr::from(u64::from(s_max))), s_cell);
        let m = gate.pow_var(ctx, two, e, bits);
        let pm = gate.mul(ctx, p, m);
        gate.assert_is_const(ctx, &pm, &Fr::from_u128(1u128 << s_max));
        Self {
            p,
            half,
            m,
            s_max,
            s,
        }
    }
}

/// The prover's values for one requantisation (computed natively from `z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequantWitness {
    /// Remainder `r ∈ [0, 2^s)`.
    pub r: i64,
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
            r: (z + half) - (q << s),
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
    // 1. r is an integer in [0, p).
    let r = ctx.load_witness(fr_i64(w.r));
    if shift.s_max == 0 {
        gate.assert_is_const(ctx, &r, &Fr::from(0));
    } else {
        range.range_check(ctx, r, shift.s_max as usize);
        let rm = gate.mul(ctx, r, shift.m);
        range.range_check(ctx, rm, shift.s_max as usize);
    }
    // 2. a ∈ [lo, hi].
    let a = ctx.load_witness(fr_i64(w.a));
    let a_off = gate.sub(ctx, a, Constant(fr_i64(lo)));
    let span = (hi - lo) as u64 + 1;
    if span == 1 {
        gate.assert_is_const(ctx, &a_off, &Fr::from(0));
    } else if span.is_power_of_two() {
        // [0, 2^b) exactly: one range check says it all.
        range.range_check(ctx, a_off, span.trailing_zeros() as usize);
    } else {
        range.check_less_than_safe(ctx, a_off, span);
    }
    // 3. excesses are small non-negative integers.
    let dh = ctx.load_witness(fr_i64(w.dh));
    let dl = ctx.load_witness(fr_i64(w.dl));
    range.range_check(ctx, dh, EXCESS_BITS);
    range.range_check(ctx, dl, EXCESS_BITS);
    // 4. excess only at the matching bound.
    let room_above = gate.sub(ctx, Constant(fr_i64(hi)), a);
    let t = gate.mul(ctx, dh, room_above);
    gate.assert_is_const(ctx, &t, &Fr::from(0));
    let t = gate.mul(ctx, dl, a_off);
    gate.assert_is_const(ctx, &t, &Fr::from(0));
    // 5. q·p + r = z + half.
    let q = gate.add(ctx, a, dh);
    let q = gate.sub(ctx, q, dl);
    let lhs = gate.mul_add(ctx, q, shift.p, r);
    let rhs = gate.add(ctx, z, shift.half);
    ctx.constrain_equal(&lhs, &rhs);
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
    fn remainder_past_the_divisor_fails() {
        // z = 100, s = 3: y = 104 = 13·8 + 0. Claim q = 12, r = 8: the identity still holds, only
        // the check r < 2^s rules it out.
        let honest = RequantWitness::new(100, 3, 0, 255);
        assert_eq!((honest.a, honest.r), (13, 0));
        assert!(mock(&[(100, 3, 0, 255, honest)], 6));
        let shifted = RequantWitness {
            r: honest.r + 8,
            a: honest.a - 1,
            ..honest
        };
        assert!(!mock(&[(100, 3, 0, 255, shifted)], 6));
        // And a negative remainder with q one too large.
        let honest = RequantWitness::new(101, 3, 0, 255);
        let negative = RequantWitness {
            r: honest.r - 8,
            a: honest.a + 1,
            ..honest
        };
        assert!(!mock(&[(101, 3, 0, 255, negative)], 6));
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
    }
}
