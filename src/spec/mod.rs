//! Contest specs (`contest-specs/<name>/contest.toml`, schema in `contest-specs/SCHEMA.md`)
//! and the organiser's test set (file format and commitment `T`, `docs/PROTOCOL.md` §4, §8).
//!
//! A spec is parsed with serde into raw, all-optional structs and validated once into the
//! typed [`Spec`]; every validation error names the field path, the value and the allowed
//! range.

pub mod image;
pub mod import;
mod npy;
mod raw;
pub mod scaffold;
pub mod table;
pub mod testset;
mod validate;

use std::path::{Path, PathBuf};

pub use image::{ConvEnvelope, ImageEnvelope, ImageShape, ImageStage, PoolEnvelope};
pub use import::{import_table, ImportError, ImportSummary};
pub use scaffold::{scaffold, Scaffold, ScaffoldError, ScaffoldOptions};
pub use table::{Table, TableError};
pub use testset::{
    first_malformed, read_testset, shard_commitment, shard_commitments, shard_len,
    testset_commitment, testset_elements, testset_from_elements, write_testset, TestSet,
    TestSetError,
};
/// Schema bounds the circuit's layout is sized by.
pub use validate::{MAX_ACTIVATION, MAX_SHIFT};

/// The newest schema version this code reads (it reads every version from 1).
pub const SCHEMA_VERSION: i64 = 2;

/// Errors while loading or validating a contest spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The spec file could not be read.
    #[error("cannot read contest spec {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown field, or a value of the wrong type.
    #[error(
        "contest spec is not valid (schemas v1 ..= v{SCHEMA_VERSION}, see contest-specs/SCHEMA.md): {0}"
    )]
    Toml(#[from] toml::de::Error),
    /// A required field is absent.
    #[error("contest spec: missing field `{path}` (see contest-specs/SCHEMA.md)")]
    Missing {
        /// Dotted field path, e.g. `quantisation.shift_max`.
        path: String,
    },
    /// A field holds a value outside its allowed range or set.
    #[error("contest spec: field `{path}` = {value} is out of range: allowed {allowed}")]
    OutOfRange {
        /// Dotted field path.
        path: String,
        /// The value found, as written.
        value: String,
        /// The allowed range or set.
        allowed: String,
    },
    /// A field that the spec's `schema_version` does not have.
    #[error("contest spec: field `{path}` is not part of schema v{version}: {hint} (see contest-specs/SCHEMA.md)")]
    NotInSchema {
        /// Dotted field path.
        path: String,
        /// The spec's `schema_version`.
        version: i64,
        /// What to write instead.
        hint: String,
    },
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, SpecError>;

/// What a contest asks for. Only classification exists in schema v1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Predict one of `classes` labels; score = number of correct predictions.
    Classification,
}

/// Activation after a dense layer of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `max(0, ·)` then saturation to `[0, activation_max]` (hidden layers).
    Relu,
    /// None: the output layer, saturated to the logit range.
    None,
}

/// The integer inputs and how a model sees them.
///
/// Schema 1 declares one range and one scale for every feature; schema 2 declares them per
/// column (`[[input.columns]]`). Both are held here as one [`ColumnSpec`] per feature; `min`
/// and `max` are the hull of the columns' ranges: the range the circuit checks every feature
/// against and the test set is packed with (`docs/PROTOCOL.md` §3, §7, §10).
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// Features per row, `F`.
    pub features: usize,
    /// Smallest feature value of any column (inclusive).
    pub min: i64,
    /// Largest feature value of any column (inclusive).
    pub max: i64,
    /// One entry per feature, in row order.
    pub columns: Vec<ColumnSpec>,
}

impl InputSpec {
    /// The floats an ONNX model receives for one row of integer features:
    /// `(q_c − zero_point_c) × scale_c` per column.
    pub fn dequantise(&self, row: &[i64]) -> Vec<f64> {
        row.iter()
            .zip(&self.columns)
            .map(|(&q, c)| c.dequantise(q))
            .collect()
    }

    /// `Some(scale)` when every column has this scale and zero point 0 (every schema-1 spec):
    /// a model then sees `feature × scale`, and the quantiser needs no folding.
    pub fn uniform_scale(&self) -> Option<f64> {
        let first = self.columns.first()?;
        self.columns
            .iter()
            .all(|c| c.scale == first.scale && c.zero_point == 0)
            .then_some(first.scale)
    }

    /// Whether the columns carry names (schema 2; CSV import matches them to the header).
    pub fn has_names(&self) -> bool {
        self.columns.iter().all(|c| c.name.is_some())
    }
}

/// One feature column: its integer range and its affine dequantisation.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpec {
    /// The column's name (schema 2; the CSV header), `None` in schema 1.
    pub name: Option<String>,
    /// Smallest integer value (inclusive).
    pub min: i64,
    /// Largest integer value (inclusive).
    pub max: i64,
    /// Real value of one integer step.
    pub scale: f64,
    /// The integer that stands for the real value 0.
    pub zero_point: i64,
}

/// A real value turned into a column's integer (see [`ColumnSpec::quantise`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantised {
    /// The integer, inside the column's range.
    pub value: i64,
    /// Whether the real value lay outside the range and was clamped to its nearest end.
    pub saturated: bool,
}

impl ColumnSpec {
    /// The real value a model receives for the integer `q`: `(q − zero_point) × scale`.
    pub fn dequantise(&self, q: i64) -> f64 {
        (q - self.zero_point) as f64 * self.scale
    }

    /// The column's integer for a finite real value `x`:
    /// `clamp(round(x / scale) + zero_point, min, max)`, rounding half away from zero, in
    /// IEEE-754 double precision (correctly rounded division, so every machine gets the same
    /// integer). `docs/PROTOCOL.md` §7.1.
    ///
    /// # Assumptions
    /// `x` is finite (callers reject NaN and infinities with the cell's position).
    pub fn quantise(&self, x: f64) -> Quantised {
        let q = (x / self.scale).round() + self.zero_point as f64;
        // f64 → i64 casts saturate, and NaN (excluded above) would become 0.
        let value = (q as i64).clamp(self.min, self.max);
        Quantised {
            value,
            saturated: q < self.min as f64 || q > self.max as f64,
        }
    }
}

/// One dense layer of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerEnvelope {
    /// Maximum output width (the padded width `d_l`; for the last layer exactly `classes`).
    pub max_width: usize,
    /// Activation applied after the layer.
    pub activation: Activation,
}

/// The architecture envelope: optional image stages (convolutions and pooling, schema 2),
/// then dense layers `d_0 → d_1 → … → d_L` with ReLU between, where `d_0` is `F` or, after
/// image stages, the flattened width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Input features `F`.
    pub input_width: usize,
    /// The image stages before `flatten`, if any.
    pub image: Option<ImageEnvelope>,
    /// Dense layers `1 … L`.
    pub layers: Vec<LayerEnvelope>,
}

impl Envelope {
    /// The first dense layer's input width `d_0`: `F`, or the flattened image stages' output.
    pub fn dense_input(&self) -> usize {
        self.image
            .as_ref()
            .map_or(self.input_width, ImageEnvelope::flat_width)
    }

    /// Padded dense widths `[d_0, d_1, …, d_L]`.
    pub fn dims(&self) -> Vec<usize> {
        std::iter::once(self.dense_input())
            .chain(self.layers.iter().map(|l| l.max_width))
            .collect()
    }

    /// The image stages (empty for a dense envelope).
    pub fn image_stages(&self) -> &[ImageStage] {
        self.image.as_ref().map_or(&[], |i| i.stages.as_slice())
    }
}

/// Integer semantics parameters (`docs/PROTOCOL.md` §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuantSpec {
    /// Largest per-layer right shift `s_max`; shifts lie in `[0, shift_max]`.
    pub shift_max: u32,
    /// Hidden activations saturate into `[0, activation_max]`.
    pub activation_max: i64,
    /// Logits saturate into `[−2^(logit_bits−1), 2^(logit_bits−1) − 1]`.
    pub logit_bits: u32,
}

impl QuantSpec {
    /// Weights are int8: `[−128, 127]`.
    pub const WEIGHT_MIN: i64 = -128;
    /// Largest int8 weight.
    pub const WEIGHT_MAX: i64 = 127;
    /// Biases are int32.
    pub const BIAS_MIN: i64 = i32::MIN as i64;
    /// Largest int32 bias.
    pub const BIAS_MAX: i64 = i32::MAX as i64;

    /// Smallest logit after saturation.
    pub fn logit_min(&self) -> i64 {
        -(1i64 << (self.logit_bits - 1))
    }

    /// Largest logit after saturation.
    pub fn logit_max(&self) -> i64 {
        (1i64 << (self.logit_bits - 1)) - 1
    }
}

/// Prize split and bond.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payout {
    /// Basis points per rank (rank 1 first), non-increasing, summing to 10,000.
    pub split_bps: Vec<u32>,
    /// Bond paid with `commitModel`, in wei.
    pub commit_bond_wei: u128,
}

/// Phase durations in seconds (deadlines are set at creation from these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phases {
    /// Commit phase.
    pub commit_secs: u64,
    /// Organiser's test-set reveal.
    pub test_set_reveal_secs: u64,
    /// Proof submission.
    pub prove_secs: u64,
    /// Each paid rank's model reveal window.
    pub model_reveal_secs: u64,
}

/// A validated contest spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Contest template name (`[a-z0-9_-]`, 1–64 characters).
    pub name: String,
    /// The task.
    pub task: Task,
    /// The schema version the spec was written in (1 or 2).
    pub schema_version: i64,
    /// Number of classes `K`; labels lie in `0 … K−1`.
    pub classes: usize,
    /// The label string of each class (schema 2, optional): class `k` is `class_labels[k]`.
    pub class_labels: Option<Vec<String>>,
    /// Input features.
    pub input: InputSpec,
    /// Architecture envelope (its last width equals `classes`).
    pub envelope: Envelope,
    /// Integer semantics parameters.
    pub quant: QuantSpec,
    /// Test-set rows `N`.
    pub test_rows: usize,
    /// Accuracy threshold in basis points.
    pub threshold_bps: u32,
    /// `ceil(threshold_bps · N / 10000)`: the `minCorrect` of the contract.
    pub min_correct: usize,
    /// `M`, the shards the test set is split into (`test_set.shards`, default 1, dividing `N`):
    /// shard `s` holds rows `[s·N/M, (s+1)·N/M)` and is proved on its own (PROTOCOL §14.1).
    pub shards: usize,
    /// Prize split and bond.
    pub payout: Payout,
    /// Phase durations.
    pub phases: Phases,
}

impl Spec {
    /// Parses and validates a spec from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let raw: raw::RawSpec = toml::from_str(text)?;
        validate::validate(raw)
    }

    /// The class index of a label as written in a data file: its position in `class_labels`,
    /// else (no labels declared) a decimal integer below `classes`.
    pub fn class_of(&self, label: &str) -> Option<usize> {
        match &self.class_labels {
            Some(names) => names.iter().position(|n| n == label),
            None => label.parse::<usize>().ok().filter(|&k| k < self.classes),
        }
    }

    /// Rows of each shard, `N / M`.
    pub fn shard_rows(&self) -> usize {
        self.test_rows / self.shards
    }

    /// The spec one shard is proved under: this one with `N / M` rows and one shard. The
    /// circuit, its keys and verifier are this spec's; with one shard it is the spec itself.
    /// (Its `min_correct` is the threshold applied to the shard's rows and is not used: an entry
    /// qualifies by the sum over all shards.)
    pub fn shard_spec(&self) -> Spec {
        let mut s = self.clone();
        s.test_rows = self.shard_rows();
        s.min_correct = (s.threshold_bps as usize * s.test_rows).div_ceil(10_000);
        s.shards = 1;
        s
    }

    /// Reads a spec file; a directory means its `contest.toml`.
    pub fn from_path(path: &Path) -> Result<Self> {
        let file = if path.is_dir() {
            path.join("contest.toml")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| SpecError::Io {
            path: file.clone(),
            source,
        })?;
        Self::from_toml_str(&text)
    }
}
