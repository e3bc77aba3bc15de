//! The committed data in the circuit: the model's parameters and the test set, loaded,
//! range-checked and packed exactly as `model::commitment` and `spec::testset` pack them
//! (`docs/PROTOCOL.md` §4, §5).

use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;

use super::super::features::{self, FeatureJob};
use super::super::{fr_i128, fr_i64, pow2, CircuitError, Operand, Result};
use crate::commit::StreamRange;
use crate::model::QuantizedModel;
use crate::spec::{QuantSpec, Spec, TestSet};

/// The value ranges of the committed streams (`docs/PROTOCOL.md` §3), as the circuit packs them.
pub(super) struct Ranges {
    pub weights: StreamRange,
    pub biases: StreamRange,
    pub shifts: StreamRange,
    pub features: StreamRange,
    pub labels: StreamRange,
}

impl Ranges {
    pub fn new(spec: &Spec) -> Result<Self> {
        Ok(Self {
            weights: StreamRange::new(QuantSpec::WEIGHT_MIN.into(), QuantSpec::WEIGHT_MAX.into())?,
            biases: StreamRange::new(QuantSpec::BIAS_MIN.into(), QuantSpec::BIAS_MAX.into())?,
            shifts: StreamRange::new(0, spec.quant.shift_max.into())?,
            features: StreamRange::new(spec.input.min.into(), spec.input.max.into())?,
            labels: StreamRange::new(0, (spec.classes as i128) - 1)?,
        })
    }

    /// Elements of the model's chain before the salt, for the envelope's padded shapes.
    pub fn model_elements(&self, spec: &Spec) -> usize {
        let packed = |count: usize, r: &StreamRange| count.div_ceil(r.per_element());
        // (weights, biases) of every weighted layer.
        let mut weighted: Vec<(usize, usize)> = spec
            .envelope
            .image
            .iter()
            .flat_map(|image| image.conv_inputs())
            .map(|(c, [c_in, ..])| (c.channels * c_in * c.kernel * c.kernel, c.channels))
            .collect();
        let dims = spec.envelope.dims();
        weighted.extend(dims.windows(2).map(|d| (d[0] * d[1], d[1])));
        weighted
            .iter()
            .map(|&(w, b)| packed(w, &self.weights) + packed(b, &self.biases))
            .sum::<usize>()
            + packed(weighted.len(), &self.shifts)
    }
}

/// One weighted layer's parameters as cells: weights (flat, in the commitment's order) and
/// biases.
pub(super) struct Weights {
    pub w: Vec<AssignedValue<Fr>>,
    pub b: Vec<AssignedValue<Fr>>,
}

/// The model's cells: the convolutions', the dense layers', the shifts (with their native
/// values) and the elements of the chain `C` (salt last).
pub(super) struct ModelCells {
    pub convs: Vec<Weights>,
    pub dense: Vec<Weights>,
    pub shifts: Vec<(AssignedValue<Fr>, u32)>,
    pub elements: Vec<AssignedValue<Fr>>,
}

impl ModelCells {
    /// Loads, range-checks and packs the model in the commitment's order: each convolution's
    /// kernel and biases, each dense layer's weights and biases, the shifts, the salt.
    pub fn load(
        ctx: &mut Context<Fr>,
        range: &RangeChip<Fr>,
        model: &QuantizedModel,
        salt: Fr,
        ranges: &Ranges,
    ) -> Self {
        let gate = range.gate();
        let mut elements = Vec::new();
        // Weights are int8 and biases int32: without these checks a "weight" could be any field
        // element and the integer semantics (and packing injectivity) would be lost.
        let mut load = |ctx: &mut Context<Fr>, w: Vec<i64>, b: Vec<i64>| {
            let w = ctx.assign_witnesses(w.into_iter().map(fr_i64));
            let w_off = offset_and_check(ctx, range, w.iter(), ranges.weights);
            elements.extend(pack(ctx, gate, &w_off, ranges.weights));
            let b = ctx.assign_witnesses(b.into_iter().map(fr_i64));
            let b_off = offset_and_check(ctx, range, b.iter(), ranges.biases);
            elements.extend(pack(ctx, gate, &b_off, ranges.biases));
            Weights { w, b }
        };
        let widen = |v: &[i32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<_>>();
        let convs = model
            .convs()
            .map(|c| {
                let w = c.weights().iter().map(|&v| i64::from(v)).collect();
                load(ctx, w, widen(c.biases()))
            })
            .collect();
        let dense = model
            .layers()
            .iter()
            .map(|l| {
                let w = l
                    .weights()
                    .iter()
                    .flatten()
                    .map(|&v| i64::from(v))
                    .collect();
                load(ctx, w, widen(l.biases()))
            })
            .collect();
        let natives = model.shifts();
        let cells = ctx.assign_witnesses(natives.iter().map(|&s| Fr::from(u64::from(s))));
        let s_off = offset_and_check(ctx, range, cells.iter(), ranges.shifts);
        elements.extend(pack(ctx, gate, &s_off, ranges.shifts));
        elements.push(ctx.load_witness(salt));
        Self {
            convs,
            dense,
            shifts: cells.into_iter().zip(natives).collect(),
            elements,
        }
    }
}

impl ModelCells {
    /// Loads the model's parameters without range checks or packing (no chain elements): for a
    /// shard proof whose parameters are copies of the shared model column, which the model proof
    /// range-checks and hashes (`circuit::model_column`).
    pub fn load_unchecked(ctx: &mut Context<Fr>, model: &QuantizedModel) -> Self {
        let widen = |v: &[i32]| v.iter().map(|&x| fr_i64(x.into())).collect::<Vec<_>>();
        let convs = model
            .convs()
            .map(|c| Weights {
                w: ctx.assign_witnesses(c.weights().iter().map(|&v| fr_i64(v.into()))),
                b: ctx.assign_witnesses(widen(c.biases())),
            })
            .collect();
        let dense = model
            .layers()
            .iter()
            .map(|l| Weights {
                w: ctx.assign_witnesses(l.weights().iter().flatten().map(|&v| fr_i64(v.into()))),
                b: ctx.assign_witnesses(widen(l.biases())),
            })
            .collect();
        let natives = model.shifts();
        let cells = ctx.assign_witnesses(natives.iter().map(|&s| Fr::from(u64::from(s))));
        Self {
            convs,
            dense,
            shifts: cells.into_iter().zip(natives).collect(),
            elements: Vec::new(),
        }
    }

    /// The parameter cells in the commitment's order: each convolution's kernel and biases, each
    /// dense layer's weights and biases, the shifts.
    pub fn parameters(&self) -> Vec<AssignedValue<Fr>> {
        let layers = self.convs.iter().chain(&self.dense);
        let weights = layers.flat_map(|l| l.w.iter().chain(&l.b).copied());
        weights.chain(self.shifts.iter().map(|(c, _)| *c)).collect()
    }
}

/// The test set's features (one row of operands per test row), labels and chain elements of
/// `T`, and the features chip's job when it checks and packs the features.
pub(super) type TestSetCells = (
    Option<FeatureJob>,
    Vec<Vec<Operand>>,
    Vec<AssignedValue<Fr>>,
    Vec<Operand>,
);

/// Loads, range-checks and packs the test set. The features go to the features chip when it
/// can check their range (`circuit::features`: no halo2-base cell) and `(pinned,
/// features_chip)` asks for it, else they are loaded, checked and packed here like the labels.
/// Whether the chip is used depends on the spec and the plan, never on a witness (the keys fix
/// the layout): pinned keys that use it for a range it cannot check are an error.
pub(super) fn load_testset(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    (spec, ranges, lookup_bits): (&Spec, &Ranges, usize),
    testset: &TestSet,
    (pinned, features_chip): (bool, bool),
) -> Result<TestSetCells> {
    let gate = range.gate();
    let (x_range, y_range) = (ranges.features, ranges.labels);
    let job = match features::scale(x_range, lookup_bits) {
        Some(c) if features_chip => {
            let values = testset.x().iter().map(|&v| u64::try_from(v));
            let values = values
                .collect::<std::result::Result<Vec<u64>, _>>()
                .map_err(|_| {
                    CircuitError::Shape("a feature is below the spec's minimum of 0".into())
                })?;
            Some(FeatureJob::new(values, x_range, c))
        }
        Some(_) => None,
        None if pinned && features_chip => {
            return Err(CircuitError::Shape(
                "the keys use the features chip, which cannot check this spec's feature range"
                    .into(),
            ))
        }
        None => None,
    };
    let (x, mut t_elems): (Vec<Vec<Operand>>, Vec<Operand>) = match &job {
        Some(job) => {
            // Registers the chip's constants with halo2-base, which puts them on the public
            // rows (`circuit::public`), where the chip copies them from.
            for c in job.constants() {
                ctx.load_constant(c);
            }
            (job.matrix(spec.input.features), job.chain_elements())
        }
        None => {
            let x: Vec<Vec<AssignedValue<Fr>>> = (0..spec.test_rows)
                .map(|n| ctx.assign_witnesses(testset.row(n).iter().map(|&v| fr_i64(v))))
                .collect();
            let x_off = offset_and_check(ctx, range, x.iter().flatten(), x_range);
            let elems = pack(ctx, gate, &x_off, x_range);
            let x = x
                .into_iter()
                .map(|row| row.into_iter().map(Operand::Base).collect());
            (x.collect(), elems.into_iter().map(Operand::Base).collect())
        }
    };
    let y = ctx.assign_witnesses(testset.labels().iter().map(|&v| Fr::from(v as u64)));
    let y_off = offset_and_check(ctx, range, y.iter(), y_range);
    t_elems.extend(
        pack(ctx, gate, &y_off, y_range)
            .into_iter()
            .map(Operand::Base),
    );
    Ok((job, x, y, t_elems))
}

/// `u = v − lo`, constrained to `[0, hi − lo]` (and so to the stream's width).
fn offset_and_check<'a>(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    values: impl Iterator<Item = &'a AssignedValue<Fr>>,
    r: StreamRange,
) -> Vec<AssignedValue<Fr>> {
    let gate = range.gate();
    let span = (r.hi() - r.lo()) as u64; // widths are at most 64 bits (StreamRange::new)
    values
        .map(|v| {
            let u = if r.lo() == 0 {
                *v
            } else {
                gate.sub(ctx, *v, Constant(fr_i128(r.lo())))
            };
            if span.checked_add(1).is_some_and(u64::is_power_of_two) {
                range.range_check(ctx, u, r.width() as usize);
            } else {
                range.check_less_than_safe(ctx, u, span + 1);
            }
            u
        })
        .collect()
}

/// Packs range-checked offset values exactly like `commit::pack_stream`.
///
/// # Assumptions
/// Every value is constrained to `[0, 2^width)` (by `offset_and_check`), which makes the packing
/// injective and keeps every element below `2^248`.
fn pack(
    ctx: &mut Context<Fr>,
    gate: &impl GateInstructions<Fr>,
    values: &[AssignedValue<Fr>],
    r: StreamRange,
) -> Vec<AssignedValue<Fr>> {
    let width = r.width();
    values
        .chunks(r.per_element())
        .map(|chunk| {
            let powers = (0..chunk.len()).map(|i| Constant(pow2(width * i as u32)));
            gate.inner_product(ctx, chunk.iter().copied(), powers)
        })
        .collect()
}
