//! `contest-cli spec init`: scaffold a schema-2 contest spec from a training CSV
//! (`spec::scaffold`; the ranges' rule in `docs/PROTOCOL.md` §7.1).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Failure, Outcome};
use crate::spec::{scaffold, ScaffoldOptions, Table};

/// Arguments of `contest-cli spec init`.
#[derive(Debug, Args)]
pub struct SpecInitArgs {
    /// Training data: a CSV with a header row; every column but the label (and `--drop`) is a
    /// numeric feature.
    #[arg(long)]
    csv: PathBuf,
    /// The column holding the class labels (any strings; stored in the spec's `class_labels`).
    #[arg(long)]
    label_column: String,
    /// The contest template's name (`[a-z0-9_-]`, 1–64 characters).
    #[arg(long)]
    name: String,
    /// Hidden layer widths of the dense envelope, comma-separated (empty: no hidden layer).
    #[arg(long, default_value = "64", value_delimiter = ',', num_args = 0..)]
    hidden: Vec<usize>,
    /// Columns that are neither features nor the label (ids, free text); repeatable.
    #[arg(long)]
    drop: Vec<String>,
    /// Bits per feature: each column's integers are `0 ..= 2^bits − 1`.
    #[arg(long, default_value_t = 8)]
    bits: u32,
    /// Margin around each column's training range, as a fraction of its spread, on each side.
    #[arg(long, default_value_t = 0.1)]
    margin: f64,
    /// `test_set.rows`: the test set's row count (`testset import` says if it differs).
    #[arg(long, default_value_t = 100)]
    test_rows: usize,
    /// `test_set.threshold_bps`: the accuracy threshold in basis points.
    #[arg(long, default_value_t = 8000)]
    threshold_bps: u32,
    /// The directory to write `contest.toml` into (created; an existing `contest.toml` is kept
    /// unless `--force`).
    #[arg(long)]
    out: PathBuf,
    /// Overwrite an existing `contest.toml`.
    #[arg(long)]
    force: bool,
}

impl SpecInitArgs {
    /// Writes `OUT/contest.toml`; prints its path (with `--json`: path, features, classes).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let table = Table::read_csv(&self.csv).map_err(Failure::input)?;
        let opts = ScaffoldOptions {
            name: self.name,
            label_column: self.label_column,
            drop: self.drop,
            hidden: self.hidden.into_iter().filter(|&h| h > 0).collect(),
            bits: self.bits,
            margin: self.margin,
            test_rows: self.test_rows,
            threshold_bps: self.threshold_bps,
        };
        let made = scaffold(&table, &opts).map_err(Failure::input)?;
        let file = self.out.join("contest.toml");
        if file.exists() && !self.force {
            return Err(Failure::input(anyhow::anyhow!(
                "{} exists: pass --force to overwrite it, or choose another --out",
                file.display()
            )));
        }
        std::fs::create_dir_all(&self.out)
            .with_context(|| format!("creating {}", self.out.display()))
            .map_err(Failure::env)?;
        std::fs::write(&file, &made.toml)
            .with_context(|| format!("writing {}", file.display()))
            .map_err(Failure::env)?;
        let spec = &made.spec;
        let labels = spec.class_labels.clone().unwrap_or_default();
        eprintln!(
            "spec init: {} features, {} classes, envelope {:?}, from {} training rows",
            spec.input.features,
            spec.classes,
            spec.envelope.dims(),
            table.rows.len()
        );
        for (label, n) in labels.iter().zip(&made.class_counts) {
            eprintln!("  class {label:?}: {n} training rows");
        }
        eprintln!(
            "next: set test_set.rows (now {}) and the payout and phases, then `contest-cli testset import --spec {} --csv TEST.csv --label-column …`",
            spec.test_rows,
            self.out.display()
        );
        if json {
            let out = serde_json::json!({
                "spec": file.display().to_string(),
                "features": spec.input.features,
                "classes": spec.classes,
                "class_labels": labels,
                "class_counts": made.class_counts,
                "envelope": spec.envelope.dims(),
            });
            println!("{out}");
        } else {
            println!("{}", file.display());
        }
        Ok(Outcome::Success)
    }
}
