//! Per-row correctness: `correct_n = 1` iff the logit at the label is the first maximum
//! (`docs/PROTOCOL.md` §9.2: ties go to the lower index, as argmax does).

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::{Constant, Existing};

/// Returns a boolean cell: 1 iff `logits[label]` beats every earlier logit strictly and every
/// later logit or equals it.
///
/// # Assumptions
/// Every logit is constrained to `[−2^(bits−1), 2^(bits−1) − 1]` (the last layer's
/// saturation does this) and `label` to `[0, logits.len())`.
pub fn row_correct(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    logits: &[AssignedValue<Fr>],
    label: AssignedValue<Fr>,
    bits: u32,
) -> AssignedValue<Fr> {
    let gate = range.gate();
    let k = logits.len();
    // ind_j = [j = label]; exactly one is 1 because label < k.
    let ind = gate.idx_to_indicator(ctx, label, k);
    let at_label = gate.inner_product(
        ctx,
        logits.iter().copied(),
        ind.iter().map(|c| Existing(*c)),
    );
    // Offset so that every compared value is a non-negative integer below 2^(bits+1):
    // logit + off ∈ [1, 2^bits], and at_label + off − before ∈ [0, 2^bits].
    let off = Constant(Fr::from((1u64 << (bits - 1)) + 1));
    let at_label_off = gate.add(ctx, at_label, off);
    let mut seen = ctx.load_zero(); // Σ_{j ≤ i} ind_j after step i
    let mut ok_count = ctx.load_zero();
    for (i, logit) in logits.iter().enumerate() {
        seen = gate.add(ctx, seen, ind[i]);
        // before = [i < label] = 1 − Σ_{j ≤ i} ind_j.
        let before = gate.not(ctx, seen);
        // ok_i = [at_label − before ≥ logit_i]: strict for earlier indices, ≥ for later ones,
        // and trivially true at the label itself.
        let lhs = gate.sub(ctx, at_label_off, before);
        let rhs = gate.add(ctx, *logit, off);
        let lt = range.is_less_than(ctx, lhs, rhs, bits as usize + 1);
        let ok = gate.not(ctx, lt);
        ok_count = gate.add(ctx, ok_count, ok);
    }
    gate.is_equal(ctx, ok_count, Constant(Fr::from(k as u64)))
}
