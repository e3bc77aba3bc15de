//! A dense layer: `Z = A·W + 1·bᵀ` checked by the Freivalds chip (phase 1), every entry of `Z`
//! requantised and saturated (phase 0).

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;

use super::super::super::freivalds::{MatrixProduct, Product};
use super::super::params::Weights;
use super::{LayerCx, Rows};

/// Proves one dense layer on `input` (`N × d_in`) with the committed `params` and shift; `z`
/// holds the reference semantics' pre-activations (`N × d_out`). Returns the outputs.
pub(in super::super) fn layer(
    cx: &mut LayerCx<'_, '_>,
    input: Rows,
    params: Weights,
    shift: (AssignedValue<Fr>, u32),
    z: &[&[i64]],
    (range, logit): ((i64, i64), bool),
) -> Vec<Vec<AssignedValue<Fr>>> {
    let (z, out) = cx.requantise(z, shift, range, logit);
    let d_out = params.b.len();
    let w = params.w.chunks(d_out).map(<[_]>::to_vec).collect();
    cx.products.push(Product::Dense(MatrixProduct {
        x: input,
        w,
        b: params.b,
        z,
    }));
    out
}
