//! Float inference through tract: the "float accuracy" that quantisation is measured against.

use std::sync::Arc;

use tract_onnx::prelude::*;

use super::onnx::{input_features, Dim};
use super::{ModelError, OnnxFile, Result};
use crate::spec::Spec;

/// A tract plan for one row at a time (`[1, F]`, or `[F]` for a batch-less model).
pub struct FloatRunner {
    plan: Arc<TypedRunnableModel>,
    shape: Vec<usize>,
    input: crate::spec::InputSpec,
}

fn tract_err(context: &str) -> impl Fn(TractError) -> ModelError + '_ {
    move |e| ModelError::Tract(format!("{context}: {e:#}"))
}

impl FloatRunner {
    /// Types the model for a single row of the spec's input and optimises it (the graph of
    /// [`OnnxFile::tract_proto`]: the output the dense network stands for).
    pub fn new(file: &OnnxFile, spec: &Spec) -> Result<Self> {
        let (_, declared) = file.input()?;
        let features = input_features(&declared)?;
        if features != spec.input.features {
            return Err(ModelError::Envelope(format!(
                "the model takes {features} input features, the contest has {}",
                spec.input.features
            )));
        }
        let shape: Vec<usize> = match declared.as_slice() {
            [_] => vec![features],
            [_, rest @ ..] => std::iter::once(1)
                .chain(rest.iter().map(|d| match d {
                    Dim::Fixed(n) => *n as usize,
                    _ => 1,
                }))
                .collect(),
            [] => vec![1, features],
        };
        // tract has `unimplemented!` paths for exotic tensors: a panic there is an input
        // error about this file, not a crash of the tool.
        // The logits output only (no label branches), Scaler rewritten (`tract_proto`).
        let proto = file.tract_proto()?;
        let build = || -> Result<Arc<TypedRunnableModel>> {
            tract_onnx::onnx()
                .model_for_proto_model(&proto)
                .map_err(tract_err("loading"))?
                .with_input_fact(0, f32::fact(shape.clone()).into())
                .map_err(tract_err("setting the input shape"))?
                .into_optimized()
                .map_err(tract_err("typing and optimising"))?
                .into_runnable()
                .map_err(tract_err("planning"))
        };
        let plan =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)).map_err(|_| {
                ModelError::Tract(format!("tract panicked while loading {}", file.path()))
            })??;
        Ok(Self {
            plan,
            shape,
            input: spec.input.clone(),
        })
    }

    /// The model's outputs for one row of integer features (fed as the dequantised floats
    /// `(feature − zero_point) × scale` of each column, `InputSpec::dequantise`).
    pub fn run(&self, x: &[i64]) -> Result<Vec<f32>> {
        let values: Vec<f32> = match self.input.uniform_scale() {
            // Schema 1: `feature × scale` in f32, as the exporters' reference runs compute it.
            Some(scale) => x.iter().map(|&v| v as f32 * scale as f32).collect(),
            None => self
                .input
                .dequantise(x)
                .into_iter()
                .map(|v| v as f32)
                .collect(),
        };
        let input =
            Tensor::from_shape(&self.shape, &values).map_err(tract_err("building the input"))?;
        let out = self
            .plan
            .run(tvec!(input.into_tvalue()))
            .map_err(tract_err("running"))?;
        let first = out
            .first()
            .ok_or_else(|| ModelError::Tract("the model produced no output".into()))?;
        let view = first
            .to_plain_array_view::<f32>()
            .map_err(tract_err("reading the output"))?;
        Ok(view.iter().copied().collect())
    }

    /// Argmax of the outputs (ties to the lowest index).
    pub fn predict(&self, x: &[i64]) -> Result<usize> {
        let out = self.run(x)?;
        let mut best = 0;
        for (j, &v) in out.iter().enumerate() {
            if v > out[best] {
                best = j;
            }
        }
        Ok(best)
    }
}
