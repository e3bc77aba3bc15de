//! The accuracy statement (`docs/PROTOCOL.md` §6, §9): a committed model reaches `correct`
//! right answers on the committed test set, proved for the whole test set at once.
//!
//! Phase 0 (halo2-base gates and range lookups): every model parameter, test-set value and
//! intermediate value is loaded and range-checked; the model and test set are packed (their
//! chains `C`, `T` are proved by the Poseidon chip) exactly as `commit`/`model` compute them
//! natively; every layer output is requantised and saturated (the `requant` chip, also phase 0),
//! and every row's correctness is computed (`argmax`).
//! Phase 1: the Freivalds chip checks `Z_l = A_{l−1}·W_l + 1·b_lᵀ` for every layer.
//!
//! The circuit's shape depends only on the spec: keys are generated from `AccuracyWitness::dummy`
//! and fit every competitor's model.

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::{BaseCircuitParams, CircuitBuilderStage};
use halo2_base::gates::flex_gate::MultiPhaseThreadBreakPoints;
use halo2_base::gates::{GateInstructions, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::PrimeField;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;
use serde::{Deserialize, Serialize};

use super::argmax::{row_correct, Comparator};
use super::freivalds::MatrixProduct;
use super::model_column::SharedColumn;
use super::pooled::{PooledShape, MAX_WINDOW};
use super::poseidon::{chain_rows, PoseidonChain};
use super::public::recorded_constants;
use super::requant::{reserve_lookup_column, BlockShape, RequantBounds};
use super::two_phase::{TwoPhaseCircuit, TwoPhaseParams};
use super::{fr_i64, CircuitError, Operand, Result};
use crate::commit::{fr_from_hex, fr_to_hex, StreamRange, MODEL_TAG, TESTSET_TAG};
use crate::model::{ConvLayer, ImageLayer, QuantizedLayer, QuantizedModel};
use crate::spec::{ConvEnvelope, ImageShape, ImageStage, Spec, TestSet};
use layers::{convolution, LayerCx};
use params::{load_testset, ModelCells, Ranges};

mod layers;
mod params;

/// Rows kept free at the bottom of the circuit for blinding factors.
pub const MINIMUM_ROWS: usize = 20;

/// The public instances, in verifier order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    /// EIP-155 chain id (binding only).
    pub chain_id: u64,
    /// The contest's id in the registry (binding only).
    pub contest_id: u64,
    /// The submitting address as a 160-bit integer (binding only).
    pub submitter: [u8; 20],
    /// Model commitment `C`.
    pub model_commitment: Fr,
    /// Test-set commitment `T`.
    pub testset_commitment: Fr,
    /// Number of correctly classified rows.
    pub correct: u64,
}

impl Statement {
    /// `[chainid, contestId, submitter, C, T, correct]`.
    pub fn instances(&self) -> Vec<Fr> {
        let mut be = [0u8; 32];
        be[12..].copy_from_slice(&self.submitter);
        be.reverse();
        let submitter = Fr::from_repr(be).into_option().unwrap_or(Fr::from(0)); // < 2^160 < p
        vec![
            Fr::from(self.chain_id),
            Fr::from(self.contest_id),
            submitter,
            self.model_commitment,
            self.testset_commitment,
            Fr::from(self.correct),
        ]
    }
}

/// The private inputs.
#[derive(Clone, Debug)]
pub struct AccuracyWitness {
    /// The quantised model, padded to the spec's envelope.
    pub model: QuantizedModel,
    /// The commitment salt.
    pub salt: Fr,
    /// The test set (exactly `N` rows).
    pub testset: TestSet,
}

impl AccuracyWitness {
    /// All-zero model and test set of the spec's shape: used for key generation, where only
    /// the circuit's shape matters.
    pub fn dummy(spec: &Spec) -> Result<Self> {
        let dims = spec.envelope.dims();
        let layers = dims
            .windows(2)
            .map(|d| QuantizedLayer::new(vec![vec![0i8; d[1]]; d[0]], vec![0i32; d[1]], 0))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let image = match &spec.envelope.image {
            None => Vec::new(),
            Some(image) => image
                .stages
                .iter()
                .zip(image.shapes())
                .map(|(stage, [c_in, ..])| {
                    Ok(match *stage {
                        ImageStage::Conv(c) => ImageLayer::Conv(ConvLayer::new(
                            (c_in, c.channels),
                            (c.kernel, c.stride, c.padding),
                            vec![0; c.channels * c_in * c.kernel * c.kernel],
                            vec![0; c.channels],
                            0,
                        )?),
                        ImageStage::MaxPool(p) => ImageLayer::MaxPool(p),
                        ImageStage::AvgPool(p) => ImageLayer::AvgPool(p),
                    })
                })
                .collect::<Result<Vec<_>>>()?,
        };
        let model = QuantizedModel::with_image(spec, image, layers)?;
        let x = vec![spec.input.min; spec.test_rows * spec.input.features];
        let testset = TestSet::new(spec, x, vec![0; spec.test_rows])?;
        Ok(Self {
            model,
            salt: Fr::from(0),
            testset,
        })
    }
}

/// What keygen fixes and the prover must reuse: the circuit shape.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pinning {
    /// halo2-base configuration (k, columns, lookup bits).
    pub params: BaseCircuitParams,
    /// Where halo2-base broke its virtual columns.
    pub break_points: MultiPhaseThreadBreakPoints,
    /// The spec bounds the requantisation gates were built from.
    #[serde(default)]
    pub requant: RequantBounds,
    /// The circuit's distinct constants, sorted (hex): the prover lays them out in `val`
    /// (`circuit::public`), and halo2-base records them only at keygen.
    #[serde(default)]
    pub constants: Vec<String>,
    /// Whether the features chip checks and packs the test set's features
    /// (`circuit::features`; keys made before it existed have halo2-base do it).
    #[serde(default)]
    pub features_chip: bool,
    /// Whether the model is in the shared model column (`circuit::model_column`): proved once
    /// per entry by the model proof ([`build_model`]), not hashed in every shard proof.
    #[serde(default)]
    pub shared_model: bool,
    /// Whether the shard's rows are in a shared column (`circuit::model_column`): opened once
    /// per shard by the test-set proof ([`build_testset`]), not hashed in every shard proof.
    #[serde(default)]
    pub shared_testset: bool,
}

/// How [`build`] lays the circuit out.
#[derive(Clone, Copy, Debug)]
pub enum Shape<'a> {
    /// Computes the shape (keygen, mock), with the features chip if `features_chip` and the
    /// features' range allows it (`features::scale`).
    Plan {
        /// Whether to use the features chip where it can be used.
        features_chip: bool,
        /// Whether the model is in the shared model column (see [`Pinning::shared_model`]).
        shared_model: bool,
        /// Whether the rows are in a shared column (see [`Pinning::shared_testset`]).
        shared_testset: bool,
    },
    /// The keygen's shape, for the prover.
    Pinned(&'a Pinning),
}

impl Shape<'_> {
    /// The planned shape with the features chip wherever it can be used.
    pub const DEFAULT: Shape<'static> = Shape::Plan {
        features_chip: true,
        shared_model: false,
        shared_testset: false,
    };

    fn shared_model(&self) -> bool {
        match self {
            Shape::Plan { shared_model, .. } => *shared_model,
            Shape::Pinned(pin) => pin.shared_model,
        }
    }

    fn shared_testset(&self) -> bool {
        match self {
            Shape::Plan { shared_testset, .. } => *shared_testset,
            Shape::Pinned(pin) => pin.shared_testset,
        }
    }
}

impl Pinning {
    /// The circuit parameters keys are read with.
    pub fn circuit_params(&self) -> TwoPhaseParams {
        TwoPhaseParams {
            base: self.params.clone(),
            requant: self.requant,
            shared_model: self.shared_model,
            shared_testset: self.shared_testset,
        }
    }
}

/// Builds the circuit for `spec`. With [`Shape::Plan`] the shape is computed (keygen, mock);
/// the prover passes the keygen's pinning.
pub fn build(
    spec: &Spec,
    stage: CircuitBuilderStage,
    k: u32,
    lookup_bits: usize,
    witness: &AccuracyWitness,
    statement: &Statement,
    shape: Shape<'_>,
) -> Result<TwoPhaseCircuit> {
    check_shapes(spec, witness)?;
    let mut builder = new_builder(stage, k, lookup_bits);
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let gate = range.gate();
    let mut sections = Sections::default();

    let instances = statement.instances();
    let bound: Vec<AssignedValue<Fr>> =
        instances[..3].iter().map(|v| bind(ctx, gate, *v)).collect();

    // Model: load, range-check, pack, hash; or, with the shared model column, load only: the
    // model proof range-checks and hashes the same column (`circuit::model_column`), so here
    // `C` is binding only, like the chain id.
    let ranges = Ranges::new(spec)?;
    let (model, c, c_chain, model_column) = if shape.shared_model() {
        let model = ModelCells::load_unchecked(ctx, &witness.model);
        let column = SharedColumn::model(&model.parameters(), witness.salt);
        let c = bind(ctx, gate, statement.model_commitment);
        sections.mark("model: load into the shared column", ctx);
        (model, c, None, Some(column))
    } else {
        let model = ModelCells::load(ctx, &range, &witness.model, witness.salt, &ranges);
        sections.mark("model: load, range checks, packing", ctx);
        // The chain is proved by the Poseidon chip (phase 1); here its output is a witness cell.
        let model_elems = model.elements.iter().map(|&e| Operand::Base(e)).collect();
        let c_chain = PoseidonChain::load(ctx, fr_from_hex(MODEL_TAG)?, model_elems);
        let c = c_chain.out;
        sections.mark("model: Poseidon chain (C)", ctx);
        (model, c, Some(c_chain), None)
    };

    // Test set: load, range-check, pack, hash (`params::load_testset`).
    let (pinning, features_chip) = match shape {
        Shape::Plan { features_chip, .. } => (None, features_chip),
        Shape::Pinned(pin) => (Some(pin), pin.features_chip),
    };
    let pinned = (pinning.is_some(), features_chip);
    // Or, with the rows in a shared column, load only: the test-set proof opens `T_s` from the
    // same column and range-checks it, so here `T_s` is binding only.
    let (job, x, y, t, t_chain, testset_column) = if shape.shared_testset() {
        let (x, y, column) = shared_rows(ctx, spec, &witness.testset);
        let t = bind(ctx, gate, statement.testset_commitment);
        sections.mark("test set: load into the shared column", ctx);
        (None, x, y, t, None, Some(column))
    } else {
        let (job, x, y, t_elems) = load_testset(
            ctx,
            &range,
            (spec, &ranges, lookup_bits),
            &witness.testset,
            pinned,
        )?;
        sections.mark("test set: load, range checks, packing", ctx);
        let t_chain = PoseidonChain::load(ctx, fr_from_hex(TESTSET_TAG)?, t_elems);
        let t = t_chain.out;
        sections.mark("test set: Poseidon chain (T)", ctx);
        (job, x, y, t, Some(t_chain), None)
    };

    // Layers: witness Z from the reference semantics, check it by Freivalds (phase 1), then
    // requantise and saturate every entry here (`accuracy::layers`, a file per kind). The
    // pooled-requantisation gate is the keys' choice when proving (keys made before it existed
    // have none).
    let bounds = RequantBounds {
        pool_window: pinning.map_or_else(
            || requant_bounds(spec, lookup_bits).pool_window,
            |pin| pin.requant.pool_window,
        ),
        ..requant_bounds(spec, lookup_bits)
    };
    let mut cx = LayerCx {
        ctx,
        range: &range,
        big_s: BlockShape::new(lookup_bits, bounds).shift_bits(),
        pool_window: bounds.pool_window,
        requants: Vec::new(),
        pooled: Vec::new(),
        products: Vec::new(),
        sections: &mut sections,
    };
    let outputs = layers::prove_model(&mut cx, spec, &witness.model, (&witness.testset, x), model)?;
    let LayerCx {
        ctx,
        big_s,
        mut requants,
        pooled,
        products,
        ..
    } = cx;

    // Accuracy.
    // Each comparison is a requantisation block (shift 0, range [0, 1]) after the layers'.
    let cmp = Comparator::new(ctx, big_s);
    let mut correct = ctx.load_zero();
    for (logits, label) in outputs.iter().zip(&y) {
        let ok = row_correct(ctx, &range, &cmp, logits, *label, &mut requants, |_, w| w);
        correct = gate.add(ctx, correct, ok);
    }
    sections.mark("argmax and count", ctx);

    let one = ctx.load_constant(Fr::from(1));
    let zero = ctx.load_zero();
    builder.assigned_instances[0] = bound.into_iter().chain([c, t, correct]).collect();
    let constants = finish_params(&mut builder, pinning)?;
    Ok(TwoPhaseCircuit {
        builder,
        constants,
        products,
        chains: c_chain.into_iter().chain(t_chain).collect(),
        requants,
        pooled,
        features: job,
        requant_bounds: bounds,
        one,
        zero,
        sections: sections.0,
        model_column,
        testset_column,
    })
}

/// A shard's rows for its shared column: the features as operands the first layer copies from
/// the column's cells (`Operand::Raw`, by position), the labels as halo2-base cells bound to it.
fn shared_rows(
    ctx: &mut Context<Fr>,
    spec: &Spec,
    testset: &TestSet,
) -> (Vec<Vec<Operand>>, Vec<AssignedValue<Fr>>, SharedColumn) {
    let features: Vec<Fr> = testset.x().iter().map(|&v| fr_i64(v)).collect();
    let x = features
        .iter()
        .enumerate()
        .map(|(index, &value)| Operand::Raw { index, value })
        .collect::<Vec<_>>()
        .chunks(spec.input.features)
        .map(<[Operand]>::to_vec)
        .collect();
    let labels = testset.labels().iter().map(|&v| Fr::from(v as u64));
    let y = ctx.assign_witnesses(labels);
    let links = y
        .iter()
        .enumerate()
        .map(|(n, c)| (*c, features.len() + n))
        .collect();
    let values = features
        .into_iter()
        .chain(y.iter().map(|c| *c.value()))
        .collect();
    (x, y, SharedColumn::rows(values, links))
}

/// The test-set proof of one shard of a spec whose shards' rows are in a shared column
/// (`circuit::model_column`, `docs/PROTOCOL.md` §14.2.1): the rows range-checked, packed and
/// hashed to the public `T_s` exactly as [`build`] does (halo2-base, not the features chip), and
/// laid in the column (features row-major, then labels) the shard proofs copy from. Instances
/// are a statement's (`C` and `correct` binding only); built at the shard circuit's `k`.
pub fn build_testset(
    spec: &Spec,
    stage: CircuitBuilderStage,
    (k, lookup_bits): (u32, usize),
    witness: &AccuracyWitness,
    statement: &Statement,
    pinning: Option<&Pinning>,
) -> Result<TwoPhaseCircuit> {
    check_shapes(spec, witness)?;
    let mut builder = new_builder(stage, k, lookup_bits);
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let gate = range.gate();
    let mut sections = Sections::default();
    let instances = statement.instances();
    let bound: Vec<AssignedValue<Fr>> =
        instances[..4].iter().map(|v| bind(ctx, gate, *v)).collect();
    let ranges = Ranges::new(spec)?;
    let set = &witness.testset;
    let (_, x, y, t_elems) = load_testset(
        ctx,
        &range,
        (spec, &ranges, lookup_bits),
        set,
        (pinning.is_some(), false),
    )?;
    sections.mark("test set: load, range checks, packing", ctx);
    let cells = x.iter().flatten().map(|op| match op {
        Operand::Base(c) => Ok(*c),
        Operand::Raw { .. } => Err(CircuitError::Shape("features outside halo2-base".into())),
    });
    let cells = cells
        .chain(y.iter().map(|c| Ok(*c)))
        .collect::<Result<Vec<_>>>()?;
    let values = cells.iter().map(|c| *c.value()).collect();
    let links = cells.iter().enumerate().map(|(row, c)| (*c, row)).collect();
    let t_chain = PoseidonChain::load(ctx, fr_from_hex(TESTSET_TAG)?, t_elems);
    sections.mark("test set: Poseidon chain (T)", ctx);
    let correct = bind(ctx, gate, instances[5]);
    let parts = SideParts {
        instances: bound.into_iter().chain([t_chain.out, correct]).collect(),
        chain: t_chain,
        columns: (None, Some(SharedColumn::rows(values, links))),
        sections: sections.0,
        bounds: requant_bounds(spec, lookup_bits),
    };
    side_circuit(builder, parts, pinning)
}

/// What a model or test-set proof's circuit holds besides its builder.
struct SideParts {
    /// The public cells, in instance order.
    instances: Vec<AssignedValue<Fr>>,
    /// The one chain it proves (`C` or `T_s`).
    chain: PoseidonChain,
    /// The shared model column, the shared rows column.
    columns: (Option<SharedColumn>, Option<SharedColumn>),
    sections: Vec<(String, usize)>,
    bounds: RequantBounds,
}

/// A model or test-set proof's circuit: no products, no requantisation, one chain.
fn side_circuit(
    mut builder: BaseCircuitBuilder<Fr>,
    parts: SideParts,
    pinning: Option<&Pinning>,
) -> Result<TwoPhaseCircuit> {
    let ctx = builder.main(0);
    let one = ctx.load_constant(Fr::from(1));
    let zero = ctx.load_zero();
    builder.assigned_instances[0] = parts.instances;
    let constants = finish_params(&mut builder, pinning)?;
    Ok(TwoPhaseCircuit {
        builder,
        constants,
        products: Vec::new(),
        chains: vec![parts.chain],
        requants: Vec::new(),
        pooled: Vec::new(),
        features: None,
        requant_bounds: parts.bounds,
        one,
        zero,
        sections: parts.sections,
        model_column: parts.columns.0,
        testset_column: parts.columns.1,
    })
}

/// A builder of size `2^k` with `lookup_bits` and one instance column.
fn new_builder(stage: CircuitBuilderStage, k: u32, lookup_bits: usize) -> BaseCircuitBuilder<Fr> {
    let mut builder = BaseCircuitBuilder::from_stage(stage)
        .use_k(k as usize)
        .use_lookup_bits(lookup_bits);
    builder.set_instance_columns(1);
    builder
}

/// A binding-only instance: a witness cell used in a gate, so that the instance cell is tied to
/// a constrained advice cell rather than floating.
fn bind(ctx: &mut Context<Fr>, gate: &impl GateInstructions<Fr>, v: Fr) -> AssignedValue<Fr> {
    let cell = ctx.load_witness(v);
    gate.add(ctx, cell, Constant(Fr::from(0)))
}

/// Fixes the builder's shape: the keygen's (`pinning`), or computed, with our lookup column;
/// returns the circuit's constants.
fn finish_params(
    builder: &mut BaseCircuitBuilder<Fr>,
    pinning: Option<&Pinning>,
) -> Result<Vec<Fr>> {
    Ok(match pinning {
        Some(pin) => {
            builder.set_params(pin.params.clone());
            builder.set_break_points(pin.break_points.clone());
            pin.constants
                .iter()
                .map(|c| Ok(fr_from_hex(c)?))
                .collect::<Result<Vec<Fr>>>()?
        }
        None => {
            builder.calculate_params(Some(MINIMUM_ROWS));
            reserve_lookup_column(&mut builder.config_params);
            recorded_constants(builder)
        }
    })
}

/// The model proof of a spec whose shards share the model column (`circuit::model_column`,
/// `docs/PROTOCOL.md` §14.2): the column's parameters range-checked, packed and hashed with the
/// salt to the public `C`, exactly as [`build`] does for a whole statement; no test set. Its
/// instances are a statement's (`T` and `correct` binding only), and it must be built at the
/// shard circuit's `k`, so that the column is committed over the same domain.
pub fn build_model(
    spec: &Spec,
    stage: CircuitBuilderStage,
    (k, lookup_bits): (u32, usize),
    witness: &AccuracyWitness,
    statement: &Statement,
    pinning: Option<&Pinning>,
) -> Result<TwoPhaseCircuit> {
    check_model_shape(spec, &witness.model)?;
    let mut builder = new_builder(stage, k, lookup_bits);
    let range = builder.range_chip();
    let ctx = builder.main(0);
    let gate = range.gate();
    let mut sections = Sections::default();
    let instances = statement.instances();
    let bound: Vec<AssignedValue<Fr>> =
        instances[..3].iter().map(|v| bind(ctx, gate, *v)).collect();
    let ranges = Ranges::new(spec)?;
    let model = ModelCells::load(ctx, &range, &witness.model, witness.salt, &ranges);
    let column = SharedColumn::model(&model.parameters(), witness.salt);
    sections.mark("model: load, range checks, packing", ctx);
    let model_elems = model.elements.iter().map(|&e| Operand::Base(e)).collect();
    let c_chain = PoseidonChain::load(ctx, fr_from_hex(MODEL_TAG)?, model_elems);
    sections.mark("model: Poseidon chain (C)", ctx);
    let (t, correct) = (bind(ctx, gate, instances[4]), bind(ctx, gate, instances[5]));
    let parts = SideParts {
        instances: bound.into_iter().chain([c_chain.out, t, correct]).collect(),
        chain: c_chain,
        columns: (Some(column), None),
        sections: sections.0,
        bounds: requant_bounds(spec, lookup_bits),
    };
    side_circuit(builder, parts, pinning)
}

/// halo2-base advice cells spent per section of the circuit (for the figures).
#[derive(Default)]
struct Sections(Vec<(String, usize)>, usize);

impl Sections {
    fn mark(&mut self, name: &str, ctx: &Context<Fr>) {
        let now = ctx.advice.len();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, cells)) => *cells += now - self.1,
            None => self.0.push((name.to_string(), now - self.1)),
        }
        self.1 = now;
    }
}

/// Rows the Freivalds chip needs for `spec` (one product per convolution and dense layer).
pub fn freivalds_rows(spec: &Spec) -> usize {
    let n = spec.test_rows;
    let convs: usize = conv_stages(spec)
        .map(|(c, shape)| {
            convolution::geometry(n, shape, (c.channels, c.kernel, c.stride, c.padding)).rows()
        })
        .sum();
    let dims = spec.envelope.dims();
    convs
        + dims
            .windows(2)
            .map(|d| MatrixProduct::rows_for(n, d[0], d[1]))
            .sum::<usize>()
}

/// The envelope's convolutions with their input shapes.
fn conv_stages(spec: &Spec) -> impl Iterator<Item = (&ConvEnvelope, ImageShape)> + '_ {
    spec.envelope
        .image
        .iter()
        .flat_map(|image| image.conv_inputs())
}

/// Rows the Poseidon chip needs for `spec` (the chains of `C` and `T`).
pub fn poseidon_rows(spec: &Spec) -> Result<usize> {
    Ok(model_chain_rows(spec)? + testset_chain_rows(spec)?)
}

/// Rows of the chain `C` in the Poseidon chip.
pub fn model_chain_rows(spec: &Spec) -> Result<usize> {
    let r = Ranges::new(spec)?;
    Ok(chain_rows(r.model_elements(spec) + 1)) // the salt
}

/// Rows of the chain `T` in the Poseidon chip.
pub fn testset_chain_rows(spec: &Spec) -> Result<usize> {
    let r = Ranges::new(spec)?;
    let packed = |count: usize, r: StreamRange| count.div_ceil(r.per_element());
    let testset =
        packed(spec.test_rows * spec.input.features, r.features) + packed(spec.test_rows, r.labels);
    Ok(chain_rows(testset))
}

/// Per convolution of the envelope: the values a test row requantises (one per output, one per
/// pooled value when max pooling follows), and the pooling window's area when the
/// pooled-requantisation gate proves them at lookup width `lookup_bits`
/// (`convolution::pooled_gate_fits`).
fn conv_blocks(spec: &Spec, lookup_bits: usize) -> Vec<(usize, Option<usize>)> {
    let Some(image) = &spec.envelope.image else {
        return Vec::new();
    };
    let shapes = image.shapes();
    let mut bound = spec.input.min.abs().max(spec.input.max.abs());
    let mut out = Vec::new();
    for (i, stage) in image.stages.iter().enumerate() {
        if let ImageStage::Conv(c) = stage {
            let next = image.stages.get(i + 1);
            let outputs = convolution::requant_outputs(stage, next, shapes[i]);
            let fan_in = shapes[i][0] * c.kernel * c.kernel;
            let gate = match next {
                Some(ImageStage::MaxPool(p))
                    if convolution::pooled_gate_fits(
                        fan_in,
                        *p,
                        (bound, spec.quant.activation_max),
                        lookup_bits,
                    ) =>
                {
                    Some(p.kernel * p.kernel)
                }
                _ => None,
            };
            out.push((outputs, gate));
        }
        bound = stage.out_bound(bound, spec.quant.activation_max);
    }
    out
}

/// Rows the requantisation chip needs for `spec` at lookup width `lookup_bits`: one block per
/// convolution output (per pooled value when max pooling follows and the pooled gate does not
/// take them), hidden activation and logit of every test row, and one per logit for argmax's
/// comparisons.
pub fn requant_rows(spec: &Spec, lookup_bits: usize) -> usize {
    let dims = spec.envelope.dims();
    let shape = BlockShape::new(lookup_bits, requant_bounds(spec, lookup_bits));
    let convs: usize = conv_blocks(spec, lookup_bits)
        .iter()
        .filter(|(_, gate)| gate.is_none())
        .map(|(n, _)| n)
        .sum();
    let per_row = convs + dims[1..].iter().sum::<usize>() + dims[dims.len() - 1];
    spec.test_rows * per_row * shape.rows()
}

/// Rows the pooled-requantisation chip needs for `spec` at lookup width `lookup_bits`.
pub fn pooled_rows(spec: &Spec, lookup_bits: usize) -> usize {
    let bounds = requant_bounds(spec, lookup_bits);
    let shape = PooledShape {
        block: BlockShape::new(lookup_bits, bounds),
        window: bounds.pool_window,
    };
    let values: usize = conv_blocks(spec, lookup_bits)
        .iter()
        .filter(|(_, gate)| gate.is_some())
        .map(|(n, _)| n)
        .sum();
    spec.test_rows * values * shape.rows()
}

/// The spec bounds that size the requantisation blocks at lookup width `lookup_bits`, with the
/// pooled gate's window: the largest of the max-pooled convolutions it proves (at most
/// `MAX_WINDOW`), 0 without any.
pub fn requant_bounds(spec: &Spec, lookup_bits: usize) -> RequantBounds {
    let windows = conv_blocks(spec, lookup_bits).into_iter();
    let pool_window = windows.filter_map(|(_, gate)| gate).max().unwrap_or(0);
    debug_assert!(pool_window <= MAX_WINDOW);
    RequantBounds {
        shift_max: spec.quant.shift_max,
        activation_max: spec.quant.activation_max,
        pool_window,
    }
}

/// The pinning of a built (keygen) circuit.
pub fn pinning(circuit: &TwoPhaseCircuit) -> Pinning {
    Pinning {
        params: circuit.builder.config_params.clone(),
        break_points: circuit.builder.break_points(),
        requant: circuit.requant_bounds,
        constants: circuit.constants.iter().map(fr_to_hex).collect(),
        features_chip: circuit.features.is_some(),
        shared_model: circuit.model_column.is_some(),
        shared_testset: circuit.testset_column.is_some(),
    }
}

fn check_model_shape(spec: &Spec, model: &QuantizedModel) -> Result<()> {
    if !model.fits_envelope(spec) {
        return Err(CircuitError::Shape(format!(
            "the model has widths {:?}; the circuit needs it padded to the envelope {:?}",
            model.dims(),
            spec.envelope.dims()
        )));
    }
    Ok(())
}

fn check_shapes(spec: &Spec, witness: &AccuracyWitness) -> Result<()> {
    check_model_shape(spec, &witness.model)?;
    if witness.testset.len() != spec.test_rows {
        return Err(CircuitError::Shape(format!(
            "the test set has {} rows; the spec fixes N = {}",
            witness.testset.len(),
            spec.test_rows
        )));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
