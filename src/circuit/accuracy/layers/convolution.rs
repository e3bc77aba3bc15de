//! A convolution: `Z = conv(A, K) + b` over the whole batch, checked by the Freivalds chip over
//! the im2col structure without forming it (`circuit::conv`, `docs/PROTOCOL.md` §10), every
//! entry of `Z` requantised, passed through ReLU and saturated like a hidden dense layer.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;

use super::super::super::conv::{ConvGeometry, ConvProduct};
use super::super::super::freivalds::Product;
use super::super::params::Weights;
use super::{LayerCx, Rows};
use crate::model::ConvLayer;
use crate::spec::ImageShape;

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
    out
}
