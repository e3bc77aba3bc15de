//! Argmax's comparisons under MockProver: the row bit follows argmax's tie rule at the
//! extremes of the logit range, and a forged comparison bit fails in either direction.

use halo2_base::halo2_proofs::dev::VerifyFailure;

use super::*;
use crate::circuit::requant::tests::{mock_blocks, mock_builder, BOUNDS, LOOKUP_BITS};
use crate::circuit::requant::BlockShape;

const MIN: i64 = -(1 << 31);
const MAX: i64 = (1 << 31) - 1;

/// What `argmax` (first maximum) says.
fn expected(logits: &[i64], label: usize) -> bool {
    let best = logits.iter().copied().max().expect("logits");
    logits.iter().position(|&v| v == best) == Some(label)
}

/// Proves one row; returns the circuit's bit and the MockProver's verdict.
fn run(
    logits: &[i64],
    label: usize,
    forge: impl Fn(usize, RequantWitness) -> RequantWitness,
) -> (bool, Result<(), Vec<VerifyFailure>>) {
    let mut builder = mock_builder();
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let cmp = Comparator::new(ctx, BlockShape::new(LOOKUP_BITS, BOUNDS).shift_bits());
    let cells = ctx.assign_witnesses(logits.iter().map(|&v| fr_i64(v)));
    let label = ctx.load_witness(Fr::from(label as u64));
    let mut jobs = Vec::new();
    let ok = row_correct(ctx, &range, &cmp, &cells, label, &mut jobs, forge);
    let bit = *ok.value() == Fr::from(1);
    (bit, mock_blocks(builder, jobs))
}

#[test]
fn row_bit_follows_argmax_including_ties_and_extremes() {
    let rows: &[&[i64]] = &[
        &[3, 9, 1, -4],
        &[5, 5, 5, 5],
        &[0, 7, 7, 2],
        &[MIN, MAX, MAX, MIN],
        &[MIN, MIN, MIN, MIN],
        &[MAX, MIN, 0, MAX - 1],
        &[-1, -2, -1, -3],
    ];
    for logits in rows {
        for label in 0..logits.len() {
            let (bit, verdict) = run(logits, label, |_, w| w);
            assert_eq!(verdict, Ok(()), "{logits:?} label {label}");
            assert_eq!(bit, expected(logits, label), "{logits:?} label {label}");
        }
    }
}

/// A prover that replaces comparison `j`'s witness by `forged` and keeps the others honest.
fn forge_at(j: usize, forged: RequantWitness) -> impl Fn(usize, RequantWitness) -> RequantWitness {
    move |i, honest| if i == j { forged } else { honest }
}

#[test]
fn forged_comparison_bit_fails() {
    // Claim a lost comparison won: logit 1 beats the label 0, so ok_1 = 0 (z = 3 + 1 − 9 = −5 < 1).
    // a = 1 with q = a − e = z: the excess sits at the wrong end of [0, 1].
    let logits = [3, 9, 1, -4];
    let won = RequantWitness {
        a: 1,
        above: false,
        e: 6,
    };
    let (bit, verdict) = run(&logits, 0, forge_at(1, won));
    assert!(bit, "the forged bits make the row look correct");
    assert!(verdict.is_err(), "a forged winning comparison must fail");

    // Claim a won comparison lost: the label 1 beats logit 0, so ok_0 = 1 (z = 9 + 0 − 3 = 6).
    let lost = RequantWitness {
        a: 0,
        above: true,
        e: 6,
    };
    let (bit, verdict) = run(&logits, 1, forge_at(0, lost));
    assert!(!bit, "the forged bit makes the row look wrong");
    assert!(verdict.is_err(), "a forged losing comparison must fail");

    // A tie at an earlier index must lose (z = 5 + 0 − 5 = 0 → 0); claiming 1 fails.
    let tie = RequantWitness {
        a: 1,
        above: false,
        e: 1,
    };
    let (bit, verdict) = run(&[5, 5], 1, forge_at(0, tie));
    assert!(bit);
    assert!(verdict.is_err(), "a tie won by the later index must fail");
}
