//! The requantisation chip under MockProver: the honest witness matches `model::requantize`,
//! and each forged quotient, saturation, range or copy fails.

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};

use super::*;
use crate::circuit::fr_i64;
use crate::circuit::public::recorded_constants;
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::model::requantize;

pub(crate) const K: u32 = 14;
pub(crate) const LOOKUP_BITS: usize = 13;
/// The tests' `shift_max` and `activation_max` (the widest hidden range the schema allows).
pub(crate) const BOUNDS: RequantBounds = RequantBounds {
    shift_max: 6,
    activation_max: 32767,
    pool_window: 0,
};

/// One value to requantise: `(z, s, lo, hi, witness)`.
type Case = (i64, u32, i64, i64, RequantWitness);

/// A halo2-base builder at the tests' size (`K`, `LOOKUP_BITS`), for [`mock_blocks`].
pub(crate) fn mock_builder() -> BaseCircuitBuilder<Fr> {
    let mut builder = BaseCircuitBuilder::from_stage(CircuitBuilderStage::Mock)
        .use_k(K as usize)
        .use_lookup_bits(LOOKUP_BITS);
    builder.set_instance_columns(1);
    builder
}

/// The MockProver's verdict on `builder`'s cells plus the blocks of `jobs` (no Freivalds or
/// Poseidon rows), laid out as the accuracy circuit lays them out.
pub(crate) fn mock_blocks(
    builder: BaseCircuitBuilder<Fr>,
    jobs: Vec<RequantJob>,
) -> Result<(), Vec<VerifyFailure>> {
    mock_chips(builder, jobs, Vec::new(), BOUNDS)
}

/// [`mock_blocks`] with pooled-requantisation blocks too, their gate built for `bounds`.
pub(crate) fn mock_chips(
    mut builder: BaseCircuitBuilder<Fr>,
    jobs: Vec<RequantJob>,
    pooled: Vec<crate::circuit::pooled::PooledJob>,
    bounds: RequantBounds,
) -> Result<(), Vec<VerifyFailure>> {
    let ctx = builder.main(0);
    let one = ctx.load_constant(Fr::ONE);
    let zero = ctx.load_zero();
    builder.calculate_params(Some(20));
    reserve_lookup_column(&mut builder.config_params);
    let circuit = TwoPhaseCircuit {
        constants: recorded_constants(&builder),
        builder,
        products: Vec::new(),
        chains: Vec::new(),
        requants: jobs,
        pooled,
        features: None,
        requant_bounds: bounds,
        one,
        zero,
        sections: Vec::new(),
        model_column: None,
        testset_column: None,
    };
    MockProver::run(K, &circuit, vec![vec![]])
        .expect("mock prover runs")
        .verify()
}

/// Runs the chip on `cases`; `tamper` may edit the jobs (to model a cheating prover).
fn run_with(
    cases: &[Case],
    tamper: impl FnOnce(&mut Context<Fr>, &mut Vec<RequantJob>),
) -> Result<(), Vec<VerifyFailure>> {
    let mut builder = mock_builder();
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let mut jobs = Vec::new();
    for &(z, s, lo, hi, w) in cases {
        assert!(s <= BOUNDS.shift_max);
        let z_cell = ctx.load_witness(fr_i64(z));
        let s_cell = ctx.load_witness(Fr::from(u64::from(s)));
        // The accuracy circuit range-checks s with the model; do the same here.
        range.range_check(ctx, s_cell, 3);
        let shift = LayerShift::derive(
            ctx,
            &range,
            (s_cell, s),
            BlockShape::new(LOOKUP_BITS, BOUNDS).shift_bits(),
            lo,
        );
        let span = ctx.load_constant(fr_i64(hi - lo));
        let logit = lo != 0;
        let (job, a) =
            RequantJob::with_witness(ctx, &range, (z_cell, z), &shift, span, (lo, hi), logit, w);
        // The output must be the value the witness claims (what the next layer consumes).
        assert_eq!(*a.value(), fr_i64(w.a));
        jobs.push(job);
    }
    tamper(ctx, &mut jobs);
    mock_blocks(builder, jobs)
}

fn run(cases: &[Case]) -> Result<(), Vec<VerifyFailure>> {
    run_with(cases, |_, _| {})
}

fn ok(cases: &[Case]) -> bool {
    run(cases).is_ok()
}

#[test]
fn block_shapes_at_the_digits_sizes() {
    // The digits bounds at k = 18 (lookup bits 17) and k = 19 (18): S = 34 / 36, two limbs each
    // for t and e, one each for u and span − u: 6 rows, as many as V needs.
    let digits = RequantBounds {
        shift_max: 24,
        activation_max: 255,
        pool_window: 0,
    };
    assert_eq!(BlockShape::new(17, digits).shift_bits(), 34);
    assert_eq!(BlockShape::new(18, digits).shift_bits(), 36);
    for bits in [17, 18] {
        assert_eq!(BlockShape::new(bits, digits).rows(), 6);
    }
    // Narrow tables need more limbs per block: here t 1, e 3, u 2 (and span − u 2).
    assert_eq!(BlockShape::new(LOOKUP_BITS, BOUNDS).rows(), 1 + 3 + 2 * 2);
}

#[test]
fn honest_witness_matches_reference_for_both_range_kinds() {
    let mut cases = Vec::new();
    // Hidden ranges start at 0; logit ranges are signed, of power-of-two sizes.
    for (lo, hi) in [(0, 15), (0, 10), (0, 255), (-512, 511), (-8, 7)] {
        for s in [0u32, 1, 3, 6] {
            for z in (-700..=700).step_by(37) {
                let w = RequantWitness::new(z, s, lo, hi);
                assert_eq!(w.a, requantize(z, s).clamp(lo, hi), "z {z} s {s}");
                cases.push((z, s, lo, hi, w));
            }
        }
    }
    // The extremes of the schema: |z| just below 2^33 with s = 0 (the largest excess), and the
    // widest logit range.
    let big = (1i64 << 33) - 1;
    for z in [big, -big] {
        for (lo, hi) in [(0, 32767), (-(1 << 31), (1 << 31) - 1), (-8, 7)] {
            cases.push((z, 0, lo, hi, RequantWitness::new(z, 0, lo, hi)));
        }
    }
    assert_eq!(run(&cases), Ok(()));
}

#[test]
fn quotient_off_by_one_fails() {
    // z = 100, s = 3: y = 104 = 13·8. Claiming q = 12 leaves a scaled remainder of exactly 2^S.
    let honest = RequantWitness::new(100, 3, 0, 255);
    assert_eq!(honest.a, 13);
    assert!(ok(&[(100, 3, 0, 255, honest)]));
    let low = RequantWitness { a: 12, ..honest };
    assert!(!ok(&[(100, 3, 0, 255, low)]));
    // And q one too large: a negative remainder.
    let honest = RequantWitness::new(101, 3, 0, 255);
    let high = RequantWitness {
        a: honest.a + 1,
        ..honest
    };
    assert!(!ok(&[(101, 3, 0, 255, high)]));
    // The largest remainder is accepted: z = 99, s = 3: y = 103 = 12·8 + 7.
    let edge = RequantWitness::new(99, 3, 0, 255);
    assert_eq!(edge.a, 12);
    assert!(ok(&[(99, 3, 0, 255, edge)]));
    // The same through the excess: a saturated output whose excess is one off.
    let honest = RequantWitness::new(320, 3, 0, 15); // q = 40
    for e in [honest.e - 1, honest.e + 1] {
        assert!(
            !ok(&[(320, 3, 0, 15, RequantWitness { e, ..honest })]),
            "e {e}"
        );
    }
}

#[test]
fn wrong_saturation_fails() {
    // q = 40 > hi = 15: honest a = 15, e = 25 upwards. a = 14 with e = 26 keeps q.
    let honest = RequantWitness::new(320, 3, 0, 15);
    assert_eq!((honest.a, honest.above, honest.e), (15, true, 25));
    assert!(ok(&[(320, 3, 0, 15, honest)]));
    let low = RequantWitness {
        a: 14,
        e: 26,
        ..honest
    };
    assert!(!ok(&[(320, 3, 0, 15, low)]));
    // q = −5 < lo = 0: honest a = 0, e = 5 downwards; a = 1 with e = 6 fails.
    let honest = RequantWitness::new(-40, 3, 0, 15);
    assert_eq!((honest.a, honest.above, honest.e), (0, false, 5));
    let high = RequantWitness {
        a: 1,
        e: 6,
        ..honest
    };
    assert!(!ok(&[(-40, 3, 0, 15, high)]));
    // An in-range q reported as saturated: q = 10 as a = 15 with an excess of 5 downwards.
    assert_eq!(RequantWitness::new(80, 3, 0, 15).a, 10);
    let bogus = RequantWitness {
        a: 15,
        above: false,
        e: 5,
    };
    assert!(!ok(&[(80, 3, 0, 15, bogus)]));
    // A signed range (the logits): q = 9 > 7 and q = −10 < −8, each shifted by one.
    let honest = RequantWitness::new(72, 3, -8, 7);
    assert_eq!((honest.a, honest.e), (7, 2));
    assert!(ok(&[(72, 3, -8, 7, honest)]));
    assert!(!ok(&[(
        72,
        3,
        -8,
        7,
        RequantWitness {
            a: 6,
            e: 3,
            ..honest
        }
    )]));
    let honest = RequantWitness::new(-80, 3, -8, 7);
    assert_eq!((honest.a, honest.e), (-8, 2));
    assert!(ok(&[(-80, 3, -8, 7, honest)]));
    assert!(!ok(&[(
        -80,
        3,
        -8,
        7,
        RequantWitness {
            a: -7,
            e: 3,
            ..honest
        }
    )]));
}

#[test]
fn output_out_of_range_fails() {
    // q = 16 reported unsaturated above hi = 15, and q = −1 below lo = 0.
    let honest = RequantWitness::new(128, 3, 0, 15);
    assert_eq!((honest.a, honest.e), (15, 1));
    assert!(!ok(&[(
        128,
        3,
        0,
        15,
        RequantWitness {
            a: 16,
            e: 0,
            ..honest
        }
    )]));
    let honest = RequantWitness::new(-8, 3, 0, 15);
    assert_eq!((honest.a, honest.e), (0, 1));
    assert!(!ok(&[(
        -8,
        3,
        0,
        15,
        RequantWitness {
            a: -1,
            e: 0,
            ..honest
        }
    )]));
    // The same for a logit range (checked by halo2-base's range check of a − lo).
    let honest = RequantWitness::new(64, 3, -8, 7); // q = 8
    assert_eq!((honest.a, honest.e), (7, 1));
    assert!(!ok(&[(
        64,
        3,
        -8,
        7,
        RequantWitness {
            a: 8,
            e: 0,
            ..honest
        }
    )]));
    let honest = RequantWitness::new(-72, 3, -8, 7); // q = −9
    assert_eq!((honest.a, honest.e), (-8, 1));
    assert!(!ok(&[(
        -72,
        3,
        -8,
        7,
        RequantWitness {
            a: -9,
            e: 0,
            ..honest
        }
    )]));
}

#[test]
fn copies_are_enforced() {
    let honest = RequantWitness::new(100, 3, 0, 255);
    // The block proves its own values; each of z, m, H', u, span is linked to its halo2-base
    // cell. Link any of them to a cell holding another value (the block's values unchanged) and
    // the proof must fail: otherwise the chip would requantise values unrelated to the checked
    // product, under another shift or range, or hand the next layer an unproved output.
    for case in [
        [(100, 3, 0, 255, honest)],
        [(72, 3, -8, 7, RequantWitness::new(72, 3, -8, 7))],
    ] {
        assert!(ok(&case));
        for i in 0..5 {
            let r = run_with(&case, |ctx, jobs| {
                let v = *jobs[0].cells[i].value() + Fr::ONE;
                jobs[0].cells[i] = ctx.load_witness(v);
            });
            assert!(r.is_err(), "cell {i} unlinked");
        }
    }
}
