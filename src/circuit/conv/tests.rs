//! The convolution check under MockProver: honest products of several shapes pass; a changed
//! kernel weight, bias, input or output fails.

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::{MockProver, VerifyFailure};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{ConvGeometry, ConvProduct};
use crate::circuit::freivalds::Product;
use crate::circuit::two_phase::tests::{build_with, has_permutation_failure};
use crate::circuit::{fr_i64, Operand};

const K: usize = 12;

/// A named change to an honest convolution.
type Tamper = (&'static str, fn(&mut Conv));

/// A convolution with random int8 kernel, small non-negative inputs, and its honest output.
#[derive(Clone)]
struct Conv {
    g: ConvGeometry,
    x: Vec<i64>,
    k: Vec<i64>,
    b: Vec<i64>,
    z: Vec<i64>,
}

#[allow(clippy::too_many_arguments)]
fn geometry(
    n: usize,
    c_in: usize,
    (h, w): (usize, usize),
    c_out: usize,
    (kh, kw): (usize, usize),
    stride: usize,
    pad: usize,
) -> ConvGeometry {
    ConvGeometry {
        n,
        c_in,
        h,
        w,
        c_out,
        kh,
        kw,
        stride,
        pad,
    }
}

fn conv(g: ConvGeometry, seed: u64) -> Conv {
    let mut rng = StdRng::seed_from_u64(seed);
    let x: Vec<i64> = (0..g.input_len()).map(|_| rng.gen_range(0..=255)).collect();
    let k: Vec<i64> = (0..g.kernel_len())
        .map(|_| rng.gen_range(-128..=127))
        .collect();
    let b: Vec<i64> = (0..g.c_out)
        .map(|_| rng.gen_range(-100_000..=100_000))
        .collect();
    let z = g.convolve(&x, &k, &b);
    Conv { g, x, k, b, z }
}

fn mock(c: &Conv) -> Result<(), Vec<VerifyFailure>> {
    let circuit = build_with(CircuitBuilderStage::Mock, (K, None), |ctx| {
        let mut load = |v: &[i64]| ctx.assign_witnesses(v.iter().map(|&v| fr_i64(v)));
        let x = load(&c.x).into_iter().map(Operand::Base).collect();
        let (k, b, z) = (load(&c.k), load(&c.b), load(&c.z));
        vec![Product::Conv(ConvProduct {
            geometry: c.g,
            x,
            k,
            b,
            z,
        })]
    });
    MockProver::run(K as u32, &circuit, vec![vec![]])
        .expect("mock prover runs")
        .verify()
}

/// Shapes that exercise every case of the rectangle sums: stride 1 and 2 and 3, padding 0 to
/// larger than the kernel's reach, non-square kernels and inputs, a 1×1 kernel.
fn shapes() -> Vec<ConvGeometry> {
    vec![
        geometry(2, 2, (5, 4), 3, (3, 3), 1, 1),
        geometry(2, 1, (6, 5), 2, (3, 3), 2, 1),
        geometry(1, 2, (4, 4), 2, (2, 2), 2, 0),
        geometry(2, 3, (3, 4), 2, (1, 1), 1, 0),
        geometry(1, 2, (7, 5), 2, (3, 2), 3, 2),
        geometry(2, 1, (3, 3), 2, (2, 2), 1, 3),
        geometry(1, 1, (8, 8), 4, (3, 3), 1, 1),
    ]
}

#[test]
fn reference_convolution_by_hand() {
    // One 3×3 input, a 2×2 kernel of ones and 10 as bias, padding 1: each output is 10 plus
    // the sum of the inputs under the window.
    let g = geometry(1, 1, (3, 3), 1, (2, 2), 1, 1);
    assert_eq!((g.out_h(), g.out_w()), (4, 4));
    let x: Vec<i64> = (1..=9).collect();
    let z = g.convolve(&x, &[1, 1, 1, 1], &[10]);
    #[rustfmt::skip]
    let want = vec![
        11, 13, 15, 13,
        15, 22, 26, 19,
        21, 34, 38, 25,
        17, 25, 27, 19,
    ];
    assert_eq!(z, want);
    // Stride 2, no padding, kernel 2×2 on a 4×4 input: the four 2×2 blocks' sums.
    let g = geometry(1, 1, (4, 4), 1, (2, 2), 2, 0);
    let x: Vec<i64> = (0..16).collect();
    assert_eq!(g.convolve(&x, &[1, 1, 1, 1], &[0]), vec![10, 18, 42, 50]);
}

#[test]
fn invalid_geometry_is_refused() {
    assert!(geometry(1, 1, (2, 2), 1, (3, 3), 1, 0)
        .is_valid()
        .eq(&false));
    assert!(!geometry(1, 1, (4, 4), 1, (3, 3), 0, 0).is_valid());
    assert!(!geometry(0, 1, (4, 4), 1, (3, 3), 1, 0).is_valid());
    assert!(geometry(1, 1, (2, 2), 1, (3, 3), 1, 1).is_valid());
}

#[test]
fn honest_convolutions_pass_mock_prover() {
    for (i, g) in shapes().into_iter().enumerate() {
        assert_eq!(mock(&conv(g, i as u64)), Ok(()), "shape {g:?}");
    }
}

#[test]
fn a_changed_kernel_weight_bias_input_or_output_fails() {
    for (i, g) in shapes().into_iter().enumerate() {
        let honest = conv(g, 100 + i as u64);
        let tampers: [Tamper; 5] = [
            ("kernel weight", |c| {
                let last = c.k.len() - 1;
                c.k[last / 2] += 1
            }),
            ("bias", |c| c.b[0] -= 3),
            // The middle input of those some output reads (with stride 3 some are never read,
            // and changing those leaves the product true).
            ("input", |c| {
                let read: Vec<usize> = (0..c.x.len())
                    .filter(|&i| {
                        let mut x = c.x.clone();
                        x[i] += 1;
                        c.g.convolve(&x, &c.k, &c.b) != c.z
                    })
                    .collect();
                c.x[read[read.len() / 2]] += 1
            }),
            ("output", |c| {
                let last = c.z.len() - 1;
                c.z[last] += 1
            }),
            // +1 and −1 in two outputs of one channel: a plain sum would not see it.
            ("compensating outputs", |c| {
                c.z[0] += 1;
                c.z[1] -= 1
            }),
        ];
        for (what, tamper) in tampers {
            let mut c = honest.clone();
            tamper(&mut c);
            assert!(
                has_permutation_failure(mock(&c)),
                "a changed {what} passed for {g:?}"
            );
        }
    }
}

#[test]
fn an_input_in_the_padding_s_reach_is_checked() {
    // The corner input of a padded convolution is read by one tap of one output only: changing
    // it (with the output left as it was) must fail.
    let g = geometry(1, 1, (4, 4), 1, (3, 3), 1, 1);
    let mut c = conv(g, 7);
    c.x[0] += 1;
    assert!(has_permutation_failure(mock(&c)));
}
