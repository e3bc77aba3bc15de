//! Raw spec → typed [`Spec`], checking every field once. Limits are listed in
//! `contest-specs/SCHEMA.md`; they keep every integer of the reference model well inside
//! `i64` and every packed stream within 64 bits.

use super::raw::{RawLayer, RawSpec};
use super::{
    Activation, Envelope, InputSpec, LayerEnvelope, Payout, Phases, QuantSpec, Result, Spec,
    SpecError, Task, SCHEMA_VERSION,
};

/// Largest number of classes (labels are stored as u16 in the test-set file).
pub const MAX_CLASSES: i64 = 1024;
/// Largest input width and layer width.
pub const MAX_WIDTH: i64 = 1024;
/// Largest number of dense layers.
pub const MAX_LAYERS: usize = 8;
/// Bound on `|input.min|`, `|input.max|`.
pub const MAX_INPUT_ABS: i64 = 1 << 15;
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
    let version = req(raw.schema_version, "schema_version")?;
    if version != SCHEMA_VERSION {
        return Err(out_of_range(
            "schema_version",
            version,
            format!("exactly {SCHEMA_VERSION}"),
        ));
    }
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

    let input = req(raw.input, "input")?;
    let features = usize_in(input.features, "input.features", 1, MAX_WIDTH)?;
    let min = int_in(input.min, "input.min", -MAX_INPUT_ABS, MAX_INPUT_ABS - 1)?;
    let max = int_in(input.max, "input.max", min + 1, MAX_INPUT_ABS - 1)?;
    let scale = req(input.scale, "input.scale")?;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(out_of_range("input.scale", scale, "a finite number > 0"));
    }
    let input = InputSpec {
        features,
        min,
        max,
        scale,
    };

    let envelope = validate_envelope(req(raw.envelope, "envelope")?.layers, features, classes)?;

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

    let t = req(raw.test_set, "test_set")?;
    let test_rows = usize_in(t.rows, "test_set.rows", 1, MAX_ROWS)?;
    let threshold_bps = int_in(t.threshold_bps, "test_set.threshold_bps", 1, 10_000)? as u32;
    // ceil(bps · N / 10000) in exact integer arithmetic.
    let min_correct = (threshold_bps as usize * test_rows).div_ceil(10_000);

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
        classes,
        input,
        envelope,
        quant,
        test_rows,
        threshold_bps,
        min_correct,
        payout,
        phases,
    })
}

fn validate_envelope(
    layers: Option<Vec<RawLayer>>,
    features: usize,
    classes: usize,
) -> Result<Envelope> {
    let layers = req(layers, "envelope.layers")?;
    if layers.is_empty() || layers.len() > MAX_LAYERS {
        return Err(out_of_range(
            "envelope.layers",
            format!("{} layers", layers.len()),
            format!("1 ..= {MAX_LAYERS} layers"),
        ));
    }
    let last = layers.len() - 1;
    let mut out = Vec::with_capacity(layers.len());
    for (l, layer) in layers.into_iter().enumerate() {
        let path = format!("envelope.layers[{l}]");
        let width_path = format!("{path}.max_width");
        let max_width = if l == last {
            usize_in(layer.max_width, &width_path, classes as i64, classes as i64)?
        } else {
            usize_in(layer.max_width, &width_path, 1, MAX_WIDTH)?
        };
        let act_path = format!("{path}.activation");
        let activation = match (req(layer.activation, &act_path)?.as_str(), l == last) {
            ("relu", false) => Activation::Relu,
            ("none", true) => Activation::None,
            (other, false) => {
                return Err(out_of_range(
                    &act_path,
                    format!("{other:?}"),
                    "\"relu\" (hidden layers)",
                ))
            }
            (other, true) => {
                return Err(out_of_range(
                    &act_path,
                    format!("{other:?}"),
                    "\"none\" (the output layer)",
                ))
            }
        };
        out.push(LayerEnvelope {
            max_width,
            activation,
        });
    }
    Ok(Envelope {
        input_width: features,
        layers: out,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Spec;
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

    #[test]
    fn min_correct_rounds_up() {
        let text = DIGITS
            .replace("rows = 360", "rows = 7")
            .replace("threshold_bps = 9000", "threshold_bps = 5000");
        assert_eq!(Spec::from_toml_str(&text).unwrap().min_correct, 4);
    }
}
