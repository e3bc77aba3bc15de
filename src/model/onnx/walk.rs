//! The graph walk: from the single graph input along the data path to the logits, collecting
//! dense layers and folding constant affine ops into them (see the module documentation of
//! [`super`]).

use std::collections::{HashMap, HashSet};

use tract_onnx::pb::{GraphProto, NodeProto, TensorProto};

use super::fold::{broadcast, broadcast_channels, Affine};
use super::{add_bias, attr, bad, float_tensor, hint_for, node_name};
use crate::model::float::{FloatImageLayer, FloatLayer, FloatNetwork};
use crate::model::{ModelError, Result};
use crate::spec::ImageShape;

/// What the walk found.
#[derive(Clone, Debug)]
pub(super) struct Extraction {
    /// The dense network.
    pub network: FloatNetwork,
    /// The graph output holding the logits (or the probabilities computed from them).
    pub output: String,
}

/// Ops of a label branch: `ArgMax` over the scores and what exporters do with its index.
const LABEL_OPS: &[&str] = &[
    "ArgMax",
    "ArrayFeatureExtractor",
    "Reshape",
    "Cast",
    "Identity",
    "Squeeze",
    "Unsqueeze",
    "Flatten",
];

/// Shape-only ops and inference no-ops, accepted anywhere on the data path (also after the
/// final Softmax).
const PASS_THROUGH: &[&str] = &["Flatten", "Reshape", "Identity", "Dropout", "Cast"];

/// ONNX `TensorProto` data types a `Cast` on the data path may convert to.
const FLOAT_TYPES: &[i64] = &[1, 11]; // FLOAT, DOUBLE

struct Walk<'a> {
    graph: &'a GraphProto,
    consts: HashMap<&'a str, &'a TensorProto>,
    outputs: HashSet<&'a str>,
    visited: Vec<bool>,
    layers: Vec<FloatLayer>,
    /// Width of the data tensor.
    width: usize,
    /// The data tensor's `C×H×W` while it is an image (before `Flatten`).
    shape: Option<ImageShape>,
    /// The image stages found so far.
    image: Vec<FloatImageLayer>,
    /// A max pooling came right after a convolution without ReLU: a `Relu` next is that
    /// convolution's (max pooling commutes with ReLU, a monotone map).
    pool_before_relu: bool,
    /// The affine map waiting for the next dense layer, and the node that started it.
    pending: Affine,
    pending_from: Option<(String, String)>,
    /// The last layer has no ReLU yet: an affine op after it folds into it.
    open: bool,
    /// A final Softmax/LogSoftmax or logistic head was passed: only pass-through ops follow.
    ended: Option<String>,
}

impl<'a> Walk<'a> {
    fn const_values(&self, node: &str, op: &str, name: &str) -> Result<(Vec<usize>, Vec<f64>)> {
        let t = self.consts.get(name).ok_or_else(|| {
            bad(
                node,
                op,
                format!("input `{name}` must be a constant (initializer); only the data path may be computed"),
            )
        })?;
        float_tensor(name, t)
    }

    /// Non-`Constant` nodes reading `tensor`.
    fn consumers(&self, tensor: &str) -> Vec<usize> {
        self.graph
            .node
            .iter()
            .enumerate()
            .filter(|(_, n)| n.op_type != "Constant" && n.input.iter().any(|i| i == tensor))
            .map(|(i, _)| i)
            .collect()
    }

    /// The nodes of a label-only branch starting at `start` (an `ArgMax` reading `from`):
    /// every node downstream is a [`LABEL_OPS`] op whose other inputs are constants, and the
    /// branch ends in graph outputs. `None` if it is not such a branch.
    fn label_branch(&self, start: usize, from: &str) -> Option<Vec<usize>> {
        if self.graph.node[start].op_type != "ArgMax" {
            return None;
        }
        let mut members = vec![start];
        let mut produced: HashSet<&str> = HashSet::new();
        let mut reaches_output = false;
        let mut i = 0;
        while i < members.len() {
            let node = &self.graph.node[members[i]];
            if !LABEL_OPS.contains(&node.op_type.as_str()) {
                return None;
            }
            for out in node.output.iter().filter(|o| !o.is_empty()) {
                produced.insert(out);
                reaches_output |= self.outputs.contains(out.as_str());
                for c in self.consumers(out) {
                    if !members.contains(&c) {
                        members.push(c);
                    }
                }
            }
            i += 1;
        }
        let inputs_ok = members.iter().all(|&m| {
            self.graph.node[m].input.iter().all(|inp| {
                inp.is_empty()
                    || self.consts.contains_key(inp.as_str())
                    || produced.contains(inp.as_str())
                    || (m == start && inp == from)
            })
        });
        (inputs_ok && reaches_output).then_some(members)
    }

    /// An elementwise op with the data tensor and one constant: `(constant, data is first)`.
    fn data_and_constant<'n>(
        &self,
        node: &'n NodeProto,
        name: &str,
        cur: &str,
    ) -> Result<(&'n str, bool)> {
        match node.input.as_slice() {
            [a, b] if a == cur && b != cur => Ok((b.as_str(), true)),
            [a, b] if b == cur && a != cur => Ok((a.as_str(), false)),
            _ => Err(bad(
                name,
                &node.op_type,
                "expects two inputs: the data and a constant",
            )),
        }
    }

    /// Applies a per-feature affine op: into the open layer's output, or pending for the next
    /// layer's input.
    fn affine(&mut self, name: &str, op: &str, f: Affine) -> Result<()> {
        let wrap = |reason: String| bad(name, op, reason);
        if self.open && self.shape.is_some() {
            let Some(FloatImageLayer::Conv(conv)) = self.image.last_mut() else {
                return Err(wrap("no convolution to fold into".into()));
            };
            f.fold_after_conv(conv).map_err(wrap)?;
        } else if self.open {
            let layer = self.layers.last_mut().expect("an open layer exists");
            f.fold_after(layer).map_err(wrap)?;
        } else {
            self.pending = self.pending.then(&f).map_err(wrap)?;
            if self.pending_from.is_none() {
                self.pending_from = Some((name.to_string(), op.to_string()));
            }
        }
        Ok(())
    }

    /// Folds the pending affine map (from the node that started it) into the layer `name`
    /// with `fold`.
    fn fold_pending(
        &mut self,
        name: &str,
        op: &str,
        fold: impl FnOnce(&Affine) -> std::result::Result<(), String>,
    ) -> Result<()> {
        if let Some((from, from_op)) = self.pending_from.take() {
            fold(&self.pending).map_err(|reason| {
                bad(
                    name,
                    op,
                    format!("folding `{from}` ({from_op}) into it: {reason}"),
                )
            })?;
        }
        Ok(())
    }

    fn dense(&mut self, node: &NodeProto, name: &str, op: &str, cur: &str) -> Result<()> {
        if let Some([c, h, w]) = self.shape {
            return Err(bad(
                name,
                op,
                format!("the data is still a {c}×{h}×{w} image: Flatten it before the dense layer"),
            ));
        }
        if node.input.first().map(String::as_str) != Some(cur) {
            return Err(bad(
                name,
                op,
                format!(
                    "the data tensor `{cur}` must be the first input (x·W); W·x is not supported"
                ),
            ));
        }
        let w_name = node
            .input
            .get(1)
            .ok_or_else(|| bad(name, op, "missing weight input"))?;
        let (dims, w) = self.const_values(name, op, w_name)?;
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
            return Err(bad(name, op, "transA = 1 is not supported"));
        }
        if !alpha.is_finite() || !beta.is_finite() {
            return Err(bad(
                name,
                op,
                format!("non-finite alpha {alpha} or beta {beta}"),
            ));
        }
        let [r, c] = dims.as_slice() else {
            return Err(bad(
                name,
                op,
                format!("weight `{w_name}` must be 2-D, has shape {dims:?}"),
            ));
        };
        let (n_in, n_out) = if trans_b != 0 { (*c, *r) } else { (*r, *c) };
        if n_in != self.width {
            return Err(bad(
                name,
                op,
                format!(
                    "weight `{w_name}` expects {n_in} inputs but the previous layer gives {}",
                    self.width
                ),
            ));
        }
        let mut weights = vec![vec![0.0; n_out]; n_in];
        for (i, row) in weights.iter_mut().enumerate() {
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
                let (_, b) = self.const_values(name, op, b_name)?;
                add_bias(&mut bias, &b, beta)
                    .map_err(|reason| bad(name, op, format!("bias `{b_name}`: {reason}")))?;
            }
        }
        let mut layer = FloatLayer {
            name: name.to_string(),
            weights,
            bias,
            relu: false,
        };
        self.fold_pending(name, op, |p| p.fold_before(&mut layer))?;
        self.layers.push(layer);
        self.width = n_out;
        self.pending = Affine::identity(n_out);
        self.open = true;
        Ok(())
    }

    /// skl2onnx's binary head: `p = Sigmoid(z)` over one logit, `Sub(1, p)` and
    /// `Concat([1 − p, p], axis 1)`. The last layer becomes the two logits `[0, z]`, whose
    /// softmax is `[1 − p, p]`. Returns the `Concat` output.
    fn logistic_head(&mut self, name: &str, p: &str) -> Result<String> {
        let op = "Sigmoid";
        let reason = "Sigmoid is only supported as a binary classifier's head: over a single logit right after the last dense layer, followed by Sub(1, p) and Concat([1 − p, p]) (as skl2onnx writes MLPClassifier)";
        if !self.open || self.width != 1 || self.pending_from.is_some() {
            return Err(ModelError::UnsupportedOp {
                op: op.into(),
                node: name.into(),
                hint: format!("{reason}. {}", hint_for(op)),
            });
        }
        let consumers = self.consumers(p);
        let sub = consumers.iter().copied().find(|&i| {
            let n = &self.graph.node[i];
            n.op_type == "Sub"
                && n.input.len() == 2
                && n.input[1] == p
                && self.consts.get(n.input[0].as_str()).is_some_and(|t| {
                    float_tensor(&n.input[0], t).is_ok_and(|(_, v)| v.len() == 1 && v[0] == 1.0)
                })
        });
        let concat = sub.and_then(|s| {
            let q = self.graph.node[s].output.first()?;
            consumers.iter().copied().find(|&i| {
                let n = &self.graph.node[i];
                let axis = attr(n, "axis").map_or(0, |a| a.i);
                n.op_type == "Concat"
                    && n.input.len() == 2
                    && n.input[0] == *q
                    && n.input[1] == p
                    && (axis == 1 || axis == -1)
            })
        });
        let (Some(sub), Some(concat)) = (sub, concat) else {
            return Err(bad(name, op, reason));
        };
        if consumers.len() != 2 || self.consumers(&self.graph.node[sub].output[0]) != [concat] {
            return Err(bad(name, op, reason));
        }
        self.visited[sub] = true;
        self.visited[concat] = true;
        let layer = self.layers.last_mut().expect("an open layer exists");
        for row in &mut layer.weights {
            row.insert(0, 0.0);
        }
        layer.bias.insert(0, 0.0);
        self.width = 2;
        self.open = false;
        self.ended = Some(format!("{name} (logistic head)"));
        let out = self.graph.node[concat].output.first();
        out.cloned()
            .ok_or_else(|| bad(name, "Concat", "has no output"))
    }
}

/// Walks the graph from `input` (of `width` features); see the module documentation.
pub(super) fn extract(
    graph: &GraphProto,
    input: &str,
    width: usize,
    image: Option<ImageShape>,
) -> Result<Extraction> {
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
    let mut w = Walk {
        graph,
        consts,
        outputs: graph.output.iter().map(|o| o.name.as_str()).collect(),
        visited: vec![false; graph.node.len()],
        layers: Vec::new(),
        width,
        shape: image,
        image: Vec::new(),
        pool_before_relu: false,
        pending: Affine::identity(image.map_or(width, |s| s[0])),
        pending_from: None,
        open: false,
        ended: None,
    };
    let mut softmax_dropped = false;
    let mut label_seen = false;
    let mut cur = input.to_string();
    loop {
        let mut data = Vec::new();
        for c in w.consumers(&cur) {
            match w.label_branch(c, &cur) {
                Some(branch) => {
                    label_seen = true;
                    branch.iter().for_each(|&b| w.visited[b] = true);
                }
                None => data.push(c),
            }
        }
        let idx = match data.as_slice() {
            [] => break,
            [one] => *one,
            many => {
                let names: Vec<String> = many
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} ({})",
                            node_name(&graph.node[i], i),
                            graph.node[i].op_type
                        )
                    })
                    .collect();
                return Err(ModelError::Malformed(format!(
                    "tensor `{cur}` feeds {} nodes ({}); only a single chain of layers (plus label-only ArgMax branches) is supported",
                    many.len(),
                    names.join(", ")
                )));
            }
        };
        w.visited[idx] = true;
        let node = &graph.node[idx];
        let name = node_name(node, idx);
        let op = node.op_type.as_str();
        let out = node
            .output
            .first()
            .cloned()
            .ok_or_else(|| bad(&name, op, "has no output"))?;
        if let Some(end) = &w.ended {
            // Ops the walk handles elsewhere; anything else gets its own hint below.
            let handled = matches!(
                op,
                "Gemm"
                    | "MatMul"
                    | "Conv"
                    | "MaxPool"
                    | "AveragePool"
                    | "Add"
                    | "Sub"
                    | "Mul"
                    | "Div"
                    | "Scaler"
                    | "BatchNormalization"
                    | "Relu"
                    | "Softmax"
                    | "LogSoftmax"
                    | "Sigmoid"
            );
            if handled && !PASS_THROUGH.contains(&op) {
                return Err(bad(
                    &name,
                    op,
                    format!("only Identity, Cast, Dropout, Flatten and Reshape may follow the final {end}"),
                ));
            }
        }
        let single_input_op = matches!(
            op,
            "MaxPool"
                | "AveragePool"
                | "Scaler"
                | "BatchNormalization"
                | "Relu"
                | "Cast"
                | "Flatten"
                | "Reshape"
                | "Identity"
                | "Dropout"
                | "Softmax"
                | "LogSoftmax"
                | "Sigmoid"
        );
        if single_input_op && node.input.first() != Some(&cur) {
            return Err(bad(
                &name,
                op,
                format!("the data tensor `{cur}` must be the first input"),
            ));
        }
        match op {
            "Gemm" | "MatMul" => w.dense(node, &name, op, &cur)?,
            "Conv" => w.conv(node, &name, &cur)?,
            "MaxPool" | "AveragePool" => w.pool(node, &name, op)?,
            "Add" | "Sub" | "Mul" | "Div" => {
                let (c_name, data_first) = w.data_and_constant(node, &name, &cur)?;
                let (dims, c) = w.const_values(&name, op, c_name)?;
                let what = format!("constant `{c_name}`");
                let c = match w.shape {
                    Some([channels, ..]) => broadcast_channels(&what, &dims, &c, channels),
                    None => broadcast(&what, &dims, &c, w.width),
                }
                .map_err(|r| bad(&name, op, r))?;
                let f = match (op, data_first) {
                    ("Add", _) => Affine::add(c),
                    ("Sub", true) => Affine::sub(c),
                    ("Sub", false) => Affine::sub_from(c),
                    ("Mul", _) => Affine::mul(c),
                    ("Div", true) => Affine::div(c).map_err(|r| bad(&name, op, r))?,
                    _ => {
                        return Err(bad(
                            &name,
                            op,
                            "only a division of the data by a constant is supported",
                        ))
                    }
                };
                w.affine(&name, op, f)?;
            }
            "Scaler" if w.shape.is_some() => {
                return Err(bad(&name, op, "a Scaler on image data is not supported"));
            }
            "Scaler" => {
                let floats = |k: &str| attr(node, k).map(|a| a.floats.clone()).unwrap_or_default();
                let vec = |k: &str, default: f64| -> Result<Vec<f64>> {
                    let v: Vec<f64> = floats(k).into_iter().map(f64::from).collect();
                    let v = if v.is_empty() { vec![default] } else { v };
                    broadcast(&format!("attribute `{k}`"), &[v.len()], &v, w.width)
                        .map_err(|r| bad(&name, op, r))
                };
                let f = Affine::scaler(vec("offset", 0.0)?, vec("scale", 1.0)?);
                w.affine(&name, op, f)?;
            }
            "BatchNormalization" => {
                if attr(node, "training_mode").is_some_and(|a| a.i != 0)
                    || node.output.iter().skip(1).any(|o| !o.is_empty())
                {
                    return Err(bad(
                        &name,
                        op,
                        "only inference mode (one output, training_mode = 0) is supported",
                    ));
                }
                let mut p = Vec::new();
                for (k, label) in [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")] {
                    let t = node
                        .input
                        .get(k)
                        .ok_or_else(|| bad(&name, op, format!("missing input `{label}`")))?;
                    let (_, v) = w.const_values(&name, op, t)?;
                    if v.len() != w.channels() {
                        return Err(bad(
                            &name,
                            op,
                            format!(
                                "`{label}` ({t}) has {} values for {} channels",
                                v.len(),
                                w.channels()
                            ),
                        ));
                    }
                    p.push(v);
                }
                let eps = f64::from(attr(node, "epsilon").map_or(1e-5, |a| a.f));
                let f = Affine::batch_norm(&p[0], &p[1], &p[2], &p[3], eps)
                    .map_err(|r| bad(&name, op, r))?;
                w.affine(&name, op, f)?;
            }
            "Relu" if w.shape.is_some() => {
                let back = if w.open {
                    1
                } else if w.pool_before_relu {
                    2
                } else {
                    0
                };
                let at = w.image.len().checked_sub(back).filter(|_| back > 0);
                match at.and_then(|i| w.image.get_mut(i)) {
                    Some(FloatImageLayer::Conv(c)) => c.relu = true,
                    _ => {
                        return Err(bad(
                            &name,
                            op,
                            "ReLU on image data is only supported right after a convolution (or after the max pooling that follows one)",
                        ))
                    }
                }
                w.open = false;
                w.pool_before_relu = false;
            }
            "Relu" => {
                if let Some((from, from_op)) = &w.pending_from {
                    return Err(bad(
                        &name,
                        op,
                        format!("ReLU after `{from}` ({from_op}), which is not right after a dense layer: only ReLU(dense) is supported"),
                    ));
                }
                match w.layers.last_mut() {
                    None => {
                        return Err(bad(
                            &name,
                            op,
                            "ReLU before the first dense layer is not supported",
                        ))
                    }
                    Some(layer) => layer.relu = true,
                }
                w.open = false;
            }
            "Cast" => {
                let to = attr(node, "to").map_or(0, |a| a.i);
                if !FLOAT_TYPES.contains(&to) {
                    return Err(bad(
                        &name,
                        op,
                        format!("a Cast on the data path must be to float or double, not ONNX type {to}"),
                    ));
                }
            }
            "Flatten" | "Reshape" => w.flatten(node, &name, op)?,
            "Identity" | "Dropout" => {}
            "Softmax" | "LogSoftmax" => {
                if w.layers.is_empty() || w.pending_from.is_some() {
                    return Err(bad(
                        &name,
                        op,
                        format!("{op} is only accepted right after the last dense layer"),
                    ));
                }
                softmax_dropped = true;
                w.open = false;
                w.ended = Some(format!("{op} `{name}`"));
            }
            "Sigmoid" => {
                cur = w.logistic_head(&name, &out)?;
                softmax_dropped = true;
                continue;
            }
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
    if !w.outputs.contains(cur.as_str()) {
        let why = if label_seen {
            format!("the graph outputs only a label computed by ArgMax from `{cur}`; make the scores (logits or probabilities) a graph output too")
        } else {
            format!("tensor `{cur}` is not consumed by any node and is not a graph output")
        };
        return Err(ModelError::Malformed(why));
    }
    if let Some((from, from_op)) = &w.pending_from {
        return Err(bad(
            from,
            from_op,
            "no dense layer follows to fold this elementwise op into",
        ));
    }
    if let Some((i, n)) = graph
        .node
        .iter()
        .enumerate()
        .find(|(i, n)| !w.visited[*i] && n.op_type != "Constant")
    {
        return Err(ModelError::Malformed(format!(
            "node `{}` ({}) is not on the path from the input to the output",
            node_name(n, i),
            n.op_type
        )));
    }
    if w.layers.is_empty() {
        return Err(ModelError::Malformed(
            "no dense layer (Gemm or MatMul) between the input and the output".into(),
        ));
    }
    Ok(Extraction {
        network: FloatNetwork {
            input_width: width,
            input_shape: image,
            image: w.image,
            layers: w.layers,
            softmax_dropped,
        },
        output: cur,
    })
}

mod image;
#[cfg(test)]
mod tests;
