//! Max pooling under MockProver: the maximum passes, any other claimed value fails.

use halo2_base::halo2_proofs::dev::VerifyFailure;
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::*;
use crate::circuit::fr_i64;
use crate::circuit::requant::tests::{mock_blocks, mock_builder};

const HI: u64 = 127;

fn run(window: &[i64], claim: Option<i64>) -> (Fr, Result<(), Vec<VerifyFailure>>) {
    let mut builder = mock_builder();
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let cells = ctx.assign_witnesses(window.iter().map(|&v| fr_i64(v)));
    let bits = pool_bits(HI, range.lookup_bits());
    let m = match claim {
        None => max_pool(ctx, &range, &cells, bits),
        Some(c) => max_pool_with(ctx, &range, &cells, bits, fr_i64(c)),
    };
    (*m.value(), mock_blocks(builder, Vec::new()))
}

#[test]
fn the_maximum_passes() {
    for window in [
        &[3, 9, 1, 4][..],
        &[0, 0, 0, 0],
        &[127, 127, 5, 0],
        &[0, 127],
        &[42],
    ] {
        let (m, verdict) = run(window, None);
        assert_eq!(verdict, Ok(()), "{window:?}");
        assert_eq!(
            m,
            fr_i64(*window.iter().max().expect("window")),
            "{window:?}"
        );
    }
}

#[test]
fn a_value_that_is_not_the_maximum_fails() {
    let window = [3, 9, 1, 4];
    // In the window but not the largest; above every value but not in the window; negative;
    // the largest wrapped around the field.
    for claim in [4, 3, 10, 127, -1, 9 - (1 << 7)] {
        let (_, verdict) = run(&window, Some(claim));
        assert!(verdict.is_err(), "claimed max {claim} of {window:?} passed");
    }
    assert_eq!(run(&window, Some(9)).1, Ok(()));
}

/// Max pooling over signed pre-activations (a convolution's `z`, `|z| < 2^33`) with the
/// differences checked to whole limbs covering 34 bits: the maximum passes, a smaller window
/// value or a value from outside the window fails, also when the values are negative.
#[test]
fn signed_maxima_with_wide_differences() {
    let run = |window: &[i64], claim: i64| {
        let mut builder = mock_builder();
        let range = builder.range_chip();
        let ctx = builder.main(0);
        let cells = ctx.assign_witnesses(window.iter().map(|&v| fr_i64(v)));
        let bits = pool_bits(1 << 34, range.lookup_bits());
        max_pool_with(ctx, &range, &cells, bits, fr_i64(claim));
        mock_blocks(builder, Vec::new())
    };
    let big = (1i64 << 33) - 1;
    for (window, max) in [
        (&[-5, -9, -1, -7][..], -1),
        (&[-big, big, 0, 3], big),
        (&[-big, -big + 1], -big + 1),
    ] {
        assert_eq!(run(window, max), Ok(()), "{window:?}");
        for claim in window.iter().copied().filter(|&v| v != max) {
            assert!(
                run(window, claim).is_err(),
                "{claim} claimed for {window:?}"
            );
        }
        assert!(run(window, max + 1).is_err(), "max + 1 for {window:?}");
    }
}
