//! `contest-cli testset import`: a CSV or NumPy test set → a `.zkts` file, each value quantised
//! exactly by the spec's columns (`spec::import`; `docs/PROTOCOL.md` §7.1).

use std::path::PathBuf;

use clap::Args;

use super::{Failure, Outcome};
use crate::spec::table::{read_npy, read_npz};
use crate::spec::{import_table, Spec, Table};

/// Arguments of `contest-cli testset import`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["csv", "npy", "npz"])))]
pub struct TestsetImportArgs {
    /// The contest spec (`contest.toml`, or its directory).
    #[arg(long)]
    spec: PathBuf,
    /// The test set as CSV with a header row: the spec's feature columns by name (schema 2), or
    /// every column but the label in order (schema 1), and the label column.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// The label column of the CSV (its cells are the spec's `class_labels`, or class numbers).
    #[arg(long, default_value = "label")]
    label_column: String,
    /// The features as a NumPy `.npy` array `[rows, features]` in the spec's column order
    /// (with `--labels`).
    #[arg(long, requires = "labels")]
    npy: Option<PathBuf>,
    /// The labels as a NumPy `.npy` array `[rows]` (numbers or strings), with `--npy`.
    #[arg(long, requires = "npy")]
    labels: Option<PathBuf>,
    /// A NumPy `.npz` archive (`np.savez`, uncompressed) holding the arrays `--x-key` and
    /// `--y-key`.
    #[arg(long)]
    npz: Option<PathBuf>,
    /// The feature array's name in `--npz`.
    #[arg(long, default_value = "x")]
    x_key: String,
    /// The label array's name in `--npz`.
    #[arg(long, default_value = "y")]
    y_key: String,
    /// Accept any row count (a calibration or evaluation set); by default it must be the
    /// spec's `test_set.rows`.
    #[arg(long)]
    any_rows: bool,
    /// The `.zkts` file to write.
    #[arg(long)]
    out: PathBuf,
}

impl TestsetImportArgs {
    /// Writes the `.zkts` file; the summary (rows, class balance, saturated values) goes to
    /// stderr, the file's path (with `--json`: the summary) to stdout.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let names: Vec<String> = spec
            .input
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| col.name.clone().unwrap_or_else(|| format!("feature {c}")))
            .collect();
        let (table, label_column) = if let Some(csv) = &self.csv {
            (
                Table::read_csv(csv).map_err(Failure::input)?,
                self.label_column.clone(),
            )
        } else {
            let (path, x, y) = match (&self.npy, &self.labels, &self.npz) {
                (Some(x), Some(y), _) => (
                    x.display().to_string(),
                    read_npy(x).map_err(Failure::input)?,
                    read_npy(y).map_err(Failure::input)?,
                ),
                (_, _, Some(z)) => {
                    let mut arrays = read_npz(z, &[self.x_key.as_str(), self.y_key.as_str()])
                        .map_err(Failure::input)?;
                    let y = arrays.pop();
                    let x = arrays.pop();
                    match (x, y) {
                        (Some(x), Some(y)) => (z.display().to_string(), x, y),
                        _ => {
                            return Err(Failure::input(anyhow::anyhow!(
                                "{}: two arrays expected",
                                z.display()
                            )))
                        }
                    }
                }
                _ => {
                    return Err(Failure::input(anyhow::anyhow!(
                        "give the test set as --csv FILE, --npy X.npy --labels Y.npy, or --npz FILE"
                    )))
                }
            };
            let label = "label".to_string();
            let table = Table::from_arrays(&path, names, &x, &y, &label).map_err(Failure::input)?;
            (table, label)
        };
        let (set, summary) =
            import_table(&spec, &table, &label_column, self.any_rows).map_err(Failure::input)?;

        set.write_to(&self.out, &spec).map_err(Failure::env)?;

        let class_name = |k: usize| {
            spec.class_labels
                .as_ref()
                .map_or_else(|| k.to_string(), |l| format!("{:?}", l[k]))
        };
        eprintln!("testset import: {} rows from {}", summary.rows, table.path);
        for (k, n) in summary.class_counts.iter().enumerate() {
            let pct = 100.0 * *n as f64 / summary.rows.max(1) as f64;
            eprintln!("  class {k} ({}): {n} rows ({pct:.1}%)", class_name(k));
        }
        let total = summary.saturated_values();
        eprintln!(
            "  saturated values: {total} of {} ({} columns)",
            summary.rows * spec.input.features,
            summary.saturated.len()
        );
        for s in &summary.saturated {
            eprintln!(
                "    {:?}: {} below the column's range, {} above",
                s.column, s.below, s.above
            );
        }
        if !summary.ignored_columns.is_empty() {
            eprintln!(
                "  ignored columns (not in the spec): {}",
                summary.ignored_columns.join(", ")
            );
        }
        if json {
            let mut out = serde_json::to_value(&summary).map_err(Failure::env)?;
            out["out"] = self.out.display().to_string().into();
            out["saturated_values"] = total.into();
            println!("{out}");
        } else {
            println!("{}", self.out.display());
        }
        Ok(Outcome::Success)
    }
}
