//! A convolution: `Z = conv(A, K) + b` over the whole batch, checked by the Freivalds chip over
//! the im2col structure without forming it (`circuit::conv`, `docs/PROTOCOL.md` §10), every
//! entry of `Z` requantised, passed through ReLU and saturated like a hidden dense layer — or,
//! with max pooling right after, pooled first and only the pooled values requantised.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;
use halo2_base::QuantumCell::{self, Existing, Witness};

use halo2_base::gates::RangeInstructions;

use super::super::super::conv::{ConvGeometry, ConvProduct};
use super::super::super::fr_i64;
use super::super::super::freivalds::Product;
use super::super::super::pool::{max_pool_bits, max_pool_rows, pool_bits};
use super::super::super::pooled::{PooledJob, MAX_WINDOW};
use super::super::super::requant::RequantWitness;
use super::super::params::Weights;
use super::{LayerCx, Rows};
use crate::model::image::pool_windows;
use crate::model::ConvLayer;
use crate::spec::{ImageShape, ImageStage, PoolEnvelope};

/// The check's geometry for a batch of `n` inputs of `shape`.
pub(in super::super) fn geometry(
    n: usize,
    [c_in, h, w]: ImageShape,
    (c_out, kernel, stride, pad): (usize, usize, usize, usize),
) -> ConvGeometry {
    ConvGeometry {
        n,
        c_in,
        h,
        w,
        c_out,
        kh: kernel,
        kw: kernel,
        stride,
        pad,
    }
}

/// Proves one convolution on `input` (one `C×H×W` row per test row) with the committed
/// `params` and shift; `z` holds the reference semantics' pre-activations. Returns the
/// activations in `[0, activation_max]`.
pub(in super::super) fn layer(
    cx: &mut LayerCx<'_, '_>,
    (input, shape): (Rows, ImageShape),
    (conv, params): (&ConvLayer, Weights),
    shift: (AssignedValue<Fr>, u32),
    z: &[&[i64]],
    activation_max: i64,
) -> Vec<Vec<AssignedValue<Fr>>> {
    let (z, out) = cx.requantise(z, shift, (0, activation_max), false);
    push_product(cx, (input, shape), (conv, params), z);
    out
}

/// The Freivalds check of `Z = conv(X, K) + b` over the batch.
fn push_product(
    cx: &mut LayerCx<'_, '_>,
    (input, shape): (Rows, ImageShape),
    (conv, params): (&ConvLayer, Weights),
    z: Vec<Vec<AssignedValue<Fr>>>,
) {
    let geometry = geometry(
        input.len(),
        shape,
        (conv.c_out, conv.kernel, conv.stride, conv.padding),
    );
    cx.products.push(Product::Conv(ConvProduct {
        geometry,
        x: input.into_iter().flatten().collect(),
        k: params.w,
        b: params.b,
        z: z.into_iter().flatten().collect(),
    }));
}

/// Bits that hold the difference of any two pre-activations: `|z| < 2^33` (the spec's fan-in
/// bound), so `0 ≤ max − z < 2^34`.
const PRE_ACTIVATION_DIFFERENCE_BITS: u32 = 34;

/// A bound on `max_i z_i − z_j` within one pooling window of a convolution's outputs when its
/// inputs are integers with `|x| ≤ input_bound`. The window's values share an output channel
/// and so a bias: `z_i − z_j = Σ_t w_t (x_{i,t} − x_{j,t})` over the channel's `fan_in = c_in·k²`
/// weights, each in `[−128, 127]` (range-checked when the model is loaded), with
/// `|x_{i,t} − x_{j,t}| ≤ 2·input_bound` (zero padding reads 0, inside the bound). So the
/// difference is at most `fan_in · 128 · 2 · input_bound`; never more than the generic `2^34`.
pub(in super::super) fn window_difference_bound(fan_in: usize, input_bound: i64) -> u64 {
    let fan_in = fan_in as u128;
    let weight = crate::spec::QuantSpec::WEIGHT_MIN.unsigned_abs() as u128;
    let hi = fan_in * weight * 2 * input_bound.unsigned_abs() as u128;
    hi.min(1u128 << PRE_ACTIVATION_DIFFERENCE_BITS) as u64
}

/// Whether the pooled-requantisation gate (`circuit::pooled`) proves a max pooling of `pool`
/// windows over the outputs of a convolution with `fan_in` weights per output, on inputs
/// bounded by `input_bound`, at lookup width `lookup_bits`: windows of at most `MAX_WINDOW`
/// values (the gate's degree) whose differences fit one lookup limb (completeness), and
/// outputs in `[0, activation_max]` that fit one limb too (the output is its own limb).
pub(in super::super) fn pooled_gate_fits(
    fan_in: usize,
    pool: PoolEnvelope,
    (input_bound, activation_max): (i64, i64),
    lookup_bits: usize,
) -> bool {
    let bound = window_difference_bound(fan_in, input_bound);
    pool.kernel * pool.kernel <= MAX_WINDOW
        && max_pool_bits(bound) <= lookup_bits
        && max_pool_bits(activation_max.max(0) as u64) <= lookup_bits
}

/// A convolution followed by max pooling: the windows are pooled over the pre-activations `z`
/// and only the pooled values are requantised. The reference semantics pools the activations
/// `f(z) = clamp(requantize(z, s), 0, A)`; `f` is non-decreasing (a floor of an increasing
/// affine map, then a clamp), so `max_i f(z_i) = f(max_i z_i)`: the same outputs with a
/// requantisation block per pooled value instead of per convolution output. The maximum of
/// integers `|z_i| < 2^33` is proved as in `circuit::pool` with the differences `m − z_i`
/// range-checked to whole lookup limbs covering [`window_difference_bound`] (at most 34 bits;
/// one 19-bit limb for a 3×3 convolution of pixels up to 16): a difference is below that bound
/// when `m ≥ z_i` and at least `p − 2^34` (not below `2^bits` for any `bits < 250`) otherwise,
/// and `Π(m − z_i) = 0` makes `m` one of the `z_i`. The bound only has to hold for honest
/// witnesses (completeness); soundness needs only `2^bits + 2^34 < p`. Where the circuit has the
/// pooled-requantisation gate and the windows fit it ([`pooled_gate_fits`]), the same argument
/// is one block per pooled value (`circuit::pooled`) and the `z` are bare cells for the product
/// check; otherwise halo2-base cells prove the maxima and the requantisation chip the rest.
/// Returns the pooled activations.
pub(in super::super) fn layer_max_pooled(
    cx: &mut LayerCx<'_, '_>,
    (input, shape): (Rows, ImageShape),
    layer: (&ConvLayer, Weights),
    shift: (AssignedValue<Fr>, u32),
    z: &[&[i64]],
    (activation_max, pool, input_bound): (i64, PoolEnvelope, i64),
) -> Vec<Vec<AssignedValue<Fr>>> {
    let range = (0, activation_max);
    let constants = cx.shift_constants(shift, range);
    let out_shape = layer.0.stage().out_shape(shape).unwrap_or([0, 0, 0]);
    let windows = pool_windows(out_shape, pool);
    let fan_in = layer.0.c_in * layer.0.kernel * layer.0.kernel;
    let lookup_bits = cx.range.lookup_bits();
    let area = pool.kernel * pool.kernel;
    let bounds = (input_bound, activation_max);
    if area <= cx.pool_window && pooled_gate_fits(fan_in, pool, bounds, lookup_bits) {
        let cells = cx.witness(z);
        let mut out = Vec::with_capacity(z.len());
        for (row, zn) in cells.iter().zip(z) {
            let pooled = windows.iter().map(|window| {
                let values: Vec<_> = window.iter().map(|&i| (row[i], zn[i])).collect();
                let max = values.iter().map(|v| v.1).max().unwrap_or(0);
                let w = RequantWitness::new(max, constants.0.s, 0, activation_max);
                let size = cx.pool_window;
                let (job, a) = PooledJob::with_witness(cx.ctx, &values, size, &constants.0, max, w);
                cx.pooled.push(job);
                a
            });
            out.push(pooled.collect());
        }
        push_product(cx, (input, shape), layer, cells);
        return out;
    }
    let bits = pool_bits(window_difference_bound(fan_in, input_bound), lookup_bits);
    let mut pooled = Vec::with_capacity(z.len());
    let mut natives = Vec::with_capacity(z.len());
    let mut cells = Vec::with_capacity(z.len());
    for zn in z {
        // Each pre-activation is witnessed in the first pooling row that reads it (a value in
        // no window, when windows do not cover the output, gets a cell of its own below).
        let mut assigned: Vec<Option<AssignedValue<Fr>>> = vec![None; zn.len()];
        let mut cells_row = Vec::with_capacity(windows.len());
        let mut natives_row = Vec::with_capacity(windows.len());
        for window in &windows {
            let m = window.iter().map(|&i| zn[i]).max().unwrap_or(0);
            let inputs: Vec<QuantumCell<Fr>> = window
                .iter()
                .map(|&i| match assigned[i] {
                    Some(c) => Existing(c),
                    None => Witness(fr_i64(zn[i])),
                })
                .collect();
            let (max, values) = max_pool_rows(cx.ctx, cx.range, &inputs, bits, fr_i64(m));
            for (&i, v) in window.iter().zip(values) {
                assigned[i].get_or_insert(v);
            }
            cells_row.push(max);
            natives_row.push(m);
        }
        let row: Vec<AssignedValue<Fr>> = assigned
            .into_iter()
            .zip(zn.iter())
            .map(|(c, &v)| c.unwrap_or_else(|| cx.ctx.load_witness(fr_i64(v))))
            .collect();
        cells.push(row);
        pooled.push(cells_row);
        natives.push(natives_row);
    }
    let natives: Vec<&[i64]> = natives.iter().map(Vec::as_slice).collect();
    let out = cx.requantise_cells(&pooled, &natives, constants, range, false);
    push_product(cx, (input, shape), layer, cells);
    out
}

/// Requantisation blocks a row of the convolution at stage `i` (input `shape`) needs: one per
/// output, or with max pooling right after (`next`), one per pooled value.
pub(in super::super) fn requant_outputs(
    conv: &ImageStage,
    next: Option<&ImageStage>,
    shape: ImageShape,
) -> usize {
    let out = conv.out_shape(shape).unwrap_or([0, 0, 0]);
    let pooled = match next {
        Some(pool @ ImageStage::MaxPool(_)) => pool.out_shape(out).unwrap_or([0, 0, 0]),
        _ => out,
    };
    pooled.iter().product()
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// The bound holds for the worst kernels and inputs: extreme weights (±128, 127), inputs at
    /// ±bound and anywhere between, padding; the largest window difference of the reference
    /// convolution never exceeds it, and for signed inputs it is reached.
    #[test]
    fn window_differences_stay_within_the_bound() {
        let mut rng = StdRng::seed_from_u64(5);
        let pool = PoolEnvelope {
            kernel: 2,
            stride: 2,
        };
        let mut reached = false;
        for (c_in, kernel, padding, bound) in [(1, 3, 1, 16), (2, 3, 0, 127), (3, 1, 0, 5)] {
            let shape = [c_in, 6, 6];
            for trial in 0..40 {
                let weights: Vec<i8> = (0..2 * c_in * kernel * kernel)
                    .map(|_| match trial % 3 {
                        0 => -128,
                        1 => {
                            if rng.gen() {
                                -128
                            } else {
                                127
                            }
                        }
                        _ => rng.gen(),
                    })
                    .collect();
                let conv = ConvLayer::new(
                    (c_in, 2),
                    (kernel, 1, padding),
                    weights,
                    vec![rng.gen_range(-1000..1000), 7],
                    0,
                )
                .expect("conv");
                let x: Vec<i64> = (0..c_in * 36)
                    .map(|i| match trial % 2 {
                        0 => {
                            if (i / 2) % 2 == 0 {
                                bound
                            } else {
                                -bound
                            }
                        }
                        _ => rng.gen_range(-bound..=bound),
                    })
                    .collect();
                let z = conv.pre_activation(&x, shape);
                let out = conv.stage().out_shape(shape).expect("shape");
                let limit = window_difference_bound(c_in * kernel * kernel, bound);
                for window in pool_windows(out, pool) {
                    let vals: Vec<i64> = window.iter().map(|&i| z[i]).collect();
                    let max = vals.iter().copied().max().unwrap_or(0);
                    for v in vals {
                        let d = (max - v) as u64;
                        assert!(d <= limit, "difference {d} over the bound {limit}");
                        reached |= d * 2 > limit;
                    }
                }
            }
        }
        assert!(reached, "no difference came near the bound: it is loose");
        assert_eq!(window_difference_bound(9, 16), 36_864, "one 19-bit limb");
    }
}
