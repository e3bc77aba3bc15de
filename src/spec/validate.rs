//! Raw spec → typed [`Spec`], checking every field once. Limits are listed in
//! `contest-specs/SCHEMA.md`; they keep every integer of the reference model well inside
//! `i64` and every packed stream within 64 bits.

use super::raw::{RawColumn, RawInput, RawSpec};
use super::{
    ColumnSpec, InputSpec, Payout, Phases, QuantSpec, Result, Spec, SpecError, Task, SCHEMA_VERSION,
};

mod envelope;

use envelope::{check_fan_in, validate_envelope, validate_shape};

/// Largest number of classes (labels are stored as u16 in the test-set file).
pub const MAX_CLASSES: i64 = 1024;
/// Largest input width and layer width.
pub const MAX_WIDTH: i64 = 1024;
/// Largest number of dense layers.
pub const MAX_LAYERS: usize = 8;
/// Bound on `|input.min|`, `|input.max|`.
pub const MAX_INPUT_ABS: i64 = 1 << 15;
/// Bound on `|zero_point|` of a schema-2 column.
pub const MAX_ZERO_POINT_ABS: i64 = 1 << 31;
/// Longest column name or class label, in bytes.
pub const MAX_NAME_LEN: usize = 256;
/// Largest `shift_max`.
pub const MAX_SHIFT: i64 = 32;
/// Largest `activation_max`.
pub const MAX_ACTIVATION: i64 = (1 << 15) - 1;
/// Largest test set.
pub const MAX_ROWS: i64 = 1_000_000;
/// Longest phase, in seconds (365 days): the registry's `MAX_WINDOW`.
pub const MAX_PHASE_SECS: i64 = 31_536_000;
/// Shortest test-set reveal phase (one hour): the registry's `MIN_TEST_SET_WINDOW`.
pub const MIN_SHORT_PHASE_SECS: i64 = 3_600;
/// Shortest commit phase (two hours). The registry's `MIN_COMMIT_WINDOW` is one hour counted
/// from the creation block, while `create` counts the phase from the clock it read before
/// sending: the extra hour lets that transaction be mined late without being refused.
pub const MIN_COMMIT_PHASE_SECS: i64 = 7_200;
/// Shortest proof and model-reveal phases (one day): the registry's `MIN_PROOF_WINDOW` and
/// `MIN_REVEAL_WINDOW`, so a trap window cannot make competitors miss them.
pub const MIN_LONG_PHASE_SECS: i64 = 86_400;

fn missing(path: &str) -> SpecError {
    SpecError::Missing {
        path: path.to_string(),
    }
}

fn out_of_range(
    path: &str,
    value: impl std::fmt::Display,
    allowed: impl Into<String>,
) -> SpecError {
    SpecError::OutOfRange {
        path: path.to_string(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

fn req<T>(v: Option<T>, path: &str) -> Result<T> {
    v.ok_or_else(|| missing(path))
}

/// An integer field that must lie in `[lo, hi]`.
fn int_in(v: Option<i64>, path: &str, lo: i64, hi: i64) -> Result<i64> {
    let v = req(v, path)?;
    if v < lo || v > hi {
        return Err(out_of_range(path, v, format!("{lo} ..= {hi}")));
    }
    Ok(v)
}

fn usize_in(v: Option<i64>, path: &str, lo: i64, hi: i64) -> Result<usize> {
    let v = int_in(v, path, lo, hi)?;
    usize::try_from(v).map_err(|_| out_of_range(path, v, format!("{lo} ..= {hi}")))
}

fn u64_in(v: Option<i64>, path: &str, lo: i64, hi: i64) -> Result<u64> {
    let v = int_in(v, path, lo, hi)?;
    u64::try_from(v).map_err(|_| out_of_range(path, v, format!("{lo} ..= {hi}")))
}

pub(super) fn validate(raw: RawSpec) -> Result<Spec> {
    let version = int_in(raw.schema_version, "schema_version", 1, SCHEMA_VERSION)?;
    let name = req(raw.name, "name")?;
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(out_of_range(
            "name",
            format!("{name:?}"),
            "1–64 characters from [a-z0-9_-]",
        ));
    }
    let task = match req(raw.task, "task")?.as_str() {
        "classification" => Task::Classification,
        other => {
            return Err(out_of_range(
                "task",
                format!("{other:?}"),
                "\"classification\"",
            ))
        }
    };
    let classes = usize_in(raw.classes, "classes", 2, MAX_CLASSES)?;

    let class_labels = match (raw.class_labels, version) {
        (None, _) => None,
        (Some(_), 1) => {
            return Err(not_in_schema(
                "class_labels",
                1,
                "label strings need schema_version = 2",
            ))
        }
        (Some(labels), _) => Some(validate_class_labels(labels, classes)?),
    };

    let mut input = req(raw.input, "input")?;
    let features = usize_in(input.features, "input.features", 1, MAX_WIDTH)?;
    let shape = validate_shape(input.shape.take(), version, features)?;
    let input = if version == 1 {
        validate_input_v1(input, features)?
    } else {
        validate_input_v2(input, features)?
    };

    let envelope = validate_envelope(
        req(raw.envelope, "envelope")?.layers,
        (features, classes),
        shape,
    )?;

    let q = req(raw.quantisation, "quantisation")?;
    int_in(q.weight_bits, "quantisation.weight_bits", 8, 8)?;
    int_in(q.bias_bits, "quantisation.bias_bits", 32, 32)?;
    let quant = QuantSpec {
        shift_max: int_in(q.shift_max, "quantisation.shift_max", 0, MAX_SHIFT)? as u32,
        activation_max: int_in(
            q.activation_max,
            "quantisation.activation_max",
            1,
            MAX_ACTIVATION,
        )?,
        logit_bits: int_in(q.logit_bits, "quantisation.logit_bits", 2, 32)? as u32,
    };

    check_fan_in(&envelope, &input, &quant)?;

    let t = req(raw.test_set, "test_set")?;
    let test_rows = usize_in(t.rows, "test_set.rows", 1, MAX_ROWS)?;
    let threshold_bps = int_in(t.threshold_bps, "test_set.threshold_bps", 1, 10_000)? as u32;
    // ceil(bps · N / 10000) in exact integer arithmetic.
    let min_correct = (threshold_bps as usize * test_rows).div_ceil(10_000);
    let shards = match t.shards {
        None => 1,
        Some(m) => {
            let m = usize_in(Some(m), "test_set.shards", 1, test_rows as i64)?;
            if test_rows % m != 0 {
                return Err(out_of_range(
                    "test_set.shards",
                    m.to_string(),
                    format!(
                        "a divisor of test_set.rows = {test_rows} (every shard has the same rows)"
                    ),
                ));
            }
            m
        }
    };

    let p = req(raw.payout, "payout")?;
    let split = req(p.split_bps, "payout.split_bps")?;
    if split.is_empty() || split.len() > 16 {
        return Err(out_of_range(
            "payout.split_bps",
            format!("{split:?}"),
            "1 to 16 ranks",
        ));
    }
    let mut split_bps = Vec::with_capacity(split.len());
    for (i, &bps) in split.iter().enumerate() {
        let path = format!("payout.split_bps[{i}]");
        let upper = split_bps
            .last()
            .map_or(10_000, |&prev: &u32| i64::from(prev));
        split_bps.push(int_in(Some(bps), &path, 1, upper)? as u32);
    }
    let total: u32 = split_bps.iter().sum();
    if total != 10_000 {
        return Err(out_of_range(
            "payout.split_bps",
            format!("{split:?} (sum {total})"),
            "a sum of exactly 10000",
        ));
    }
    let bond = req(p.commit_bond_wei, "payout.commit_bond_wei")?;
    let commit_bond_wei = bond.parse::<u128>().map_err(|_| {
        out_of_range(
            "payout.commit_bond_wei",
            format!("{bond:?}"),
            "a decimal integer string 1 ..= 2^128 − 1",
        )
    })?;
    if commit_bond_wei == 0 {
        // The registry refuses it (`ZeroBond`): free sybils would dilute a defaulted prize.
        return Err(out_of_range(
            "payout.commit_bond_wei",
            "\"0\"",
            "a decimal integer string 1 ..= 2^128 − 1 (a bond of 0 makes sybils free)",
        ));
    }
    let payout = Payout {
        split_bps,
        commit_bond_wei,
    };

    let ph = req(raw.phases, "phases")?;
    let (short, long, hi) = (MIN_SHORT_PHASE_SECS, MIN_LONG_PHASE_SECS, MAX_PHASE_SECS);
    let phases = Phases {
        commit_secs: u64_in(
            ph.commit_secs,
            "phases.commit_secs",
            MIN_COMMIT_PHASE_SECS,
            hi,
        )?,
        test_set_reveal_secs: u64_in(
            ph.test_set_reveal_secs,
            "phases.test_set_reveal_secs",
            short,
            hi,
        )?,
        prove_secs: u64_in(ph.prove_secs, "phases.prove_secs", long, hi)?,
        model_reveal_secs: u64_in(ph.model_reveal_secs, "phases.model_reveal_secs", long, hi)?,
    };

    Ok(Spec {
        name,
        task,
        schema_version: version,
        classes,
        class_labels,
        input,
        envelope,
        quant,
        test_rows,
        threshold_bps,
        min_correct,
        shards,
        payout,
        phases,
    })
}

fn not_in_schema(path: &str, version: i64, hint: &str) -> SpecError {
    SpecError::NotInSchema {
        path: path.to_string(),
        version,
        hint: hint.to_string(),
    }
}

/// A column name or class label: 1 ..= `MAX_NAME_LEN` bytes, no surrounding whitespace (CSV
/// cells are trimmed before they are matched), no control characters.
fn check_name(path: &str, name: &str) -> Result<()> {
    let ok = (1..=MAX_NAME_LEN).contains(&name.len())
        && name.trim() == name
        && !name.chars().any(char::is_control);
    if !ok {
        return Err(out_of_range(
            path,
            format!("{name:?}"),
            format!(
                "1 ..= {MAX_NAME_LEN} bytes without surrounding whitespace or control characters"
            ),
        ));
    }
    Ok(())
}

fn validate_class_labels(labels: Vec<String>, classes: usize) -> Result<Vec<String>> {
    if labels.len() != classes {
        return Err(out_of_range(
            "class_labels",
            format!("{} labels", labels.len()),
            format!("exactly `classes` = {classes} labels"),
        ));
    }
    for (k, label) in labels.iter().enumerate() {
        let path = format!("class_labels[{k}]");
        check_name(&path, label)?;
        if labels[..k].contains(label) {
            return Err(out_of_range(
                &path,
                format!("{label:?}"),
                "a label not listed before",
            ));
        }
    }
    Ok(labels)
}

/// Schema 1: one range and one scale for every feature (zero point 0).
fn validate_input_v1(input: RawInput, features: usize) -> Result<InputSpec> {
    if input.columns.is_some() {
        return Err(not_in_schema(
            "input.columns",
            1,
            "per-column inputs need schema_version = 2",
        ));
    }
    validate_uniform_input(input, features)
}

/// One range and scale (zero point 0) for every feature: schema 1, and schema 2 without
/// `[[input.columns]]` (image inputs, whose pixels share one quantisation).
fn validate_uniform_input(input: RawInput, features: usize) -> Result<InputSpec> {
    let min = int_in(input.min, "input.min", -MAX_INPUT_ABS, MAX_INPUT_ABS - 1)?;
    let max = int_in(input.max, "input.max", min + 1, MAX_INPUT_ABS - 1)?;
    let scale = req(input.scale, "input.scale")?;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(out_of_range("input.scale", scale, "a finite number > 0"));
    }
    let column = ColumnSpec {
        name: None,
        min,
        max,
        scale,
        zero_point: 0,
    };
    Ok(InputSpec {
        features,
        min,
        max,
        columns: vec![column; features],
    })
}

/// Schema 2: `[[input.columns]]`, one per feature, each with its own range, scale and zero
/// point; the hull of the ranges is the range the circuit checks.
fn validate_input_v2(input: RawInput, features: usize) -> Result<InputSpec> {
    let uniform = [input.min, input.max].iter().all(Option::is_some) && input.scale.is_some();
    if uniform && input.columns.is_none() {
        return validate_uniform_input(input, features);
    }
    for (field, present) in [
        ("min", input.min.is_some()),
        ("max", input.max.is_some()),
        ("scale", input.scale.is_some()),
    ] {
        if present {
            return Err(not_in_schema(
                &format!("input.{field}"),
                2,
                &format!("schema 2 declares `{field}` per column, in [[input.columns]] (or `min`, `max` and `scale` for every feature, without columns)"),
            ));
        }
    }
    let raw_columns = req(input.columns, "input.columns")?;
    if raw_columns.len() != features {
        return Err(out_of_range(
            "input.columns",
            format!("{} columns", raw_columns.len()),
            format!("exactly `input.features` = {features} columns"),
        ));
    }
    let mut columns: Vec<ColumnSpec> = Vec::with_capacity(features);
    for (c, raw) in raw_columns.into_iter().enumerate() {
        let column = validate_column(c, raw)?;
        if columns.iter().any(|o| o.name == column.name) {
            return Err(out_of_range(
                &format!("input.columns[{c}].name"),
                format!("{:?}", column.name.unwrap_or_default()),
                "a name no earlier column has",
            ));
        }
        columns.push(column);
    }
    let min = columns.iter().map(|c| c.min).min().unwrap_or(0);
    let max = columns.iter().map(|c| c.max).max().unwrap_or(0);
    Ok(InputSpec {
        features,
        min,
        max,
        columns,
    })
}

fn validate_column(c: usize, raw: RawColumn) -> Result<ColumnSpec> {
    let path = |field: &str| format!("input.columns[{c}].{field}");
    let name = req(raw.name, &path("name"))?;
    check_name(&path("name"), &name)?;
    let min = int_in(raw.min, &path("min"), -MAX_INPUT_ABS, MAX_INPUT_ABS - 1)?;
    let max = int_in(raw.max, &path("max"), min + 1, MAX_INPUT_ABS - 1)?;
    let scale = req(raw.scale, &path("scale"))?;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(out_of_range(&path("scale"), scale, "a finite number > 0"));
    }
    let zero_point = int_in(
        raw.zero_point,
        &path("zero_point"),
        -MAX_ZERO_POINT_ABS,
        MAX_ZERO_POINT_ABS,
    )?;
    Ok(ColumnSpec {
        name: Some(name),
        min,
        max,
        scale,
        zero_point,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Quantised, Spec};
    use super::*;

    const DIGITS: &str = include_str!("../../contest-specs/digits/contest.toml");

    #[test]
    fn digits_spec_parses() {
        let s = Spec::from_toml_str(DIGITS).unwrap();
        assert_eq!(s.envelope.dims(), vec![64, 64, 10]);
        assert_eq!(s.min_correct, 324);
        assert_eq!(
            (s.quant.logit_min(), s.quant.logit_max()),
            (-(1 << 23), (1 << 23) - 1)
        );
        assert_eq!(s.payout.commit_bond_wei, 10_000_000_000_000_000);
    }

    #[test]
    fn missing_field_is_named_with_its_path() {
        let text = DIGITS.replace("shift_max = 24\n", "");
        let e = Spec::from_toml_str(&text).unwrap_err();
        assert!(
            matches!(&e, SpecError::Missing { path } if path == "quantisation.shift_max"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_names_path_value_and_range() {
        let text = DIGITS.replace("threshold_bps = 9000", "threshold_bps = 12000");
        let e = Spec::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            e.contains("test_set.threshold_bps")
                && e.contains("12000")
                && e.contains("1 ..= 10000"),
            "{e}"
        );
        let text = DIGITS.replace("max_width = 10\n", "max_width = 11\n");
        let e = Spec::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            e.contains("envelope.layers[1].max_width") && e.contains("11"),
            "{e}"
        );
        let text = DIGITS.replace("[7000, 2000, 1000]", "[7000, 2000, 2000]");
        assert!(Spec::from_toml_str(&text)
            .unwrap_err()
            .to_string()
            .contains("sum 11000"));
        let text = DIGITS.replace("[7000, 2000, 1000]", "[2000, 7000, 1000]");
        assert!(Spec::from_toml_str(&text)
            .unwrap_err()
            .to_string()
            .contains("split_bps[1]"));
    }

    /// The registry refuses these (`ZeroBond`, `WindowOutOfRange`); the spec refuses them first,
    /// so an organiser learns before any transaction, and a competitor's audit compares a
    /// contest against a spec that cannot describe a trap.
    #[test]
    fn zero_bond_and_trap_windows_are_refused() {
        let zero = DIGITS.replace(
            "commit_bond_wei = \"10000000000000000\"",
            "commit_bond_wei = \"0\"",
        );
        assert_ne!(zero, DIGITS);
        let e = Spec::from_toml_str(&zero).unwrap_err().to_string();
        assert!(
            e.contains("payout.commit_bond_wei") && e.contains("sybils"),
            "{e}"
        );
        for (field, min) in [
            ("commit_secs = 604800", MIN_COMMIT_PHASE_SECS),
            ("test_set_reveal_secs = 86400", MIN_SHORT_PHASE_SECS),
            ("prove_secs = 259200", MIN_LONG_PHASE_SECS),
            ("model_reveal_secs = 86400", MIN_LONG_PHASE_SECS),
        ] {
            let (name, _) = field.split_once(" = ").unwrap();
            assert!(DIGITS.contains(field), "{field}");
            let at = |v: i64| DIGITS.replace(field, &format!("{name} = {v}"));
            assert!(Spec::from_toml_str(&at(min)).is_ok(), "{name} = {min}");
            let e = Spec::from_toml_str(&at(min - 1)).unwrap_err().to_string();
            assert!(e.contains(&format!("phases.{name}")), "{e}");
            assert!(Spec::from_toml_str(&at(MAX_PHASE_SECS)).is_ok());
            assert!(Spec::from_toml_str(&at(MAX_PHASE_SECS + 1)).is_err());
        }
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = DIGITS.replace("shift_max = 24", "shift_max = 24\nshift_min = 0");
        let e = Spec::from_toml_str(&text).unwrap_err().to_string();
        assert!(e.contains("shift_min"), "{e}");
    }

    /// The digits spec rewritten as schema 2 with three named columns.
    fn v2(columns: &str) -> String {
        let (head, rest) = DIGITS.split_once("features = 64\n").unwrap();
        let (_, tail) = rest.split_once("scale = 0.0625\n").unwrap();
        format!("{head}features = 3\n{columns}{tail}")
            .replace("schema_version = 1", "schema_version = 2")
            .replace(
                "classes = 10",
                "classes = 3\nclass_labels = [\"a\", \"b\", \"c\"]",
            )
            .replace("max_width = 10\n", "max_width = 3\n")
    }

    const COLUMNS: &str = "\
[[input.columns]]
name = \"mean radius\"
min = 0
max = 255
scale = 0.125
zero_point = -40

[[input.columns]]
name = \"texture\"
min = -100
max = 100
scale = 2.5
zero_point = 0

[[input.columns]]
name = \"area\"
min = 0
max = 4095
scale = 1e-3
zero_point = 7
";

    #[test]
    fn schema_2_columns_parse_with_their_hull() {
        let text = v2(COLUMNS);
        assert!(text.contains("class_labels"), "{text}");
        let s = Spec::from_toml_str(&text).unwrap();
        assert_eq!(s.schema_version, 2);
        assert_eq!(
            (s.input.features, s.input.min, s.input.max),
            (3, -100, 4095)
        );
        let c = &s.input.columns;
        assert_eq!(c[0].name.as_deref(), Some("mean radius"));
        assert_eq!((c[2].scale, c[2].zero_point), (1e-3, 7));
        assert_eq!(s.input.uniform_scale(), None);
        assert_eq!(s.input.dequantise(&[40, 4, 1007]), vec![10.0, 10.0, 1.0]);
        assert_eq!(s.class_of("b"), Some(1));
        assert_eq!(s.class_of("1"), None);
        // Schema 1 reads as uniform columns with zero point 0; labels are integers.
        let d = Spec::from_toml_str(DIGITS).unwrap();
        assert_eq!(d.schema_version, 1);
        assert_eq!(d.input.uniform_scale(), Some(0.0625));
        assert!(d
            .input
            .columns
            .iter()
            .all(|c| (c.min, c.max, c.name.is_none()) == (0, 16, true)));
        assert_eq!(
            (d.class_of("9"), d.class_of("10"), d.class_of("x")),
            (Some(9), None, None)
        );
    }

    #[test]
    fn column_quantisation_rounds_and_saturates() {
        let s = Spec::from_toml_str(&v2(COLUMNS)).unwrap();
        let c = &s.input.columns[0]; // scale 0.125, zero point −40, [0, 255]
        assert_eq!(
            c.quantise(10.0),
            Quantised {
                value: 40,
                saturated: false
            }
        );
        assert_eq!(
            c.quantise(10.0625),
            Quantised {
                value: 41,
                saturated: false
            }
        ); // 80.5 → 81
        assert_eq!(
            c.quantise(5.0),
            Quantised {
                value: 0,
                saturated: false
            }
        );
        assert_eq!(
            c.quantise(4.9),
            Quantised {
                value: 0,
                saturated: true
            }
        );
        assert_eq!(
            c.quantise(1e300),
            Quantised {
                value: 255,
                saturated: true
            }
        );
        assert_eq!(c.dequantise(c.quantise(26.875).value), 26.875);
    }

    #[test]
    fn schema_2_errors_name_the_field() {
        let err = |text: &str| Spec::from_toml_str(text).unwrap_err().to_string();
        // Per-column fields in schema 1, one-range fields in schema 2.
        let e = err(&v2(COLUMNS).replace("schema_version = 2", "schema_version = 1"));
        assert!(
            e.contains("`class_labels`") && e.contains("schema v1"),
            "{e}"
        );
        let e = err(&DIGITS.replace(
            "\nscale = 0.0625\n",
            &format!("\nscale = 0.0625\n{COLUMNS}"),
        ));
        assert!(
            e.contains("`input.columns`") && e.contains("schema v1"),
            "{e}"
        );
        let e = err(&v2(&format!("scale = 0.5\n{COLUMNS}")));
        assert!(
            e.contains("`input.scale`") && e.contains("per column"),
            "{e}"
        );
        let e = err(&DIGITS.replace("schema_version = 1", "schema_version = 3"));
        assert!(e.contains("schema_version") && e.contains("1 ..= 2"), "{e}");
        // Column count, names, ranges, scales, zero points.
        let e = err(&v2(COLUMNS).replace("features = 3", "features = 4"));
        assert!(
            e.contains("input.columns") && e.contains("exactly `input.features` = 4"),
            "{e}"
        );
        let e = err(&v2(&COLUMNS.replace("\"texture\"", "\"area\"")));
        assert!(
            e.contains("input.columns[2].name") && e.contains("no earlier column"),
            "{e}"
        );
        let e = err(&v2(&COLUMNS.replace("\"texture\"", "\" texture\"")));
        assert!(e.contains("input.columns[1].name"), "{e}");
        let e = err(&v2(&COLUMNS.replace("name = \"area\"\n", "")));
        assert!(e.contains("missing field `input.columns[2].name`"), "{e}");
        let e = err(&v2(&COLUMNS.replace("max = 100\n", "max = -100\n")));
        assert!(
            e.contains("input.columns[1].max") && e.contains("-99 ..= 32767"),
            "{e}"
        );
        let e = err(&v2(&COLUMNS.replace("scale = 2.5", "scale = -2.5")));
        assert!(
            e.contains("input.columns[1].scale") && e.contains("> 0"),
            "{e}"
        );
        let e = err(&v2(
            &COLUMNS.replace("zero_point = 7", "zero_point = 4294967296")
        ));
        assert!(e.contains("input.columns[2].zero_point"), "{e}");
        let e = err(&v2(&COLUMNS.replace("zero_point = 7", "zero_pt = 7")));
        assert!(e.contains("zero_pt"), "{e}");
        // Class labels: one per class, distinct.
        let e = err(&v2(COLUMNS).replace("[\"a\", \"b\", \"c\"]", "[\"a\", \"b\"]"));
        assert!(
            e.contains("class_labels") && e.contains("exactly `classes` = 3"),
            "{e}"
        );
        let e = err(&v2(COLUMNS).replace("[\"a\", \"b\", \"c\"]", "[\"a\", \"b\", \"a\"]"));
        assert!(e.contains("class_labels[2]"), "{e}");
    }

    #[test]
    fn min_correct_rounds_up() {
        let text = DIGITS
            .replace("rows = 360", "rows = 7")
            .replace("threshold_bps = 9000", "threshold_bps = 5000");
        assert_eq!(Spec::from_toml_str(&text).unwrap().min_correct, 4);
    }
}
