//! The graph walk on hand-built graphs: label branches, folded constants, the binary head,
//! and the graphs it refuses.

use tract_onnx::pb::{AttributeProto, ValueInfoProto};

use super::*;

fn node(op: &str, name: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        op_type: op.into(),
        name: name.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        ..Default::default()
    }
}

fn with_int(mut n: NodeProto, key: &str, i: i64) -> NodeProto {
    n.attribute.push(AttributeProto {
        name: key.into(),
        i,
        ..Default::default()
    });
    n
}

fn tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: 1,
        float_data: values.to_vec(),
        ..Default::default()
    }
}

fn graph(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, outputs: &[&str]) -> GraphProto {
    GraphProto {
        node: nodes,
        initializer: inits,
        output: outputs
            .iter()
            .map(|o| ValueInfoProto {
                name: o.to_string(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// `W` (2 → 3), `B`, and the label branch's class list.
fn weights() -> Vec<TensorProto> {
    vec![
        tensor("W", &[2, 3], &[1.0, -1.0, 0.5, 2.0, 0.0, -0.5]),
        tensor("B", &[1, 3], &[0.1, 0.2, 0.3]),
        TensorProto {
            name: "classes".into(),
            dims: vec![3],
            data_type: 7,
            int64_data: vec![0, 1, 2],
            ..Default::default()
        },
        tensor("c", &[2], &[4.0, -2.0]),
        tensor("two", &[], &[2.0]),
        tensor("one", &[], &[1.0]),
    ]
}

fn err(g: &GraphProto) -> String {
    extract(g, "x", 2, None).unwrap_err().to_string()
}

#[test]
fn label_branch_is_ignored_and_the_probabilities_are_the_logits() {
    let g = graph(
        vec![
            node("MatMul", "mm", &["x", "W"], "m"),
            node("Add", "bias", &["m", "B"], "z"),
            node("Softmax", "softmax", &["z"], "p"),
            node("Identity", "id", &["p"], "probabilities"),
            node("ArgMax", "argmax", &["probabilities"], "i"),
            node("ArrayFeatureExtractor", "afe", &["classes", "i"], "l"),
            with_int(node("Cast", "cast", &["l"], "label"), "to", 7),
        ],
        weights(),
        &["label", "probabilities"],
    );
    let e = extract(&g, "x", 2, None).unwrap();
    assert_eq!(e.output, "probabilities");
    assert!(e.network.softmax_dropped);
    let got = e.network.forward(&[1.0, 2.0]);
    for (a, b) in got.iter().zip([5.1, -0.8, -0.2]) {
        assert!((a - b).abs() < 1e-6, "{got:?}");
    }
}

#[test]
fn reversed_sub_and_scalar_div_fold_into_the_first_layer() {
    // ((c − x) / 2)·W + B
    let g = graph(
        vec![
            node("Sub", "sub", &["c", "x"], "s"),
            node("Div", "div", &["s", "two"], "d"),
            node("MatMul", "mm", &["d", "W"], "m"),
            node("Add", "bias", &["m", "B"], "out"),
        ],
        weights(),
        &["out"],
    );
    let net = extract(&g, "x", 2, None).unwrap().network;
    let x = [1.0, 3.0];
    let pre = [(4.0 - x[0]) / 2.0, (-2.0 - x[1]) / 2.0];
    let w = [[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]];
    let want: Vec<f64> = (0..3)
        .map(|j| [0.1, 0.2, 0.3][j] + pre[0] * w[0][j] + pre[1] * w[1][j])
        .collect();
    for (a, b) in net.forward(&x).iter().zip(&want) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn logistic_head_becomes_the_logits_zero_and_z() {
    let mut inits = weights();
    inits.push(tensor("W1", &[2, 1], &[1.0, -1.0]));
    let g = graph(
        vec![
            node("MatMul", "mm", &["x", "W1"], "z"),
            node("Sigmoid", "sigmoid", &["z"], "p"),
            node("Sub", "neg", &["one", "p"], "q"),
            NodeProto {
                input: vec!["q".into(), "p".into()],
                ..with_int(node("Concat", "concat", &[], "probabilities"), "axis", 1)
            },
            node("ArgMax", "argmax", &["probabilities"], "label"),
        ],
        inits,
        &["label", "probabilities"],
    );
    let e = extract(&g, "x", 2, None).unwrap();
    assert_eq!(e.output, "probabilities");
    assert_eq!(e.network.forward(&[3.0, 1.0]), vec![0.0, 2.0]);
    assert_eq!(e.network.forward(&[1.0, 1.0]), vec![0.0, 0.0]);
}

#[test]
fn unsupported_shapes_of_the_graph_are_rejected_naming_the_node() {
    let base = || {
        vec![
            node("MatMul", "mm", &["x", "W"], "m"),
            node("Add", "bias", &["m", "B"], "z"),
        ]
    };
    let with = |extra: Vec<NodeProto>, outputs: &[&str]| {
        let mut n = base();
        n.extend(extra);
        graph(n, weights(), outputs)
    };
    // A Sigmoid over several logits.
    let e = err(&with(vec![node("Sigmoid", "sig", &["z"], "out")], &["out"]));
    assert!(
        e.contains("`sig`") && e.contains("binary classifier"),
        "{e}"
    );
    // A dense layer after the final Softmax.
    let e = err(&with(
        vec![
            node("Softmax", "sm", &["z"], "p"),
            node("MatMul", "mm2", &["p", "W"], "out"),
        ],
        &["out"],
    ));
    assert!(
        e.contains("`mm2`") && e.contains("may follow the final Softmax"),
        "{e}"
    );
    // A Cast to int64 on the data path.
    let e = err(&with(
        vec![with_int(node("Cast", "to_int", &["z"], "out"), "to", 7)],
        &["out"],
    ));
    assert!(
        e.contains("`to_int`") && e.contains("float or double"),
        "{e}"
    );
    // Only the label is an output.
    let e = err(&with(
        vec![node("ArgMax", "am", &["z"], "label")],
        &["label"],
    ));
    assert!(e.contains("only a label"), "{e}");
    // An elementwise op after the last ReLU with no layer to fold into.
    let e = err(&with(
        vec![
            node("Relu", "relu", &["z"], "a"),
            node("Sub", "shift", &["a", "two"], "out"),
        ],
        &["out"],
    ));
    assert!(
        e.contains("`shift`") && e.contains("no dense layer follows"),
        "{e}"
    );
    // ReLU after such an op.
    let e = err(&with(
        vec![
            node("Relu", "relu", &["z"], "a"),
            node("Mul", "scale", &["a", "two"], "s"),
            node("Relu", "relu2", &["s"], "out"),
        ],
        &["out"],
    ));
    assert!(e.contains("`relu2`") && e.contains("`scale` (Mul)"), "{e}");
    // Two data consumers.
    let e = err(&with(
        vec![
            node("Relu", "r1", &["z"], "out"),
            node("Relu", "r2", &["z"], "out2"),
        ],
        &["out", "out2"],
    ));
    assert!(
        e.contains("feeds 2 nodes") && e.contains("r2 (Relu)"),
        "{e}"
    );
    // Training-mode BatchNormalization.
    let mut bn = node(
        "BatchNormalization",
        "bn",
        &["z", "B", "B", "B", "B"],
        "out",
    );
    bn.output.push("running_mean".into());
    let e = err(&with(vec![bn], &["out"]));
    assert!(e.contains("`bn`") && e.contains("inference mode"), "{e}");
}

fn with_ints(mut n: NodeProto, key: &str, ints: &[i64]) -> NodeProto {
    n.attribute.push(AttributeProto {
        name: key.into(),
        ints: ints.to_vec(),
        ..Default::default()
    });
    n
}

/// Conv (2 → 2 channels, 3×3, padding 1) on a 2×4×4 input, then `rest`, MaxPool 2×2, Flatten,
/// Gemm to 3; `before` runs on the input first.
fn image_graph(before: Vec<NodeProto>, conv: NodeProto, rest: Vec<NodeProto>) -> GraphProto {
    let mut nodes = before;
    nodes.push(conv);
    nodes.extend(rest);
    nodes.push(with_ints(
        with_ints(
            node("MaxPool", "pool", &["r"], "p"),
            "kernel_shape",
            &[2, 2],
        ),
        "strides",
        &[2, 2],
    ));
    nodes.push(node("Flatten", "flat", &["p"], "f"));
    nodes.push(node("Gemm", "fc", &["f", "FC"], "y"));
    let k: Vec<f32> = (0..36).map(|i| (i % 7) as f32 * 0.25 - 0.75).collect();
    let fc: Vec<f32> = (0..24).map(|i| (i % 5) as f32 - 2.0).collect();
    let inits = vec![
        tensor("K", &[2, 2, 3, 3], &k),
        tensor("KB", &[2], &[0.5, -0.5]),
        tensor("FC", &[8, 3], &fc),
        tensor("half", &[], &[0.5]),
        tensor("per_channel", &[1, 2, 1, 1], &[2.0, 4.0]),
        tensor("per_row", &[4], &[1.0, 2.0, 3.0, 4.0]),
    ];
    graph(nodes, inits, &["y"])
}

fn conv(input: &str) -> NodeProto {
    with_ints(
        with_ints(
            node("Conv", "conv", &[input, "K", "KB"], "c"),
            "pads",
            &[1, 1, 1, 1],
        ),
        "kernel_shape",
        &[3, 3],
    )
}

fn image_extract(g: &GraphProto) -> Result<Extraction> {
    extract(g, "x", 32, Some([2, 4, 4]))
}

#[test]
fn a_convolution_with_a_folded_input_scale_matches_the_unfolded_one() {
    let relu = vec![node("Relu", "relu", &["c"], "r")];
    let plain = image_extract(&image_graph(vec![], conv("x"), relu.clone())).expect("plain");
    let scaled = image_graph(
        vec![node("Mul", "scale", &["x", "per_channel"], "xs")],
        conv("xs"),
        relu,
    );
    let scaled = image_extract(&scaled).expect("scaled").network;
    let x: Vec<f64> = (0..32).map(|i| f64::from(i % 9) * 0.1).collect();
    let mut doubled = x.clone();
    doubled[..16].iter_mut().for_each(|v| *v *= 2.0);
    doubled[16..].iter_mut().for_each(|v| *v *= 4.0);
    assert_eq!(scaled.forward(&x), plain.network.forward(&doubled));
    assert_eq!(plain.network.dims(), vec![8, 3]);
}

#[test]
fn unsupported_image_graphs_name_the_node_and_the_reason() {
    let relu = || vec![node("Relu", "relu", &["c"], "r")];
    let cases: Vec<(GraphProto, &[&str])> = vec![
        (
            image_graph(vec![], with_int(conv("x"), "group", 2), relu()),
            &["`conv` (Conv)", "grouped"],
        ),
        (
            image_graph(vec![], with_ints(conv("x"), "dilations", &[2, 2]), relu()),
            &["`conv` (Conv)", "dilations"],
        ),
        (
            image_graph(
                vec![],
                with_ints(
                    node("Conv", "conv", &["x", "K", "KB"], "c"),
                    "pads",
                    &[1, 0, 1, 0],
                ),
                relu(),
            ),
            &["`conv` (Conv)", "same padding on every side"],
        ),
        (
            image_graph(
                vec![node("Add", "offset", &["x", "half"], "xs")],
                conv("xs"),
                relu(),
            ),
            &["`conv` (Conv)", "`offset` (Add)", "padded convolution"],
        ),
        (
            image_graph(
                vec![node("Mul", "rows", &["x", "per_row"], "xs")],
                conv("xs"),
                relu(),
            ),
            &["`rows` (Mul)", "one per channel"],
        ),
        (
            image_graph(
                vec![],
                conv("x"),
                vec![node("Sigmoid", "relu", &["c"], "r")],
            ),
            &["`Sigmoid`", "`relu`"],
        ),
    ];
    for (g, needles) in cases {
        let e = image_extract(&g).expect_err("refused").to_string();
        for n in needles {
            assert!(e.contains(n), "{n:?} missing in {e}");
        }
    }
    // Dense data reaching a convolution, image data reaching a dense layer.
    let e = extract(&image_graph(vec![], conv("x"), relu()), "x", 32, None)
        .expect_err("no image")
        .to_string();
    assert!(e.contains("needs image data"), "{e}");
    let mut g = image_graph(vec![], conv("x"), relu());
    g.node.retain(|n| n.op_type != "Flatten");
    g.node.last_mut().expect("gemm").input[0] = "p".into();
    let e = image_extract(&g).expect_err("no flatten").to_string();
    assert!(e.contains("Flatten it before the dense layer"), "{e}");
}
