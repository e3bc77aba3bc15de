//! ONNX import: decode the protobuf (tract-onnx's prost types), summarise it, and extract a
//! chain of dense layers (`docs/PROTOCOL.md` §9.4 lists the accepted graphs).
//!
//! Extraction ([`walk`]) follows the data path from the single graph input to the logits:
//! - `Gemm` and `MatMul` start a dense layer, `Relu` ends one;
//! - per-feature affine ops with a constant — `Add`, `Sub`, `Mul`, `Div` (by a constant), the
//!   ai.onnx.ml `Scaler` (skl2onnx's `StandardScaler`/`MinMaxScaler`) and inference
//!   `BatchNormalization` — are folded exactly (f64) into the adjacent dense layer ([`fold`]):
//!   into the layer before when it has no ReLU yet (a bias `Add`, a `BatchNormalization`
//!   after a `Gemm`), otherwise into the next layer's input (`(x − mean) / std` before the
//!   first layer). A zero divisor or a non-finite folded value is an error naming the node;
//! - `Flatten`, `Reshape`, `Identity`, `Dropout` and `Cast` to float are shape-only or
//!   no-ops at batch 1;
//! - a final `Softmax`/`LogSoftmax` is dropped (argmax ignores it); skl2onnx's binary head
//!   (`Sigmoid` over one logit `z`, `Sub(1, p)`, `Concat([1 − p, p])`) becomes the two
//!   logits `[0, z]`, whose softmax is exactly `[1 − p, p]`: class 1 iff `z > 0`, and a tie
//!   (`z = 0`, `p = 0.5`) is class 0 as in onnxruntime's `ArgMax` label (first maximum).
//!   (For `0 < z ≲ 1.2e-7` f32 `Sigmoid` rounds to exactly 0.5 and onnxruntime says 0, the
//!   float network 1; the quantised logits are integers, where `z = 0` is the tie);
//! - with several graph outputs, branches that only compute a label from the scores
//!   (`ArgMax`, then `ArrayFeatureExtractor`, `Reshape`, `Cast`, …) are ignored, and the
//!   output reached from the last layer is the logits output.
//!
//! Anything else is rejected with the op, the node name and a hint.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tract_onnx::pb::{self, ModelProto, NodeProto, TensorProto};
use tract_onnx::prelude::Framework;

use super::float::FloatNetwork;
use super::{ModelError, Result};

mod fold;
mod walk;

const SUPPORTED: &str = "supported ops: Gemm, MatMul, Relu; on [N, C, H, W] inputs Conv (square kernel, equal strides and pads, group 1), MaxPool, AveragePool (no padding) and a Flatten to the dense layers; Add, Sub, Mul, Div by constants, Scaler and BatchNormalization (folded into the adjacent dense layer or convolution); Flatten, Reshape, Identity, Dropout, Cast to float; a final Softmax/LogSoftmax or binary Sigmoid head; label-only ArgMax branches";

/// One node of the graph, for `model inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSummary {
    /// Node name (or `#index` when unnamed).
    pub name: String,
    /// ONNX op type.
    pub op: String,
    /// Input tensor names, with the shape of constant inputs.
    pub inputs: Vec<String>,
    /// Output tensor names.
    pub outputs: Vec<String>,
}

/// A decoded ONNX file.
#[derive(Clone, Debug)]
pub struct OnnxFile {
    path: String,
    proto: ModelProto,
}

/// A dimension of the declared input shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A named (symbolic) size such as `batch`.
    Symbolic(String),
    /// No information.
    Unknown,
}

impl std::fmt::Display for Dim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dim::Fixed(n) => write!(f, "{n}"),
            Dim::Symbolic(s) => write!(f, "{s}"),
            Dim::Unknown => write!(f, "?"),
        }
    }
}

fn node_name(node: &NodeProto, index: usize) -> String {
    if node.name.is_empty() {
        format!("#{index}")
    } else {
        node.name.clone()
    }
}

fn bad(node: &str, op: &str, reason: impl Into<String>) -> ModelError {
    ModelError::BadNode {
        node: node.to_string(),
        op: op.to_string(),
        reason: reason.into(),
    }
}

fn hint_for(op: &str) -> String {
    match op {
        "ConvTranspose" | "GlobalAveragePool" | "GlobalMaxPool" | "LpPool" => {
            format!("image envelopes have Conv, MaxPool and AveragePool stages only. {SUPPORTED}")
        }
        "Sigmoid" | "Tanh" | "LeakyRelu" | "Elu" | "Selu" | "Gelu" | "HardSigmoid" | "Softplus"
        | "Clip" => {
            format!("only ReLU activations are supported between dense layers: retrain with ReLU. {SUPPORTED}")
        }
        "Softmax" | "LogSoftmax" => {
            format!("{op} is only accepted as the last op of the graph. {SUPPORTED}")
        }
        "TreeEnsembleClassifier" | "TreeEnsembleRegressor" => {
            format!("tree ensembles are not supported yet: the contest envelope is a dense ReLU network (train an MLP, e.g. sklearn's MLPClassifier). {SUPPORTED}")
        }
        "ZipMap" => {
            format!("convert with the classifier option zipmap=False so the probabilities stay a tensor. {SUPPORTED}")
        }
        _ => SUPPORTED.to_string(),
    }
}

/// Decodes a float tensor (FLOAT or DOUBLE, inline data) into `(dims, values)`.
fn float_tensor(name: &str, t: &TensorProto) -> Result<(Vec<usize>, Vec<f64>)> {
    let dims: Vec<usize> = t
        .dims
        .iter()
        .map(|&d| {
            usize::try_from(d).map_err(|_| {
                ModelError::Malformed(format!("tensor `{name}` has a negative dimension {d}"))
            })
        })
        .collect::<Result<_>>()?;
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            ModelError::Malformed(format!("tensor `{name}` has an impossible shape {dims:?}"))
        })?;
    let values: Vec<f64> = match t.data_type {
        // FLOAT
        1 if !t.raw_data.is_empty() => t.raw_data.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
        1 => t.float_data.iter().map(|&v| f64::from(v)).collect(),
        // DOUBLE
        11 if !t.raw_data.is_empty() => t.raw_data.chunks_exact(8).map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect(),
        11 => t.double_data.clone(),
        other => return Err(ModelError::Malformed(format!("tensor `{name}` has ONNX data type {other}; weights must be float32 or float64 stored inside the file"))),
    };
    if values.len() != count {
        return Err(ModelError::Malformed(format!("tensor `{name}` declares {count} values ({dims:?}) but stores {} (truncated or external data?)", values.len())));
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ModelError::NonFinite {
            tensor: name.to_string(),
            index,
            value,
        });
    }
    Ok((dims, values))
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a pb::AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

impl OnnxFile {
    /// Reads and decodes an ONNX file.
    pub fn read(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_bytes(&shown, &bytes)
    }

    /// Decodes ONNX bytes; `path` is only used in messages.
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Err(ModelError::Empty {
                path: path.to_string(),
            });
        }
        let proto = tract_onnx::onnx()
            .proto_model_for_read(&mut &*bytes)
            .map_err(|e| ModelError::Decode {
                path: path.to_string(),
                reason: format!("{e:#}"),
            })?;
        let file = Self {
            path: path.to_string(),
            proto,
        };
        // Reject decodable garbage early: a real model has a graph with nodes and an input.
        let graph = file.graph()?;
        if graph.node.is_empty() {
            return Err(ModelError::Decode {
                path: path.to_string(),
                reason: "the graph has no nodes".into(),
            });
        }
        file.input()?;
        Ok(file)
    }

    /// The path it was read from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The decoded protobuf (for tract).
    pub fn proto(&self) -> &ModelProto {
        &self.proto
    }

    fn graph(&self) -> Result<&pb::GraphProto> {
        self.proto.graph.as_ref().ok_or_else(|| ModelError::Decode {
            path: self.path.clone(),
            reason: "no graph in the model".into(),
        })
    }

    fn initializer_names(&self) -> Result<HashSet<&str>> {
        Ok(self
            .graph()?
            .initializer
            .iter()
            .map(|t| t.name.as_str())
            .collect())
    }

    /// The single non-constant graph input: its name and declared shape.
    pub fn input(&self) -> Result<(String, Vec<Dim>)> {
        let inits = self.initializer_names()?;
        let inputs: Vec<&pb::ValueInfoProto> = self
            .graph()?
            .input
            .iter()
            .filter(|i| !inits.contains(i.name.as_str()))
            .collect();
        let [input] = inputs.as_slice() else {
            let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
            return Err(ModelError::Malformed(format!(
                "expected exactly one graph input, found {}: {names:?}",
                names.len()
            )));
        };
        Ok((input.name.clone(), value_shape(input)))
    }

    /// The graph output the dense network stands for, and its declared shape: the single
    /// output, or with several the one found by [`logits_output`](Self::logits_output).
    pub fn output(&self) -> Result<(String, Vec<Dim>)> {
        let outputs = &self.graph()?.output;
        let output = match outputs.as_slice() {
            [] => return Err(ModelError::Malformed("the graph declares no output".into())),
            [one] => one,
            many => {
                let name = self.logits_output()?;
                many.iter()
                    .find(|o| o.name == name)
                    .expect("the walk ends at a graph output")
            }
        };
        Ok((output.name.clone(), value_shape(output)))
    }

    /// Every node, in file order.
    pub fn nodes(&self) -> Result<Vec<NodeSummary>> {
        let graph = self.graph()?;
        let shapes: HashMap<&str, &Vec<i64>> = graph
            .initializer
            .iter()
            .map(|t| (t.name.as_str(), &t.dims))
            .collect();
        Ok(graph
            .node
            .iter()
            .enumerate()
            .map(|(i, n)| NodeSummary {
                name: node_name(n, i),
                op: n.op_type.clone(),
                inputs: n
                    .input
                    .iter()
                    .map(|s| match shapes.get(s.as_str()) {
                        Some(d) => format!("{s}{d:?}"),
                        None => s.clone(),
                    })
                    .collect(),
                outputs: n.output.clone(),
            })
            .collect())
    }

    /// Total number of values in float initializers (weights and biases).
    pub fn parameter_count(&self) -> Result<usize> {
        Ok(self
            .graph()?
            .initializer
            .iter()
            .filter(|t| t.data_type == 1 || t.data_type == 11)
            .map(|t| {
                t.dims
                    .iter()
                    .fold(1usize, |acc, &d| acc.saturating_mul(d.max(0) as usize))
            })
            .fold(0usize, usize::saturating_add))
    }

    /// Extracts the dense network (see the module documentation).
    pub fn dense_network(&self) -> Result<FloatNetwork> {
        Ok(self.extract()?.network)
    }

    /// The graph output the dense network stands for: the only output, or with several
    /// (skl2onnx's `label` and `probabilities`) the one reached from the last dense layer.
    pub fn logits_output(&self) -> Result<String> {
        Ok(self.extract()?.output)
    }

    fn extract(&self) -> Result<walk::Extraction> {
        let (input_name, input_shape) = self.input()?;
        let input_width = input_features(&input_shape)?;
        walk::extract(
            self.graph()?,
            &input_name,
            input_width,
            image_shape(&input_shape),
        )
    }

    /// The model as tract should run it for the float accuracy: only the
    /// [`logits_output`](Self::logits_output) and the nodes it needs (label branches dropped),
    /// with each ai.onnx.ml `Scaler` (which tract lacks) rewritten as the equivalent
    /// `Sub(offset)` and `Mul(scale)`.
    pub fn tract_proto(&self) -> Result<ModelProto> {
        let output = self.logits_output()?;
        let mut proto = self.proto.clone();
        let Some(graph) = proto.graph.as_mut() else {
            return Err(ModelError::Malformed("no graph in the model".into()));
        };
        graph.output.retain(|o| o.name == output);
        let mut needed: HashSet<String> = HashSet::from([output]);
        let mut keep = vec![false; graph.node.len()];
        for (i, n) in graph.node.iter().enumerate().rev() {
            if n.output.iter().any(|o| needed.contains(o)) {
                keep[i] = true;
                needed.extend(n.input.iter().cloned());
            }
        }
        let mut nodes = Vec::new();
        for (i, n) in std::mem::take(&mut graph.node).into_iter().enumerate() {
            if !keep[i] {
                continue;
            }
            if n.op_type != "Scaler" {
                nodes.push(n);
                continue;
            }
            let name = node_name(&n, i);
            let (Some(x), Some(y)) = (n.input.first(), n.output.first()) else {
                return Err(bad(&name, "Scaler", "needs one input and one output"));
            };
            let floats = |k: &str, default: f32| match attr(&n, k) {
                Some(a) if !a.floats.is_empty() => a.floats.clone(),
                _ => vec![default],
            };
            let (offset, scale) = (floats("offset", 0.0), floats("scale", 1.0));
            let tensor = |suffix: &str, v: Vec<f32>| TensorProto {
                name: format!("{name}::{suffix}"),
                dims: vec![v.len() as i64],
                data_type: 1,
                float_data: v,
                ..Default::default()
            };
            let centred = format!("{name}::centred");
            let node = |op: &str, inputs: [String; 2], output: String| NodeProto {
                name: format!("{name}::{op}"),
                op_type: op.to_string(),
                input: inputs.to_vec(),
                output: vec![output],
                ..Default::default()
            };
            nodes.push(node(
                "Sub",
                [x.clone(), format!("{name}::offset")],
                centred.clone(),
            ));
            nodes.push(node("Mul", [centred, format!("{name}::scale")], y.clone()));
            graph.initializer.push(tensor("offset", offset));
            graph.initializer.push(tensor("scale", scale));
        }
        graph.node = nodes;
        Ok(proto)
    }
}

/// Adds `scale · b` (shape `[n]`, `[1, n]` or a scalar) to `bias`.
fn add_bias(bias: &mut [f64], b: &[f64], scale: f64) -> std::result::Result<(), String> {
    match b.len() {
        1 => bias.iter_mut().for_each(|v| *v += scale * b[0]),
        n if n == bias.len() => bias.iter_mut().zip(b).for_each(|(v, x)| *v += scale * x),
        n => return Err(format!("has {n} values for {} outputs", bias.len())),
    }
    Ok(())
}

fn value_shape(v: &pb::ValueInfoProto) -> Vec<Dim> {
    use pb::tensor_shape_proto::dimension::Value;
    let Some(pb::type_proto::Value::TensorType(t)) =
        v.r#type.as_ref().and_then(|t| t.value.as_ref())
    else {
        return Vec::new();
    };
    let Some(shape) = t.shape.as_ref() else {
        return Vec::new();
    };
    shape
        .dim
        .iter()
        .map(|d| match &d.value {
            Some(Value::DimValue(n)) if *n > 0 => Dim::Fixed(*n),
            Some(Value::DimParam(s)) if !s.is_empty() => Dim::Symbolic(s.clone()),
            _ => Dim::Unknown,
        })
        .collect()
}

/// Features per row implied by the declared input shape: `[F]`, or `[batch, …]` with the
/// non-batch dimensions multiplying to `F` (the batch must be 1 or symbolic).
/// The `C×H×W` of an `[N, C, H, W]` input with fixed `C`, `H`, `W` (an image), else `None`.
pub fn image_shape(shape: &[Dim]) -> Option<crate::spec::ImageShape> {
    match shape {
        [_, Dim::Fixed(c), Dim::Fixed(h), Dim::Fixed(w)] if *c > 0 && *h > 0 && *w > 0 => {
            Some([*c as usize, *h as usize, *w as usize])
        }
        _ => None,
    }
}

pub fn input_features(shape: &[Dim]) -> Result<usize> {
    let fixed = |dims: &[Dim]| -> Result<usize> {
        dims.iter().try_fold(1usize, |acc, d| match d {
            Dim::Fixed(n) => Ok(acc.saturating_mul(*n as usize)),
            other => Err(ModelError::Malformed(format!("input dimension `{other}` must be fixed (only the batch dimension may be symbolic)"))),
        })
    };
    match shape {
        [] => Err(ModelError::Malformed(
            "the graph input declares no shape; export with a fixed feature dimension".into(),
        )),
        [only] => fixed(std::slice::from_ref(only)),
        [batch, rest @ ..] => {
            if let Dim::Fixed(b) = batch {
                if *b != 1 {
                    return Err(ModelError::Malformed(format!(
                        "input batch dimension is {b}; use batch 1 or a symbolic batch"
                    )));
                }
            }
            fixed(rest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_tensor_shape_is_an_error_not_a_panic() {
        let t = TensorProto {
            dims: vec![1 << 40, 1 << 40],
            data_type: 1,
            ..Default::default()
        };
        assert!(
            matches!(float_tensor("W", &t), Err(ModelError::Malformed(m)) if m.contains("impossible shape"))
        );
    }

    #[test]
    fn short_tensor_data_is_an_error() {
        let t = TensorProto {
            dims: vec![2, 2],
            data_type: 1,
            float_data: vec![1.0; 3],
            ..Default::default()
        };
        assert!(
            matches!(float_tensor("W", &t), Err(ModelError::Malformed(m)) if m.contains("declares 4 values"))
        );
        let t = TensorProto {
            dims: vec![2],
            data_type: 7,
            int64_data: vec![1, 2],
            ..Default::default()
        };
        assert!(
            matches!(float_tensor("shape", &t), Err(ModelError::Malformed(m)) if m.contains("data type 7"))
        );
    }

    #[test]
    fn input_shapes() {
        let f = |d: &[Dim]| input_features(d).ok();
        assert_eq!(f(&[Dim::Fixed(64)]), Some(64));
        assert_eq!(f(&[Dim::Symbolic("N".into()), Dim::Fixed(64)]), Some(64));
        assert_eq!(
            f(&[Dim::Fixed(1), Dim::Fixed(1), Dim::Fixed(8), Dim::Fixed(8)]),
            Some(64)
        );
        assert_eq!(f(&[Dim::Fixed(4), Dim::Fixed(64)]), None);
        assert_eq!(f(&[Dim::Fixed(1), Dim::Symbolic("F".into())]), None);
        assert_eq!(f(&[]), None);
    }
}
