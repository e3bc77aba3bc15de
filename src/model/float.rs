//! The float dense network extracted from ONNX, its fit into the contest envelope and the
//! zero-padding that makes every competitor's model the envelope's shape.

use super::{ModelError, Result};
use crate::spec::{Activation, Envelope};

/// One dense layer `y = x·W + b`, optionally followed by ReLU.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatLayer {
    /// The ONNX node that produced it (for messages).
    pub name: String,
    /// `weights[i][j]` multiplies input `i` into output `j`.
    pub weights: Vec<Vec<f64>>,
    /// One bias per output.
    pub bias: Vec<f64>,
    /// ReLU after the layer.
    pub relu: bool,
}

impl FloatLayer {
    /// Inputs.
    pub fn in_width(&self) -> usize {
        self.weights.len()
    }

    /// Outputs.
    pub fn out_width(&self) -> usize {
        self.bias.len()
    }
}

/// A chain of dense layers.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatNetwork {
    /// Inputs of the first layer.
    pub input_width: usize,
    /// The layers, first to last.
    pub layers: Vec<FloatLayer>,
    /// Whether a final Softmax/LogSoftmax was dropped.
    pub softmax_dropped: bool,
}

impl FloatNetwork {
    /// Widths `[d_0, …, d_L]`.
    pub fn dims(&self) -> Vec<usize> {
        std::iter::once(self.input_width)
            .chain(self.layers.iter().map(FloatLayer::out_width))
            .collect()
    }

    /// Number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.in_width() * l.out_width() + l.out_width())
            .sum()
    }

    /// Float forward pass in f64 (the logits, before any dropped softmax).
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        let mut a = x.to_vec();
        for layer in &self.layers {
            let mut z = layer.bias.clone();
            for (xi, row) in a.iter().zip(&layer.weights) {
                for (zj, w) in z.iter_mut().zip(row) {
                    *zj += xi * w;
                }
            }
            if layer.relu {
                z.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            a = z;
        }
        a
    }

    /// Checks that the network fits the envelope: same number of layers, the spec's input
    /// width, each hidden width at most the envelope's, the output width equal to it, ReLU
    /// after exactly the hidden layers.
    pub fn check_fits(&self, envelope: &Envelope) -> Result<()> {
        let (got, want) = (self.layers.len(), envelope.layers.len());
        if got != want {
            let dims: Vec<String> = self.dims().iter().map(usize::to_string).collect();
            let env: Vec<String> = envelope.dims().iter().map(|d| format!("≤{d}")).collect();
            return Err(ModelError::Envelope(format!(
                "the model has {got} dense layers ({}), the envelope has {want} ({})",
                dims.join(" → "),
                env.join(" → ")
            )));
        }
        if self.input_width != envelope.input_width {
            return Err(ModelError::Envelope(format!(
                "the model takes {} input features, the contest has {}",
                self.input_width, envelope.input_width
            )));
        }
        let last = want - 1;
        for (l, (layer, env)) in self.layers.iter().zip(&envelope.layers).enumerate() {
            let (n, w, max) = (l + 1, layer.out_width(), env.max_width);
            if l == last && w != max {
                return Err(ModelError::Envelope(format!(
                    "layer {n} (node `{}`) is the output layer with {w} outputs, the contest has {max} classes",
                    layer.name
                )));
            }
            if w > max {
                return Err(ModelError::Envelope(format!(
                    "layer {n} (node `{}`) has {w} outputs, the envelope allows at most {max}: {} too wide",
                    layer.name,
                    w - max
                )));
            }
            match (env.activation, layer.relu) {
                (Activation::Relu, false) => {
                    return Err(ModelError::Envelope(format!(
                        "layer {n} (node `{}`) has no ReLU after it; the envelope requires ReLU after every hidden layer",
                        layer.name
                    )))
                }
                (Activation::None, true) => {
                    return Err(ModelError::Envelope(format!(
                        "layer {n} (node `{}`) is the output layer and must not end with ReLU",
                        layer.name
                    )))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Zero-pads a fitting network to the envelope's widths. A padded hidden unit has zero
    /// weights and bias, so it outputs ReLU(0) = 0, and its outgoing weights are zero: no
    /// output changes.
    pub fn padded(&self, envelope: &Envelope) -> Result<FloatNetwork> {
        self.check_fits(envelope)?;
        let dims = envelope.dims();
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                let (d_in, d_out) = (dims[l], dims[l + 1]);
                let mut weights = vec![vec![0.0; d_out]; d_in];
                for (dst, src) in weights.iter_mut().zip(&layer.weights) {
                    dst[..src.len()].copy_from_slice(src);
                }
                let mut bias = vec![0.0; d_out];
                bias[..layer.bias.len()].copy_from_slice(&layer.bias);
                FloatLayer {
                    name: layer.name.clone(),
                    weights,
                    bias,
                    relu: layer.relu,
                }
            })
            .collect();
        Ok(FloatNetwork {
            input_width: self.input_width,
            layers,
            softmax_dropped: self.softmax_dropped,
        })
    }
}
