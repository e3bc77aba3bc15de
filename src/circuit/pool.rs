//! Pooling over requantised activations (phase 0, halo2-base cells).
//!
//! **Max pooling.** The inputs `a_i` of a window are requantisation outputs, so integers in
//! `[0, hi]` (ReLU's range). The prover gives `m`; the circuit constrains `Π_i (m − a_i) = 0`,
//! so `m` equals some `a_j` (a field has no zero divisors) and is an integer in `[0, hi]`, and
//! range-checks every `m − a_i` to `[0, 2^bits)` with `2^bits > hi`. For integers in `[0, hi]`,
//! `m − a_i` is the field element `m − a_i ∈ [0, hi]` when `m ≥ a_i` and `p − (a_i − m) ≥ p − hi`
//! otherwise, which is not below `2^bits` as long as `2^bits ≤ p − hi` (any `bits < 250`). So
//! `m ≥ a_i` for all `i` and `m` is one of them: `m = max_i a_i`, the only value that passes.
//! The layer takes `bits` a whole number of lookup limbs ([`pool_bits`]): one lookup cell per
//! check and no shifted copy. Cost per window of `k` values: `k` gate rows `a_i + d_i = m`
//! (which also witness the values when they have no cell yet), `k − 1` multiplications, `k`
//! lookups.
//!
//! **Average pooling** is the window's sum: the division by the window's area is folded into
//! the next layer (its input scale is the activations' divided by the area, which the quantiser
//! absorbs into that layer's weights and shift), so no rounding happens here.

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::{self, Constant, Existing, Witness};

/// Bits of the range check for values in `[0, hi]`: the bit length of `hi`.
pub fn max_pool_bits(hi: u64) -> usize {
    (u64::BITS - hi.leading_zeros()).max(1) as usize
}

/// [`max_pool_bits`] rounded up to whole limbs of `lookup_bits` (the cheapest range check
/// halo2-base has: a lookup cell per limb and nothing else).
pub fn pool_bits(hi: u64, lookup_bits: usize) -> usize {
    max_pool_bits(hi).div_ceil(lookup_bits) * lookup_bits
}

/// `max(window)` for values constrained to `[0, hi]`, with `2^bits > hi` and `bits < 250`
/// ([`pool_bits`]).
pub fn max_pool(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    window: &[AssignedValue<Fr>],
    bits: usize,
) -> AssignedValue<Fr> {
    let best = window.iter().map(|a| *a.value()).max_by_key(|v| {
        let mut be = v.to_repr();
        be.reverse();
        be
    });
    max_pool_with(ctx, range, window, bits, best.unwrap_or_default())
}

/// [`max_pool`] with the prover's claimed maximum `m` (tests forge it).
pub fn max_pool_with(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    window: &[AssignedValue<Fr>],
    bits: usize,
    m: Fr,
) -> AssignedValue<Fr> {
    let inputs: Vec<QuantumCell<Fr>> = window.iter().map(|&a| Existing(a)).collect();
    max_pool_rows(ctx, range, &inputs, bits, m).0
}

/// The maximum of `window`, whose values are cells to copy or values witnessed here, with the
/// prover's claim `m`; returns `m`'s cell and the values' cells. Each value takes one gate row
/// `a_i + d_i · 1 = m` (the value, its difference to the maximum, the constant 1, `m`), so a
/// value witnessed here costs no cell of its own; then `d_i` is range-checked to `bits` and
/// `Π_i d_i = 0` (`k − 1` multiplications). The constraints are those of the module's
/// argument: `d_i = m − a_i ∈ [0, 2^bits)` and `Π_i (m − a_i) = 0`.
pub fn max_pool_rows(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    window: &[QuantumCell<Fr>],
    bits: usize,
    m: Fr,
) -> (AssignedValue<Fr>, Vec<AssignedValue<Fr>>) {
    let gate = range.gate();
    let mut m_cell: Option<AssignedValue<Fr>> = None;
    let mut values = Vec::with_capacity(window.len());
    let mut product: Option<AssignedValue<Fr>> = None;
    for a in window {
        let d = m - *a.value();
        let m_in = match m_cell {
            Some(c) => Existing(c),
            None => Witness(m),
        };
        ctx.assign_region([*a, Witness(d), Constant(Fr::ONE), m_in], [0]);
        let (a_cell, d_cell) = (ctx.get(-4), ctx.get(-3));
        m_cell.get_or_insert(ctx.get(-1));
        values.push(a_cell);
        range.range_check(ctx, d_cell, bits);
        product = Some(match product {
            None => d_cell,
            Some(p) => gate.mul(ctx, p, d_cell),
        });
    }
    if let Some(p) = product {
        gate.assert_is_const(ctx, &p, &Fr::ZERO);
    }
    let m_cell = m_cell.unwrap_or_else(|| ctx.load_witness(m));
    (m_cell, values)
}

/// The window's sum (average pooling before the next layer's rescaling).
pub fn sum_pool(
    ctx: &mut Context<Fr>,
    gate: &impl GateInstructions<Fr>,
    window: &[AssignedValue<Fr>],
) -> AssignedValue<Fr> {
    gate.sum(ctx, window.iter().copied())
}

#[cfg(test)]
mod tests;
