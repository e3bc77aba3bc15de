#!/usr/bin/env python3
"""Produces ONNX models the way real exporters write them, for the importer's tests
(`tests/model_exporters.rs`): skl2onnx pipelines (scalers, several outputs, a logistic binary
head, a tree ensemble) and a PyTorch-style graph built with the `onnx` helper API.

Run from anywhere:  python3.11 scripts/make_exporter_models.py
It creates (once) a venv in `.venv-exporters/` at the repository root with pinned packages
from PyPI (train_digits.py's list plus skl2onnx and onnxruntime), re-executes itself inside it,
and rewrites tests/fixtures/exporters/:

  skl-standard-mlp32.onnx     Pipeline(StandardScaler, MLPClassifier((32,))), zipmap=False:
                              ai.onnx.ml Scaler, MatMul/Add, Softmax, a label branch
  skl-standard-div-mlp32.onnx the same pipeline converted with the scaler option div="div"
                              (Sub and Div instead of Scaler)
  skl-standard-default-mlp32.onnx  the StandardScaler pipeline at scikit-learn's default
                              alpha = 1e-4: folded weights with ~300x outliers
  skl-minmax-mlp16.onnx       Pipeline(MinMaxScaler, MLPClassifier((16,))): Cast, Mul, Add;
                              hidden width 16 also fits the mini contest (the proved model)
  skl-binary-mlp16.onnx       2-class MLPClassifier (odd vs even digit): Sigmoid over one
                              logit, Sub, Concat; with binary-contest/ (a 2-class spec and
                              digits-parity-test.zkts)
  torch-style-bn.onnx         Sub(mean) → Div(std) → Gemm(transB) → BatchNormalization → Relu
                              → Gemm → Softmax, weights from a trained sklearn MLP
  tree.onnx                   (negative) skl2onnx DecisionTreeClassifier: TreeEnsembleClassifier
  div-zero.onnx               (negative) a Div by a constant holding a zero
  skl-zipmap.onnx             (negative) the MinMaxScaler pipeline with skl2onnx's default
                              zipmap=True: the probabilities become a ZipMap sequence of maps
  onnxruntime.json            per positive model: onnxruntime's float accuracy and predictions
                              on the test rows, and the op types of the graph

Models receive `pixel × 1/16` (the digits contest's input scale) and are trained on the
training rows of train_digits.py's split; the test rows are those of
contest-specs/digits/digits-test.zkts (checked). Everything is deterministic.
"""

import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned_venv import EXPORTERS_PINNED, ensure_venv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-exporters"
PINNED = EXPORTERS_PINNED


ensure_venv(VENV, PINNED)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from zkts import read_zkts, write_zkts  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

SPEC_DIR = ROOT / "contest-specs" / "digits"
OUT = ROOT / "tests" / "fixtures" / "exporters"
N_TEST = 360
FEATURES, CLASSES = 64, 10
INPUT_SCALE = 1.0 / 16.0
OPSETS = {"": 17, "ai.onnx.ml": 1}




def mlp(hidden, alpha=1e-3):
    """train_digits.py's training recipe."""
    return MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", max_iter=300,
                         random_state=0, alpha=alpha, tol=0.0, n_iter_no_change=300)


def fit(est, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(x, y)


def save(model, name):
    path = OUT / name
    model.producer_name = model.producer_name or "zkcontest/make_exporter_models.py"
    # skl2onnx lists the opsets in hash order: sort them so the bytes are reproducible.
    opsets = sorted((o.domain, o.version) for o in model.opset_import)
    del model.opset_import[:]
    model.opset_import.extend(helper.make_opsetid(d, v) for d, v in opsets)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    ops = [n.op_type for n in model.graph.node]
    print(f"wrote {path} ({path.stat().st_size} bytes): {' '.join(ops)}")
    return path


def skl(est, name, options=None):
    opts = {MLPClassifier: {"zipmap": False}, DecisionTreeClassifier: {"zipmap": False}}
    opts.update(options or {})
    model = to_onnx(est, np.zeros((1, FEATURES), dtype=np.float32), options=opts,
                    target_opset=OPSETS)
    return save(model, name)


def onnxruntime_predictions(path, x):
    """Predicted classes: the `label` output when there is one, else argmax of the output."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    names = [o.name for o in sess.get_outputs()]
    feed = (x * INPUT_SCALE).astype(np.float32)
    preds = []
    for row in feed:  # one row at a time, as the contest evaluates
        out = dict(zip(names, sess.run(None, {inp.name: row[None, :]})))
        if "label" in out:
            preds.append(int(np.asarray(out["label"]).reshape(-1)[0]))
        else:
            preds.append(int(np.argmax(np.asarray(out[names[0]]).reshape(-1))))
    return np.array(preds)


def torch_style(x_train, y_train):
    """`(x − mean) / std` as Sub and Div (per-pixel mean, one dataset-wide std, as
    torchvision's `Normalize` is used), Gemm with transB=1, BatchNormalization, Relu, Gemm,
    Softmax. The BatchNormalization is arbitrary but the first Gemm is chosen so that
    Gemm → BatchNormalization equals the trained first layer."""
    mean = x_train.mean(axis=0)
    std = np.array([x_train.std()])
    clf = fit(mlp(32), (x_train - mean) / std, y_train)
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    rng = np.random.default_rng(7)
    hidden = w1.shape[1]
    gamma = rng.uniform(0.5, 2.0, hidden)
    beta = rng.normal(0, 0.2, hidden)
    mu = rng.normal(0, 0.5, hidden)
    var = rng.uniform(0.25, 4.0, hidden)
    eps = 1e-5
    a = gamma / np.sqrt(var + eps)
    d = beta - a * mu
    # BN(z) = a·z + d  ⇒  z = (h − d) / a gives BN(z) = h = x·W1 + b1.
    w1_pre = w1 / a
    b1_pre = (b1 - d) / a

    def f32(name, v):
        return numpy_helper.from_array(np.asarray(v, dtype=np.float32), name=name)

    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["centred"], name="/normalise/Sub"),
        helper.make_node("Div", ["centred", "std"], ["scaled"], name="/normalise/Div"),
        helper.make_node("Gemm", ["scaled", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"],
                         name="/fc1/Gemm", transB=1),
        helper.make_node("BatchNormalization", ["/fc1/Gemm_output_0", "bn1.weight", "bn1.bias",
                                                "bn1.running_mean", "bn1.running_var"],
                         ["/bn1/BatchNormalization_output_0"], name="/bn1/BatchNormalization",
                         epsilon=eps),
        helper.make_node("Relu", ["/bn1/BatchNormalization_output_0"], ["/relu/Relu_output_0"],
                         name="/relu/Relu"),
        helper.make_node("Gemm", ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"],
                         ["/fc2/Gemm_output_0"], name="/fc2/Gemm", transB=1),
        helper.make_node("Softmax", ["/fc2/Gemm_output_0"], ["output"], name="/Softmax", axis=1),
    ]
    inits = [f32("mean", mean), f32("std", std), f32("fc1.weight", w1_pre.T),
             f32("fc1.bias", b1_pre), f32("bn1.weight", gamma), f32("bn1.bias", beta),
             f32("bn1.running_mean", mu), f32("bn1.running_var", var),
             f32("fc2.weight", w2.T), f32("fc2.bias", b2)]
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", FEATURES])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", CLASSES])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="pytorch-style (zkcontest/make_exporter_models.py)")
    model.ir_version = 8
    return model


def div_zero():
    """Sub(mean) → Div(std) with std[5] = 0 → Gemm → Relu → Gemm."""
    rng = np.random.default_rng(3)
    std = rng.uniform(0.5, 1.5, FEATURES)
    std[5] = 0.0

    def f32(name, v):
        return numpy_helper.from_array(np.asarray(v, dtype=np.float32), name=name)

    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["centred"], name="sub_mean"),
        helper.make_node("Div", ["centred", "std"], ["scaled"], name="div_std"),
        helper.make_node("Gemm", ["scaled", "W1", "B1"], ["h"], name="dense1"),
        helper.make_node("Relu", ["h"], ["a"], name="relu1"),
        helper.make_node("Gemm", ["a", "W2", "B2"], ["output"], name="dense2"),
    ]
    inits = [f32("mean", rng.uniform(0, 0.5, FEATURES)), f32("std", std),
             f32("W1", rng.normal(0, 0.3, (FEATURES, 8))), f32("B1", np.zeros(8)),
             f32("W2", rng.normal(0, 0.3, (8, CLASSES))), f32("B2", np.zeros(CLASSES))]
    graph = helper.make_graph(
        nodes, "div_zero",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, FEATURES])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, CLASSES])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


BINARY_SPEC = """# A two-class digits contest for the importer's tests: is the digit odd? (label = digit % 2)
# Schema: contest-specs/SCHEMA.md. Written by scripts/make_exporter_models.py.
schema_version = 1
name = "digits-parity"
task = "classification"
classes = 2

[input]
features = 64
min = 0
max = 16
scale = 0.0625

[[envelope.layers]]
max_width = 16
activation = "relu"

[[envelope.layers]]
max_width = 2
activation = "none"

[quantisation]
weight_bits = 8
bias_bits = 32
shift_max = 24
activation_max = 255
logit_bits = 24

[test_set]
rows = 360
threshold_bps = 9000

[payout]
split_bps = [7000, 2000, 1000]
commit_bond_wei = "10000000000000000"

[phases]
commit_secs = 604800
test_set_reveal_secs = 86400
prove_secs = 259200
model_reveal_secs = 86400
"""


def main():
    digits = load_digits()
    x_all = digits.data.astype(np.int64)
    y_all = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x_all, y_all, test_size=N_TEST, random_state=0, stratify=y_all)
    zx, zy = read_zkts(SPEC_DIR / "digits-test.zkts")
    assert (zx == x_test).all() and (zy == y_test).all(), "split differs from digits-test.zkts"
    xf_train = x_train * INPUT_SCALE
    OUT.mkdir(parents=True, exist_ok=True)

    results = {}

    def record(path, labels, x=x_test):
        preds = onnxruntime_predictions(path, x)
        correct = int((preds == labels).sum())
        results[path.name] = {
            "rows": int(len(labels)),
            "float_correct": correct,
            "float_accuracy": correct / len(labels),
            "predictions": [int(p) for p in preds],
            "ops": [n.op_type for n in onnx.load(str(path)).graph.node],
        }
        print(f"  onnxruntime accuracy {correct}/{len(labels)} = {correct / len(labels):.4f}")

    # StandardScaler divides by per-pixel deviations as small as 0.0015 (border pixels that
    # are almost always 0); folded, W / std then has weights ~300× the median, and one int8
    # scale per tensor (the default quantiser) rounds every ordinary weight to 0 (17% quantised
    # accuracy with alpha = 1e-3). Strong L2 (alpha = 3) keeps those rarely-seen weights small.
    std_pipe = fit(Pipeline([("scaler", StandardScaler()), ("mlp", mlp(32, alpha=3.0))]),
                   xf_train, y_train)
    record(skl(std_pipe, "skl-standard-mlp32.onnx"), y_test)
    record(skl(std_pipe, "skl-standard-div-mlp32.onnx", {StandardScaler: {"div": "div"}}), y_test)
    # The same pipeline with scikit-learn's default L2 (alpha = 1e-4): the outlier weights stay,
    # and the default quantiser must clip them rather than lose every ordinary weight.
    std_default = fit(Pipeline([("scaler", StandardScaler()),
                                ("mlp", mlp(32, alpha=1e-4))]), xf_train, y_train)
    record(skl(std_default, "skl-standard-default-mlp32.onnx"), y_test)

    mm_pipe = fit(Pipeline([("scaler", MinMaxScaler()), ("mlp", mlp(16))]), xf_train, y_train)
    record(skl(mm_pipe, "skl-minmax-mlp16.onnx"), y_test)

    binary = fit(mlp(16), xf_train, y_train % 2)
    record(skl(binary, "skl-binary-mlp16.onnx"), y_test % 2)
    spec_dir = OUT / "binary-contest"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "contest.toml").write_text(BINARY_SPEC)
    write_zkts(spec_dir / "digits-parity-test.zkts", x_test, y_test % 2, classes=2)

    record(save(torch_style(xf_train, y_train), "torch-style-bn.onnx"), y_test)

    tree = fit(DecisionTreeClassifier(max_depth=3, random_state=0), xf_train, y_train)
    skl(tree, "tree.onnx")
    skl(mm_pipe, "skl-zipmap.onnx", {MLPClassifier: {"zipmap": True}})
    save(div_zero(), "div-zero.onnx")

    path = OUT / "onnxruntime.json"
    meta = {
        "generator": "scripts/make_exporter_models.py",
        "onnxruntime": ort.__version__,
        "skl2onnx": __import__("skl2onnx").__version__,
        "testset": "contest-specs/digits/digits-test.zkts (binary: label % 2)",
        "input_scale": INPUT_SCALE,
    }
    path.write_text(json.dumps({"meta": meta, "models": results}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
