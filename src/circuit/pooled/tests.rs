//! The pooled-requantisation chip under MockProver: honest windows give the reference
//! semantics' pooled activation, and each forged maximum, copy or requantisation fails.

use halo2_base::gates::RangeInstructions;
use halo2_base::halo2_proofs::dev::VerifyFailure;

use super::*;
use crate::circuit::requant::tests::{mock_builder, mock_chips, BOUNDS, LOOKUP_BITS};
use crate::circuit::requant::RequantBounds;
use crate::model::requantize;

/// The tests' bounds: `BOUNDS`' shifts, outputs of one 13-bit limb, windows of four.
const POOLED: RequantBounds = RequantBounds {
    activation_max: 255,
    pool_window: MAX_WINDOW,
    ..BOUNDS
};
/// The largest output.
const HI: i64 = POOLED.activation_max;

/// What a cheating prover changes in a job before the blocks are laid out.
type Tamper<'a> = &'a dyn Fn(&mut Context<Fr>, &mut PooledJob);

/// Proves the windows with shift `s`; each window's job may be tampered with. Returns the
/// outputs' values and the verdict.
fn run_with(
    windows: &[&[i64]],
    s: u32,
    claim: impl Fn(&[i64]) -> i64,
    tamper: Tamper<'_>,
) -> (Vec<i64>, Result<(), Vec<VerifyFailure>>) {
    let mut builder = mock_builder();
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let s_cell = ctx.load_witness(Fr::from(u64::from(s)));
    range.range_check(ctx, s_cell, 3);
    let big_s = BlockShape::new(LOOKUP_BITS, POOLED).shift_bits();
    let shift = LayerShift::derive(ctx, &range, (s_cell, s), big_s, 0);
    let mut jobs = Vec::new();
    let mut outputs = Vec::new();
    for window in windows {
        let cells = ctx.assign_witnesses(window.iter().map(|&v| fr_i64(v)));
        let values: Vec<_> = cells.into_iter().zip(window.iter().copied()).collect();
        let max = claim(window);
        let w = RequantWitness::new(max, s, 0, HI);
        let (mut job, a) = PooledJob::with_witness(ctx, &values, MAX_WINDOW, &shift, max, w);
        tamper(ctx, &mut job);
        outputs.push(job.w.a);
        assert_eq!(*a.value(), fr_i64(w.a));
        jobs.push(job);
    }
    (outputs, mock_chips(builder, Vec::new(), jobs, POOLED))
}

fn honest_max(window: &[i64]) -> i64 {
    window.iter().copied().max().unwrap_or(0)
}

fn run(windows: &[&[i64]], s: u32) -> (Vec<i64>, Result<(), Vec<VerifyFailure>>) {
    run_with(windows, s, honest_max, &|_, _| {})
}

/// The reference semantics: requantise and clamp every value, then take the maximum.
fn reference(window: &[i64], s: u32) -> i64 {
    let act = window.iter().map(|&z| requantize(z, s).clamp(0, HI));
    act.max().unwrap_or(0)
}

#[test]
fn honest_windows_give_the_reference_pooled_activation() {
    let windows: [&[i64]; 7] = [
        &[3, 9, 1, 4],
        &[-5, -9, -1, -7],
        &[0, 0, 0, 0],
        &[8000, -191, 7999, 12],
        // Saturates above and below (differences stay below the 13-bit lookup).
        &[HI * 64 + 40, HI * 64, HI * 64 - 100, HI * 64 + 7],
        &[-8000, -6000, -7000, -6500],
        // A window of two, padded to four by the chip.
        &[17, -4],
    ];
    for s in [0, 3, 6] {
        let (out, verdict) = run(&windows, s);
        assert_eq!(verdict, Ok(()), "shift {s}");
        let expected: Vec<i64> = windows.iter().map(|w| reference(w, s)).collect();
        assert_eq!(out, expected, "shift {s}");
    }
}

#[test]
fn a_claimed_maximum_that_is_not_the_maximum_fails() {
    let window: &[i64] = &[3, 9, 1, 4];
    // In the window but not the largest (a negative difference: outside the lookup); above
    // every value (no zero difference); below every value; the largest wrapped around.
    for claim in [4, 3, 10, 200, -1, 9 - (1 << LOOKUP_BITS)] {
        let (_, verdict) = run_with(&[window], 0, |_| claim, &|_, _| {});
        assert!(verdict.is_err(), "claimed max {claim} of {window:?} passed");
    }
    assert_eq!(run_with(&[window], 0, |_| 9, &|_, _| {}).1, Ok(()));
    // Differences that are each in range but not to one maximum: the first value passed off as
    // the maximum with every difference 0, or each value's own difference chosen freely.
    for d in [[0, 0, 0, 0], [6, 0, 8, 4], [0, 0, 2, 1]] {
        let forge: Tamper<'_> = &|_, job| job.d = d.to_vec();
        let (_, verdict) = run_with(&[window], 0, |_| 9, forge);
        assert!(verdict.is_err(), "differences {d:?} for {window:?} passed");
    }
}

#[test]
fn a_window_value_swapped_for_another_cell_fails() {
    // The block's copy of z_1 is linked to a cell holding another value: the copy constraint
    // catches it (the block itself is consistent with the values it was given).
    let swap: Tamper<'_> = &|ctx, job| job.z[1] = ctx.load_witness(fr_i64(2));
    let (_, verdict) = run_with(&[&[3, 9, 1, 4]], 0, honest_max, swap);
    assert!(verdict.is_err(), "a swapped window cell passed");
    // The same value in another cell is fine: the links only ask for equal values.
    let same: Tamper<'_> = &|ctx, job| job.z[2] = ctx.load_witness(fr_i64(1));
    assert_eq!(run_with(&[&[3, 9, 1, 4]], 0, honest_max, same).1, Ok(()));
}

#[test]
fn a_requantised_output_off_by_one_fails() {
    // Shift 3: max 100 → floor(104 / 8) = 13. Claim 12 or 14 (the output cell and the block
    // agree, the quotient does not).
    for delta in [-1, 1] {
        let forge: Tamper<'_> = &|ctx, job| {
            job.w.a += delta;
            job.cells[1] = ctx.load_witness(fr_i64(job.w.a));
        };
        let (out, verdict) = run_with(&[&[100, 3, -2, 99]], 3, honest_max, forge);
        assert_eq!(out, vec![13 + delta]);
        assert!(verdict.is_err(), "output off by {delta} passed");
    }
    // An output above the range with no excess (q = HI + 1 passed off unsaturated), its
    // `span − u` limb written as 0 (the true −1 would fail the lookup): the gate's
    // `span − u = limb` catches it.
    let forge: Tamper<'_> = &|ctx, job| {
        assert_eq!((job.w.a, job.w.e, job.w.above), (HI, 1, true));
        job.w = RequantWitness {
            a: HI + 1,
            above: false,
            e: 0,
        };
        job.cells[1] = ctx.load_witness(fr_i64(HI + 1));
        job.room_limb = Some(0);
    };
    let window: &[i64] = &[64 * (HI + 1), 64 * HI, 64 * HI + 5, 64 * (HI + 1) - 1];
    assert_eq!(run(&[window], 6), (vec![HI], Ok(())));
    let (_, verdict) = run_with(&[window], 6, honest_max, forge);
    assert!(verdict.is_err(), "an output above the range passed");
    // A saturated output claimed unsaturated: the excess on the wrong side.
    let forge: Tamper<'_> = &|_, job| job.w.above = false;
    let (_, verdict) = run_with(
        &[&[HI * 64 + 40, HI * 64, HI * 64 - 1, HI * 64]],
        6,
        honest_max,
        forge,
    );
    assert!(verdict.is_err(), "a flipped direction bit passed");
}

#[test]
fn shapes() {
    // The tests' limbs at 13 bits after four differences: t 1, e 3, then u and span − u.
    let shape = PooledShape {
        block: BlockShape::new(LOOKUP_BITS, POOLED),
        window: 4,
    };
    assert_eq!(shape.rows(), 4 + 1 + 3 + 2);
    // digits-cnn at k = 19 (lookup bits 18, shift_max 16, activation_max 255): 9 rows a window.
    let digits = RequantBounds {
        shift_max: 16,
        activation_max: 255,
        pool_window: 4,
    };
    let shape = PooledShape {
        block: BlockShape::new(18, digits),
        window: 4,
    };
    assert_eq!(shape.rows(), 9);
}
