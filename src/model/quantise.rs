//! Float → integer quantisation (`docs/PROTOCOL.md` §9.3). Not part of the proved semantics:
//! a competitor may quantise any way they like; this is the default tool.
//!
//! Per-column inputs (schema 2) are folded into the first layer first (see [`fold_inputs`]),
//! so the network takes the integer features themselves (`S_0 = 1`); when every column has
//! one scale and zero point 0 (every schema-1 spec) nothing is folded and `S_0 = input.scale`.
//!
//! Layer by layer, with `S` the real value of one unit of the layer's integer input:
//! - weights: `W_int = clamp(round(W · 2^e), −128, 127)`, a power-of-two scale per tensor: the
//!   largest `e` such that `max|W| · 2^e ≤ 127`, unless outlier weights on inputs that are
//!   (nearly) always 0 in the calibration rows would make every ordinary weight round to 0 —
//!   then the `e` (up to [`MAX_CLIP_BITS`] larger) with the least quantisation error weighted by
//!   each input's mean square on the calibration rows, outliers saturating, if that at least
//!   halves the error (see `clipped_exponent`);
//! - biases: `b_int = round(b / (S · 2^−e))`, in the accumulator's units (if a bias does
//!   not fit int32, `e` is lowered until it does);
//! - shift: the smallest `s ∈ [0, shift_max]` for which no calibration row saturates the
//!   layer's output range (hidden: `[0, activation_max]`; last: the logit range);
//! - the next layer's unit is `S · 2^(s−e)`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::float::FloatImageLayer;
use super::image::{ConvLayer, ImageLayer};
use super::reference::requantize;
use super::{FloatNetwork, ModelError, QuantizedLayer, QuantizedModel, Result};
use crate::spec::{Spec, TestSet};

/// Rows of the default calibration set (used when the competitor supplies none).
pub const DEFAULT_CALIBRATION_ROWS: usize = 256;
/// Seed of the default calibration set.
pub const DEFAULT_CALIBRATION_SEED: u64 = 0x7a6b;

/// The default calibration rows: each feature drawn uniformly from its column's range with a
/// fixed seed. Real data (`--calibration`) usually gives finer activation scales.
pub fn default_calibration(spec: &Spec) -> Vec<Vec<i64>> {
    let mut rng = StdRng::seed_from_u64(DEFAULT_CALIBRATION_SEED);
    (0..DEFAULT_CALIBRATION_ROWS)
        .map(|_| {
            spec.input
                .columns
                .iter()
                .map(|c| rng.gen_range(c.min..=c.max))
                .collect()
        })
        .collect()
}

/// Folds the per-column dequantisation `x_c = (q_c − zp_c) · scale_c` into the first layer, so
/// that the result takes the integers `q` directly:
/// `W'[c][j] = W[c][j] · scale_c`, `b'_j = b_j − Σ_c W'[c][j] · zp_c`
/// (`Σ_c x_c W[c][j] + b_j = Σ_c q_c W'[c][j] + b'_j`). Returns the network and the real value
/// of one unit of its input: the network unchanged and the common scale when every column has
/// the same scale and zero point 0 (so schema-1 models quantise exactly as before), else the
/// folded network and 1.
pub fn fold_inputs(net: &FloatNetwork, spec: &Spec) -> (FloatNetwork, f64) {
    if let Some(scale) = spec.input.uniform_scale() {
        return (net.clone(), scale);
    }
    let mut folded = net.clone();
    if let Some(first) = folded.layers.first_mut() {
        for (row, col) in first.weights.iter_mut().zip(&spec.input.columns) {
            row.iter_mut().for_each(|w| *w *= col.scale);
            for (b, w) in first.bias.iter_mut().zip(row.iter()) {
                *b -= w * col.zero_point as f64;
            }
        }
    }
    (folded, 1.0)
}

/// The largest `e ∈ [−64, 64]` with `max_abs · 2^e ≤ 127` (`0` for an all-zero tensor).
fn weight_exponent(max_abs: f64) -> i32 {
    if max_abs == 0.0 {
        return 0;
    }
    let mut e = 0i32;
    while e < 64 && max_abs * 2f64.powi(e + 1) <= 127.0 {
        e += 1;
    }
    while e > -64 && max_abs * 2f64.powi(e) > 127.0 {
        e -= 1;
    }
    e
}

/// How many bits finer than the no-clipping scale [`clipped_exponent`] may go.
pub const MAX_CLIP_BITS: i32 = 10;

/// Error of quantising `weights` (one row per input) at exponent `e` (int8, saturating): the
/// squared error of each weight times its input's mean square `input_ms` on the calibration
/// rows, i.e. the expected squared error it adds to the accumulators (cross terms dropped).
fn quantisation_error(weights: &[Vec<f64>], input_ms: &[f64], e: i32) -> f64 {
    let scale = 2f64.powi(e);
    weights
        .iter()
        .zip(input_ms)
        .map(|(row, &ms)| {
            ms * row
                .iter()
                .map(|&w| {
                    let q = (w * scale).round().clamp(-128.0, 127.0) / scale;
                    (q - w) * (q - w)
                })
                .sum::<f64>()
        })
        .sum()
}

/// The weight exponent of one tensor (`weights[input][output]`). Starts from the largest that
/// fits `max|W|` in int8 ([`weight_exponent`]); a finer one (up to `MAX_CLIP_BITS` more) is
/// taken when its error ([`quantisation_error`], the outliers saturating at ±127) is at most
/// half of that one's. This is what keeps a folded `StandardScaler` usable: inputs that are
/// almost constant in the training data have deviations near 0, so `W / std` holds weights
/// hundreds of times the median, and one scale fitted to them rounds every ordinary weight to
/// 0; on real calibration rows those inputs are (nearly) always 0, so saturating their weights
/// costs little. With the default calibration (uniform random inputs) every input counts alike
/// and the outliers usually keep the coarse scale: pass real rows with `--calibration`.
fn clipped_exponent(weights: &[Vec<f64>], input_ms: &[f64], max_abs: f64) -> i32 {
    let e0 = weight_exponent(max_abs);
    if max_abs == 0.0 {
        return e0;
    }
    let base = quantisation_error(weights, input_ms, e0);
    let (best_e, best_err) = (e0 + 1..=(e0 + MAX_CLIP_BITS).min(64))
        .map(|e| (e, quantisation_error(weights, input_ms, e)))
        .fold((e0, base), |best, c| if c.1 < best.1 { c } else { best });
    if best_err * 2.0 <= base {
        best_e
    } else {
        e0
    }
}

/// Biases in the accumulator's units `unit · 2^−e`, lowering `e` until every one fits int32.
/// Returns the biases and the final `e`.
fn fit_biases(bias: &[f64], unit: f64, mut e: i32, what: &str) -> Result<(Vec<i32>, i32)> {
    loop {
        let acc_unit = unit * 2f64.powi(-e);
        let b: Vec<f64> = bias.iter().map(|b| (b / acc_unit).round()).collect();
        if b.iter()
            .all(|v| v.is_finite() && v.abs() <= f64::from(i32::MAX))
        {
            return Ok((b.iter().map(|&v| v as i32).collect(), e));
        }
        if e <= -64 {
            return Err(ModelError::Quantise(format!(
                "{what}: a bias does not fit int32 at any weight scale"
            )));
        }
        e -= 1;
    }
}

/// The smallest shift in `[0, shift_max]` for which no accumulator in `zs` leaves `[lo, hi]`
/// after requantisation (only the upper end matters for ReLU outputs, `lo = 0`).
fn smallest_shift(zs: &[Vec<i64>], (lo, hi): (i64, i64), shift_max: u32) -> u32 {
    let z_max = zs.iter().flatten().copied().max().unwrap_or(0);
    let z_min = zs.iter().flatten().copied().min().unwrap_or(0);
    let fits = |s: u32| requantize(z_max, s) <= hi && (lo == 0 || requantize(z_min, s) >= lo);
    (0..=shift_max).find(|&s| fits(s)).unwrap_or(shift_max)
}

/// Quantises a network that fits the spec's envelope (padded or not), calibrating the shifts
/// on `calibration` (or [`default_calibration`]). Image stages come first: a convolution is
/// quantised like a dense layer (one power-of-two weight scale for the kernel, biases in the
/// accumulator's units, the smallest shift that saturates no calibration value); max pooling
/// keeps the unit, average pooling (a sum in the integer model) divides it by the window's area.
pub fn quantise(
    net: &FloatNetwork,
    spec: &Spec,
    calibration: Option<&TestSet>,
) -> Result<QuantizedModel> {
    net.check_fits(&spec.envelope)?;
    if !net.image.is_empty() && spec.input.uniform_scale().is_none() {
        return Err(ModelError::Quantise(
            "image inputs need one scale and zero point 0 for every pixel (a convolution shares its weights across positions)".into(),
        ));
    }
    let (net, mut unit) = fold_inputs(net, spec);
    let mut acts: Vec<Vec<i64>> = match calibration {
        Some(set) if !set.is_empty() => set.rows().map(<[i64]>::to_vec).collect(),
        Some(_) => {
            return Err(ModelError::Quantise(
                "the calibration set has no rows".into(),
            ))
        }
        None => default_calibration(spec),
    };
    let act_max = spec.quant.activation_max;
    let mut image = Vec::with_capacity(net.image.len());
    let shapes = net.image_shapes().unwrap_or_default();
    for (i, (layer, &shape)) in net.image.iter().zip(&shapes).enumerate() {
        let q = match layer {
            FloatImageLayer::Conv(c) => {
                let max_abs = c.weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
                let what = format!("image stage {} (node `{}`)", i + 1, c.name);
                let (biases, e) = fit_biases(&c.bias, unit, weight_exponent(max_abs), &what)?;
                let scale = 2f64.powi(e);
                let weights = c
                    .weights
                    .iter()
                    .map(|w| (w * scale).round().clamp(-128.0, 127.0) as i8)
                    .collect();
                let dims = ((c.c_in, c.c_out), (c.kernel, c.stride, c.padding));
                let unshifted = ConvLayer::new(dims.0, dims.1, weights, biases, 0)?;
                let zs: Vec<Vec<i64>> = acts
                    .iter()
                    .map(|a| unshifted.pre_activation(a, shape))
                    .collect();
                let shift = smallest_shift(&zs, (0, act_max), spec.quant.shift_max);
                unit *= 2f64.powi(shift as i32 - e);
                let (weights, biases) = (unshifted.weights().to_vec(), unshifted.biases().to_vec());
                ImageLayer::Conv(ConvLayer::new(dims.0, dims.1, weights, biases, shift)?)
            }
            FloatImageLayer::MaxPool(p) => ImageLayer::MaxPool(*p),
            FloatImageLayer::AvgPool(p) => {
                // The integer model sums the window: the mean is the sum over the area.
                unit /= (p.kernel * p.kernel) as f64;
                ImageLayer::AvgPool(*p)
            }
        };
        acts = acts
            .iter()
            .map(|a| q.forward(a, shape, act_max).output)
            .collect();
        image.push(q);
    }
    let last = net.layers.len() - 1;
    let mut layers = Vec::with_capacity(net.layers.len());
    for (l, layer) in net.layers.iter().enumerate() {
        let max_abs = layer
            .weights
            .iter()
            .flatten()
            .fold(0.0f64, |m, w| m.max(w.abs()));
        // Each input's mean square over the calibration rows (in this layer's integer units; a
        // common factor does not move the argmin).
        let rows = acts.len().max(1) as f64;
        let input_ms: Vec<f64> = (0..layer.weights.len())
            .map(|j| {
                acts.iter()
                    .map(|a| a.get(j).map_or(0.0, |&v| (v as f64) * (v as f64)))
                    .sum::<f64>()
                    / rows
            })
            .collect();
        let what = format!("layer {} (node `{}`)", l + 1, layer.name);
        let e = clipped_exponent(&layer.weights, &input_ms, max_abs);
        let (biases, e) = fit_biases(&layer.bias, unit, e, &what)?;
        let scale = 2f64.powi(e);
        let weights: Vec<Vec<i8>> = layer
            .weights
            .iter()
            .map(|row| {
                row.iter()
                    .map(|w| (w * scale).round().clamp(-128.0, 127.0) as i8)
                    .collect()
            })
            .collect();

        // Accumulators on the calibration rows.
        let zs: Vec<Vec<i64>> = acts
            .iter()
            .map(|a| {
                let mut z: Vec<i64> = biases.iter().map(|&b| i64::from(b)).collect();
                for (ai, row) in a.iter().zip(&weights) {
                    for (zj, &w) in z.iter_mut().zip(row) {
                        *zj += ai * i64::from(w);
                    }
                }
                z
            })
            .collect();
        let (lo, hi) = if l == last {
            (spec.quant.logit_min(), spec.quant.logit_max())
        } else {
            (0, act_max)
        };
        let shift = smallest_shift(&zs, (lo, hi), spec.quant.shift_max);

        acts = zs
            .iter()
            .map(|z| {
                z.iter()
                    .map(|&v| requantize(v, shift).clamp(lo, hi))
                    .collect()
            })
            .collect();
        unit *= 2f64.powi(shift as i32 - e);
        layers.push(QuantizedLayer::new(weights, biases, shift)?);
    }
    QuantizedModel::with_image(spec, image, layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::FloatLayer;

    fn two_column_spec() -> Spec {
        let text = include_str!("../../tests/fixtures/mini-contest/contest.toml")
            .replace("schema_version = 1", "schema_version = 2")
            .replace(
                "features = 64\nmin = 0\nmax = 16\n",
                "features = 2\n\
                 [[input.columns]]\nname = \"a\"\nmin = 0\nmax = 255\nscale = 0.5\nzero_point = 10\n\
                 [[input.columns]]\nname = \"b\"\nmin = 0\nmax = 15\nscale = 4.0\nzero_point = -3\n",
            )
            .replace("scale = 0.0625\n", "");
        Spec::from_toml_str(&text).expect("two-column spec")
    }

    /// The folded network on the integers gives the original network's outputs on the
    /// dequantised floats.
    #[test]
    fn folding_per_column_inputs_preserves_the_float_function() {
        let spec = two_column_spec();
        assert_eq!(spec.input.uniform_scale(), None);
        assert_eq!((spec.input.min, spec.input.max), (0, 255));
        let net = FloatNetwork {
            input_width: 2,
            input_shape: None,
            image: Vec::new(),
            layers: vec![FloatLayer {
                name: "dense".into(),
                weights: vec![vec![0.25, -1.0, 3.0], vec![2.0, 0.5, -0.125]],
                bias: vec![1.0, -2.0, 0.5],
                relu: false,
            }],
            softmax_dropped: false,
        };
        let (folded, unit) = fold_inputs(&net, &spec);
        assert_eq!(unit, 1.0);
        for q in [[0i64, 0], [10, -3], [255, 15], [17, 4]] {
            let x = spec.input.dequantise(&q);
            let want = net.forward(&x);
            let got = folded.forward(&[q[0] as f64, q[1] as f64]);
            for (a, b) in want.iter().zip(&got) {
                assert!((a - b).abs() < 1e-9, "{want:?} vs {got:?} at {q:?}");
            }
        }
    }

    #[test]
    fn a_schema_1_spec_folds_nothing() {
        let spec = Spec::from_toml_str(include_str!(
            "../../tests/fixtures/mini-contest/contest.toml"
        ))
        .unwrap();
        let net = FloatNetwork {
            input_width: 64,
            input_shape: None,
            image: Vec::new(),
            layers: vec![],
            softmax_dropped: false,
        };
        let (same, unit) = fold_inputs(&net, &spec);
        assert_eq!((same, unit), (net, 0.0625));
    }

    #[test]
    fn weight_exponent_is_the_largest_that_fits_int8() {
        assert_eq!(weight_exponent(1.0), 6); // 64 ≤ 127 < 128
        assert_eq!(weight_exponent(127.0), 0);
        assert_eq!(weight_exponent(128.0), -1);
        assert_eq!(weight_exponent(0.5), 7);
        assert_eq!(weight_exponent(0.0), 0);
    }

    #[test]
    fn outliers_on_idle_inputs_saturate_rather_than_zero_every_ordinary_weight() {
        // 63 inputs with ordinary weights around ±0.01, one input with 300× weights.
        let mut w: Vec<Vec<f64>> = (0..63)
            .map(|i| vec![0.01 * if i % 2 == 0 { 1.0 } else { -0.7 }; 8])
            .collect();
        w.push(vec![3.0; 8]);
        let e0 = weight_exponent(3.0);
        assert_eq!(e0, 5); // 3 · 32 = 96: 0.01 · 32 rounds to 0
                           // The outlier input is almost always 0 on the calibration rows: a finer scale.
        let mut idle = vec![1.0; 64];
        idle[63] = 1e-4;
        let e = clipped_exponent(&w, &idle, 3.0);
        assert!(e > e0, "a finer scale: {e}");
        assert!(
            (0.01 * 2f64.powi(e)).round() >= 1.0,
            "ordinary weights survive"
        );
        // The same weights with the outlier input as busy as the others: saturating it would
        // cost more than it saves, the no-clipping scale stays.
        assert_eq!(clipped_exponent(&w, &[1.0; 64], 3.0), e0);
        // Without outliers, the no-clipping scale stays.
        let plain: Vec<Vec<f64>> = (0..100)
            .map(|i| vec![(f64::from(i % 17) - 8.0) / 17.0; 4])
            .collect();
        assert_eq!(
            clipped_exponent(&plain, &[1.0; 100], 8.0 / 17.0),
            weight_exponent(8.0 / 17.0)
        );
        assert_eq!(clipped_exponent(&[vec![0.0; 4]], &[1.0], 0.0), 0);
    }
}
