//! Per-row correctness: `correct_n = 1` iff the logit at the label is the first maximum
//! (`docs/PROTOCOL.md` §9.2: ties go to the lower index, as argmax does).
//!
//! # How a comparison is proved
//! With `at = logits[label]` (an inner product with the label's one-hot indicator) and
//! `seen_j = Σ_{i ≤ j} [i = label]` (1 from the label on, 0 before it), logit `j` is beaten iff
//! `at − [j < label] ≥ logit_j`, i.e. iff `z_j := at + seen_j − logit_j ≥ 1` (strictly for
//! earlier indices, `≥` for later ones; trivially at the label itself). The bit
//! `ok_j = [z_j ≥ 1] = clamp(z_j, 0, 1)` is exactly what the requantisation chip proves for a
//! hidden value with shift 0 and range `[0, 1]` (`src/circuit/requant.rs`): a 6-row block
//! below the layers' blocks, no halo2-base lookups, and no new gate or column in the verifier.
//! halo2-base's `is_less_than` with its bookkeeping took ≈ 44 cells and 3 lookups per
//! comparison (digits: 627 cells per row, a third of the circuit's halo2-base cells; now 281).
//!
//! Soundness: `logits` are in `[−2^(B−1), 2^(B−1) − 1]` with `B = logit_bits ≤ 32` (the
//! schema's bound; the last layer's saturation enforces it), so `|z_j| ≤ 2^B ≤ 2^32`, within
//! the chip's `|z| < 2^33` bound, and the chip's shift-0 constants `m = 2^S`, `H' = 0` are
//! constant cells (fixed by the verifying key). The chip makes each `ok_j` the clamp, hence a
//! bit; `correct_n = [Σ_j ok_j = k]`.

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::utils::ScalarField;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::{Constant, Existing};

use super::fr_i64;
use super::requant::{LayerShift, RequantJob, RequantWitness};

/// The constant cells every comparison block copies (made once per circuit).
#[derive(Clone, Debug)]
pub struct Comparator {
    shift: LayerShift,
    one: AssignedValue<Fr>,
}

impl Comparator {
    /// Loads the shift-0 constants for blocks whose shift is `2^big_s` (the chip's `S`).
    pub fn new(ctx: &mut Context<Fr>, big_s: u32) -> Self {
        Self {
            shift: LayerShift::identity(ctx, big_s),
            one: ctx.load_constant(Fr::from(1)),
        }
    }
}

/// Returns a boolean cell: 1 iff `logits[label]` beats every earlier logit strictly and every
/// later logit or equals it. Pushes one requantisation job per logit onto `jobs`; each job's
/// witness is `witness(j, honest)` — the prover passes `|_, honest| honest`, tests forge.
///
/// # Assumptions
/// Every logit is constrained to `[−2^31, 2^31 − 1]` (the last layer's saturation does this
/// for `logit_bits ≤ 32`) and `label` to `[0, logits.len())`.
pub fn row_correct(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    cmp: &Comparator,
    logits: &[AssignedValue<Fr>],
    label: AssignedValue<Fr>,
    jobs: &mut Vec<RequantJob>,
    witness: impl Fn(usize, RequantWitness) -> RequantWitness,
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
    // lhs_j = at + seen_j, carried along: lhs_j = lhs_{j−1} + ind_j from lhs_{−1} = at.
    let mut lhs = at_label;
    let mut oks = Vec::with_capacity(k);
    for (i, logit) in logits.iter().enumerate() {
        lhs = gate.add(ctx, lhs, ind[i]);
        let z = gate.sub(ctx, lhs, *logit);
        let z_native = signed(z.value());
        let w = witness(i, RequantWitness::new(z_native, 0, 0, 1));
        let (job, ok) = RequantJob::with_witness(
            ctx,
            range,
            (z, z_native),
            &cmp.shift,
            cmp.one,
            (0, 1),
            false,
            w,
        );
        jobs.push(job);
        oks.push(ok);
    }
    let count = gate.sum(ctx, oks);
    gate.is_equal(ctx, count, Constant(Fr::from(k as u64)))
}

/// The integer a field element stands for, for values within `±2^63` (witness generation:
/// the circuit's values are far smaller).
fn signed(v: &Fr) -> i64 {
    let pos = v.get_lower_64();
    if fr_i64(pos as i64) == *v && pos <= i64::MAX as u64 {
        pos as i64
    } else {
        -((-*v).get_lower_64() as i64)
    }
}

#[cfg(test)]
mod tests;
