//! Convolutional envelopes (schema 2): the image stages before `flatten` and the dense layers.
//!
//! Values flow channel-major (`C×H×W`, ONNX's NCHW without the batch axis); `flatten` keeps
//! that order, so the dense part sees feature `c·H·W + y·W + x`. A model with fewer channels
//! than the envelope is zero-padded at the end of the channel axis, which leaves the flattened
//! index of every real value unchanged.

/// One image stage of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageStage {
    /// A 2-D convolution (square kernel, stride and zero padding), then ReLU and saturation to
    /// `[0, activation_max]` like a hidden dense layer.
    Conv(ConvEnvelope),
    /// Max pooling (no padding).
    MaxPool(PoolEnvelope),
    /// Average pooling, proved as the window's sum: the division by the window's area is the
    /// next layer's (its weights and shift absorb it; `docs/PROTOCOL.md` §9).
    AvgPool(PoolEnvelope),
}

/// A convolution of the envelope: at most `channels` output channels (models with fewer are
/// zero-padded), a `kernel×kernel` kernel, `stride`, `padding` zeros on every side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvEnvelope {
    /// Output channels (the padded count).
    pub channels: usize,
    /// Kernel side.
    pub kernel: usize,
    /// Stride on both axes.
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
}

/// A pooling window: `kernel×kernel`, moved by `stride`, no padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolEnvelope {
    /// Window side.
    pub kernel: usize,
    /// Stride on both axes.
    pub stride: usize,
}

/// `C×H×W`.
pub type ImageShape = [usize; 3];

impl ImageStage {
    /// The stage's output shape for input `[c, h, w]`, `None` when the window does not fit.
    pub fn out_shape(&self, [c, h, w]: ImageShape) -> Option<ImageShape> {
        let out = |len: usize, k: usize, s: usize, p: usize| {
            let padded = len + 2 * p;
            (k >= 1 && s >= 1 && k <= padded).then(|| (padded - k) / s + 1)
        };
        match self {
            ImageStage::Conv(v) => Some([
                v.channels,
                out(h, v.kernel, v.stride, v.padding)?,
                out(w, v.kernel, v.stride, v.padding)?,
            ]),
            ImageStage::MaxPool(p) | ImageStage::AvgPool(p) => Some([
                c,
                out(h, p.kernel, p.stride, 0)?,
                out(w, p.kernel, p.stride, 0)?,
            ]),
        }
    }

    /// A bound on the stage's output values given a bound on its inputs' (convolutions
    /// saturate to `activation_max`, max pooling keeps the bound, average pooling sums the
    /// window).
    pub fn out_bound(&self, input: i64, activation_max: i64) -> i64 {
        match self {
            ImageStage::Conv(_) => activation_max,
            ImageStage::MaxPool(_) => input,
            ImageStage::AvgPool(p) => input * (p.kernel * p.kernel) as i64,
        }
    }

    /// The stage's `kind` as a spec writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            ImageStage::Conv(_) => "conv2d",
            ImageStage::MaxPool(_) => "maxpool",
            ImageStage::AvgPool(_) => "avgpool",
        }
    }
}

/// The image part of an envelope: the input's shape and the stages up to `flatten`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageEnvelope {
    /// The input's `C×H×W` (`input.shape`).
    pub input: ImageShape,
    /// The stages, first to last (the first is a convolution).
    pub stages: Vec<ImageStage>,
}

impl ImageEnvelope {
    /// The shape before each stage and after the last: `stages.len() + 1` entries.
    ///
    /// # Assumptions
    /// The envelope was validated (every window fits).
    pub fn shapes(&self) -> Vec<ImageShape> {
        let mut shapes = vec![self.input];
        for stage in &self.stages {
            let last = shapes[shapes.len() - 1];
            shapes.push(stage.out_shape(last).unwrap_or([0, 0, 0]));
        }
        shapes
    }

    /// The width `flatten` gives the first dense layer.
    pub fn flat_width(&self) -> usize {
        let [c, h, w] = self.shapes()[self.stages.len()];
        c * h * w
    }

    /// The convolutions, in order.
    pub fn convs(&self) -> impl Iterator<Item = &ConvEnvelope> {
        self.conv_inputs().map(|(c, _)| c)
    }

    /// The convolutions with the shape of their input, in order.
    pub fn conv_inputs(&self) -> impl Iterator<Item = (&ConvEnvelope, ImageShape)> {
        self.stages
            .iter()
            .zip(self.shapes())
            .filter_map(|(s, shape)| match s {
                ImageStage::Conv(c) => Some((c, shape)),
                _ => None,
            })
    }
}
