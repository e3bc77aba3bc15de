//! The integer model: what a competitor commits to and the circuit proves about.

use super::image::{ConvLayer, ImageLayer};
use super::{ModelError, Result};
use crate::spec::{ImageShape, ImageStage, QuantSpec, Spec};

/// One integer dense layer: int8 weights `[in][out]`, int32 biases, a right shift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedLayer {
    weights: Vec<Vec<i8>>,
    biases: Vec<i32>,
    shift: u32,
}

impl QuantizedLayer {
    /// A layer from `weights[i][j]` (input `i` into output `j`), one bias per output and the
    /// shift `s`; the matrix must be rectangular with as many columns as biases.
    pub fn new(weights: Vec<Vec<i8>>, biases: Vec<i32>, shift: u32) -> Result<Self> {
        if weights.is_empty() || biases.is_empty() {
            return Err(ModelError::Reference(
                "a layer needs at least one input and one output".into(),
            ));
        }
        if let Some((i, row)) = weights
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != biases.len())
        {
            return Err(ModelError::Reference(format!(
                "weight row {i} has {} entries for {} outputs",
                row.len(),
                biases.len()
            )));
        }
        Ok(Self {
            weights,
            biases,
            shift,
        })
    }

    /// `weights[i][j]`: input `i` into output `j`.
    pub fn weights(&self) -> &[Vec<i8>] {
        &self.weights
    }

    /// `W[i][j]` as i64.
    pub fn weight(&self, i: usize, j: usize) -> i64 {
        i64::from(self.weights[i][j])
    }

    /// Biases, one per output.
    pub fn biases(&self) -> &[i32] {
        &self.biases
    }

    /// The right shift `s` applied to `z`.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    /// Inputs.
    pub fn in_width(&self) -> usize {
        self.weights.len()
    }

    /// Outputs.
    pub fn out_width(&self) -> usize {
        self.biases.len()
    }
}

/// A quantised network with the integer ranges of its contest: the input range, the hidden
/// activation range `[0, activation_max]`, the logit range and `shift_max`. Image stages
/// (convolutions, pooling) come first when the contest's envelope has them, then the dense
/// layers read their flattened output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedModel {
    input_min: i64,
    input_max: i64,
    quant: QuantSpec,
    input_shape: Option<ImageShape>,
    image: Vec<ImageLayer>,
    layers: Vec<QuantizedLayer>,
}

impl QuantizedModel {
    /// A dense model: see [`QuantizedModel::with_image`].
    pub fn new(spec: &Spec, layers: Vec<QuantizedLayer>) -> Result<Self> {
        Self::with_image(spec, Vec::new(), layers)
    }

    /// Checks the image stages against the envelope's (same kinds, kernels, strides and
    /// padding in order; at most its channels; each convolution's input channels those of the
    /// stage before), the chain of dense widths (first input = the flattened image output or
    /// `input.features`, last output = `classes`, each layer's input = the previous layer's
    /// output) and every shift against `shift_max`. Widths and channels may be below the
    /// envelope's (see [`QuantizedModel::fits_envelope`]).
    pub fn with_image(
        spec: &Spec,
        image: Vec<ImageLayer>,
        layers: Vec<QuantizedLayer>,
    ) -> Result<Self> {
        let stages = spec.envelope.image_stages();
        if image.len() != stages.len() {
            return Err(ModelError::Reference(format!(
                "the model has {} image stages, the envelope {}",
                image.len(),
                stages.len()
            )));
        }
        let input_shape = spec.envelope.image.as_ref().map(|i| i.input);
        let mut shape = input_shape.unwrap_or([spec.input.features, 1, 1]);
        for (i, (layer, env)) in image.iter().zip(stages).enumerate() {
            let fits = match (layer, env) {
                (ImageLayer::Conv(c), ImageStage::Conv(e)) => {
                    if c.c_in != shape[0] {
                        return Err(ModelError::Reference(format!(
                            "image stage {} takes {} channels, the stage before gives {}",
                            i + 1,
                            c.c_in,
                            shape[0]
                        )));
                    }
                    if c.shift() > spec.quant.shift_max {
                        return Err(ModelError::Reference(format!(
                            "image stage {} shift {} exceeds shift_max {}",
                            i + 1,
                            c.shift(),
                            spec.quant.shift_max
                        )));
                    }
                    (c.kernel, c.stride, c.padding) == (e.kernel, e.stride, e.padding)
                        && c.c_out <= e.channels
                }
                (ImageLayer::MaxPool(p), ImageStage::MaxPool(e))
                | (ImageLayer::AvgPool(p), ImageStage::AvgPool(e)) => p == e,
                _ => false,
            };
            if !fits {
                return Err(ModelError::Reference(format!(
                    "image stage {} is {:?}, the envelope's is {:?}",
                    i + 1,
                    layer.stage(),
                    env
                )));
            }
            shape = layer.stage().out_shape(shape).ok_or_else(|| {
                ModelError::Reference(format!("image stage {} does not fit its input", i + 1))
            })?;
        }
        let mut width = shape.iter().product::<usize>();
        for (l, layer) in layers.iter().enumerate() {
            if layer.in_width() != width {
                return Err(ModelError::Reference(format!(
                    "layer {} takes {} inputs, the previous stage gives {width}",
                    l + 1,
                    layer.in_width()
                )));
            }
            if layer.shift > spec.quant.shift_max {
                return Err(ModelError::Reference(format!(
                    "layer {} shift {} exceeds shift_max {}",
                    l + 1,
                    layer.shift,
                    spec.quant.shift_max
                )));
            }
            width = layer.out_width();
        }
        if layers.is_empty() || width != spec.classes {
            return Err(ModelError::Reference(format!(
                "the last layer gives {width} outputs, the contest has {} classes",
                spec.classes
            )));
        }
        Ok(Self {
            input_min: spec.input.min,
            input_max: spec.input.max,
            quant: spec.quant,
            input_shape,
            image,
            layers,
        })
    }

    /// The image stages, first to last (empty for a dense model).
    pub fn image(&self) -> &[ImageLayer] {
        &self.image
    }

    /// The convolutions among the image stages, in order.
    pub fn convs(&self) -> impl Iterator<Item = &ConvLayer> {
        self.image.iter().filter_map(|l| match l {
            ImageLayer::Conv(c) => Some(c),
            _ => None,
        })
    }

    /// The input's `C×H×W` when the model has image stages.
    pub fn input_shape(&self) -> Option<ImageShape> {
        self.input_shape
    }

    /// Every shift, the convolutions' first, then the dense layers'.
    pub fn shifts(&self) -> Vec<u32> {
        self.convs()
            .map(ConvLayer::shift)
            .chain(self.layers.iter().map(QuantizedLayer::shift))
            .collect()
    }

    /// The dense layers, first to last.
    pub fn layers(&self) -> &[QuantizedLayer] {
        &self.layers
    }

    /// Dense widths `[d_0, …, d_L]`.
    pub fn dims(&self) -> Vec<usize> {
        let first = self.layers.first().map_or(0, QuantizedLayer::in_width);
        std::iter::once(first)
            .chain(self.layers.iter().map(QuantizedLayer::out_width))
            .collect()
    }

    /// True when the widths and channels are exactly the envelope's (the committed, padded
    /// form).
    pub fn fits_envelope(&self, spec: &Spec) -> bool {
        let channels = self.convs().map(|c| c.c_out);
        self.dims() == spec.envelope.dims()
            && channels.eq(spec
                .envelope
                .image
                .iter()
                .flat_map(|i| i.convs())
                .map(|c| c.channels))
    }

    /// The integer ranges.
    pub fn quant(&self) -> QuantSpec {
        self.quant
    }

    /// Input feature range `[min, max]`.
    pub fn input_range(&self) -> (i64, i64) {
        (self.input_min, self.input_max)
    }

    /// Saturation range of layer `l`'s output (0-based): `[0, activation_max]` for hidden
    /// layers, the logit range for the last.
    pub fn output_range(&self, l: usize) -> (i64, i64) {
        if l + 1 == self.layers.len() {
            (self.quant.logit_min(), self.quant.logit_max())
        } else {
            (0, self.quant.activation_max)
        }
    }
}
