//! The organiser's test set: the `.zkts` file format (`docs/PROTOCOL.md` §8), a streaming
//! reader that checks every value against the spec, and the commitment `T` (§4).
//!
//! Layout, all little-endian: a 28-byte header
//! `magic "ZKTS" | version u16 = 1 | value_bytes u8 ∈ {1,2,4} | reserved u8 = 0 | rows u32 |
//! features u32 | x_min i32 | x_max i32 | classes u32`, then `rows` rows of `features`
//! signed `value_bytes`-byte features followed by a u16 label.

use std::io::{Read, Write};
use std::path::Path;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::Spec;
use crate::commit::{
    chain, fr_from_hex, pack_stream, packed_len, unpack_stream, Chain, CommitError, StreamRange,
    TESTSET_ROOT_TAG, TESTSET_TAG,
};

/// File magic.
pub const MAGIC: [u8; 4] = *b"ZKTS";
/// The only format version.
pub const VERSION: u16 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 28;

/// Errors reading or committing a test set.
#[derive(Debug, thiserror::Error)]
pub enum TestSetError {
    /// The file could not be opened or read.
    #[error("cannot read test set {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be created or written.
    #[error("cannot write test set {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Zero bytes.
    #[error("test set file is empty: expected a .zkts file (docs/PROTOCOL.md §8)")]
    Empty,
    /// Not a test-set file.
    #[error("not a test set file: magic is {found:?}, expected \"ZKTS\" (docs/PROTOCOL.md §8)")]
    BadMagic {
        /// The first four bytes.
        found: String,
    },
    /// A header field with an unsupported or inconsistent value.
    #[error("test set header: {field} is {found}, expected {expected}")]
    Header {
        /// Header field name.
        field: &'static str,
        /// Value in the file.
        found: String,
        /// What was expected (usually from the contest spec).
        expected: String,
    },
    /// The file declares a row length different from the spec's feature count.
    #[error("wrong row length: the file has {found} features per row, the contest spec requires {expected}")]
    RowLength {
        /// Features per row in the file.
        found: usize,
        /// `input.features` of the spec.
        expected: usize,
    },
    /// The file ends early.
    #[error("test set truncated: the file ends inside {at} (header declares {rows} rows)")]
    Truncated {
        /// Where it ends, e.g. "the header" or "row 12, column 3".
        at: String,
        /// Declared rows.
        rows: usize,
    },
    /// Bytes after the last declared row.
    #[error("test set has trailing bytes after the {rows} declared rows: the header's row count is wrong or the file is corrupt")]
    TrailingBytes {
        /// Declared rows.
        rows: usize,
    },
    /// A feature outside the spec's input range.
    #[error("test set row {row}, column {column}: feature {value} is outside [{min}, {max}]")]
    FeatureOutOfRange {
        /// Row index (0-based).
        row: usize,
        /// Feature index (0-based).
        column: usize,
        /// The value.
        value: i64,
        /// Spec minimum.
        min: i64,
        /// Spec maximum.
        max: i64,
    },
    /// A label outside `0 … classes−1`.
    #[error("test set row {row}: label {value} is out of range: labels lie in 0 ..= {}", classes - 1)]
    LabelOutOfRange {
        /// Row index (0-based).
        row: usize,
        /// The label.
        value: u64,
        /// Number of classes.
        classes: usize,
    },
    /// In-memory data of the wrong shape.
    #[error("test set shape: {0}")]
    Shape(String),
    /// Packing failed (cannot happen for a validated set).
    #[error(transparent)]
    Commit(#[from] CommitError),
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, TestSetError>;

/// A validated set of labelled rows: every feature in the spec's input range, every label
/// below `classes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestSet {
    features: usize,
    x: Vec<i64>,
    y: Vec<usize>,
}

impl TestSet {
    /// Builds a set from row-major features `x` (`rows × spec.input.features`) and labels,
    /// checking every value against the spec.
    pub fn new(spec: &Spec, x: Vec<i64>, y: Vec<usize>) -> Result<Self> {
        let f = spec.input.features;
        if x.len() != y.len() * f {
            return Err(TestSetError::Shape(format!(
                "{} features for {} rows of {f}",
                x.len(),
                y.len()
            )));
        }
        for (i, &v) in x.iter().enumerate() {
            check_feature(spec, i / f, i % f, v)?;
        }
        for (row, &label) in y.iter().enumerate() {
            check_label(spec, row, label as u64)?;
        }
        Ok(Self { features: f, x, y })
    }

    /// Number of rows `N`.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Features per row `F`.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Row `n`'s features.
    pub fn row(&self, n: usize) -> &[i64] {
        &self.x[n * self.features..(n + 1) * self.features]
    }

    /// Iterates over rows.
    pub fn rows(&self) -> impl Iterator<Item = &[i64]> {
        self.x.chunks(self.features.max(1))
    }

    /// All features, row-major (`N × F`).
    pub fn x(&self) -> &[i64] {
        &self.x
    }

    /// All labels.
    pub fn labels(&self) -> &[usize] {
        &self.y
    }

    /// Rows `[s·rows, (s+1)·rows)`: shard `s` of shards of `rows` rows (PROTOCOL §14.1).
    pub fn shard(&self, s: usize, rows: usize) -> TestSet {
        let f = self.features;
        let (lo, hi) = ((s * rows).min(self.len()), ((s + 1) * rows).min(self.len()));
        TestSet {
            features: f,
            x: self.x[lo * f..hi * f].to_vec(),
            y: self.y[lo..hi].to_vec(),
        }
    }

    /// Reads a `.zkts` file whose row count must equal the spec's `test_set.rows`.
    pub fn from_path(path: &Path, spec: &Spec) -> Result<Self> {
        let set = Self::from_path_any_rows(path, spec)?;
        if set.len() != spec.test_rows {
            return Err(TestSetError::Header {
                field: "rows",
                found: set.len().to_string(),
                expected: format!("{} (test_set.rows of the contest spec)", spec.test_rows),
            });
        }
        Ok(set)
    }

    /// Writes this set to a `.zkts` file at `path` ([`write_testset`]).
    pub fn write_to(&self, path: &Path, spec: &Spec) -> Result<()> {
        let io = |source| TestSetError::Write {
            path: path.display().to_string(),
            source,
        };
        let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        write_testset(&mut w, spec, self)
            .and_then(|()| w.flush())
            .map_err(io)
    }

    /// Reads a `.zkts` file with any number of rows (e.g. calibration data).
    pub fn from_path_any_rows(path: &Path, spec: &Spec) -> Result<Self> {
        let io = |source| TestSetError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        read_testset(std::io::BufReader::new(file), spec)
    }
}

/// Checks a feature against its column's range (schema 1: the one input range). The circuit
/// checks only the hull of the columns' ranges (`docs/PROTOCOL.md` §10); files are held to the
/// column's own range, which is what `testset import` writes.
fn check_feature(spec: &Spec, row: usize, column: usize, value: i64) -> Result<()> {
    let (min, max) = spec
        .input
        .columns
        .get(column)
        .map_or((spec.input.min, spec.input.max), |c| (c.min, c.max));
    if value < min || value > max {
        return Err(TestSetError::FeatureOutOfRange {
            row,
            column,
            value,
            min,
            max,
        });
    }
    Ok(())
}

fn check_label(spec: &Spec, row: usize, value: u64) -> Result<()> {
    if value >= spec.classes as u64 {
        return Err(TestSetError::LabelOutOfRange {
            row,
            value,
            classes: spec.classes,
        });
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` if the stream ended first.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn io_err(source: std::io::Error) -> TestSetError {
    TestSetError::Io {
        path: "<stream>".to_string(),
        source,
    }
}

fn header_mismatch(
    field: &'static str,
    found: impl ToString,
    expected: impl ToString,
) -> TestSetError {
    TestSetError::Header {
        field,
        found: found.to_string(),
        expected: expected.to_string(),
    }
}

/// Reads a `.zkts` stream row by row, checking it against the spec (any row count).
pub fn read_testset(mut r: impl Read, spec: &Spec) -> Result<TestSet> {
    let mut header = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        match r.read(&mut header[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(e)),
        }
    }
    if got == 0 {
        return Err(TestSetError::Empty);
    }
    if got < 4 || header[..4] != MAGIC {
        let found = String::from_utf8_lossy(&header[..got.min(4)]).into_owned();
        return Err(TestSetError::BadMagic { found });
    }
    if got < HEADER_LEN {
        return Err(TestSetError::Truncated {
            at: format!("the {HEADER_LEN}-byte header (after {got} bytes)"),
            rows: 0,
        });
    }
    let u16_at = |o: usize| u16::from_le_bytes([header[o], header[o + 1]]);
    let u32_at =
        |o: usize| u32::from_le_bytes([header[o], header[o + 1], header[o + 2], header[o + 3]]);
    let version = u16_at(4);
    if version != VERSION {
        return Err(header_mismatch("version", version, VERSION));
    }
    let value_bytes = header[6] as usize;
    if ![1, 2, 4].contains(&value_bytes) {
        return Err(header_mismatch("value_bytes", value_bytes, "1, 2 or 4"));
    }
    if header[7] != 0 {
        return Err(header_mismatch("reserved byte", header[7], 0));
    }
    let rows = u32_at(8) as usize;
    let features = u32_at(12) as usize;
    let (x_min, x_max) = (u32_at(16) as i32 as i64, u32_at(20) as i32 as i64);
    let classes = u32_at(24) as usize;
    if features != spec.input.features {
        return Err(TestSetError::RowLength {
            found: features,
            expected: spec.input.features,
        });
    }
    if (x_min, x_max) != (spec.input.min, spec.input.max) {
        return Err(header_mismatch(
            "feature range",
            format!("[{x_min}, {x_max}]"),
            format!(
                "[{}, {}] (the spec's input range: input.min, input.max, or the hull of input.columns)",
                spec.input.min, spec.input.max
            ),
        ));
    }
    if classes != spec.classes {
        return Err(header_mismatch(
            "classes",
            classes,
            format!("{} (classes of the spec)", spec.classes),
        ));
    }
    if rows == 0 {
        return Err(header_mismatch("rows", 0, "at least 1"));
    }

    let mut x = Vec::with_capacity(rows.saturating_mul(features).min(1 << 24));
    let mut y = Vec::with_capacity(rows.min(1 << 20));
    let mut value = [0u8; 4];
    for row in 0..rows {
        for column in 0..features {
            if !read_full(&mut r, &mut value[..value_bytes]).map_err(io_err)? {
                return Err(TestSetError::Truncated {
                    at: format!("row {row}, column {column}"),
                    rows,
                });
            }
            let v = match value_bytes {
                1 => i64::from(value[0] as i8),
                2 => i64::from(i16::from_le_bytes([value[0], value[1]])),
                _ => i64::from(i32::from_le_bytes(value)),
            };
            check_feature(spec, row, column, v)?;
            x.push(v);
        }
        if !read_full(&mut r, &mut value[..2]).map_err(io_err)? {
            return Err(TestSetError::Truncated {
                at: format!("row {row}, label"),
                rows,
            });
        }
        let label = u16::from_le_bytes([value[0], value[1]]);
        check_label(spec, row, u64::from(label))?;
        y.push(label as usize);
    }
    let mut extra = [0u8; 1];
    if read_full(&mut r, &mut extra).map_err(io_err)? {
        return Err(TestSetError::TrailingBytes { rows });
    }
    Ok(TestSet { features, x, y })
}

/// Writes a set in the `.zkts` format, using the narrowest value width that holds the
/// spec's feature range.
pub fn write_testset(mut w: impl Write, spec: &Spec, set: &TestSet) -> std::io::Result<()> {
    let (min, max) = (spec.input.min, spec.input.max);
    let value_bytes: u8 = if min >= -128 && max <= 127 {
        1
    } else if min >= i64::from(i16::MIN) && max <= i64::from(i16::MAX) {
        2
    } else {
        4
    };
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(&MAGIC);
    h.extend_from_slice(&VERSION.to_le_bytes());
    h.extend_from_slice(&[value_bytes, 0]);
    h.extend_from_slice(&(set.len() as u32).to_le_bytes());
    h.extend_from_slice(&(set.features as u32).to_le_bytes());
    h.extend_from_slice(&(min as i32).to_le_bytes());
    h.extend_from_slice(&(max as i32).to_le_bytes());
    h.extend_from_slice(&(spec.classes as u32).to_le_bytes());
    w.write_all(&h)?;
    for (row, &label) in set.rows().zip(&set.y) {
        for &v in row {
            // In range by construction, so the narrowing below is exact.
            match value_bytes {
                1 => w.write_all(&(v as i8).to_le_bytes())?,
                2 => w.write_all(&(v as i16).to_le_bytes())?,
                _ => w.write_all(&(v as i32).to_le_bytes())?,
            }
        }
        w.write_all(&(label as u16).to_le_bytes())?;
    }
    Ok(())
}

/// The packed streams' ranges (PROTOCOL §3, §4): the features' `[x_min, x_max]` (a per-column
/// spec's hull) and the labels' `[0, K − 1]`.
fn stream_ranges(spec: &Spec) -> Result<(StreamRange, StreamRange)> {
    Ok((
        StreamRange::new(i128::from(spec.input.min), i128::from(spec.input.max))?,
        StreamRange::new(0, spec.classes as i128 - 1)?,
    ))
}

/// The field elements the organiser reveals: per shard, in order, `pack(X_s) ‖ pack(y_s)`
/// (`docs/PROTOCOL.md` §4, §14.1; with one shard `pack(X) ‖ pack(y)`). The contract takes
/// exactly these, in chunks, during the test-set reveal.
pub fn testset_elements(spec: &Spec, set: &TestSet) -> Result<Vec<Fr>> {
    if set.features != spec.input.features {
        return Err(TestSetError::RowLength {
            found: set.features,
            expected: spec.input.features,
        });
    }
    let shard = spec.shard_spec();
    let mut elems = Vec::new();
    for s in 0..spec.shards {
        elems.extend(flat_elements(&shard, &set.shard(s, shard.test_rows))?);
    }
    Ok(elems)
}

/// One shard's (or an unsharded set's) `pack(X) ‖ pack(y)`.
fn flat_elements(spec: &Spec, set: &TestSet) -> Result<Vec<Fr>> {
    let (x_range, y_range) = stream_ranges(spec)?;
    let x: Vec<i128> = set.x.iter().map(|&v| i128::from(v)).collect();
    let y: Vec<i128> = set.y.iter().map(|&v| v as i128).collect();
    let mut elems = pack_stream(x_range, &x)?;
    elems.extend(pack_stream(y_range, &y)?);
    Ok(elems)
}

/// Packed elements of one shard (of the whole set with one shard): `⌈S·F / per_X⌉ + ⌈S / per_y⌉`
/// for `S = N / M` rows, the registry's `TestSetLayout.length` of its layout.
pub fn shard_len(spec: &Spec) -> Result<usize> {
    let (x_range, y_range) = stream_ranges(spec)?;
    let rows = spec.shard_rows();
    Ok(packed_len(x_range, rows * spec.input.features) + packed_len(y_range, rows))
}

/// The inverse of [`testset_elements`]: the spec's `N` rows from the elements the organiser
/// revealed on chain. Strict (see `commit::unpack_stream`), so a test set is recovered only
/// from exactly the elements that pack it.
pub fn testset_from_elements(spec: &Spec, elems: &[Fr]) -> Result<TestSet> {
    if spec.shards == 1 {
        return flat_from_elements(spec, elems);
    }
    let shard = spec.shard_spec();
    let per = shard_len(spec)?;
    if elems.len() != per * spec.shards {
        return Err(TestSetError::Shape(format!(
            "{} elements for {} shards of {per}",
            elems.len(),
            spec.shards
        )));
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for part in elems.chunks(per.max(1)) {
        let set = flat_from_elements(&shard, part)?;
        x.extend(set.x);
        y.extend(set.y);
    }
    TestSet::new(spec, x, y)
}

/// One shard's rows (an unsharded set's) from its elements.
fn flat_from_elements(spec: &Spec, elems: &[Fr]) -> Result<TestSet> {
    let (x_range, y_range) = stream_ranges(spec)?;
    let x_len = spec.test_rows * spec.input.features;
    let x_elems = packed_len(x_range, x_len).min(elems.len());
    let x = unpack_stream(x_range, &elems[..x_elems], x_len)?;
    let y = unpack_stream(y_range, &elems[x_elems..], spec.test_rows)?;
    // Both streams were range-checked by the unpacking, so the conversions are exact.
    TestSet::new(
        spec,
        x.into_iter().map(|v| v as i64).collect(),
        y.into_iter().map(|v| v as usize).collect(),
    )
}

/// The index of the first packed element of the test set `elems` that does not decode per the
/// spec's layout (PROTOCOL §4: a value out of range, bits past the last value; each shard
/// decoded from its own first element, §14.1), or `None` if every element does: the registry's
/// rule for a challenge (`TestSetLayout.check`). A set of the wrong length (which a finished
/// reveal cannot have) is malformed at the first index past the shorter of the two.
pub fn first_malformed(spec: &Spec, elems: &[Fr]) -> Result<Option<usize>> {
    let shard = spec.shard_spec();
    let per = shard_len(spec)?;
    let expected = per * spec.shards;
    if elems.len() != expected {
        return Ok(Some(elems.len().min(expected)));
    }
    let (x_range, y_range) = stream_ranges(&shard)?;
    let x_len = shard.test_rows * shard.input.features;
    let x_elems = packed_len(x_range, x_len);
    let at = |r: crate::commit::Result<Vec<i128>>, base: usize| match r {
        Err(CommitError::Malformed { index, .. }) => Some(base + index),
        _ => None,
    };
    Ok(elems.chunks(per).enumerate().find_map(|(s, part)| {
        let base = s * per;
        at(unpack_stream(x_range, &part[..x_elems], x_len), base).or_else(|| {
            at(
                unpack_stream(y_range, &part[x_elems..], shard.test_rows),
                base + x_elems,
            )
        })
    }))
}

/// Each shard's commitment `T_s = Chain(TESTSET_TAG, pack(X_s) ‖ pack(y_s))`, in order; one
/// shard's is `T` itself (PROTOCOL §14.1). A shard is proved against its `T_s`.
pub fn shard_commitments(spec: &Spec, set: &TestSet) -> Result<Vec<Fr>> {
    let elems = testset_elements(spec, set)?;
    let tag = fr_from_hex(TESTSET_TAG)?;
    Ok(elems
        .chunks(shard_len(spec)?.max(1))
        .map(|part| chain(tag, part))
        .collect())
}

/// Shard `s`'s commitment `T_s` alone, `None` past the last shard: hashing only its elements
/// (on the 10,000-row MNIST-shaped set all 100 took 24 s, the bulk of a shard proof's time
/// outside `create_proof`).
pub fn shard_commitment(spec: &Spec, set: &TestSet, s: usize) -> Result<Option<Fr>> {
    let elems = testset_elements(spec, set)?;
    let tag = fr_from_hex(TESTSET_TAG)?;
    let mut parts = elems.chunks(shard_len(spec)?.max(1));
    Ok(parts.nth(s).map(|part| chain(tag, part)))
}

/// `T`: with one shard `Chain(TESTSET_TAG, pack(X) ‖ pack(y))`, else
/// `Chain(TESTSET_ROOT_TAG, T_0 … T_{M−1})` (PROTOCOL §4, §14.1).
pub fn testset_commitment(spec: &Spec, set: &TestSet) -> Result<Fr> {
    let shards = shard_commitments(spec, set)?;
    if let [t] = shards[..] {
        return Ok(t);
    }
    let mut root = Chain::new(fr_from_hex(TESTSET_ROOT_TAG)?);
    root.absorb_all(&shards);
    Ok(root.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revealed_elements_give_back_exactly_the_test_set() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = Spec::from_path(&root.join("tests/fixtures/mini-contest")).expect("spec");
        let set = TestSet::from_path(
            &root.join("tests/fixtures/mini-contest/mini-test.zkts"),
            &spec,
        )
        .expect("test set");
        let elems = testset_elements(&spec, &set).expect("elements");
        assert_eq!(testset_from_elements(&spec, &elems).expect("unpack"), set);
        // A changed element, a missing one or an extra one is not a test set of this spec.
        let mut changed = elems.clone();
        changed[0] += Fr::from(1u64 << 60);
        let e = testset_from_elements(&spec, &changed);
        assert!(e.is_err() || e.is_ok_and(|s| s != set));
        assert!(testset_from_elements(&spec, &elems[..elems.len() - 1]).is_err());
        let mut extra = elems.clone();
        extra.push(Fr::from(0));
        assert!(testset_from_elements(&spec, &extra).is_err());
    }

    /// A spec of two shards: the elements are the shards' own packings in order, `T` is the
    /// root of the shards' commitments (each the commitment of its rows as a one-shard set),
    /// and a malformed element is found within its shard.
    #[test]
    fn a_sharded_set_is_its_shards_packed_in_order_under_one_root() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("tests/fixtures/mini-contest");
        let text = std::fs::read_to_string(dir.join("contest.toml")).expect("spec text");
        let flat = Spec::from_toml_str(&text).expect("spec");
        let spec = Spec::from_toml_str(&text.replace("[test_set]\n", "[test_set]\nshards = 2\n"))
            .expect("sharded spec");
        assert_eq!((spec.shards, spec.shard_rows()), (2, 4));
        let set = TestSet::from_path(&dir.join("mini-test.zkts"), &flat).expect("test set");
        let shard = spec.shard_spec();
        let halves = [set.shard(0, 4), set.shard(1, 4)];
        let elems = testset_elements(&spec, &set).expect("elements");
        let per = shard_len(&spec).expect("per shard");
        assert_eq!(elems.len(), 2 * per);
        for (s, half) in halves.iter().enumerate() {
            assert_eq!(half.len(), 4);
            assert_eq!(
                &elems[s * per..(s + 1) * per],
                &testset_elements(&shard, half).expect("shard elements")[..]
            );
        }
        let shards = shard_commitments(&spec, &set).expect("T_s");
        assert_eq!(
            shards[1],
            testset_commitment(&shard, &halves[1]).expect("T_1")
        );
        // One shard's alone (what `prove --shard s` computes), none past the last.
        for (s, t_s) in shards.iter().enumerate() {
            assert_eq!(shard_commitment(&spec, &set, s).expect("T_s"), Some(*t_s));
        }
        assert_eq!(
            shard_commitment(&spec, &set, 2).expect("past the end"),
            None
        );
        let mut rootc = Chain::new(fr_from_hex(TESTSET_ROOT_TAG).expect("tag"));
        rootc.absorb_all(&shards);
        let t = testset_commitment(&spec, &set).expect("T");
        assert_eq!(t, rootc.finish());
        assert_ne!(t, testset_commitment(&flat, &set).expect("flat T"));
        assert_eq!(testset_from_elements(&spec, &elems).expect("unpack"), set);
        assert_eq!(first_malformed(&spec, &elems).expect("check"), None);
        // Bits past shard 1's last label: element `2·per − 1`, found there (not read as a
        // feature element of a 8-row layout).
        let mut bad = elems.clone();
        bad[2 * per - 1] += Fr::from(1u64 << 40);
        assert_eq!(
            first_malformed(&spec, &bad).expect("check"),
            Some(2 * per - 1)
        );
        assert!(testset_from_elements(&spec, &bad).is_err());
        assert!(testset_from_elements(&spec, &elems[..per]).is_err());
    }

    #[test]
    fn shards_must_divide_the_rows() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("tests/fixtures/mini-contest/contest.toml"))
            .expect("spec text");
        for bad in ["shards = 3", "shards = 0", "shards = 9"] {
            let e =
                Spec::from_toml_str(&text.replace("[test_set]\n", &format!("[test_set]\n{bad}\n")))
                    .expect_err(bad)
                    .to_string();
            assert!(e.contains("test_set.shards"), "{bad}: {e}");
        }
    }
}
