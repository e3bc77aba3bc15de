//! The float network extracted from ONNX (image stages, then dense layers), its fit into the
//! contest envelope and the zero-padding that makes every competitor's model the envelope's
//! shape.

use super::image::{convolve, pool_windows};
use super::{ModelError, Result};
use crate::spec::{Activation, ConvEnvelope, Envelope, ImageShape, ImageStage, PoolEnvelope};

/// One float convolution (square kernel, stride and zero padding), optionally followed by
/// ReLU.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatConv {
    /// The ONNX node that produced it (for messages).
    pub name: String,
    /// Input channels.
    pub c_in: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel side.
    pub kernel: usize,
    /// Stride.
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
    /// `O×C×k×k`, flat OIHW.
    pub weights: Vec<f64>,
    /// One bias per output channel.
    pub bias: Vec<f64>,
    /// ReLU after the convolution.
    pub relu: bool,
}

impl FloatConv {
    /// The envelope stage of this geometry with its own channel count.
    pub fn stage(&self) -> ImageStage {
        ImageStage::Conv(ConvEnvelope {
            channels: self.c_out,
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
        })
    }

    /// `conv(a) + b` (then ReLU if the layer has it) on one `C×H×W` input.
    pub fn forward(&self, a: &[f64], shape: ImageShape) -> Vec<f64> {
        let geometry = (self.c_out, self.kernel, self.stride, self.padding);
        let z = convolve(a, shape, geometry, (&self.weights, &self.bias));
        if self.relu {
            z.into_iter().map(|v| v.max(0.0)).collect()
        } else {
            z
        }
    }
}

/// One float image stage.
#[derive(Clone, Debug, PartialEq)]
pub enum FloatImageLayer {
    /// A convolution.
    Conv(FloatConv),
    /// Max pooling.
    MaxPool(PoolEnvelope),
    /// Average pooling (the float mean of each window).
    AvgPool(PoolEnvelope),
}

impl FloatImageLayer {
    /// The envelope stage of this layer's geometry.
    pub fn stage(&self) -> ImageStage {
        match self {
            FloatImageLayer::Conv(c) => c.stage(),
            FloatImageLayer::MaxPool(p) => ImageStage::MaxPool(*p),
            FloatImageLayer::AvgPool(p) => ImageStage::AvgPool(*p),
        }
    }

    /// The stage on one input of `shape`.
    pub fn forward(&self, a: &[f64], shape: ImageShape) -> Vec<f64> {
        match self {
            FloatImageLayer::Conv(c) => c.forward(a, shape),
            FloatImageLayer::MaxPool(p) => pool_windows(shape, *p)
                .iter()
                .map(|w| w.iter().map(|&i| a[i]).fold(f64::NEG_INFINITY, f64::max))
                .collect(),
            FloatImageLayer::AvgPool(p) => pool_windows(shape, *p)
                .iter()
                .map(|w| w.iter().map(|&i| a[i]).sum::<f64>() / w.len() as f64)
                .collect(),
        }
    }
}

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

/// Image stages (when the input is an image), then a chain of dense layers.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatNetwork {
    /// Input features (`C·H·W` for an image).
    pub input_width: usize,
    /// The input's `C×H×W` when the network starts with image stages.
    pub input_shape: Option<ImageShape>,
    /// The image stages, first to last (empty for a dense network).
    pub image: Vec<FloatImageLayer>,
    /// The dense layers, first to last.
    pub layers: Vec<FloatLayer>,
    /// Whether a final Softmax/LogSoftmax was dropped.
    pub softmax_dropped: bool,
}

impl FloatNetwork {
    /// The shape before each image stage and after the last (`None` for a dense network or a
    /// stage whose window does not fit).
    pub fn image_shapes(&self) -> Option<Vec<ImageShape>> {
        let mut shapes = vec![self.input_shape?];
        for layer in &self.image {
            shapes.push(layer.stage().out_shape(shapes[shapes.len() - 1])?);
        }
        Some(shapes)
    }

    /// The first dense layer's input width: the features, or the flattened image output.
    pub fn dense_input(&self) -> usize {
        match self.image_shapes() {
            Some(shapes) if !self.image.is_empty() => {
                shapes[shapes.len() - 1].iter().product::<usize>()
            }
            _ => self.input_width,
        }
    }

    /// Dense widths `[d_0, …, d_L]`.
    pub fn dims(&self) -> Vec<usize> {
        std::iter::once(self.dense_input())
            .chain(self.layers.iter().map(FloatLayer::out_width))
            .collect()
    }

    /// Number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        let convs: usize = self
            .image
            .iter()
            .map(|l| match l {
                FloatImageLayer::Conv(c) => c.weights.len() + c.bias.len(),
                _ => 0,
            })
            .sum();
        convs
            + self
                .layers
                .iter()
                .map(|l| l.in_width() * l.out_width() + l.out_width())
                .sum::<usize>()
    }

    /// Float forward pass in f64 (the logits, before any dropped softmax).
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        let mut a = x.to_vec();
        if let Some(shapes) = self.image_shapes() {
            for (layer, &shape) in self.image.iter().zip(&shapes) {
                a = layer.forward(&a, shape);
            }
        }
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
        self.check_image_fits(envelope)?;
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
        // Below the envelope's channels, a flattened width below the envelope's is expected.
        let (flat, env_flat) = (self.dense_input(), envelope.dense_input());
        if flat > env_flat || (self.image.is_empty() && flat != env_flat) {
            return Err(ModelError::Envelope(format!(
                "the first dense layer reads {flat} values, the envelope {env_flat}"
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

    /// The image stages against the envelope's: the same kinds, kernels, strides and padding,
    /// at most its channels, and the input shape.
    fn check_image_fits(&self, envelope: &Envelope) -> Result<()> {
        let stages = envelope.image_stages();
        if self.image.len() != stages.len() {
            let what = |n: usize| match n {
                0 => "no image stages".to_string(),
                n => format!("{n} image stages (convolutions and pooling)"),
            };
            return Err(ModelError::Envelope(format!(
                "the model has {}, the envelope {}",
                what(self.image.len()),
                what(stages.len())
            )));
        }
        if let Some(image) = &envelope.image {
            if self.input_shape != Some(image.input) {
                return Err(ModelError::Envelope(format!(
                    "the model takes images of shape {:?}, the contest {:?} (C×H×W)",
                    self.input_shape, image.input
                )));
            }
        }
        for (i, (layer, env)) in self.image.iter().zip(stages).enumerate() {
            let ok = match (layer.stage(), env) {
                (ImageStage::Conv(m), ImageStage::Conv(e)) => {
                    (m.kernel, m.stride, m.padding) == (e.kernel, e.stride, e.padding)
                        && m.channels <= e.channels
                }
                (m, e) => m == *e,
            };
            if !ok {
                let name = match layer {
                    FloatImageLayer::Conv(c) => format!(" (node `{}`)", c.name),
                    _ => String::new(),
                };
                return Err(ModelError::Envelope(format!(
                    "image stage {}{name} is {}, the envelope's is {}",
                    i + 1,
                    describe(&layer.stage()),
                    describe(env)
                )));
            }
            if let FloatImageLayer::Conv(c) = layer {
                if !c.relu {
                    return Err(ModelError::Envelope(format!(
                        "convolution `{}` has no ReLU after it; the envelope requires ReLU after every convolution",
                        c.name
                    )));
                }
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
            input_shape: self.input_shape,
            image: self.padded_image(envelope),
            layers,
            softmax_dropped: self.softmax_dropped,
        })
    }

    /// The image stages with each convolution padded to the envelope's channels: zero kernels
    /// and biases for the extra output channels, zero kernel slices on the extra input
    /// channels of the next convolution (`docs/PROTOCOL.md` §9.3).
    fn padded_image(&self, envelope: &Envelope) -> Vec<FloatImageLayer> {
        let mut c_in = self.input_shape.map_or(0, |s| s[0]);
        let stages = envelope.image_stages();
        self.image
            .iter()
            .zip(stages)
            .map(|(layer, env)| match (layer, env) {
                (FloatImageLayer::Conv(c), ImageStage::Conv(e)) => {
                    let k2 = c.kernel * c.kernel;
                    let mut weights = vec![0.0; e.channels * c_in * k2];
                    for o in 0..c.c_out {
                        for ci in 0..c.c_in {
                            let src = &c.weights[(o * c.c_in + ci) * k2..][..k2];
                            weights[(o * c_in + ci) * k2..][..k2].copy_from_slice(src);
                        }
                    }
                    let mut bias = vec![0.0; e.channels];
                    bias[..c.c_out].copy_from_slice(&c.bias);
                    c_in = e.channels;
                    FloatImageLayer::Conv(FloatConv {
                        c_in: weights.len() / (e.channels * k2),
                        c_out: e.channels,
                        weights,
                        bias,
                        ..c.clone()
                    })
                }
                (other, _) => other.clone(),
            })
            .collect()
    }
}

/// A stage as a reader would write it, e.g. `conv2d 3×3 (stride 1, padding 1) to 8 channels`.
pub fn describe(stage: &ImageStage) -> String {
    match stage {
        ImageStage::Conv(c) => format!(
            "conv2d {k}×{k} (stride {}, padding {}) to {} channels",
            c.stride,
            c.padding,
            c.channels,
            k = c.kernel
        ),
        ImageStage::MaxPool(p) => format!("maxpool {k}×{k} (stride {})", p.stride, k = p.kernel),
        ImageStage::AvgPool(p) => format!("avgpool {k}×{k} (stride {})", p.stride, k = p.kernel),
    }
}
