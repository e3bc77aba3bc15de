//! Per-feature affine maps `x ↦ a ⊙ x + d` (the constant `Add`, `Sub`, `Mul`, `Div`, the
//! ai.onnx.ml `Scaler` and inference `BatchNormalization`) and their folding into an adjacent
//! dense layer, exactly in f64:
//!
//! - before a layer `y = x·W + b`: `y = (a ⊙ x + d)·W + b = x·(diag(a)·W) + (b + d·W)`;
//! - after it: `a ⊙ (x·W + b) + d = x·(W·diag(a)) + (a ⊙ b + d)`.
//!
//! Errors are plain strings; the graph walk wraps them with the node's name and op.

use super::super::float::{FloatConv, FloatLayer};

/// `x ↦ scale ⊙ x + shift`, one entry per feature.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Affine {
    /// `a`.
    pub scale: Vec<f64>,
    /// `d`.
    pub shift: Vec<f64>,
}

/// A constant of shape `dims` broadcast to `width` features: one value (a scalar, `[1]`,
/// `[1, 1]`) is repeated; `width` values are taken as they are when the shape, leading 1s
/// removed, ends in a dimension other than 1 (`[F]`, `[1, F]`, `[1, 1, 8, 8]` for an 8×8
/// input). `[F, 1]` would broadcast against `[1, F]` data to an `F × F` matrix: rejected.
pub(super) fn broadcast(
    what: &str,
    dims: &[usize],
    values: &[f64],
    width: usize,
) -> std::result::Result<Vec<f64>, String> {
    let trimmed: Vec<usize> = dims.iter().copied().skip_while(|&d| d == 1).collect();
    match values.len() {
        1 => Ok(vec![values[0]; width]),
        n if n == width && trimmed.last() != Some(&1) => Ok(values.to_vec()),
        n => Err(format!(
            "{what} has {n} values (shape {dims:?}); expected one per feature ({width}, shape [{width}] or [1, {width}]) or a single value"
        )),
    }
}

/// A constant of shape `dims` broadcast over the channels of `NCHW` data: one value, or one
/// per channel laid out as `[C, 1, 1]` (leading 1s allowed: `[1, C, 1, 1]`). Anything else
/// (one value per pixel, a `[C]` that ONNX would align with the width axis) is rejected.
pub(super) fn broadcast_channels(
    what: &str,
    dims: &[usize],
    values: &[f64],
    channels: usize,
) -> std::result::Result<Vec<f64>, String> {
    let trimmed: Vec<usize> = dims.iter().copied().skip_while(|&d| d == 1).collect();
    match values.len() {
        1 => Ok(vec![values[0]; channels]),
        n if n == channels && trimmed == [channels, 1, 1] => Ok(values.to_vec()),
        n => Err(format!(
            "{what} has {n} values (shape {dims:?}); on image data expected a single value or one per channel ({channels}, shape [1, {channels}, 1, 1])"
        )),
    }
}

fn finite(what: &str, v: Vec<f64>) -> std::result::Result<Vec<f64>, String> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(format!("{what} is not finite ({}) at feature {i}", v[i])),
        None => Ok(v),
    }
}

impl Affine {
    /// The identity on `width` features.
    pub fn identity(width: usize) -> Self {
        Self {
            scale: vec![1.0; width],
            shift: vec![0.0; width],
        }
    }

    /// `x + c`.
    pub fn add(c: Vec<f64>) -> Self {
        Self {
            scale: vec![1.0; c.len()],
            shift: c,
        }
    }

    /// `x − c`.
    pub fn sub(c: Vec<f64>) -> Self {
        Self {
            scale: vec![1.0; c.len()],
            shift: c.iter().map(|v| -v).collect(),
        }
    }

    /// `c − x`.
    pub fn sub_from(c: Vec<f64>) -> Self {
        Self {
            scale: vec![-1.0; c.len()],
            shift: c,
        }
    }

    /// `x · c`.
    pub fn mul(c: Vec<f64>) -> Self {
        Self {
            shift: vec![0.0; c.len()],
            scale: c,
        }
    }

    /// `x / c`; a zero divisor is an error.
    pub fn div(c: Vec<f64>) -> std::result::Result<Self, String> {
        if let Some(i) = c.iter().position(|&v| v == 0.0) {
            return Err(format!("divides by zero (the divisor is 0 at feature {i})"));
        }
        let scale = finite("1 / divisor", c.iter().map(|v| 1.0 / v).collect())?;
        Ok(Self::mul(scale))
    }

    /// ai.onnx.ml `Scaler`: `(x − offset) · scale`.
    pub fn scaler(offset: Vec<f64>, scale: Vec<f64>) -> Self {
        let shift = offset.iter().zip(&scale).map(|(o, s)| -o * s).collect();
        Self { scale, shift }
    }

    /// Inference `BatchNormalization`: `(x − mean) / sqrt(var + ε) · gamma + beta`.
    pub fn batch_norm(
        gamma: &[f64],
        beta: &[f64],
        mean: &[f64],
        var: &[f64],
        epsilon: f64,
    ) -> std::result::Result<Self, String> {
        let mut scale = Vec::with_capacity(gamma.len());
        for (i, (g, v)) in gamma.iter().zip(var).enumerate() {
            let denom = (v + epsilon).sqrt();
            if denom.is_nan() || denom == 0.0 {
                return Err(format!(
                    "variance + epsilon is {} at channel {i}: sqrt is not a positive number",
                    v + epsilon
                ));
            }
            scale.push(g / denom);
        }
        let scale = finite("gamma / sqrt(var + epsilon)", scale)?;
        let shift = beta
            .iter()
            .zip(mean)
            .zip(&scale)
            .map(|((b, m), a)| b - m * a)
            .collect();
        let shift = finite("beta - mean * gamma / sqrt(var + epsilon)", shift)?;
        Ok(Self { scale, shift })
    }

    /// `self` followed by `next`: `x ↦ a₂ ⊙ (a₁ ⊙ x + d₁) + d₂`.
    pub fn then(&self, next: &Affine) -> std::result::Result<Affine, String> {
        let scale = self.scale.iter().zip(&next.scale).map(|(a1, a2)| a2 * a1);
        let shift = self
            .shift
            .iter()
            .zip(&next.scale)
            .zip(&next.shift)
            .map(|((d1, a2), d2)| a2 * d1 + d2);
        Ok(Affine {
            scale: finite("the combined scale", scale.collect())?,
            shift: finite("the combined offset", shift.collect())?,
        })
    }

    /// Folds this map, applied to the layer's input, into the layer.
    pub fn fold_before(&self, layer: &mut FloatLayer) -> std::result::Result<(), String> {
        for ((row, a), d) in layer.weights.iter_mut().zip(&self.scale).zip(&self.shift) {
            for (w, b) in row.iter_mut().zip(layer.bias.iter_mut()) {
                *b += d * *w;
                *w *= a;
            }
        }
        check_layer(layer)
    }

    /// Folds this map, applied to the layer's output, into the layer.
    pub fn fold_after(&self, layer: &mut FloatLayer) -> std::result::Result<(), String> {
        for row in &mut layer.weights {
            for (w, a) in row.iter_mut().zip(&self.scale) {
                *w *= a;
            }
        }
        for ((b, a), d) in layer.bias.iter_mut().zip(&self.scale).zip(&self.shift) {
            *b = a * *b + d;
        }
        check_layer(layer)
    }
}

impl Affine {
    /// Folds this per-channel map, applied to a convolution's input, into it:
    /// `W'[o][c] = a_c · W[o][c]`, `b'_o = b_o + Σ_c d_c · Σ_{i,j} W[o][c][i][j]`. The offset is
    /// exact only without padding (a padded position reads 0, not `d_c`): with padding a
    /// non-zero offset is an error.
    pub fn fold_before_conv(&self, conv: &mut FloatConv) -> std::result::Result<(), String> {
        if conv.padding > 0 && self.shift.iter().any(|&d| d != 0.0) {
            return Err(format!(
                "an offset before the padded convolution `{}` cannot be folded into it exactly (its zero padding would not be offset); normalise with a scale only, or declare the offset in the spec's input quantisation",
                conv.name
            ));
        }
        let k2 = conv.kernel * conv.kernel;
        for o in 0..conv.c_out {
            for (c, (a, d)) in self.scale.iter().zip(&self.shift).enumerate() {
                let taps = &mut conv.weights[(o * conv.c_in + c) * k2..][..k2];
                conv.bias[o] += d * taps.iter().sum::<f64>();
                taps.iter_mut().for_each(|w| *w *= a);
            }
        }
        check_values(&conv.name, &conv.weights, &conv.bias)
    }

    /// Folds this per-channel map, applied to a convolution's output, into it:
    /// `W'[o] = a_o · W[o]`, `b'_o = a_o · b_o + d_o`.
    pub fn fold_after_conv(&self, conv: &mut FloatConv) -> std::result::Result<(), String> {
        let per_out = conv.c_in * conv.kernel * conv.kernel;
        for (o, (a, d)) in self.scale.iter().zip(&self.shift).enumerate() {
            conv.weights[o * per_out..][..per_out]
                .iter_mut()
                .for_each(|w| *w *= a);
            conv.bias[o] = a * conv.bias[o] + d;
        }
        check_values(&conv.name, &conv.weights, &conv.bias)
    }

    /// This per-channel map as a per-feature one over `C×H×W` values (channel-major).
    pub fn per_feature(&self, pixels: usize) -> Affine {
        let spread = |v: &[f64]| {
            v.iter()
                .flat_map(|&x| std::iter::repeat_n(x, pixels))
                .collect()
        };
        Affine {
            scale: spread(&self.scale),
            shift: spread(&self.shift),
        }
    }
}

fn check_values(name: &str, weights: &[f64], bias: &[f64]) -> std::result::Result<(), String> {
    if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
        return Err(format!(
            "folding into `{name}` gives a non-finite weight ({}) at flat index {i}",
            weights[i]
        ));
    }
    if let Some(j) = bias.iter().position(|b| !b.is_finite()) {
        return Err(format!(
            "folding into `{name}` gives a non-finite bias ({}) at {j}",
            bias[j]
        ));
    }
    Ok(())
}

fn check_layer(layer: &FloatLayer) -> std::result::Result<(), String> {
    for (i, row) in layer.weights.iter().enumerate() {
        if let Some(j) = row.iter().position(|w| !w.is_finite()) {
            return Err(format!(
                "folding into layer `{}` gives a non-finite weight ({}) at [{i}][{j}]",
                layer.name, row[j]
            ));
        }
    }
    if let Some(j) = layer.bias.iter().position(|b| !b.is_finite()) {
        return Err(format!(
            "folding into layer `{}` gives a non-finite bias ({}) at {j}",
            layer.name, layer.bias[j]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer() -> FloatLayer {
        FloatLayer {
            name: "dense".into(),
            weights: vec![vec![1.0, -2.0, 0.5], vec![3.0, 0.25, -1.0]],
            bias: vec![0.1, -0.2, 0.3],
            relu: false,
        }
    }

    fn apply(layer: &FloatLayer, x: &[f64]) -> Vec<f64> {
        let mut y = layer.bias.clone();
        for (xi, row) in x.iter().zip(&layer.weights) {
            for (yj, w) in y.iter_mut().zip(row) {
                *yj += xi * w;
            }
        }
        y
    }

    fn map(f: &Affine, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(&f.scale)
            .zip(&f.shift)
            .map(|((x, a), d)| a * x + d)
            .collect()
    }

    fn close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn folding_before_and_after_matches_applying_the_map() {
        // (x − m) / s, as PyTorch exports a normalisation.
        let pre = Affine::sub(vec![0.5, -1.0])
            .then(&Affine::div(vec![2.0, 0.5]).unwrap())
            .unwrap();
        let post = Affine::batch_norm(
            &[1.5, 0.5, 2.0],
            &[0.1, 0.2, -0.3],
            &[0.0, 1.0, -1.0],
            &[4.0, 0.25, 1.0],
            1e-5,
        )
        .unwrap();
        let mut folded = layer();
        pre.fold_before(&mut folded).unwrap();
        post.fold_after(&mut folded).unwrap();
        for x in [[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5]] {
            close(
                &apply(&folded, &x),
                &map(&post, &apply(&layer(), &map(&pre, &x))),
            );
        }
    }

    #[test]
    fn scaler_and_reversed_sub() {
        let f = Affine::scaler(vec![1.0, 2.0], vec![3.0, 0.5]);
        close(&map(&f, &[2.0, 4.0]), &[3.0, 1.0]);
        let g = Affine::sub_from(vec![1.0, 1.0]);
        close(&map(&g, &[0.25, 2.0]), &[0.75, -1.0]);
        close(&map(&Affine::identity(2), &[0.25, 2.0]), &[0.25, 2.0]);
    }

    #[test]
    fn zero_divisor_and_non_finite_results_are_errors() {
        let e = Affine::div(vec![1.0, 0.0]).unwrap_err();
        assert!(
            e.contains("divides by zero") && e.contains("feature 1"),
            "{e}"
        );
        let e = Affine::div(vec![1e-320]).unwrap_err();
        assert!(e.contains("not finite"), "{e}");
        let e = Affine::batch_norm(&[1.0], &[0.0], &[0.0], &[-1.0], 0.0).unwrap_err();
        assert!(e.contains("variance"), "{e}");
        let mut l = layer();
        let e = Affine::mul(vec![f64::MAX, 1.0])
            .fold_before(&mut l)
            .unwrap_err();
        assert!(e.contains("non-finite weight"), "{e}");
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast("c", &[], &[2.0], 3).unwrap(), vec![2.0; 3]);
        assert_eq!(broadcast("c", &[1, 1], &[2.0], 3).unwrap(), vec![2.0; 3]);
        assert_eq!(
            broadcast("c", &[1, 2], &[1.0, 2.0], 2).unwrap(),
            vec![1.0, 2.0]
        );
        assert_eq!(
            broadcast("c", &[1, 1, 2, 2], &[0.0; 4], 4).unwrap(),
            vec![0.0; 4]
        );
        assert!(broadcast("c", &[2], &[1.0, 2.0], 3)
            .unwrap_err()
            .contains("one per feature"));
        assert!(broadcast("c", &[2, 1], &[1.0, 2.0], 2)
            .unwrap_err()
            .contains("shape [2, 1]"));
    }
}
