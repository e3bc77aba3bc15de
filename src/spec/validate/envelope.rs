//! The envelope: image stages (schema 2: `conv2d`, `maxpool`, `avgpool`, then `flatten`) and
//! dense layers, each kind with only its own fields, and the fan-in bound of every weighted
//! layer.

use super::super::raw::RawLayer;
use super::super::{
    Activation, ConvEnvelope, Envelope, ImageEnvelope, ImageShape, ImageStage, InputSpec,
    LayerEnvelope, PoolEnvelope, QuantSpec, Result,
};
use super::{not_in_schema, out_of_range, req, usize_in, MAX_INPUT_ABS, MAX_LAYERS, MAX_WIDTH};

/// Largest number of image stages (convolutions and pooling) before `flatten`.
pub const MAX_IMAGE_STAGES: usize = 8;
/// Largest convolution output channel count.
pub const MAX_CHANNELS: i64 = 64;
/// Largest convolution kernel or pooling window side.
pub const MAX_KERNEL: i64 = 7;
/// Largest stride.
pub const MAX_STRIDE: i64 = 4;
/// Largest flattened width (the first dense layer's fan-in after image stages).
pub const MAX_FLAT_WIDTH: usize = 1 << 14;
/// `fan_in × input bound` of every weighted layer is at most this (`1024 · 2^15`), which keeps
/// every pre-activation `|z| ≤ 2^25 · 128 + 2^31 < 2^33` (the requantisation chip's bound).
pub const MAX_FAN_IN_BOUND: i64 = MAX_WIDTH * MAX_INPUT_ABS;

/// `input.shape` (schema 2): `[C, H, W]` with `C·H·W = input.features`.
pub(super) fn validate_shape(
    shape: Option<Vec<i64>>,
    version: i64,
    features: usize,
) -> Result<Option<ImageShape>> {
    let Some(shape) = shape else { return Ok(None) };
    if version == 1 {
        return Err(not_in_schema(
            "input.shape",
            1,
            "image inputs need schema_version = 2",
        ));
    }
    let dims: Vec<usize> = shape
        .iter()
        .filter(|&&d| (1..=MAX_WIDTH).contains(&d))
        .map(|&d| d as usize)
        .collect();
    match dims[..] {
        [c, h, w] if shape.len() == 3 && c * h * w == features => Ok(Some([c, h, w])),
        _ => Err(out_of_range(
            "input.shape",
            format!("{shape:?}"),
            format!("[channels, height, width], each 1 ..= {MAX_WIDTH}, whose product is `input.features` = {features}"),
        )),
    }
}

fn layer_kind(layer: &RawLayer, path: &str) -> Result<&'static str> {
    match layer.kind.as_deref().unwrap_or("dense") {
        "dense" => Ok("dense"),
        "conv2d" => Ok("conv2d"),
        "maxpool" => Ok("maxpool"),
        "avgpool" => Ok("avgpool"),
        "flatten" => Ok("flatten"),
        other => Err(out_of_range(
            &format!("{path}.kind"),
            format!("{other:?}"),
            "\"dense\" (the default), \"conv2d\", \"maxpool\", \"avgpool\" or \"flatten\"",
        )),
    }
}

/// Refuses the fields a layer of `kind` does not have.
fn only_fields(layer: &RawLayer, path: &str, kind: &str, allowed: &[&str]) -> Result<()> {
    let present = [
        ("max_width", layer.max_width.is_some()),
        ("activation", layer.activation.is_some()),
        ("channels", layer.channels.is_some()),
        ("kernel", layer.kernel.is_some()),
        ("stride", layer.stride.is_some()),
        ("padding", layer.padding.is_some()),
    ];
    match present
        .iter()
        .find(|(f, here)| *here && !allowed.contains(f))
    {
        Some((field, _)) => Err(out_of_range(
            &format!("{path}.{field}"),
            "present",
            format!(
                "absent: a `{kind}` layer has {}",
                if allowed.is_empty() {
                    "no other fields".to_string()
                } else {
                    allowed
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        )),
        None => Ok(()),
    }
}

pub(super) fn validate_envelope(
    layers: Option<Vec<RawLayer>>,
    (features, classes): (usize, usize),
    shape: Option<ImageShape>,
) -> Result<Envelope> {
    let layers = req(layers, "envelope.layers")?;
    let kinds = layers
        .iter()
        .enumerate()
        .map(|(l, layer)| layer_kind(layer, &format!("envelope.layers[{l}]")))
        .collect::<Result<Vec<_>>>()?;
    let dense = kinds.iter().filter(|k| **k == "dense").count();
    if dense == 0 || dense > MAX_LAYERS || layers.len() > MAX_LAYERS + MAX_IMAGE_STAGES + 1 {
        return Err(out_of_range(
            "envelope.layers",
            format!("{} layers, {dense} dense", layers.len()),
            format!("1 ..= {MAX_LAYERS} dense layers after at most {MAX_IMAGE_STAGES} image stages and a `flatten`"),
        ));
    }
    let last = layers.len() - 1;
    let mut image: Vec<ImageStage> = Vec::new();
    let mut current = shape;
    let mut flattened = false;
    let mut out = Vec::with_capacity(dense);
    for (l, (layer, kind)) in layers.into_iter().zip(kinds).enumerate() {
        let path = format!("envelope.layers[{l}]");
        let at = |field: &str| format!("{path}.{field}");
        if kind == "dense" {
            only_fields(&layer, &path, kind, &["max_width", "activation"])?;
            if !image.is_empty() && !flattened {
                return Err(out_of_range(
                    &at("kind"),
                    "\"dense\"",
                    "a `flatten` layer between the image stages and the first dense layer",
                ));
            }
            flattened = true;
            out.push(validate_dense(layer, &path, l == last, classes)?);
            continue;
        }
        if flattened {
            return Err(out_of_range(
                &at("kind"),
                format!("{kind:?}"),
                "image stages and `flatten` only before the dense layers",
            ));
        }
        let Some(input) = current else {
            return Err(out_of_range(
                &at("kind"),
                format!("{kind:?}"),
                "\"dense\": image stages need `input.shape` = [channels, height, width] (schema 2)",
            ));
        };
        if kind == "flatten" {
            only_fields(&layer, &path, kind, &[])?;
            if image.is_empty() {
                return Err(out_of_range(
                    &at("kind"),
                    "\"flatten\"",
                    "a `flatten` only after image stages (dense layers read the features flat)",
                ));
            }
            let [c, h, w] = input;
            if c * h * w > MAX_FLAT_WIDTH {
                return Err(out_of_range(
                    &path,
                    format!("flatten of {c}×{h}×{w} = {}", c * h * w),
                    format!("at most {MAX_FLAT_WIDTH} values"),
                ));
            }
            flattened = true;
            continue;
        }
        if image.len() == MAX_IMAGE_STAGES {
            return Err(out_of_range(
                "envelope.layers",
                format!("more than {MAX_IMAGE_STAGES} image stages"),
                format!("at most {MAX_IMAGE_STAGES}"),
            ));
        }
        let kernel = usize_in(layer.kernel, &at("kernel"), 1, MAX_KERNEL)?;
        let stage = if kind == "conv2d" {
            only_fields(
                &layer,
                &path,
                kind,
                &["channels", "kernel", "stride", "padding", "activation"],
            )?;
            let channels = usize_in(layer.channels, &at("channels"), 1, MAX_CHANNELS)?;
            let stride = usize_in(layer.stride.or(Some(1)), &at("stride"), 1, MAX_STRIDE)?;
            let padding = usize_in(
                layer.padding.or(Some(0)),
                &at("padding"),
                0,
                kernel as i64 - 1,
            )?;
            match req(layer.activation, &at("activation"))?.as_str() {
                "relu" => {}
                other => {
                    return Err(out_of_range(
                        &at("activation"),
                        format!("{other:?}"),
                        "\"relu\" (a convolution's outputs are saturated to [0, activation_max])",
                    ))
                }
            }
            ImageStage::Conv(ConvEnvelope {
                channels,
                kernel,
                stride,
                padding,
            })
        } else {
            only_fields(&layer, &path, kind, &["kernel", "stride"])?;
            if image.is_empty() {
                return Err(out_of_range(
                    &at("kind"),
                    format!("{kind:?}"),
                    "\"conv2d\": the first image stage is a convolution (pooling reads its non-negative activations)",
                ));
            }
            let stride = usize_in(
                layer.stride.or(Some(kernel as i64)),
                &at("stride"),
                1,
                kernel as i64,
            )?;
            let pool = PoolEnvelope { kernel, stride };
            if kind == "maxpool" {
                ImageStage::MaxPool(pool)
            } else {
                ImageStage::AvgPool(pool)
            }
        };
        let Some(next) = stage.out_shape(input) else {
            return Err(out_of_range(
                &at("kernel"),
                kernel,
                format!(
                    "a window that fits the stage's {}×{}×{} input (with its padding)",
                    input[0], input[1], input[2]
                ),
            ));
        };
        image.push(stage);
        current = Some(next);
    }
    if !image.is_empty() && !flattened {
        return Err(out_of_range(
            "envelope.layers",
            "image stages without dense layers",
            "a `flatten` and dense layers after the image stages",
        ));
    }
    Ok(Envelope {
        input_width: features,
        image: match (shape, image.is_empty()) {
            (Some(input), false) => Some(ImageEnvelope {
                input,
                stages: image,
            }),
            _ => None,
        },
        layers: out,
    })
}

fn validate_dense(
    layer: RawLayer,
    path: &str,
    last: bool,
    classes: usize,
) -> Result<LayerEnvelope> {
    let width_path = format!("{path}.max_width");
    let max_width = if last {
        usize_in(layer.max_width, &width_path, classes as i64, classes as i64)?
    } else {
        usize_in(layer.max_width, &width_path, 1, MAX_WIDTH)?
    };
    let act_path = format!("{path}.activation");
    let activation = match (req(layer.activation, &act_path)?.as_str(), last) {
        ("relu", false) => Activation::Relu,
        ("none", true) => Activation::None,
        (other, false) => {
            return Err(out_of_range(
                &act_path,
                format!("{other:?}"),
                "\"relu\" (hidden layers)",
            ))
        }
        (other, true) => {
            return Err(out_of_range(
                &act_path,
                format!("{other:?}"),
                "\"none\" (the output layer)",
            ))
        }
    };
    Ok(LayerEnvelope {
        max_width,
        activation,
    })
}

/// Every weighted layer's `fan_in × input bound` is at most [`MAX_FAN_IN_BOUND`]: the bound of
/// the features is the larger of `|min|`, `|max|`; a convolution's and a hidden layer's outputs
/// are at most `activation_max`; max pooling keeps its input's bound, average pooling (a sum)
/// multiplies it by the window's area.
pub(super) fn check_fan_in(
    envelope: &Envelope,
    input: &InputSpec,
    quant: &QuantSpec,
) -> Result<()> {
    let mut bound = input.min.abs().max(input.max.abs());
    let mut fan_in = Vec::new();
    if let Some(image) = &envelope.image {
        for (i, (stage, shape)) in image.stages.iter().zip(image.shapes()).enumerate() {
            if let ImageStage::Conv(c) = stage {
                fan_in.push((i, shape[0] * c.kernel * c.kernel, bound));
            }
            bound = stage.out_bound(bound, quant.activation_max);
        }
    }
    let offset = envelope.image_stages().len() + usize::from(envelope.image.is_some());
    for (l, d) in envelope.dims().windows(2).enumerate() {
        fan_in.push((offset + l, d[0], bound));
        bound = quant.activation_max;
    }
    for (l, fan, bound) in fan_in {
        if (fan as i64).saturating_mul(bound) > MAX_FAN_IN_BOUND {
            return Err(out_of_range(
                &format!("envelope.layers[{l}]"),
                format!("{fan} inputs bounded by {bound}"),
                format!("inputs × their bound ≤ {MAX_FAN_IN_BOUND} (keeps every pre-activation below 2^33; fewer channels, a smaller kernel or window, or a smaller activation_max)"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::Spec;

    const CNN: &str = include_str!("../../../contest-specs/digits-cnn/contest.toml");

    #[test]
    fn convolutional_envelopes_parse_with_their_shapes() {
        let s = Spec::from_toml_str(CNN).unwrap();
        let image = s.envelope.image.as_ref().expect("image stages");
        assert_eq!(image.input, [1, 8, 8]);
        assert_eq!(image.shapes(), vec![[1, 8, 8], [8, 8, 8], [8, 4, 4]]);
        assert_eq!(s.envelope.dims(), vec![128, 10]);
        assert_eq!(s.envelope.input_width, 64);
        assert_eq!(s.input.uniform_scale(), Some(0.0625));
        assert!(!s.input.has_names());
        // Defaults: stride 1 and padding 0 for a convolution, stride = kernel for pooling.
        let t = CNN
            .replace("stride = 1\npadding = 1\n", "")
            .replace("kernel = 2\nstride = 2\n", "kernel = 2\n");
        let image = Spec::from_toml_str(&t).unwrap().envelope.image.unwrap();
        assert_eq!(image.shapes(), vec![[1, 8, 8], [8, 6, 6], [8, 3, 3]]);
    }

    #[test]
    fn convolutional_envelope_errors_name_the_layer() {
        let err = |text: &str| Spec::from_toml_str(text).unwrap_err().to_string();
        let cases: Vec<(String, &[&str])> = vec![
            // No input shape for image stages; a shape in schema 1; a wrong product.
            (CNN.replace("shape = [1, 8, 8]\n", ""), &["envelope.layers[0].kind", "input.shape"]),
            (
                CNN.replace("schema_version = 2", "schema_version = 1"),
                &["input.shape", "schema v1"],
            ),
            (CNN.replace("shape = [1, 8, 8]", "shape = [1, 8, 7]"), &["input.shape", "= 64"]),
            // Pooling first, dense before flatten, flatten without image stages, no flatten.
            (
                CNN.replacen("kind = \"conv2d\"\nchannels = 8\nkernel = 3\nstride = 1\npadding = 1\nactivation = \"relu\"", "kind = \"maxpool\"\nkernel = 2", 1),
                &["envelope.layers[0].kind", "first image stage is a convolution"],
            ),
            (
                CNN.replace("kind = \"flatten\"\n", "max_width = 16\nactivation = \"relu\"\n"),
                &["envelope.layers[2].kind", "flatten"],
            ),
            (
                CNN.replace("[[envelope.layers]]\nkind = \"flatten\"\n\n", ""),
                &["envelope.layers[2].kind", "flatten"],
            ),
            // Unknown kind, a field of another kind, a kernel that does not fit, padding ≥
            // kernel, a pooling stride above its window.
            (CNN.replace("\"maxpool\"", "\"minpool\""), &["envelope.layers[1].kind", "\"minpool\""]),
            (
                CNN.replace("kind = \"flatten\"", "kind = \"flatten\"\nmax_width = 3"),
                &["envelope.layers[2].max_width", "no other fields"],
            ),
            (
                CNN.replace("kernel = 3\nstride = 1\npadding = 1", "kernel = 7\nstride = 1\npadding = 0")
                    .replace("kernel = 2\nstride = 2", "kernel = 4\nstride = 2"),
                &["envelope.layers[1].kernel", "2×2"],
            ),
            (CNN.replace("padding = 1", "padding = 3"), &["envelope.layers[0].padding", "0 ..= 2"]),
            (
                CNN.replace("kernel = 2\nstride = 2", "kernel = 2\nstride = 3"),
                &["envelope.layers[1].stride", "1 ..= 2"],
            ),
            (
                CNN.replace("activation = \"relu\"", "activation = \"none\""),
                &["envelope.layers[0].activation", "relu"],
            ),
            // fan-in × bound: a 7×7 kernel over 64 channels of activations up to 32767.
            (
                CNN.replace("activation_max = 255", "activation_max = 32767")
                    .replace("channels = 8", "channels = 64")
                    .replace("kind = \"maxpool\"\nkernel = 2\nstride = 2", "kind = \"conv2d\"\nchannels = 64\nkernel = 7\npadding = 3\nactivation = \"relu\""),
                &["envelope.layers[1]", "inputs × their bound"],
            ),
        ];
        for (text, needles) in cases {
            let e = err(&text);
            for needle in needles {
                assert!(e.contains(needle), "{needle:?} not in: {e}");
            }
        }
    }
}
