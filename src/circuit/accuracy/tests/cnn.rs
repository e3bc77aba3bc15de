//! The accuracy circuit on tiny convolutional specs (convolution, max or average pooling,
//! flatten, dense): honest witnesses pass MockProver with the reference count, a changed
//! kernel and a wrong count fail, and keygen's shape is the model's (a forged pooled maximum:
//! `circuit::pool`'s tests, on the same `max_pool` the layer calls).

use super::*;

/// `1×4×4` inputs in `[0, 3]`; `STAGES` then `flatten` → 3 classes, N = 5: the tiny spec's
/// quantisation, payout and phases.
fn cnn_spec(stages: &str) -> Spec {
    let columns: String = (0..16)
        .map(|i| format!("[[input.columns]]\nname = \"p{i}\"\nmin = 0\nmax = 3\nscale = 0.25\nzero_point = 0\n"))
        .collect();
    let edits = [
        ("schema_version = 1", "schema_version = 2".to_string()),
        ("name = \"tiny\"", "name = \"tiny-cnn\"".to_string()),
        (
            "features = 4\nmin = 0\nmax = 3\nscale = 0.25\n",
            format!("features = 16\nshape = [1, 4, 4]\n{columns}"),
        ),
        (
            "[[envelope.layers]]\nmax_width = 5\nactivation = \"relu\"\n",
            format!("{stages}[[envelope.layers]]\nkind = \"flatten\"\n"),
        ),
        ("rows = 6", "rows = 5".to_string()),
    ];
    let text = edits
        .iter()
        .fold(TINY_SPEC.to_string(), |text, (from, to)| {
            assert!(text.contains(from), "the tiny spec has no {from:?}");
            text.replace(from, to)
        });
    Spec::from_toml_str(&text).expect("tiny CNN spec is valid")
}

/// Convolution 3×3 (padding 1) to 2 channels, 2×2 max pooling.
pub(crate) fn max_spec() -> Spec {
    cnn_spec(
        r#"
[[envelope.layers]]
kind = "conv2d"
channels = 2
kernel = 3
padding = 1
activation = "relu"
[[envelope.layers]]
kind = "maxpool"
kernel = 2
"#,
    )
}

/// Convolution 2×2 with stride 2 to 3 channels, 2×2 average pooling with stride 1, then a
/// second convolution 1×1.
pub(crate) fn avg_spec() -> Spec {
    cnn_spec(
        r#"
[[envelope.layers]]
kind = "conv2d"
channels = 3
kernel = 2
stride = 2
activation = "relu"
[[envelope.layers]]
kind = "avgpool"
kernel = 2
stride = 1
[[envelope.layers]]
kind = "conv2d"
channels = 2
kernel = 1
activation = "relu"
"#,
    )
}

#[test]
fn honest_cnn_witnesses_pass_with_the_reference_count() {
    for (name, spec) in [("max", max_spec()), ("avg", avg_spec())] {
        let mut counts = Vec::new();
        for seed in 0..3 {
            let w = random_witness(&spec, 100 + seed);
            let st = honest_statement(&spec, &w);
            assert_eq!(mock(&spec, &w, &st), Ok(()), "{name} seed {seed}");
            counts.push(st.correct);
            // Any other count fails.
            for wrong in [st.correct + 1, st.correct.wrapping_sub(1)] {
                if wrong <= spec.test_rows as u64 {
                    let st = Statement {
                        correct: wrong,
                        ..st
                    };
                    assert!(
                        fails(mock(&spec, &w, &st)),
                        "{name}: count {wrong} accepted"
                    );
                }
            }
        }
        println!("{name}: reference counts {counts:?}");
    }
}

#[test]
fn a_changed_kernel_weight_fails() {
    let spec = max_spec();
    let honest = random_witness(&spec, 7);
    let st = honest_statement(&spec, &honest);
    let mut w = honest.clone();
    let image = w
        .model
        .image()
        .iter()
        .map(|stage| match stage {
            ImageLayer::Conv(c) => {
                let mut k = c.weights().to_vec();
                k[4] = k[4].wrapping_add(1);
                ImageLayer::Conv(
                    ConvLayer::new(
                        (c.c_in, c.c_out),
                        (c.kernel, c.stride, c.padding),
                        k,
                        c.biases().to_vec(),
                        c.shift(),
                    )
                    .expect("conv"),
                )
            }
            other => other.clone(),
        })
        .collect();
    w.model = QuantizedModel::with_image(&spec, image, w.model.layers().to_vec()).expect("model");
    assert!(
        fails(mock(&spec, &w, &st)),
        "changed kernel weight accepted"
    );
}

#[test]
fn cnn_keygen_shape_does_not_depend_on_the_model() {
    same_shape_for_dummy_and_random(&max_spec());
    same_shape_for_dummy_and_random(&avg_spec());
}

/// The max spec's pooling is proved by the pooled-requantisation gate at the tests' lookup
/// width (windows of 4, differences below `9·128·2·3 = 6,912 < 2^13`), one block per pooled
/// value; at 12 bits the differences do not fit a limb and halo2-base proves the maxima.
#[test]
fn max_pooling_uses_the_pooled_gate_where_it_fits() {
    let spec = max_spec();
    let bounds = crate::circuit::accuracy::requant_bounds(&spec, LOOKUP_BITS);
    assert_eq!(bounds.pool_window, 4);
    let w = random_witness(&spec, 11);
    let st = honest_statement(&spec, &w);
    let c = build(
        &spec,
        CircuitBuilderStage::Mock,
        K,
        LOOKUP_BITS,
        &w,
        &st,
        Shape::DEFAULT,
    )
    .expect("build");
    // 5 rows × 2 channels × 2×2 pooled values.
    assert_eq!(c.pooled.len(), 5 * 2 * 2 * 2);
    assert_eq!(
        crate::circuit::accuracy::requant_bounds(&spec, 12).pool_window,
        0
    );
    assert_eq!(crate::circuit::accuracy::pooled_rows(&spec, 12), 0);
}
