//! The graph walk on image data (`[N, C, H, W]` inputs): `Conv`, `MaxPool`, `AveragePool` and
//! the `Flatten` or `Reshape` that hands the data to the dense layers.

use tract_onnx::pb::NodeProto;

use super::super::fold::Affine;
use super::super::{attr, bad};
use super::Walk;
use crate::model::float::{FloatConv, FloatImageLayer};
use crate::model::Result;
use crate::spec::PoolEnvelope;

impl Walk<'_> {
    /// The channels of the image data (the walk is in image mode).
    pub(super) fn channels(&self) -> usize {
        self.shape.map_or(self.width, |s| s[0])
    }

    /// A square, symmetric 2-D window attribute set: `(kernel, stride, padding)`, from the
    /// `kernel_shape` (or `kernel` dims), `strides` (default 1), `pads` (default 0);
    /// dilations must be 1 and `auto_pad` unset.
    fn window(
        node: &NodeProto,
        name: &str,
        op: &str,
        kernel: Option<[usize; 2]>,
    ) -> Result<(usize, usize, usize)> {
        let ints = |k: &str| attr(node, k).map(|a| a.ints.clone());
        if let Some(a) = attr(node, "auto_pad") {
            let mode = String::from_utf8_lossy(&a.s).to_string();
            if !(mode.is_empty() || mode == "NOTSET" || mode == "VALID") {
                return Err(bad(
                    name,
                    op,
                    format!("auto_pad = {mode} is not supported: export with explicit pads"),
                ));
            }
        }
        if ints("dilations").is_some_and(|d| d.iter().any(|&v| v != 1)) {
            return Err(bad(name, op, "dilations other than 1 are not supported"));
        }
        let square = |what: &str, v: &[i64]| -> Result<usize> {
            match v {
                [a, b] if a == b && *a >= 0 => Ok(*a as usize),
                _ => Err(bad(name, op, format!("{what} {v:?}: only equal values on both axes (a square window) are supported"))),
            }
        };
        let k = match (ints("kernel_shape"), kernel) {
            (Some(ks), Some([kh, kw])) if ks != [kh as i64, kw as i64] => {
                return Err(bad(
                    name,
                    op,
                    format!("kernel_shape {ks:?} does not match the weights' {kh}×{kw}"),
                ))
            }
            (_, Some([kh, kw])) => square("kernel", &[kh as i64, kw as i64])?,
            (Some(ks), None) => square("kernel_shape", &ks)?,
            (None, None) => return Err(bad(name, op, "missing kernel_shape")),
        };
        let stride = match ints("strides") {
            Some(v) => square("strides", &v)?,
            None => 1,
        };
        let pad = match ints("pads").as_deref() {
            None | Some([]) => 0,
            Some([t, l, b, r]) if t == l && l == b && b == r && *t >= 0 => *t as usize,
            Some(v) => {
                return Err(bad(
                    name,
                    op,
                    format!("pads {v:?}: only the same padding on every side is supported"),
                ))
            }
        };
        if stride == 0 || k == 0 {
            return Err(bad(name, op, "kernel and strides must be positive"));
        }
        Ok((k, stride, pad))
    }

    pub(super) fn conv(&mut self, node: &NodeProto, name: &str, cur: &str) -> Result<()> {
        let op = "Conv";
        let Some([c, h, w]) = self.shape else {
            return Err(bad(name, op, "a convolution needs image data: the graph input must be [N, C, H, W] (and no Flatten before it)"));
        };
        if node.input.first().map(String::as_str) != Some(cur) {
            return Err(bad(
                name,
                op,
                format!("the data tensor `{cur}` must be the first input"),
            ));
        }
        if attr(node, "group").is_some_and(|a| a.i != 1) {
            return Err(bad(
                name,
                op,
                "grouped (depthwise) convolutions are not supported",
            ));
        }
        let w_name = node
            .input
            .get(1)
            .ok_or_else(|| bad(name, op, "missing weight input"))?;
        let (dims, weights) = self.const_values(name, op, w_name)?;
        let [o, ci, kh, kw] = dims.as_slice() else {
            return Err(bad(
                name,
                op,
                format!("weight `{w_name}` must be 4-D [O, C, kH, kW], has shape {dims:?}"),
            ));
        };
        if *ci != c {
            return Err(bad(
                name,
                op,
                format!("weight `{w_name}` expects {ci} input channels, the data has {c}"),
            ));
        }
        let (kernel, stride, padding) = Self::window(node, name, op, Some([*kh, *kw]))?;
        let mut bias = vec![0.0; *o];
        if let Some(b_name) = node.input.get(2).filter(|s| !s.is_empty()) {
            let (_, b) = self.const_values(name, op, b_name)?;
            if b.len() != *o {
                return Err(bad(
                    name,
                    op,
                    format!(
                        "bias `{b_name}` has {} values for {o} output channels",
                        b.len()
                    ),
                ));
            }
            bias = b;
        }
        let mut conv = FloatConv {
            name: name.to_string(),
            c_in: c,
            c_out: *o,
            kernel,
            stride,
            padding,
            weights,
            bias,
            relu: false,
        };
        self.fold_pending(name, op, |p| p.fold_before_conv(&mut conv))?;
        let next = conv.stage().out_shape([c, h, w]).ok_or_else(|| {
            bad(name, op, format!("a {kernel}×{kernel} kernel with padding {padding} does not fit the {h}×{w} input"))
        })?;
        self.image.push(FloatImageLayer::Conv(conv));
        self.shape = Some(next);
        self.width = next.iter().product();
        self.pending = Affine::identity(next[0]);
        self.open = true;
        self.pool_before_relu = false;
        Ok(())
    }

    pub(super) fn pool(&mut self, node: &NodeProto, name: &str, op: &str) -> Result<()> {
        let Some(shape) = self.shape else {
            return Err(bad(name, op, "pooling needs image data: the graph input must be [N, C, H, W] (and no Flatten before it)"));
        };
        if node.output.iter().skip(1).any(|o| !o.is_empty()) {
            return Err(bad(name, op, "the Indices output is not supported"));
        }
        if attr(node, "ceil_mode").is_some_and(|a| a.i != 0) {
            return Err(bad(name, op, "ceil_mode = 1 is not supported"));
        }
        let (kernel, stride, pad) = Self::window(node, name, op, None)?;
        if pad != 0 {
            return Err(bad(name, op, "padded pooling is not supported"));
        }
        if let Some((from, from_op)) = &self.pending_from {
            return Err(bad(name, op, format!("`{from}` ({from_op}) before pooling cannot be folded: only after a convolution (into it) or before one")));
        }
        let p = PoolEnvelope { kernel, stride };
        let layer = if op == "MaxPool" {
            FloatImageLayer::MaxPool(p)
        } else {
            FloatImageLayer::AvgPool(p)
        };
        let next = layer.stage().out_shape(shape).ok_or_else(|| {
            bad(
                name,
                op,
                format!(
                    "a {kernel}×{kernel} window does not fit the {}×{} input",
                    shape[1], shape[2]
                ),
            )
        })?;
        // Max pooling commutes with ReLU: a Relu right after it belongs to the convolution.
        self.pool_before_relu = self.open && op == "MaxPool";
        if self.open && op != "MaxPool" {
            return Err(bad(name, op, "average pooling right after a convolution without ReLU is not supported: the envelope applies ReLU to the convolution's outputs first"));
        }
        self.open = false;
        self.image.push(layer);
        self.shape = Some(next);
        self.width = next.iter().product();
        self.pending = Affine::identity(next[0]);
        Ok(())
    }

    /// `Flatten` (axis 1) or a `Reshape` to `[N, C·H·W]` of image data: the dense part starts.
    pub(super) fn flatten(&mut self, node: &NodeProto, name: &str, op: &str) -> Result<()> {
        let Some([c, h, w]) = self.shape else {
            return Ok(());
        };
        let flat = (c * h * w) as i64;
        let ok = match op {
            "Flatten" => attr(node, "axis").map_or(1, |a| a.i) == 1,
            _ => match node.input.get(1).and_then(|t| self.consts.get(t.as_str())) {
                Some(t) => {
                    let dims: Vec<i64> = if t.int64_data.is_empty() {
                        t.raw_data
                            .chunks_exact(8)
                            .map(|b| i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                            .collect()
                    } else {
                        t.int64_data.clone()
                    };
                    matches!(dims.as_slice(), [n, f] if [1, -1, 0].contains(n) && (*f == flat || *f == -1))
                }
                None => false,
            },
        };
        if !ok {
            return Err(bad(name, op, format!("on {c}×{h}×{w} image data only a flatten to [N, {flat}] is supported (Flatten with axis 1, or Reshape to [-1, {flat}])")));
        }
        if self.pending_from.is_some() {
            self.pending = self.pending.per_feature(h * w);
        }
        self.shape = None;
        self.width = c * h * w;
        self.open = false;
        Ok(())
    }
}
