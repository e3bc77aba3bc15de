//! The model's layers in the circuit, one file per kind behind [`LayerCx`]: what every kind
//! shares (the context, the range chip, the requantisation jobs and the Freivalds products).
//!
//! - [`dense`]: `Z = A·W + b` checked by Freivalds, then requantised;
//! - [`convolution`]: `Z = conv(A, K) + b` checked by Freivalds over the im2col structure
//!   (`circuit::conv`), then requantised like a hidden dense layer;
//! - [`pooling`]: max pooling (`circuit::pool`) and average pooling as a sum.

pub(super) mod convolution;
pub(super) mod dense;
pub(super) mod pooling;

use halo2_base::gates::RangeChip;
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;
use halo2_base::Context;

use super::super::freivalds::Product;
use super::super::pooled::PooledJob;
use super::super::requant::{LayerShift, RequantJob, RequantWitness};
use super::super::{fr_i64, CircuitError, Operand, Result};
use super::params::ModelCells;
use super::Sections;
use crate::model::{forward, ImageLayer, QuantizedModel};
use crate::spec::{Spec, TestSet};

/// One value per test row and position: the activations between layers.
pub(super) type Rows = Vec<Vec<Operand>>;

/// What the layers share while the circuit is built.
pub(super) struct LayerCx<'a, 's> {
    pub ctx: &'a mut Context<Fr>,
    pub range: &'a RangeChip<Fr>,
    /// The requantisation chip's `S` (`BlockShape::shift_bits`).
    pub big_s: u32,
    /// The pooled-requantisation gate's window (`RequantBounds::pool_window`; 0: no gate).
    pub pool_window: usize,
    /// Every value the requantisation chip proves, in order.
    pub requants: Vec<RequantJob>,
    /// Every max-pooled value the pooled-requantisation chip proves, in order.
    pub pooled: Vec<PooledJob>,
    /// Every product the Freivalds chip checks, in order.
    pub products: Vec<Product>,
    /// Cells spent per section (for the figures).
    pub sections: &'s mut Sections,
}

impl LayerCx<'_, '_> {
    /// Witnesses a layer's pre-activations `z` (one row per test row) and requantises and
    /// saturates every entry to `[lo, hi]` with the committed shift `(cell, native)`: hidden
    /// values (`logit = false`, `lo = 0`) or logits. Returns the `z` cells (for the layer's
    /// product check) and the outputs.
    #[allow(clippy::type_complexity)]
    pub fn requantise(
        &mut self,
        z: &[&[i64]],
        shift: (AssignedValue<Fr>, u32),
        range: (i64, i64),
        logit: bool,
    ) -> (Vec<Vec<AssignedValue<Fr>>>, Vec<Vec<AssignedValue<Fr>>>) {
        let constants = self.shift_constants(shift, range);
        let cells = self.witness(z);
        let out = self.requantise_cells(&cells, z, constants, range, logit);
        (cells, out)
    }

    /// The layer's shift constants (`LayerShift`, derived in-circuit from the committed shift)
    /// and the constant cell `hi − lo` the blocks copy (fixed by the verifying key).
    pub fn shift_constants(
        &mut self,
        shift: (AssignedValue<Fr>, u32),
        (lo, hi): (i64, i64),
    ) -> (LayerShift, AssignedValue<Fr>) {
        let shift = LayerShift::derive(self.ctx, self.range, shift, self.big_s, lo);
        (shift, self.ctx.load_constant(fr_i64(hi - lo)))
    }

    /// Loads integer values as witness cells, one row per test row.
    pub fn witness(&mut self, z: &[&[i64]]) -> Vec<Vec<AssignedValue<Fr>>> {
        z.iter()
            .map(|row| self.ctx.assign_witnesses(row.iter().map(|&v| fr_i64(v))))
            .collect()
    }

    /// Requantises every cell of `cells` (natives `z`) by the requantisation chip (phase 0,
    /// outside halo2-base's cells) with the layer's constants; returns the outputs.
    pub fn requantise_cells(
        &mut self,
        cells: &[Vec<AssignedValue<Fr>>],
        z: &[&[i64]],
        (shift, span): (LayerShift, AssignedValue<Fr>),
        (lo, hi): (i64, i64),
        logit: bool,
    ) -> Vec<Vec<AssignedValue<Fr>>> {
        let mut out = Vec::with_capacity(cells.len());
        for (zr, zn) in cells.iter().zip(z) {
            let mut row = Vec::with_capacity(zr.len());
            for (cell, &v) in zr.iter().zip(zn.iter()) {
                let w = RequantWitness::new(v, shift.s, lo, hi);
                let (job, a) = RequantJob::with_witness(
                    self.ctx,
                    self.range,
                    (*cell, v),
                    &shift,
                    span,
                    (lo, hi),
                    logit,
                    w,
                );
                self.requants.push(job);
                row.push(a);
            }
            out.push(row);
        }
        out
    }
}

/// Proves the model's layers on the test set's features `x` (one row of operands per test
/// row), with the loaded parameters and shifts: the image stages in order, then the dense
/// layers. Returns the logits, one row per test row.
pub(super) fn prove_model(
    cx: &mut LayerCx<'_, '_>,
    spec: &Spec,
    model: &QuantizedModel,
    (testset, x): (&TestSet, Rows),
    cells: ModelCells,
) -> Result<Vec<Vec<AssignedValue<Fr>>>> {
    let missing =
        || CircuitError::Shape("the model has fewer weighted layers than the envelope".into());
    let traces = (0..spec.test_rows)
        .map(|n| forward(model, testset.row(n)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let act_max = spec.quant.activation_max;
    let mut shifts = cells.shifts.into_iter();
    let mut convs = cells.convs.into_iter();
    let mut input = x;
    let shapes = spec.envelope.image.as_ref().map(|i| i.shapes());
    // The integer bound of the stage's inputs: pooling's range checks are sized by it.
    let mut bound = spec.input.min.abs().max(spec.input.max.abs());
    let stages = model.image();
    let mut i = 0;
    while i < stages.len() {
        let shape = shapes.as_ref().map_or([0, 0, 0], |s| s[i]);
        let (out, section, used) = match (&stages[i], stages.get(i + 1)) {
            (ImageLayer::Conv(conv), next) => {
                let z: Vec<&[i64]> = traces.iter().map(|t| t.image[i].z.as_slice()).collect();
                let params = convs.next().ok_or_else(missing)?;
                let shift = shifts.next().ok_or_else(missing)?;
                let layer = (conv, params);
                match next {
                    // Max pooling right after: pooled before requantising (see
                    // `convolution::layer_max_pooled`).
                    Some(ImageLayer::MaxPool(p)) => (
                        convolution::layer_max_pooled(
                            cx,
                            (input, shape),
                            layer,
                            shift,
                            &z,
                            (act_max, *p, bound),
                        ),
                        "convolutions with max pooling: pool, requantise, ReLU, saturate",
                        2,
                    ),
                    _ => (
                        convolution::layer(cx, (input, shape), layer, shift, &z, act_max),
                        "convolutions: requantise, ReLU, saturate",
                        1,
                    ),
                }
            }
            (ImageLayer::MaxPool(p), _) => (
                pooling::layer(cx, (input, shape), *p, (true, bound))?,
                "max pooling",
                1,
            ),
            (ImageLayer::AvgPool(p), _) => (
                pooling::layer(cx, (input, shape), *p, (false, bound))?,
                "average pooling",
                1,
            ),
        };
        for stage in &stages[i..i + used] {
            bound = stage.stage().out_bound(bound, act_max);
        }
        input = operands(&out);
        cx.sections.mark(section, cx.ctx);
        i += used;
    }
    let last = model.layers().len() - 1;
    let mut outputs = Vec::new();
    for (l, params) in cells.dense.into_iter().enumerate() {
        let logit = l == last;
        let range = if logit {
            (spec.quant.logit_min(), spec.quant.logit_max())
        } else {
            (0, act_max)
        };
        let z: Vec<&[i64]> = traces.iter().map(|t| t.layers[l].z.as_slice()).collect();
        let shift = shifts.next().ok_or_else(missing)?;
        outputs = dense::layer(cx, input, params, shift, &z, (range, logit));
        input = operands(&outputs);
        cx.sections.mark(
            if logit {
                "logits: requantise, saturate"
            } else {
                "hidden: requantise, ReLU, saturate"
            },
            cx.ctx,
        );
    }
    Ok(outputs)
}

/// Outputs as the next layer's inputs.
pub(super) fn operands(rows: &[Vec<AssignedValue<Fr>>]) -> Rows {
    rows.iter()
        .map(|row| row.iter().map(|&a| Operand::Base(a)).collect())
        .collect()
}
