//! Float → integer quantisation (`docs/PROTOCOL.md` §9.3). Not part of the proved semantics:
//! a competitor may quantise any way they like; this is the default tool.
//!
//! Layer by layer, with `S` the real value of one unit of the layer's integer input
//! (`S_0 = input.scale`):
//! - weights: `W_int = round(W · 2^e)` with the largest `e` such that `max|W| · 2^e ≤ 127`
//!   (a power-of-two scale per tensor);
//! - biases: `b_int = round(b / (S · 2^−e))`, in the accumulator's units (if a bias does
//!   not fit int32, `e` is lowered until it does);
//! - shift: the smallest `s ∈ [0, shift_max]` for which no calibration row saturates the
//!   layer's output range (hidden: `[0, activation_max]`; last: the logit range);
//! - the next layer's unit is `S · 2^(s−e)`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::reference::requantize;
use super::{FloatNetwork, ModelError, QuantizedLayer, QuantizedModel, Result};
use crate::spec::{Spec, TestSet};

/// Rows of the default calibration set (used when the competitor supplies none).
pub const DEFAULT_CALIBRATION_ROWS: usize = 256;
/// Seed of the default calibration set.
pub const DEFAULT_CALIBRATION_SEED: u64 = 0x7a6b;

/// The default calibration rows: features drawn uniformly from the spec's input range with a
/// fixed seed. Real data (`--calibration`) usually gives finer activation scales.
pub fn default_calibration(spec: &Spec) -> Vec<Vec<i64>> {
    let mut rng = StdRng::seed_from_u64(DEFAULT_CALIBRATION_SEED);
    (0..DEFAULT_CALIBRATION_ROWS)
        .map(|_| {
            (0..spec.input.features)
                .map(|_| rng.gen_range(spec.input.min..=spec.input.max))
                .collect()
        })
        .collect()
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

/// Quantises a network that fits the spec's envelope (padded or not), calibrating the shifts
/// on `calibration` (or [`default_calibration`]).
pub fn quantise(
    net: &FloatNetwork,
    spec: &Spec,
    calibration: Option<&TestSet>,
) -> Result<QuantizedModel> {
    net.check_fits(&spec.envelope)?;
    let mut acts: Vec<Vec<i64>> = match calibration {
        Some(set) if !set.is_empty() => set.rows().map(<[i64]>::to_vec).collect(),
        Some(_) => {
            return Err(ModelError::Quantise(
                "the calibration set has no rows".into(),
            ))
        }
        None => default_calibration(spec),
    };
    let mut unit = spec.input.scale;
    let last = net.layers.len() - 1;
    let mut layers = Vec::with_capacity(net.layers.len());
    for (l, layer) in net.layers.iter().enumerate() {
        let max_abs = layer
            .weights
            .iter()
            .flatten()
            .fold(0.0f64, |m, w| m.max(w.abs()));
        let mut e = weight_exponent(max_abs);
        let biases = loop {
            let acc_unit = unit * 2f64.powi(-e);
            let b: Vec<f64> = layer.bias.iter().map(|b| (b / acc_unit).round()).collect();
            if b.iter()
                .all(|v| v.is_finite() && v.abs() <= f64::from(i32::MAX))
            {
                break b.iter().map(|&v| v as i32).collect::<Vec<i32>>();
            }
            if e <= -64 {
                return Err(ModelError::Quantise(format!(
                    "layer {} (node `{}`): a bias does not fit int32 at any weight scale",
                    l + 1,
                    layer.name
                )));
            }
            e -= 1;
        };
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
        let z_max = zs.iter().flatten().copied().max().unwrap_or(0);
        let z_min = zs.iter().flatten().copied().min().unwrap_or(0);
        let (lo, hi) = if l == last {
            (spec.quant.logit_min(), spec.quant.logit_max())
        } else {
            (0, spec.quant.activation_max)
        };
        let fits = |s: u32| requantize(z_max, s) <= hi && (l != last || requantize(z_min, s) >= lo);
        let shift = (0..=spec.quant.shift_max)
            .find(|&s| fits(s))
            .unwrap_or(spec.quant.shift_max);

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
    QuantizedModel::new(spec, layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_exponent_is_the_largest_that_fits_int8() {
        assert_eq!(weight_exponent(1.0), 6); // 64 ≤ 127 < 128
        assert_eq!(weight_exponent(127.0), 0);
        assert_eq!(weight_exponent(128.0), -1);
        assert_eq!(weight_exponent(0.5), 7);
        assert_eq!(weight_exponent(0.0), 0);
    }
}
