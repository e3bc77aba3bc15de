//! `contest-cli model inspect`: what an ONNX file contains and whether it fits a contest.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{Failure, Outcome};
use crate::model::OnnxFile;
use crate::spec::Spec;

/// Arguments of `contest-cli model inspect`.
#[derive(Debug, Args)]
pub struct ModelInspectArgs {
    /// The ONNX model.
    model: PathBuf,
    /// A contest spec (`contest.toml` or its directory): also check the envelope fit.
    #[arg(long)]
    spec: Option<PathBuf>,
}

fn shape_string(shape: &[crate::model::onnx::Dim]) -> String {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    format!("[{}]", dims.join(", "))
}

impl ModelInspectArgs {
    /// Prints ops, shapes, the parameter count, the dense network and the envelope fit.
    /// Exit 2 if the model cannot be imported or does not fit the given spec.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = self
            .spec
            .as_deref()
            .map(Spec::from_path)
            .transpose()
            .map_err(Failure::input)?;
        let file = OnnxFile::read(&self.model).map_err(Failure::input)?;
        let (in_name, in_shape) = file.input().map_err(Failure::input)?;
        let (out_name, out_shape) = file.output().map_err(Failure::input)?;
        let nodes = file.nodes().map_err(Failure::input)?;
        let params = file.parameter_count().map_err(Failure::input)?;
        // Import and fit errors are reported after the summary, so the user sees the graph.
        let dense = file.dense_network();
        let fit = match (&dense, &spec) {
            (Ok(net), Some(spec)) => Some(
                net.check_fits(&spec.envelope)
                    .map(|()| spec.envelope.dims()),
            ),
            _ => None,
        };

        if json {
            let out = serde_json::json!({
                "model": file.path(),
                "input": { "name": in_name, "shape": shape_string(&in_shape) },
                "output": { "name": out_name, "shape": shape_string(&out_shape) },
                "nodes": nodes.iter().map(|n| serde_json::json!({"name": n.name, "op": n.op})).collect::<Vec<_>>(),
                "parameters": params,
                "image_stages": dense.as_ref().ok().map(image_stages),
                "dense_widths": dense.as_ref().ok().map(|n| n.dims()),
                "softmax_dropped": dense.as_ref().ok().map(|n| n.softmax_dropped),
                "fits_envelope": fit.as_ref().map(Result::is_ok),
                "padded_widths": fit.as_ref().and_then(|f| f.as_ref().ok()),
            });
            println!("{out}");
        } else {
            println!("model:      {}", file.path());
            println!("input:      {in_name} {}", shape_string(&in_shape));
            println!("output:     {out_name} {}", shape_string(&out_shape));
            println!("parameters: {params}");
            println!("nodes:");
            for n in &nodes {
                println!(
                    "  {:<16} {:<12} {} -> {}",
                    n.name,
                    n.op,
                    n.inputs.join(", "),
                    n.outputs.join(", ")
                );
            }
            if let Some(net) = dense.as_ref().ok().filter(|n| !n.image.is_empty()) {
                println!("image:      {} → flatten", image_stages(net).join(" → "));
            }
            if let Ok(net) = &dense {
                let widths: Vec<String> = net.dims().iter().map(usize::to_string).collect();
                let soft = if net.softmax_dropped {
                    " (final softmax dropped)"
                } else {
                    ""
                };
                println!("dense:      {}{soft}", widths.join(" → "));
            }
            if let (Some(Ok(padded)), Some(spec)) = (&fit, &spec) {
                let widths: Vec<String> = padded.iter().map(usize::to_string).collect();
                println!(
                    "envelope:   fits contest `{}`, padded to {}",
                    spec.name,
                    widths.join(" → ")
                );
            }
        }
        dense
            .context("importing the dense network")
            .map_err(Failure::input)?;
        if let Some(Err(e)) = fit {
            return Err(Failure::input(e));
        }
        Ok(Outcome::Success)
    }
}

/// The network's image stages as a reader would write them.
fn image_stages(net: &crate::model::FloatNetwork) -> Vec<String> {
    net.image
        .iter()
        .map(|l| crate::model::float::describe(&l.stage()))
        .collect()
}
