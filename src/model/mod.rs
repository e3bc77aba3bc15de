//! The model side: ONNX import ([`onnx`]), fitting and padding into the contest envelope
//! ([`float`]), float inference through tract ([`tract_eval`]), quantisation
//! ([`quantise`]), the integer reference semantics ([`reference`]) and the model
//! commitment `C` ([`commitment`]).
//!
//! [`reference`] *defines* what the circuit proves (`docs/PROTOCOL.md` §9); everything else
//! here only produces its inputs.

pub mod commitment;
pub mod float;
pub mod image;
pub mod onnx;
pub mod quantise;
pub mod quantized;
pub mod reference;
pub mod tract_eval;

pub use commitment::{model_commitment, model_elements};
pub use float::{FloatLayer, FloatNetwork};
pub use image::{ConvLayer, ImageLayer, ImageTrace};
pub use onnx::{NodeSummary, OnnxFile};
pub use quantise::quantise;
pub use quantized::{QuantizedLayer, QuantizedModel};
pub use reference::{argmax, correct, forward, predict, requantize, LayerTrace, Trace};
pub use tract_eval::FloatRunner;

use crate::commit::CommitError;

/// Errors from importing, fitting, quantising, running or committing a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read model {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A zero-byte file.
    #[error("model file {path} is empty: expected an ONNX model (.onnx)")]
    Empty {
        /// The file.
        path: String,
    },
    /// Not a decodable ONNX protobuf (random bytes, a truncated file).
    #[error("model file {path} is not a valid ONNX model ({reason}): is the file complete and really ONNX?")]
    Decode {
        /// The file.
        path: String,
        /// What the decoder said.
        reason: String,
    },
    /// Decodes, but is not a usable ONNX graph (no graph, no input, several inputs, …).
    #[error("ONNX model is malformed: {0}")]
    Malformed(String),
    /// An op outside the supported dense family.
    #[error("unsupported ONNX op `{op}` at node `{node}`: {hint}")]
    UnsupportedOp {
        /// The op type.
        op: String,
        /// The node name.
        node: String,
        /// What to do instead.
        hint: String,
    },
    /// A supported op used in a way the dense extraction cannot express.
    #[error("ONNX node `{node}` ({op}): {reason}")]
    BadNode {
        /// The node name.
        node: String,
        /// The op type.
        op: String,
        /// What is wrong.
        reason: String,
    },
    /// A weight or bias that is NaN or infinite.
    #[error("tensor `{tensor}` holds a non-finite value ({value}) at flat index {index}: retrain or fix the export")]
    NonFinite {
        /// Initializer name.
        tensor: String,
        /// Flat index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The model does not fit the contest envelope.
    #[error("model does not fit the contest envelope: {0}")]
    Envelope(String),
    /// tract could not type, optimise or run the model.
    #[error("tract: {0}")]
    Tract(String),
    /// Quantisation cannot represent the model.
    #[error("quantisation: {0}")]
    Quantise(String),
    /// The integer model or its input has the wrong shape or range.
    #[error("reference model: {0}")]
    Reference(String),
    /// Packing for the commitment failed.
    #[error(transparent)]
    Commit(#[from] CommitError),
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, ModelError>;
