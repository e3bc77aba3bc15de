//! `spec init`: a schema-2 spec scaffolded from training data (`docs/PROTOCOL.md` §7.1).
//!
//! Each feature column's range comes from the training rows: its observed `[lo, hi]` widened
//! by `margin · (hi − lo)` on each side (a constant column by `margin · max(|lo|, 1)`),
//! quantised to `bits` unsigned bits: integers `[0, 2^bits − 1]`, `scale = (hi' − lo') /
//! (2^bits − 1)` written with 6 significant digits, `zero_point = −round(lo' / scale)`, so
//! `lo'` is the integer 0. Every column starting at 0 lets the circuit's features chip check
//! them (`circuit::features`). Test values outside a column's range saturate to its ends and
//! `testset import` reports how many.
//!
//! Labels are the label column's distinct strings, sorted (numerically when every one is an
//! integer), and stored in `class_labels`: class `k` is the `k`-th.

use super::table::{Table, TableError};
use super::{Spec, SpecError};

/// Errors scaffolding a spec.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// Reading the training data.
    #[error(transparent)]
    Table(#[from] TableError),
    /// Options that cannot make a spec.
    #[error("{0}")]
    Options(String),
    /// The generated spec does not validate (e.g. a zero point beyond the schema's bound for a
    /// column far from 0 with a tiny spread).
    #[error("the scaffolded spec is not valid: {0}; widen --margin or lower --bits, or drop the column (--drop)")]
    Spec(#[from] SpecError),
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, ScaffoldError>;

/// What to scaffold.
#[derive(Clone, Debug)]
pub struct ScaffoldOptions {
    /// Template name (`[a-z0-9_-]`, 1–64).
    pub name: String,
    /// The label column.
    pub label_column: String,
    /// Columns that are neither features nor the label (ids, free text).
    pub drop: Vec<String>,
    /// Hidden layer widths of the dense envelope.
    pub hidden: Vec<usize>,
    /// Bits per feature (`1 ..= 15`).
    pub bits: u32,
    /// Margin around each column's observed range, as a fraction of its spread (`≥ 0`).
    pub margin: f64,
    /// `test_set.rows`.
    pub test_rows: usize,
    /// `test_set.threshold_bps`.
    pub threshold_bps: u32,
}

/// A scaffolded spec: its TOML text and what it holds.
#[derive(Clone, Debug)]
pub struct Scaffold {
    /// The `contest.toml` text.
    pub toml: String,
    /// The same, validated.
    pub spec: Spec,
    /// Training rows per class, class 0 first.
    pub class_counts: Vec<usize>,
}

/// Six significant digits, in a form TOML reads as a float.
fn six_digits(v: f64) -> (String, f64) {
    let text = format!("{v:.5e}");
    let parsed = text.parse::<f64>().unwrap_or(v);
    (text, parsed)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Scaffolds a schema-2 spec from a training table.
pub fn scaffold(table: &Table, opts: &ScaffoldOptions) -> Result<Scaffold> {
    if !(1..=15).contains(&opts.bits) {
        return Err(ScaffoldError::Options(format!(
            "--bits {} is out of range: allowed 1 ..= 15 (columns are unsigned, below 2^15)",
            opts.bits
        )));
    }
    if !(opts.margin.is_finite() && opts.margin >= 0.0) {
        return Err(ScaffoldError::Options(format!(
            "--margin {} must be a finite number ≥ 0",
            opts.margin
        )));
    }
    let label = table.column(&opts.label_column, " (--label-column)")?;
    for d in &opts.drop {
        table.column(d, " (--drop)")?;
    }
    let features: Vec<usize> = (0..table.header.len())
        .filter(|&c| c != label && !opts.drop.contains(&table.header[c]))
        .collect();
    if features.is_empty() {
        return Err(ScaffoldError::Options(format!(
            "{}: no feature columns left besides the label column",
            table.path
        )));
    }

    // Classes: distinct label strings, sorted numerically if all are integers.
    let mut labels: Vec<String> = Vec::new();
    for r in 0..table.rows.len() {
        let t = table.text(r, label);
        if t.is_empty() {
            return Err(TableError::Cell {
                path: table.path.clone(),
                row: table.rows[r].0,
                column: opts.label_column.clone(),
                problem: super::table::CellProblem::Missing(String::new()),
            }
            .into());
        }
        if !labels.iter().any(|l| l == t) {
            labels.push(t.to_string());
        }
    }
    if labels.iter().all(|l| l.parse::<i64>().is_ok()) {
        labels.sort_by_key(|l| l.parse::<i64>().unwrap_or_default());
    } else {
        labels.sort();
    }
    if labels.len() < 2 {
        return Err(ScaffoldError::Options(format!(
            "{}: the label column {:?} has {} distinct value(s); a classification contest needs at least 2",
            table.path,
            opts.label_column,
            labels.len()
        )));
    }
    let class_counts = labels
        .iter()
        .map(|l| {
            (0..table.rows.len())
                .filter(|&r| table.text(r, label) == l)
                .count()
        })
        .collect();

    let q_max = (1i64 << opts.bits) - 1;
    let mut columns = String::new();
    for &c in &features {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for r in 0..table.rows.len() {
            let v = table.number(r, c)?;
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let spread = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let (lo_w, hi_w) = (lo - opts.margin * spread, hi + opts.margin * spread);
        let width = if hi_w > lo_w { hi_w - lo_w } else { spread };
        let (scale_text, scale) = six_digits(width / q_max as f64);
        let zero_point = -(lo_w / scale).round();
        columns += &format!(
            "\n# observed [{lo}, {hi}]; values below {lo_w:.6e} or above {hi_w:.6e} saturate\n\
             [[input.columns]]\nname = {}\nmin = 0\nmax = {q_max}\nscale = {scale_text}\nzero_point = {}\n",
            toml_string(&table.header[c]),
            zero_point as i64,
        );
    }

    let mut layers = String::new();
    for &h in &opts.hidden {
        layers += &format!("[[envelope.layers]]\nmax_width = {h}\nactivation = \"relu\"\n\n");
    }
    layers += &format!(
        "[[envelope.layers]]\nmax_width = {}\nactivation = \"none\"\n",
        labels.len()
    );
    let label_list: Vec<String> = labels.iter().map(|l| toml_string(l)).collect();
    let mut dims = vec![features.len().to_string()];
    dims.extend(opts.hidden.iter().map(|h| format!("≤{h}")));
    dims.push(labels.len().to_string());

    let toml = format!(
        "# Scaffolded by `contest-cli spec init` from {path} ({rows} training rows).\n\
         # Each column's range is its training [min, max] widened by {margin} × its spread on\n\
         # each side, quantised to {bits} bits: an ONNX model receives (q − zero_point) × scale.\n\
         # Test values outside a column's range saturate; `testset import` counts them.\n\
         # Review every field before `contest-cli create`: its keccak-256 is the contest's specHash.\n\
         schema_version = 2\n\
         name = {name}\n\
         task = \"classification\"\n\
         classes = {classes}\n\
         # Class k is the k-th label of the label column {label_col}.\n\
         class_labels = [{label_list}]\n\
         \n\
         [input]\n\
         features = {features}\n\
         {columns}\n\
         # {dims}\n\
         {layers}\n\
         # int8 weights, int32 biases; hidden activations unsigned 8-bit, logits 24-bit.\n\
         [quantisation]\n\
         weight_bits = 8\n\
         bias_bits = 32\n\
         shift_max = 24\n\
         activation_max = 255\n\
         logit_bits = 24\n\
         \n\
         [test_set]\n\
         # The test set's row count: `testset import` says if it differs.\n\
         rows = {test_rows}\n\
         threshold_bps = {threshold}\n\
         \n\
         [payout]\n\
         split_bps = [7000, 3000]\n\
         # 0.01 ETH\n\
         commit_bond_wei = \"10000000000000000\"\n\
         \n\
         [phases]\n\
         commit_secs = 604800\n\
         test_set_reveal_secs = 86400\n\
         prove_secs = 259200\n\
         model_reveal_secs = 86400\n",
        path = std::path::Path::new(&table.path)
            .file_name()
            .map_or(table.path.clone(), |f| f.to_string_lossy().into_owned()),
        rows = table.rows.len(),
        margin = opts.margin,
        bits = opts.bits,
        name = toml_string(&opts.name),
        classes = labels.len(),
        label_col = toml_string(&opts.label_column),
        label_list = label_list.join(", "),
        features = features.len(),
        dims = dims.join(" → "),
        test_rows = opts.test_rows,
        threshold = opts.threshold_bps,
    );
    let spec = Spec::from_toml_str(&toml)?;
    Ok(Scaffold {
        toml,
        spec,
        class_counts,
    })
}
