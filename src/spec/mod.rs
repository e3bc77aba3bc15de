//! Contest specs (`contest-specs/<name>/contest.toml`, schema in `contest-specs/SCHEMA.md`)
//! and the organiser's test set (file format and commitment `T`, `docs/PROTOCOL.md` §4, §8).
//!
//! A spec is parsed with serde into raw, all-optional structs and validated once into the
//! typed [`Spec`]; every validation error names the field path, the value and the allowed
//! range.

mod raw;
pub mod testset;
mod validate;

use std::path::{Path, PathBuf};

pub use testset::{
    read_testset, testset_commitment, testset_elements, testset_from_elements, write_testset,
    TestSet, TestSetError,
};
/// Schema bounds the circuit's layout is sized by.
pub use validate::{MAX_ACTIVATION, MAX_SHIFT};

/// The only schema version this code reads.
pub const SCHEMA_VERSION: i64 = 1;

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
        "contest spec is not valid (schema v{SCHEMA_VERSION}, see contest-specs/SCHEMA.md): {0}"
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
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// Features per row, `F`.
    pub features: usize,
    /// Smallest feature value (inclusive).
    pub min: i64,
    /// Largest feature value (inclusive).
    pub max: i64,
    /// A feature `v` is fed to an ONNX model as the float `v × scale`.
    pub scale: f64,
}

/// One dense layer of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerEnvelope {
    /// Maximum output width (the padded width `d_l`; for the last layer exactly `classes`).
    pub max_width: usize,
    /// Activation applied after the layer.
    pub activation: Activation,
}

/// The architecture envelope: `F → d_1 → … → d_L`, dense layers with ReLU between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Input width `d_0 = F`.
    pub input_width: usize,
    /// Layers `1 … L`.
    pub layers: Vec<LayerEnvelope>,
}

impl Envelope {
    /// Padded widths `[d_0, d_1, …, d_L]`.
    pub fn dims(&self) -> Vec<usize> {
        std::iter::once(self.input_width)
            .chain(self.layers.iter().map(|l| l.max_width))
            .collect()
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
    /// Number of classes `K`; labels lie in `0 … K−1`.
    pub classes: usize,
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
