//! ONNX import: decode the protobuf (tract-onnx's prost types), summarise it, and extract a
//! chain of dense layers (`docs/PROTOCOL.md` §9.1 lists the accepted ops).
//!
//! Extraction walks the unique path from the graph input to the graph output:
//! `Gemm` and `MatMul` (+ `Add` of a constant) start a layer, `Relu` ends one, `Flatten`,
//! `Reshape`, `Identity` and `Dropout` are shape-only or no-ops at batch 1, a final
//! `Softmax`/`LogSoftmax` is dropped (argmax ignores it). Anything else is rejected with the
//! op, the node name and a hint.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tract_onnx::pb::{self, ModelProto, NodeProto, TensorProto};
use tract_onnx::prelude::Framework;

use super::float::{FloatLayer, FloatNetwork};
use super::{ModelError, Result};

const SUPPORTED: &str = "supported ops: Gemm, MatMul, Add, Relu, Flatten, Reshape, Identity, Dropout, and a final Softmax/LogSoftmax";

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
        "Conv" | "ConvTranspose" | "MaxPool" | "AveragePool" | "GlobalAveragePool" => {
            format!("the contest envelope is dense layers only (convolutions and pooling are not supported yet); flatten the input and use Gemm/MatMul layers. {SUPPORTED}")
        }
        "Sigmoid" | "Tanh" | "LeakyRelu" | "Elu" | "Selu" | "Gelu" | "HardSigmoid" | "Softplus"
        | "Clip" => {
            format!("only ReLU activations are supported between dense layers: retrain with ReLU. {SUPPORTED}")
        }
        "Softmax" | "LogSoftmax" => {
            format!("{op} is only accepted as the last op of the graph. {SUPPORTED}")
        }
        "BatchNormalization" => {
            format!("fold batch normalisation into the preceding Gemm before export. {SUPPORTED}")
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

    /// The single graph output: its name and declared shape.
    pub fn output(&self) -> Result<(String, Vec<Dim>)> {
        let outputs = &self.graph()?.output;
        let [output] = outputs.as_slice() else {
            return Err(ModelError::Malformed(format!(
                "expected exactly one graph output, found {}",
                outputs.len()
            )));
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
        let graph = self.graph()?;
        let (input_name, input_shape) = self.input()?;
        let (output_name, _) = self.output()?;
        let input_width = input_features(&input_shape)?;

        // Constants: initializers and Constant nodes.
        let mut consts: HashMap<&str, &TensorProto> = graph
            .initializer
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        for (i, n) in graph.node.iter().enumerate() {
            if n.op_type == "Constant" {
                let t = attr(n, "value").and_then(|a| a.t.as_ref()).ok_or_else(|| {
                    bad(
                        &node_name(n, i),
                        "Constant",
                        "only a tensor `value` attribute is supported",
                    )
                })?;
                if let Some(out) = n.output.first() {
                    consts.insert(out.as_str(), t);
                }
            }
        }
        let weights = |node: &str, op: &str, name: &str| -> Result<(Vec<usize>, Vec<f64>)> {
            let t = consts.get(name).ok_or_else(|| bad(node, op, format!("input `{name}` must be a constant (initializer); only the data path may be computed")))?;
            float_tensor(name, t)
        };

        let mut layers: Vec<FloatLayer> = Vec::new();
        let mut visited = vec![false; graph.node.len()];
        let mut cur = input_name;
        let mut width = input_width;
        // True while the last layer may still absorb an `Add` of a constant bias.
        let mut bias_open = false;
        let mut softmax_dropped = false;
        while cur != output_name {
            let consumers: Vec<usize> = graph
                .node
                .iter()
                .enumerate()
                .filter(|(_, n)| n.op_type != "Constant" && n.input.contains(&cur))
                .map(|(i, _)| i)
                .collect();
            let idx = match consumers.as_slice() {
                [one] => *one,
                [] => {
                    return Err(ModelError::Malformed(format!(
                        "tensor `{cur}` is not consumed by any node and is not the graph output"
                    )))
                }
                many => {
                    let names: Vec<String> =
                        many.iter().map(|&i| node_name(&graph.node[i], i)).collect();
                    return Err(ModelError::Malformed(format!("tensor `{cur}` feeds {} nodes ({names:?}); only a single chain of layers is supported", many.len())));
                }
            };
            visited[idx] = true;
            let node = &graph.node[idx];
            let name = node_name(node, idx);
            let op = node.op_type.as_str();
            let out = node
                .output
                .first()
                .cloned()
                .ok_or_else(|| bad(&name, op, "has no output"))?;
            match op {
                "Gemm" | "MatMul" => {
                    if node.input.first() != Some(&cur) {
                        return Err(bad(&name, op, format!("the data tensor `{cur}` must be the first input (x·W); W·x is not supported")));
                    }
                    let w_name = node
                        .input
                        .get(1)
                        .ok_or_else(|| bad(&name, op, "missing weight input"))?;
                    let (dims, w) = weights(&name, op, w_name)?;
                    let (alpha, beta, trans_a, trans_b) = if op == "Gemm" {
                        let f = |k: &str, d: f32| attr(node, k).map_or(d, |a| a.f);
                        let i = |k: &str| attr(node, k).map_or(0, |a| a.i);
                        (
                            f64::from(f("alpha", 1.0)),
                            f64::from(f("beta", 1.0)),
                            i("transA"),
                            i("transB"),
                        )
                    } else {
                        (1.0, 1.0, 0, 0)
                    };
                    if trans_a != 0 {
                        return Err(bad(&name, op, "transA = 1 is not supported"));
                    }
                    if !alpha.is_finite() || !beta.is_finite() {
                        return Err(bad(
                            &name,
                            op,
                            format!("non-finite alpha {alpha} or beta {beta}"),
                        ));
                    }
                    let [r, c] = dims.as_slice() else {
                        return Err(bad(
                            &name,
                            op,
                            format!("weight `{w_name}` must be 2-D, has shape {dims:?}"),
                        ));
                    };
                    let (n_in, n_out) = if trans_b != 0 { (*c, *r) } else { (*r, *c) };
                    if n_in != width {
                        return Err(bad(&name, op, format!("weight `{w_name}` expects {n_in} inputs but the previous layer gives {width}")));
                    }
                    let mut matrix = vec![vec![0.0; n_out]; n_in];
                    for (i, row) in matrix.iter_mut().enumerate() {
                        for (j, v) in row.iter_mut().enumerate() {
                            let flat = if trans_b != 0 {
                                j * n_in + i
                            } else {
                                i * n_out + j
                            };
                            *v = alpha * w[flat];
                        }
                    }
                    let mut bias = vec![0.0; n_out];
                    if op == "Gemm" {
                        if let Some(b_name) = node.input.get(2).filter(|s| !s.is_empty()) {
                            let (_, b) = weights(&name, op, b_name)?;
                            add_bias(&mut bias, &b, beta).map_err(|reason| {
                                bad(&name, op, format!("bias `{b_name}`: {reason}"))
                            })?;
                        }
                    }
                    layers.push(FloatLayer {
                        name: name.clone(),
                        weights: matrix,
                        bias,
                        relu: false,
                    });
                    width = n_out;
                    bias_open = true;
                }
                "Add" => {
                    let other = match node.input.as_slice() {
                        [a, b] if *a == cur => b,
                        [a, b] if *b == cur => a,
                        _ => return Err(bad(&name, op, "expects two inputs")),
                    };
                    let layer = layers.last_mut().filter(|_| bias_open).ok_or_else(|| {
                        bad(
                            &name,
                            op,
                            "Add is only supported as the bias right after a MatMul or Gemm",
                        )
                    })?;
                    let (_, b) = weights(&name, op, other)?;
                    add_bias(&mut layer.bias, &b, 1.0)
                        .map_err(|reason| bad(&name, op, format!("bias `{other}`: {reason}")))?;
                }
                "Relu" => {
                    let layer = layers.last_mut().ok_or_else(|| {
                        bad(
                            &name,
                            op,
                            "ReLU before the first dense layer is not supported",
                        )
                    })?;
                    layer.relu = true;
                    bias_open = false;
                }
                "Flatten" | "Reshape" | "Identity" | "Dropout" => {}
                "Softmax" | "LogSoftmax" if out == output_name => softmax_dropped = true,
                _ => {
                    return Err(ModelError::UnsupportedOp {
                        op: op.to_string(),
                        node: name,
                        hint: hint_for(op),
                    })
                }
            }
            cur = out;
        }
        if let Some((i, n)) = graph
            .node
            .iter()
            .enumerate()
            .find(|(i, n)| !visited[*i] && n.op_type != "Constant")
        {
            return Err(ModelError::Malformed(format!(
                "node `{}` ({}) is not on the path from the input to the output",
                node_name(n, i),
                n.op_type
            )));
        }
        if layers.is_empty() {
            return Err(ModelError::Malformed(
                "no dense layer (Gemm or MatMul) between the input and the output".into(),
            ));
        }
        Ok(FloatNetwork {
            input_width,
            layers,
            softmax_dropped,
        })
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
