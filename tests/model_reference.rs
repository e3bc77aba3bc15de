//! The integer reference model against an independent implementation, padding invariance,
//! and the sample models' accuracy on the committed digits files.

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkcontest::model::reference::predictions;
use zkcontest::model::{
    correct, forward, quantise, FloatRunner, OnnxFile, QuantizedLayer, QuantizedModel,
};
use zkcontest::spec::{Spec, TestSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn digits_spec() -> Spec {
    Spec::from_path(&root().join("contest-specs/digits")).unwrap()
}

fn digits_set(name: &str, spec: &Spec) -> TestSet {
    TestSet::from_path_any_rows(&root().join("contest-specs/digits").join(name), spec).unwrap()
}

fn sample_models() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("contest-specs/digits/models"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .collect();
    v.sort();
    assert!(
        v.len() >= 3,
        "expected at least three sample models, found {v:?}"
    );
    v
}

/// A spec with the given widths `[F, d_1, …, d_L]`, built by editing the digits TOML.
fn spec_with(
    dims: &[usize],
    input: (i64, i64),
    shift_max: u32,
    act_max: i64,
    logit_bits: u32,
) -> Spec {
    let base = std::fs::read_to_string(root().join("contest-specs/digits/contest.toml")).unwrap();
    let head = base.split("[[envelope.layers]]").next().unwrap();
    let tail = base.split("[quantisation]").nth(1).unwrap();
    let mut text = head
        .replace("features = 64", &format!("features = {}", dims[0]))
        .replace(
            "classes = 10",
            &format!("classes = {}", dims[dims.len() - 1]),
        )
        .replace("min = 0", &format!("min = {}", input.0))
        .replace("max = 16", &format!("max = {}", input.1));
    for (l, &d) in dims[1..].iter().enumerate() {
        let act = if l + 2 == dims.len() { "none" } else { "relu" };
        text += &format!("[[envelope.layers]]\nmax_width = {d}\nactivation = \"{act}\"\n\n");
    }
    text += "[quantisation]";
    text += &tail
        .replace("shift_max = 24", &format!("shift_max = {shift_max}"))
        .replace(
            "activation_max = 255",
            &format!("activation_max = {act_max}"),
        )
        .replace("logit_bits = 24", &format!("logit_bits = {logit_bits}"));
    let spec = Spec::from_toml_str(&text).unwrap();
    // Guard against the digits TOML drifting away from the strings replaced above.
    assert_eq!(spec.envelope.dims(), dims);
    assert_eq!((spec.input.min, spec.input.max), input);
    assert_eq!(
        (
            spec.quant.shift_max,
            spec.quant.activation_max,
            spec.quant.logit_bits
        ),
        (shift_max, act_max, logit_bits)
    );
    spec
}

/// The independent implementation: plain loops, floor division instead of shifts, explicit
/// comparisons instead of clamp.
// Deliberately index-based, unlike the iterator style of `model::reference`.
#[allow(clippy::needless_range_loop)]
fn naive_predict(
    weights: &[Vec<Vec<i64>>],
    biases: &[Vec<i64>],
    shifts: &[u32],
    act_max: i64,
    logit_bits: u32,
    x: &[i64],
) -> (Vec<i64>, usize) {
    let mut a: Vec<i64> = x.to_vec();
    let layers = weights.len();
    for l in 0..layers {
        let outs = biases[l].len();
        let mut next = vec![0i64; outs];
        for j in 0..outs {
            let mut z = biases[l][j];
            for i in 0..a.len() {
                z += a[i] * weights[l][i][j];
            }
            let q = if shifts[l] == 0 {
                z
            } else {
                let d = 1i64 << shifts[l];
                (z + d / 2).div_euclid(d)
            };
            next[j] = if l + 1 < layers {
                if q < 0 {
                    0
                } else if q > act_max {
                    act_max
                } else {
                    q
                }
            } else {
                let hi = (1i64 << (logit_bits - 1)) - 1;
                let lo = -(1i64 << (logit_bits - 1));
                if q < lo {
                    lo
                } else if q > hi {
                    hi
                } else {
                    q
                }
            };
        }
        a = next;
    }
    let mut best = 0;
    for j in 1..a.len() {
        if a[j] > a[best] {
            best = j;
        }
    }
    (a, best)
}

#[test]
fn reference_matches_independent_implementation_on_random_models() {
    let mut rng = StdRng::seed_from_u64(20261123);
    let mut ties = 0;
    for case in 0..200 {
        let layers = rng.gen_range(1..=3);
        let mut dims = vec![rng.gen_range(1..=12)];
        for _ in 1..layers {
            dims.push(rng.gen_range(1..=10));
        }
        dims.push(rng.gen_range(2..=6));
        let input = if rng.gen_bool(0.5) {
            (0, rng.gen_range(1..=255))
        } else {
            (-rng.gen_range(1..=300), rng.gen_range(0..=300))
        };
        let shift_max = rng.gen_range(0..=16);
        let act_max = rng.gen_range(1..=255);
        let logit_bits = rng.gen_range(4..=20);
        let spec = spec_with(&dims, input, shift_max, act_max, logit_bits);
        let bias_mag = 1i64 << rng.gen_range(0..=24);
        let mut ws = Vec::new();
        let mut bs = Vec::new();
        let mut ss = Vec::new();
        let mut qlayers = Vec::new();
        for l in 0..layers {
            let w: Vec<Vec<i8>> = (0..dims[l])
                .map(|_| (0..dims[l + 1]).map(|_| rng.gen()).collect())
                .collect();
            let b: Vec<i32> = (0..dims[l + 1])
                .map(|_| rng.gen_range(-bias_mag..=bias_mag) as i32)
                .collect();
            let s = rng.gen_range(0..=shift_max);
            ws.push(
                w.iter()
                    .map(|r| r.iter().map(|&v| i64::from(v)).collect())
                    .collect::<Vec<Vec<i64>>>(),
            );
            bs.push(b.iter().map(|&v| i64::from(v)).collect::<Vec<i64>>());
            ss.push(s);
            qlayers.push(QuantizedLayer::new(w, b, s).unwrap());
        }
        let model = QuantizedModel::new(&spec, qlayers).unwrap();
        for _ in 0..20 {
            let x: Vec<i64> = (0..dims[0])
                .map(|_| rng.gen_range(input.0..=input.1))
                .collect();
            let trace = forward(&model, &x).unwrap();
            let (logits, pred) = naive_predict(&ws, &bs, &ss, act_max, logit_bits, &x);
            assert_eq!(
                trace.logits(),
                logits.as_slice(),
                "case {case}: logits differ for x = {x:?}"
            );
            assert_eq!(trace.prediction, pred, "case {case}: prediction differs");
            ties += usize::from(logits.iter().filter(|&&v| v == logits[pred]).count() > 1);
        }
    }
    // The generator must exercise the tie rule (saturated logits tie often).
    assert!(ties > 10, "only {ties} rows with tied logits");
}

#[test]
fn reference_rejects_wrong_length_and_out_of_range_input() {
    let spec = spec_with(&[3, 2], (0, 16), 4, 127, 16);
    let layer = QuantizedLayer::new(vec![vec![1, 2]; 3], vec![0, 0], 0).unwrap();
    let model = QuantizedModel::new(&spec, vec![layer]).unwrap();
    assert!(forward(&model, &[1, 2]).is_err());
    assert!(forward(&model, &[1, 2, 17])
        .unwrap_err()
        .to_string()
        .contains("feature 2 = 17"));
    assert!(forward(&model, &[1, 2, 16]).is_ok());
}

#[test]
fn padding_changes_no_prediction() {
    let spec = digits_spec();
    let set = digits_set("digits-test.zkts", &spec);
    let calibration = digits_set("digits-calibration.zkts", &spec);
    let mut paths = sample_models();
    paths.push(root().join("tests/fixtures/dense-h8.onnx"));
    for path in &paths {
        let net = OnnxFile::read(path).unwrap().dense_network().unwrap();
        let padded = net.padded(&spec.envelope).unwrap();
        assert_eq!(padded.dims(), spec.envelope.dims());
        for row in set.rows().take(50) {
            let x: Vec<f64> = spec.input.dequantise(row);
            assert_eq!(
                net.forward(&x),
                padded.forward(&x),
                "{}: float logits changed by padding",
                path.display()
            );
        }
        for cal in [None, Some(&calibration)] {
            let small = quantise(&net, &spec, cal).unwrap();
            let big = quantise(&padded, &spec, cal).unwrap();
            assert!(big.fits_envelope(&spec));
            if net.dims() != padded.dims() {
                assert!(!small.fits_envelope(&spec));
            }
            assert_eq!(
                predictions(&small, &set).unwrap(),
                predictions(&big, &set).unwrap(),
                "{}",
                path.display()
            );
            for row in set.rows().take(20) {
                assert_eq!(
                    forward(&small, row).unwrap().logits(),
                    forward(&big, row).unwrap().logits()
                );
            }
        }
    }
}

struct Measured {
    float_correct: usize,
    quant_correct: usize,
    agree: usize,
}

fn measure(path: &Path, spec: &Spec, set: &TestSet, calibration: Option<&TestSet>) -> Measured {
    let file = OnnxFile::read(path).unwrap();
    let net = file.dense_network().unwrap();
    let model = quantise(&net.padded(&spec.envelope).unwrap(), spec, calibration).unwrap();
    let runner = FloatRunner::new(&file, spec).unwrap();
    let float_preds: Vec<usize> = set.rows().map(|r| runner.predict(r).unwrap()).collect();
    let quant_preds = predictions(&model, set).unwrap();
    let labels = set.labels();
    Measured {
        float_correct: float_preds
            .iter()
            .zip(labels)
            .filter(|(p, y)| p == y)
            .count(),
        quant_correct: correct(&model, set).unwrap(),
        agree: float_preds
            .iter()
            .zip(&quant_preds)
            .filter(|(a, b)| a == b)
            .count(),
    }
}

#[test]
fn sample_models_quantise_within_one_point_of_tract() {
    let spec = digits_spec();
    let set =
        TestSet::from_path(&root().join("contest-specs/digits/digits-test.zkts"), &spec).unwrap();
    let calibration = digits_set("digits-calibration.zkts", &spec);
    let n = set.len() as f64;
    let mut below = 0;
    for path in sample_models() {
        for (label, cal) in [
            ("calibration file", Some(&calibration)),
            ("default calibration", None),
        ] {
            let m = measure(&path, &spec, &set, cal);
            let (fa, qa, ag) = (
                m.float_correct as f64 / n,
                m.quant_correct as f64 / n,
                m.agree as f64 / n,
            );
            eprintln!(
                "{} ({label}): float {fa:.4} quantised {qa:.4} agreement {ag:.4}",
                path.display()
            );
            assert!(
                (fa - qa).abs() <= 0.01,
                "{} ({label}): float {fa} vs quantised {qa}",
                path.display()
            );
            assert!(ag >= 0.98, "{} ({label}): agreement {ag}", path.display());
            if cal.is_some() && m.quant_correct < spec.min_correct {
                below += 1;
            }
        }
    }
    assert_eq!(
        below, 1,
        "exactly one sample model should miss the 90% threshold"
    );
}

#[test]
fn extracted_network_matches_tract() {
    let spec = digits_spec();
    let set = digits_set("digits-test.zkts", &spec);
    for path in sample_models() {
        let file = OnnxFile::read(&path).unwrap();
        let net = file.dense_network().unwrap();
        let runner = FloatRunner::new(&file, &spec).unwrap();
        for row in set.rows().take(40) {
            let x: Vec<f64> = spec.input.dequantise(row);
            let ours = net.forward(&x);
            let theirs = runner.run(row).unwrap();
            if net.softmax_dropped {
                // tract's output is softmax(logits): compare the argmax.
                let am = |v: &[f64]| (0..v.len()).fold(0, |b, j| if v[j] > v[b] { j } else { b });
                let t: Vec<f64> = theirs.iter().map(|&v| f64::from(v)).collect();
                assert_eq!(am(&ours), am(&t), "{}", path.display());
            } else {
                for (a, b) in ours.iter().zip(&theirs) {
                    assert!(
                        (a - f64::from(*b)).abs() < 1e-3,
                        "{}: {a} vs {b}",
                        path.display()
                    );
                }
            }
        }
    }
}
