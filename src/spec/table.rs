//! Tabular data files as the organiser has them: CSV (RFC 4180: a header row, `,`-separated,
//! `"`-quoted fields with `""` for a quote, LF or CRLF line ends) and NumPy `.npy` arrays
//! (`npy.rs`). Both are read into a [`Table`] of text cells, so one path turns cells into
//! numbers and labels, and every error names the row and the column.

use std::fmt;
use std::path::Path;

pub use super::npy::{npy_v1, read_npy, read_npz, NpyArray};

/// Errors reading a data file or turning its cells into numbers.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not well-formed CSV.
    #[error("{path}: line {line}: {message}")]
    Csv {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Not a `.npy`/`.npz` file this reader understands.
    #[error("{path}: {message}")]
    Npy {
        /// The file (and array, for `.npz`).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A column asked for by name is not in the header.
    #[error("{path}: no column named {name:?}{hint}; the header has: {header}")]
    NoSuchColumn {
        /// The file.
        path: String,
        /// The name asked for.
        name: String,
        /// Where the name came from, e.g. " (input.columns[3] of the spec)".
        hint: String,
        /// The header's names, comma-separated.
        header: String,
    },
    /// A cell that should hold a number does not.
    #[error("{path}: {row}, column {column:?}: {problem}")]
    Cell {
        /// The file.
        path: String,
        /// The row.
        row: RowRef,
        /// The column's name.
        column: String,
        /// What is wrong with the cell.
        problem: CellProblem,
    },
    /// The file has a header but no data rows.
    #[error("{path}: no data rows")]
    NoRows {
        /// The file.
        path: String,
    },
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, TableError>;

/// A data row: 1-based among the data rows, with the CSV line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowRef {
    /// 1-based data row (the header is not counted).
    pub row: usize,
    /// 1-based line of the file (CSV only).
    pub line: Option<usize>,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "row {} (line {line})", self.row),
            None => write!(f, "row {}", self.row),
        }
    }
}

/// Why a cell is not a usable number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellProblem {
    /// Empty, or a missing-value marker (`NA`, `N/A`, `null`, `None`, `?`).
    Missing(String),
    /// `NaN`.
    NaN,
    /// `inf` or `-inf`.
    Infinite(String),
    /// Anything else that does not parse as a decimal number.
    NotNumeric(String),
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(v) if v.is_empty() => write!(
                f,
                "missing value (empty cell): fill or drop the row; a test set has no missing values"
            ),
            Self::Missing(v) => write!(
                f,
                "missing value ({v:?}): fill or drop the row; a test set has no missing values"
            ),
            Self::NaN => write!(f, "NaN is not a value: fill or drop the row"),
            Self::Infinite(v) => write!(f, "{v:?} is not finite"),
            Self::NotNumeric(v) => write!(f, "{v:?} is not a number"),
        }
    }
}

/// Markers read as a missing value.
const MISSING: [&str; 7] = ["", "NA", "N/A", "null", "NULL", "None", "?"];

/// A parsed cell's number, or why it has none.
pub fn parse_number(cell: &str) -> std::result::Result<f64, CellProblem> {
    let cell = cell.trim();
    if MISSING.contains(&cell) {
        return Err(CellProblem::Missing(cell.to_string()));
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_nan() => Err(CellProblem::NaN),
        Ok(v) if v.is_infinite() => Err(CellProblem::Infinite(cell.to_string())),
        Ok(v) => Ok(v),
        Err(_) => Err(CellProblem::NotNumeric(cell.to_string())),
    }
}

/// A header and rows of text cells, every row as wide as the header.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Where it came from (for messages).
    pub path: String,
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// Data rows: where each starts, and its cells.
    pub rows: Vec<(RowRef, Vec<String>)>,
}

impl Table {
    /// The index of the column `name`; `hint` says where the name came from.
    pub fn column(&self, name: &str, hint: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TableError::NoSuchColumn {
                path: self.path.clone(),
                name: name.to_string(),
                hint: hint.to_string(),
                header: self.header.join(", "),
            })
    }

    /// The number in row `r`, column `c`, or an error naming both.
    pub fn number(&self, r: usize, c: usize) -> Result<f64> {
        let (row, cells) = &self.rows[r];
        parse_number(&cells[c]).map_err(|problem| TableError::Cell {
            path: self.path.clone(),
            row: *row,
            column: self.header[c].clone(),
            problem,
        })
    }

    /// The trimmed text in row `r`, column `c`.
    pub fn text(&self, r: usize, c: usize) -> &str {
        self.rows[r].1[c].trim()
    }

    /// Reads a CSV file.
    pub fn read_csv(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| TableError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse_csv(&path.display().to_string(), &text)
    }

    /// Parses CSV text (`path` names it in messages).
    pub fn parse_csv(path: &str, text: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let records = split_records(path, text)?;
        let mut records = records.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(TableError::Csv {
                path: path.to_string(),
                line: 1,
                message: "empty file: expected a header row".into(),
            });
        };
        let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        for (i, h) in header.iter().enumerate() {
            if header[..i].contains(h) {
                return Err(TableError::Csv {
                    path: path.to_string(),
                    line: 1,
                    message: format!("column name {h:?} appears twice in the header"),
                });
            }
        }
        let mut rows = Vec::new();
        for (line, cells) in records {
            if cells.len() != header.len() {
                return Err(TableError::Csv {
                    path: path.to_string(),
                    line,
                    message: format!(
                        "{} cells, the header has {} columns",
                        cells.len(),
                        header.len()
                    ),
                });
            }
            let row = RowRef {
                row: rows.len() + 1,
                line: Some(line),
            };
            rows.push((row, cells));
        }
        if rows.is_empty() {
            return Err(TableError::NoRows {
                path: path.to_string(),
            });
        }
        Ok(Self {
            path: path.to_string(),
            header,
            rows,
        })
    }

    /// A table from a 2-D feature array and a 1-D label array (NumPy input). Columns are named
    /// `names` (the spec's), the labels `label`.
    pub fn from_arrays(
        path: &str,
        names: Vec<String>,
        x: &NpyArray,
        y: &NpyArray,
        label: &str,
    ) -> Result<Self> {
        let npy_err = |message: String| TableError::Npy {
            path: path.to_string(),
            message,
        };
        // `[rows, features]`, or images `[rows, C, H, W]` (`[rows, H, W]`): C order is the
        // spec's channel-major feature order.
        let (rows, cols) = match x.shape.as_slice() {
            [r, rest @ ..] if !rest.is_empty() => (*r, rest.iter().product::<usize>()),
            other => {
                return Err(npy_err(format!(
                    "the feature array has shape {other:?}, expected [rows, features] (or images [rows, C, H, W])"
                )))
            }
        };
        if cols != names.len() {
            return Err(npy_err(format!(
                "the feature array has {cols} values per row (shape {:?}), the spec has {} features",
                x.shape,
                names.len()
            )));
        }
        if y.shape.iter().product::<usize>() != rows || y.shape.len() > 2 {
            return Err(npy_err(format!(
                "the label array has shape {:?}, expected [{rows}] (one label per feature row)",
                y.shape
            )));
        }
        let mut header = names;
        header.push(label.to_string());
        let table_rows = (0..rows)
            .map(|r| {
                let mut cells: Vec<String> = x.cells[r * cols..(r + 1) * cols].to_vec();
                cells.push(y.cells[r].clone());
                (
                    RowRef {
                        row: r + 1,
                        line: None,
                    },
                    cells,
                )
            })
            .collect::<Vec<_>>();
        if table_rows.is_empty() {
            return Err(TableError::NoRows {
                path: path.to_string(),
            });
        }
        Ok(Self {
            path: path.to_string(),
            header,
            rows: table_rows,
        })
    }
}

/// Splits CSV text into records of raw cells with the line each starts on; blank lines are
/// skipped.
fn split_records(path: &str, text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(ch) = chars.next() else {
                if quoted {
                    return Err(TableError::Csv {
                        path: path.to_string(),
                        line: start,
                        message: "a quoted field is never closed".into(),
                    });
                }
                break;
            };
            if quoted {
                match ch {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        cell.push('\n');
                    }
                    _ => cell.push(ch),
                }
                continue;
            }
            match ch {
                '"' if cell.trim().is_empty() && !was_quoted => {
                    cell.clear();
                    quoted = true;
                    was_quoted = true;
                }
                '"' => {
                    return Err(TableError::Csv {
                        path: path.to_string(),
                        line,
                        message: format!(
                            "a quote inside the unquoted cell {cell:?}: quote the whole cell"
                        ),
                    })
                }
                ',' => {
                    cells.push(std::mem::take(&mut cell));
                    was_quoted = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    break;
                }
                _ => cell.push(ch),
            }
        }
        cells.push(cell);
        let blank = cells.len() == 1 && cells[0].trim().is_empty() && !was_quoted;
        if !blank {
            out.push((start, cells));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_crlf_and_blank_lines() {
        let t = Table::parse_csv(
            "t.csv",
            "\u{feff}a, \"b,c\" ,label\r\n1,2,\"x \"\"y\"\"\"\r\n\n3,\"4\",z\n",
        )
        .unwrap();
        assert_eq!(t.header, ["a", "b,c", "label"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.text(0, 2), "x \"y\"");
        assert_eq!(
            t.rows[1].0,
            RowRef {
                row: 2,
                line: Some(4)
            }
        );
        assert_eq!(t.number(1, 1).unwrap(), 4.0);
    }

    #[test]
    fn malformed_csv_names_the_line() {
        let e = Table::parse_csv("t.csv", "a,b\n1,2\n3\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("t.csv: line 3: 1 cells, the header has 2"),
            "{e}"
        );
        let e = Table::parse_csv("t.csv", "a,b\n1,\"2\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("line 2: a quoted field is never closed"),
            "{e}"
        );
        let e = Table::parse_csv("t.csv", "a,a\n1,2\n").unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let e = Table::parse_csv("t.csv", "a,b\n").unwrap_err();
        assert!(e.to_string().contains("no data rows"), "{e}");
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let t = Table::parse_csv("t.csv", "a,b\n1,2\n\n3,NaN\n,x\n1e3,inf\n").unwrap();
        let err = |r, c| t.number(r, c).unwrap_err().to_string();
        assert_eq!(
            err(1, 1),
            "t.csv: row 2 (line 4), column \"b\": NaN is not a value: fill or drop the row"
        );
        assert!(err(2, 0)
            .starts_with("t.csv: row 3 (line 5), column \"a\": missing value (empty cell)"));
        assert!(err(2, 1).ends_with("column \"b\": \"x\" is not a number"));
        assert!(err(3, 1).ends_with("\"inf\" is not finite"));
        assert_eq!(t.number(3, 0).unwrap(), 1000.0);
        assert!(matches!(parse_number(" NA "), Err(CellProblem::Missing(m)) if m == "NA"));
    }
}
