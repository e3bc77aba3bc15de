//! The integer reference semantics (`docs/PROTOCOL.md` §9). The circuit proves exactly what
//! this module computes; change nothing here without changing the protocol and the circuit.
//!
//! Image stages, if any, run first (`model::image`: convolutions, pooling); then for dense
//! layer `l` with input `a` (the row's features, or the flattened image output, for `l = 1`):
//! 1. `z_j = b_j + Σ_i a_i · W[i][j]` (exact, in i64);
//! 2. `q_j = requantize(z_j, s) = (z_j + 2^(s−1)) >> s` (arithmetic shift: floor division,
//!    i.e. round half up), with `q_j = z_j` when `s = 0`;
//! 3. hidden layer: `a'_j = min(max(q_j, 0), activation_max)` (ReLU then saturation);
//!    last layer: `logit_j = min(max(q_j, logit_min), logit_max)`.
//!
//! The prediction is the index of the largest logit, ties to the lowest index;
//! `correct` counts rows whose prediction equals the label.

use super::image::ImageTrace;
use super::{ModelError, QuantizedModel, Result};
use crate::spec::TestSet;

/// `(z + 2^(s−1)) >> s` for `s > 0`, `z` for `s = 0`.
pub fn requantize(z: i64, s: u32) -> i64 {
    if s == 0 {
        z
    } else {
        (z + (1i64 << (s - 1))) >> s
    }
}

/// Index of the largest value; ties go to the lowest index. `0` for an empty slice.
pub fn argmax(values: &[i64]) -> usize {
    let mut best = 0;
    for (j, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = j;
        }
    }
    best
}

/// Every intermediate value of one layer (what the circuit witnesses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerTrace {
    /// The layer's input `a`.
    pub input: Vec<i64>,
    /// `z = a·W + b`.
    pub z: Vec<i64>,
    /// `q = requantize(z, s)`.
    pub q: Vec<i64>,
    /// The saturated output (next layer's input, or the logits).
    pub output: Vec<i64>,
}

/// The full integer forward pass of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// One entry per image stage (`model::image`).
    pub image: Vec<ImageTrace>,
    /// One entry per dense layer.
    pub layers: Vec<LayerTrace>,
    /// `argmax(logits)`, ties to the lowest index.
    pub prediction: usize,
}

impl Trace {
    /// The saturated logits.
    pub fn logits(&self) -> &[i64] {
        self.layers.last().map_or(&[], |l| l.output.as_slice())
    }
}

/// Runs the integer model on one row, keeping every intermediate value.
pub fn forward(model: &QuantizedModel, x: &[i64]) -> Result<Trace> {
    let (min, max) = model.input_range();
    let shape = model.input_shape();
    let width = shape.map_or(model.dims()[0], |s| s.iter().product());
    if x.len() != width {
        return Err(ModelError::Reference(format!(
            "input has {} features, the model takes {width}",
            x.len()
        )));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, &v)| v < min || v > max) {
        return Err(ModelError::Reference(format!(
            "input feature {i} = {v} is outside [{min}, {max}]"
        )));
    }
    let mut input = x.to_vec();
    let mut image = Vec::with_capacity(model.image().len());
    if let Some(mut shape) = shape {
        for stage in model.image() {
            let trace = stage.forward(&input, shape, model.quant().activation_max);
            input.clone_from(&trace.output);
            image.push(trace);
            shape = stage
                .stage()
                .out_shape(shape)
                .ok_or_else(|| ModelError::Reference("an image stage does not fit".into()))?;
        }
    }
    let mut layers = Vec::with_capacity(model.layers().len());
    for (l, layer) in model.layers().iter().enumerate() {
        let mut z: Vec<i64> = layer.biases().iter().map(|&b| i64::from(b)).collect();
        for (a, row) in input.iter().zip(layer.weights()) {
            for (zj, &w) in z.iter_mut().zip(row) {
                *zj += a * i64::from(w);
            }
        }
        let q: Vec<i64> = z.iter().map(|&v| requantize(v, layer.shift())).collect();
        let (lo, hi) = model.output_range(l);
        let output: Vec<i64> = q.iter().map(|&v| v.clamp(lo, hi)).collect();
        layers.push(LayerTrace {
            input,
            z,
            q,
            output: output.clone(),
        });
        input = output;
    }
    let prediction = argmax(&input);
    Ok(Trace {
        image,
        layers,
        prediction,
    })
}

/// The predicted class of one row.
pub fn predict(model: &QuantizedModel, x: &[i64]) -> Result<usize> {
    Ok(forward(model, x)?.prediction)
}

/// Predictions for every row of a set.
pub fn predictions(model: &QuantizedModel, set: &TestSet) -> Result<Vec<usize>> {
    set.rows().map(|row| predict(model, row)).collect()
}

/// Number of rows whose prediction equals the label: the public `correct` of the proof.
pub fn correct(model: &QuantizedModel, set: &TestSet) -> Result<usize> {
    let preds = predictions(model, set)?;
    Ok(preds
        .iter()
        .zip(set.labels())
        .filter(|(p, y)| p == y)
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requantize_rounds_half_up_with_floor_shift() {
        assert_eq!(requantize(5, 0), 5);
        assert_eq!(requantize(-5, 0), -5);
        // s = 1: (z + 1) >> 1
        assert_eq!(requantize(3, 1), 2); // 1.5 → 2
        assert_eq!(requantize(-3, 1), -1); // −1.5 → −1 (half up)
        assert_eq!(requantize(-4, 1), -2);
        // s = 2: (z + 2) >> 2
        assert_eq!(requantize(5, 2), 1); // 1.25 → 1
        assert_eq!(requantize(6, 2), 2); // 1.5 → 2
        assert_eq!(requantize(-6, 2), -1); // −1.5 → −1
        assert_eq!(requantize(-7, 2), -2); // −1.75 → −2
    }

    #[test]
    fn argmax_ties_to_lowest_index() {
        assert_eq!(argmax(&[1, 3, 3, 2]), 1);
        assert_eq!(argmax(&[-5, -5]), 0);
        assert_eq!(argmax(&[0, 0, 1]), 2);
    }
}
