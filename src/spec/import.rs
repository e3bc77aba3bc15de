//! `testset import`: a table of real values and label strings → a [`TestSet`] of the spec's
//! integers (`docs/PROTOCOL.md` §7.1): each feature quantised by its column
//! ([`ColumnSpec::quantise`](super::ColumnSpec::quantise)), saturating at the column's range
//! and counted; each label mapped to its class by the spec ([`Spec::class_of`]).

use super::table::{RowRef, Table, TableError};
use super::{Spec, TestSet, TestSetError};

/// Errors turning a table into a test set.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading the file, a malformed cell.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A label the spec does not map to a class.
    #[error("{path}: {row}, label column {column:?}: unknown label {value:?}; the spec's classes are {known}")]
    UnknownLabel {
        /// The file.
        path: String,
        /// The row.
        row: RowRef,
        /// The label column.
        column: String,
        /// The label as written.
        value: String,
        /// The labels the spec knows.
        known: String,
    },
    /// A schema-1 spec names no columns: the file must have exactly `features` besides the
    /// label.
    #[error("{path}: {found} feature columns besides the label column, the spec has input.features = {expected}")]
    ColumnCount {
        /// The file.
        path: String,
        /// Feature columns in the file.
        found: usize,
        /// `input.features`.
        expected: usize,
    },
    /// The row count is not the spec's `test_set.rows`.
    #[error("{path}: {found} rows, the spec's test_set.rows is {expected}: set test_set.rows = {found} in the spec (before `create`), or pass --any-rows for a calibration or evaluation set")]
    RowCount {
        /// The file.
        path: String,
        /// Rows in the file.
        found: usize,
        /// `test_set.rows`.
        expected: usize,
    },
    /// The quantised rows are not a test set of the spec (cannot happen: values are clamped).
    #[error(transparent)]
    TestSet(#[from] TestSetError),
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, ImportError>;

/// How many values of one column lay outside its range and were saturated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ColumnSaturation {
    /// The column (its spec name, or `feature <c>` in schema 1).
    pub column: String,
    /// Values below the range (set to `min`).
    pub below: usize,
    /// Values above the range (set to `max`).
    pub above: usize,
}

/// What an import did, for the summary on stderr and `--json`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    /// Rows imported.
    pub rows: usize,
    /// Rows per class, class 0 first.
    pub class_counts: Vec<usize>,
    /// Columns with saturated values (only those with any), in column order.
    pub saturated: Vec<ColumnSaturation>,
    /// Columns of the file that are neither features nor the label (ignored).
    pub ignored_columns: Vec<String>,
}

impl ImportSummary {
    /// Saturated values over all columns.
    pub fn saturated_values(&self) -> usize {
        self.saturated.iter().map(|s| s.below + s.above).sum()
    }
}

/// Quantises `table` by `spec`. Feature columns are found by the spec's column names (schema
/// 2), or are all columns but the label, in order (schema 1). Unless `any_rows`, the row count
/// must be the spec's `test_set.rows`.
pub fn import_table(
    spec: &Spec,
    table: &Table,
    label_column: &str,
    any_rows: bool,
) -> Result<(TestSet, ImportSummary)> {
    let label = table.column(label_column, " (--label-column)")?;
    let features: Vec<usize> = if spec.input.has_names() {
        spec.input
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let name = col.name.as_deref().unwrap_or_default();
                table.column(name, &format!(" (input.columns[{c}] of the spec)"))
            })
            .collect::<std::result::Result<_, _>>()?
    } else {
        let cols: Vec<usize> = (0..table.header.len()).filter(|&c| c != label).collect();
        if cols.len() != spec.input.features {
            return Err(ImportError::ColumnCount {
                path: table.path.clone(),
                found: cols.len(),
                expected: spec.input.features,
            });
        }
        cols
    };
    let ignored_columns = (0..table.header.len())
        .filter(|c| *c != label && !features.contains(c))
        .map(|c| table.header[c].clone())
        .collect();
    let rows = table.rows.len();
    if !any_rows && rows != spec.test_rows {
        return Err(ImportError::RowCount {
            path: table.path.clone(),
            found: rows,
            expected: spec.test_rows,
        });
    }

    let mut saturated: Vec<ColumnSaturation> = spec
        .input
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| ColumnSaturation {
            column: col.name.clone().unwrap_or_else(|| format!("feature {c}")),
            below: 0,
            above: 0,
        })
        .collect();
    let mut x = Vec::with_capacity(rows * features.len());
    let mut y = Vec::with_capacity(rows);
    let mut class_counts = vec![0usize; spec.classes];
    for r in 0..rows {
        for ((&c, col), sat) in features.iter().zip(&spec.input.columns).zip(&mut saturated) {
            let v = table.number(r, c)?;
            let q = col.quantise(v);
            if q.saturated {
                if q.value == col.min {
                    sat.below += 1;
                } else {
                    sat.above += 1;
                }
            }
            x.push(q.value);
        }
        let text = table.text(r, label);
        let class = spec
            .class_of(text)
            .ok_or_else(|| ImportError::UnknownLabel {
                path: table.path.clone(),
                row: table.rows[r].0,
                column: label_column.to_string(),
                value: text.to_string(),
                known: match &spec.class_labels {
                    Some(names) => format!("{names:?} (class_labels)"),
                    None => format!("the integers 0 ..= {} (no class_labels)", spec.classes - 1),
                },
            })?;
        class_counts[class] += 1;
        y.push(class);
    }
    saturated.retain(|s| s.below + s.above > 0);
    let set = TestSet::new(spec, x, y)?;
    Ok((
        set,
        ImportSummary {
            rows,
            class_counts,
            saturated,
            ignored_columns,
        },
    ))
}
