//! `contest-cli model evaluate`: float accuracy through tract against the quantised reference
//! model on a test set.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, Outcome};
use crate::model::reference::predictions;
use crate::model::{quantise, FloatRunner, OnnxFile};
use crate::spec::{Spec, TestSet};

/// Arguments of `contest-cli model evaluate`.
#[derive(Debug, Args)]
pub struct ModelEvaluateArgs {
    /// The contest spec (`contest.toml`, or its directory).
    #[arg(long)]
    spec: PathBuf,
    /// The competitor's ONNX model.
    #[arg(long)]
    model: PathBuf,
    /// The labelled rows to evaluate on (`.zkts`, any row count).
    #[arg(long)]
    testset: PathBuf,
    /// Calibration rows for the activation shifts (`.zkts`; labels are ignored). Default: 256
    /// seeded uniform rows over the input range.
    #[arg(long)]
    calibration: Option<PathBuf>,
}

/// Accuracy-style ratio; `0` for no rows.
fn ratio(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

impl ModelEvaluateArgs {
    /// Prints float accuracy, quantised accuracy, agreement and the confusion matrix.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let set = TestSet::from_path_any_rows(&self.testset, &spec).map_err(Failure::input)?;
        let calibration = self
            .calibration
            .as_deref()
            .map(|p| TestSet::from_path_any_rows(p, &spec))
            .transpose()
            .map_err(Failure::input)?;
        let file = OnnxFile::read(&self.model).map_err(Failure::input)?;
        let net = file.dense_network().map_err(Failure::input)?;
        let padded = net.padded(&spec.envelope).map_err(Failure::input)?;
        let model = quantise(&padded, &spec, calibration.as_ref()).map_err(Failure::input)?;
        let runner = FloatRunner::new(&file, &spec).map_err(Failure::input)?;

        let float_preds: Vec<usize> = set
            .rows()
            .map(|r| runner.predict(r))
            .collect::<Result<_, _>>()
            .map_err(Failure::input)?;
        let quant_preds = predictions(&model, &set).map_err(Failure::input)?;
        let labels = set.labels();
        let n = set.len();
        let float_correct = float_preds
            .iter()
            .zip(labels)
            .filter(|(p, y)| p == y)
            .count();
        let quant_correct = quant_preds
            .iter()
            .zip(labels)
            .filter(|(p, y)| p == y)
            .count();
        let agree = float_preds
            .iter()
            .zip(&quant_preds)
            .filter(|(a, b)| a == b)
            .count();
        let mut confusion = vec![vec![0usize; spec.classes]; spec.classes];
        for (&y, &p) in labels.iter().zip(&quant_preds) {
            confusion[y][p] += 1;
        }
        let shifts: Vec<u32> = model.shifts();
        let meets = quant_correct >= spec.min_correct && n == spec.test_rows;
        // Without real calibration rows the default quantiser cannot tell idle inputs (whose
        // outlier weights may saturate) from busy ones: say so when that visibly costs accuracy.
        let calibration_hint = (calibration.is_none()
            && float_correct > quant_correct + n.div_ceil(20))
        .then_some(
            "quantised accuracy is over 5 points below float: quantise with real training rows \
             (--calibration FILE.zkts); with the default random calibration, outlier weights \
             (e.g. a StandardScaler dividing by near-zero deviations) keep a scale that rounds \
             every ordinary weight to 0",
        );

        if json {
            let out = serde_json::json!({
                "rows": n,
                "float_accuracy": ratio(float_correct, n),
                "quantised_accuracy": ratio(quant_correct, n),
                "agreement": ratio(agree, n),
                "float_correct": float_correct,
                "quantised_correct": quant_correct,
                "agreeing_rows": agree,
                "min_correct": spec.min_correct,
                "meets_threshold": meets,
                "model_widths": net.dims(),
                "padded_widths": model.dims(),
                "shifts": shifts,
                "confusion": confusion,
                "calibration_hint": calibration_hint,
            });
            println!("{out}");
        } else {
            println!("rows:               {n}");
            println!(
                "float accuracy:     {:.4} ({float_correct}/{n}, tract)",
                ratio(float_correct, n)
            );
            println!(
                "quantised accuracy: {:.4} ({quant_correct}/{n}, reference model)",
                ratio(quant_correct, n)
            );
            println!("agreement:          {:.4} ({agree}/{n})", ratio(agree, n));
            println!(
                "min_correct:        {} ({})",
                spec.min_correct,
                if meets { "met" } else { "not met" }
            );
            println!("shifts:             {shifts:?}");
            if let Some(hint) = calibration_hint {
                println!("hint:               {hint}");
            }
            println!("confusion (rows: label, columns: quantised prediction):");
            for (y, row) in confusion.iter().enumerate() {
                let cells: Vec<String> = row.iter().map(|c| format!("{c:>4}")).collect();
                println!("  {y:>3} |{}", cells.join(""));
            }
        }
        Ok(Outcome::Success)
    }
}
