//! A convolution: `Z = conv(A, K) + b` over the whole batch, checked by the Freivalds chip over
//! the im2col structure without forming it (`circuit::conv`, `docs/PROTOCOL.md` §10), every
//! entry of `Z` requantised, passed through ReLU and saturated like a hidden dense layer — or,
//! with max pooling right after, pooled first and only the pooled values requantised.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;

use halo2_base::gates::RangeInstructions;

use super::super::super::conv::{ConvGeometry, ConvProduct};
use super::super::super::fr_i64;
use super::super::super::freivalds::Product;
use super::super::super::pool::{max_pool_with, pool_bits};
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

/// Bits that hold the difference of two pre-activations: `|z| < 2^33` (the spec's fan-in
/// bound), so `0 ≤ max − z < 2^34`.
const PRE_ACTIVATION_DIFFERENCE_BITS: u32 = 34;

/// A convolution followed by max pooling: the windows are pooled over the pre-activations `z`
/// and only the pooled values are requantised. The reference semantics pools the activations
/// `f(z) = clamp(requantize(z, s), 0, A)`; `f` is non-decreasing (a floor of an increasing
/// affine map, then a clamp), so `max_i f(z_i) = f(max_i z_i)`: the same outputs with a
/// requantisation block per pooled value instead of per convolution output. The maximum of
/// integers `|z_i| < 2^33` is proved as in `circuit::pool` with the differences `m − z_i`
/// range-checked to whole lookup limbs covering 34 bits: a difference is `m − z_i < 2^34` when
/// `m ≥ z_i` and at least `p − 2^34` (not below `2^bits` for any `bits < 250`) otherwise, and
/// `Π(m − z_i) = 0` makes `m` one of the `z_i`. Returns the pooled activations.
pub(in super::super) fn layer_max_pooled(
    cx: &mut LayerCx<'_, '_>,
    (input, shape): (Rows, ImageShape),
    layer: (&ConvLayer, Weights),
    shift: (AssignedValue<Fr>, u32),
    z: &[&[i64]],
    (activation_max, pool): (i64, PoolEnvelope),
) -> Vec<Vec<AssignedValue<Fr>>> {
    let range = (0, activation_max);
    let constants = cx.shift_constants(shift, range);
    let cells = cx.witness(z);
    let out_shape = layer.0.stage().out_shape(shape).unwrap_or([0, 0, 0]);
    let windows = pool_windows(out_shape, pool);
    let bits = pool_bits(1 << PRE_ACTIVATION_DIFFERENCE_BITS, cx.range.lookup_bits());
    let mut pooled = Vec::with_capacity(cells.len());
    let mut natives = Vec::with_capacity(cells.len());
    for (row, zn) in cells.iter().zip(z) {
        let mut cells_row = Vec::with_capacity(windows.len());
        let mut natives_row = Vec::with_capacity(windows.len());
        for window in &windows {
            let m = window.iter().map(|&i| zn[i]).max().unwrap_or(0);
            let values: Vec<AssignedValue<Fr>> = window.iter().map(|&i| row[i]).collect();
            cells_row.push(max_pool_with(cx.ctx, cx.range, &values, bits, fr_i64(m)));
            natives_row.push(m);
        }
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
