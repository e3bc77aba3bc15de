//! Pooling over the activations of the stage before (`circuit::pool`): max pooling proves the
//! maximum of each window, average pooling sums it (the division by the area belongs to the
//! next layer's weights and shift).

use halo2_base::gates::RangeInstructions;
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;

use super::super::super::pool::{max_pool, pool_bits, sum_pool};
use super::super::super::{CircuitError, Operand, Result};
use super::{LayerCx, Rows};
use crate::model::image::pool_windows;
use crate::spec::{ImageShape, PoolEnvelope};

/// Pools every row of `input` (`C×H×W` of the given shape). `max` selects max pooling, whose
/// inputs must be integers constrained to `[0, bound]` (requantised activations, or their
/// sums); average pooling sums each window.
pub(in super::super) fn layer(
    cx: &mut LayerCx<'_, '_>,
    (input, shape): (Rows, ImageShape),
    pool: PoolEnvelope,
    (max, bound): (bool, i64),
) -> Result<Vec<Vec<AssignedValue<Fr>>>> {
    let windows = pool_windows(shape, pool);
    let bits = pool_bits(bound as u64, cx.range.lookup_bits());
    let mut out = Vec::with_capacity(input.len());
    for row in input {
        let cells = row
            .into_iter()
            .map(|v| match v {
                Operand::Base(a) => Ok(a),
                Operand::Raw { .. } => Err(CircuitError::Shape(
                    "pooling reads a convolution's activations, not the features".into(),
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        let pooled = windows.iter().map(|window| {
            let values: Vec<AssignedValue<Fr>> = window.iter().map(|&i| cells[i]).collect();
            if max {
                max_pool(cx.ctx, cx.range, &values, bits)
            } else {
                sum_pool(cx.ctx, cx.range.gate(), &values)
            }
        });
        out.push(pooled.collect());
    }
    Ok(out)
}
