#!/usr/bin/env python3
"""Produces the digits contest's sample data: the held-out test set, a calibration set, the
competitor ONNX models, and the malformed ONNX fixtures used by the Rust tests.

Run from anywhere:  python3.11 scripts/train_digits.py
It creates (once) a venv in `.venv-train/` at the repository root with pinned packages from
PyPI, re-executes itself inside it, and rewrites:

  contest-specs/digits/digits-test.zkts          N = 360 held-out rows (the organiser's test set)
  contest-specs/digits/digits-calibration.zkts   256 training rows (a competitor's calibration data)
  contest-specs/digits/models/*.onnx             sample competitor models
  tests/fixtures/*.onnx                          tiny models that must be rejected

Everything is deterministic (fixed split and seeds); the outputs are committed so no Rust test
needs Python. The `.zkts` layout is documented in docs/PROTOCOL.md §8.
"""

import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned_venv import TRAIN_PINNED, ensure_venv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-train"
PINNED = TRAIN_PINNED


ensure_venv(VENV, PINNED)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

SPEC_DIR = ROOT / "contest-specs" / "digits"
MODEL_DIR = SPEC_DIR / "models"
FIXTURE_DIR = ROOT / "tests" / "fixtures"
N_TEST = 360
N_CALIBRATION = 256
FEATURES, X_MIN, X_MAX, CLASSES = 64, 0, 16, 10
INPUT_SCALE = 1.0 / 16.0


def write_zkts(path, x, y, x_min=X_MIN, x_max=X_MAX, value_bytes=1):
    """Test-set file, version 1 (docs/PROTOCOL.md §8): 28-byte header, then rows of F signed
    features of `value_bytes` bytes and a u16 label, all little-endian."""
    n, f = x.shape
    code = {1: "b", 2: "h", 4: "i"}[value_bytes]
    header = struct.pack("<4sHBBIIiiI", b"ZKTS", 1, value_bytes, 0, n, f, x_min, x_max, CLASSES)
    body = bytearray()
    for row, label in zip(x, y):
        body += struct.pack(f"<{f}{code}", *[int(v) for v in row])
        body += struct.pack("<H", int(label))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + bytes(body))
    print(f"wrote {path} ({n} rows, {len(header) + len(body)} bytes)")


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name=name)


def save(model_graph, path):
    model = helper.make_model(model_graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="zkcontest/train_digits.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def io(batch):
    shape = [batch, FEATURES] if batch is not None else [FEATURES]
    out_shape = [batch, CLASSES] if batch is not None else [CLASSES]
    return (helper.make_tensor_value_info("input", TensorProto.FLOAT, shape),
            helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape))


def export_gemm_transb(clf, path):
    """PyTorch style: Gemm with transB=1 (weights stored [out][in]), fixed batch 1."""
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    inp, out = io(1)
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["output"], name="fc2", transB=1),
    ]
    inits = [init("fc1.weight", w1.T), init("fc1.bias", b1), init("fc2.weight", w2.T), init("fc2.bias", b2)]
    save(helper.make_graph(nodes, "digits_mlp", [inp], [out], inits), path)


def export_matmul_add(clf, path):
    """MatMul + Add with a symbolic batch dimension, Dropout and Identity in between."""
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    inp, out = io("batch")
    nodes = [
        helper.make_node("Identity", ["input"], ["x"], name="identity"),
        helper.make_node("MatMul", ["x", "W1"], ["m1"], name="matmul1"),
        helper.make_node("Add", ["m1", "B1"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Dropout", ["a1"], ["d1"], name="dropout1"),
        helper.make_node("MatMul", ["d1", "W2"], ["m2"], name="matmul2"),
        helper.make_node("Add", ["m2", "B2"], ["output"], name="add2"),
    ]
    inits = [init("W1", w1), init("B1", b1), init("W2", w2), init("B2", b2)]
    save(helper.make_graph(nodes, "digits_mlp", [inp], [out], inits), path)


def export_gemm_softmax(clf, path):
    """Gemm (transB=0) with a leading Flatten and a trailing Softmax, symbolic batch."""
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    inp, out = io("N")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "W1", "B1"], ["h1"], name="dense1"),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "W2", "B2"], ["logits"], name="dense2"),
        helper.make_node("Softmax", ["logits"], ["output"], name="softmax", axis=1),
    ]
    inits = [init("W1", w1), init("B1", b1), init("W2", w2), init("B2", b2)]
    save(helper.make_graph(nodes, "digits_mlp", [inp], [out], inits), path)


def dense(widths, middle=None, poison=None, seed=0):
    """A random dense fixture `64 → widths… → 10`; `middle` replaces the first ReLU with
    another op; `poison` writes a NaN or inf into the first weight matrix."""
    rng = np.random.default_rng(seed)
    dims = [FEATURES, *widths, CLASSES]
    inp, out = io(1)
    nodes, inits, cur = [], [], "input"
    for layer in range(len(dims) - 1):
        w = rng.normal(0, 0.3, size=(dims[layer], dims[layer + 1]))
        if layer == 0 and poison is not None:
            w[3, 1] = poison
        inits += [init(f"W{layer + 1}", w), init(f"B{layer + 1}", rng.normal(0, 0.1, dims[layer + 1]))]
        last = layer == len(dims) - 2
        dst = "output" if last else f"h{layer + 1}"
        nodes.append(helper.make_node("Gemm", [cur, f"W{layer + 1}", f"B{layer + 1}"], [dst], name=f"dense{layer + 1}"))
        if not last:
            op = "Relu" if (middle is None or layer > 0) else middle
            nodes.append(helper.make_node(op, [dst], [f"a{layer + 1}"], name=f"{op.lower()}{layer + 1}"))
            cur = f"a{layer + 1}"
    return helper.make_graph(nodes, "fixture", [inp], [out], inits)


def conv_in_the_middle():
    """64 → Reshape [1,1,8,8] → Conv 3×3 → Flatten → Gemm → 10."""
    rng = np.random.default_rng(1)
    inp, out = io(1)
    nodes = [
        helper.make_node("Reshape", ["input", "shape"], ["img"], name="to_image"),
        helper.make_node("Conv", ["img", "K"], ["c"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Flatten", ["c"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "W", "B"], ["output"], name="dense1"),
    ]
    inits = [
        numpy_helper.from_array(np.array([1, 1, 8, 8], dtype=np.int64), name="shape"),
        init("K", rng.normal(0, 0.3, size=(1, 1, 3, 3))),
        init("W", rng.normal(0, 0.3, size=(64, CLASSES))),
        init("B", np.zeros(CLASSES)),
    ]
    return helper.make_graph(nodes, "conv_fixture", [inp], [out], inits)


def main():
    digits = load_digits()
    x_all = digits.data.astype(np.int64)  # integers 0..16
    y_all = digits.target.astype(np.int64)
    assert x_all.min() >= X_MIN and x_all.max() <= X_MAX
    x_train, x_test, y_train, y_test = train_test_split(
        x_all, y_all, test_size=N_TEST, random_state=0, stratify=y_all)
    write_zkts(SPEC_DIR / "digits-test.zkts", x_test, y_test)
    write_zkts(SPEC_DIR / "digits-calibration.zkts", x_train[:N_CALIBRATION], y_train[:N_CALIBRATION])

    xf_train, xf_test = x_train * INPUT_SCALE, x_test * INPUT_SCALE
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    samples = [
        # (file, hidden width, training rows, exporter)
        ("mlp-h16.onnx", 16, None, export_gemm_transb),
        ("mlp-h32.onnx", 32, None, export_matmul_add),
        ("mlp-h64.onnx", 64, None, export_gemm_softmax),
        # Deliberately weak: trained on only 200 rows, below the 90% threshold. (A 4-unit
        # bottleneck at 88% was tried first: its logits have so many near-ties that int8
        # weights flip 2% of its predictions, so it is not used as a sample.)
        ("weak-h12.onnx", 12, 200, export_gemm_transb),
    ]
    for name, hidden, rows, exporter in samples:
        iters = 300
        clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", max_iter=iters,
                            random_state=0, alpha=1e-3, tol=0.0, n_iter_no_change=iters)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(xf_train[:rows], y_train[:rows])
        acc = (clf.predict(xf_test) == y_test).mean()
        print(f"{name}: hidden {hidden}, sklearn test accuracy {acc:.4f}")
        exporter(clf, MODEL_DIR / name)

    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    save(conv_in_the_middle(), FIXTURE_DIR / "conv-middle.onnx")
    save(dense([16], middle="Sigmoid"), FIXTURE_DIR / "sigmoid-middle.onnx")
    save(dense([100]), FIXTURE_DIR / "too-wide.onnx")
    save(dense([16, 16]), FIXTURE_DIR / "three-layers.onnx")
    save(dense([16], poison=float("nan")), FIXTURE_DIR / "nan-weights.onnx")
    save(dense([16], poison=float("inf")), FIXTURE_DIR / "inf-weights.onnx")
    save(dense([8]), FIXTURE_DIR / "dense-h8.onnx")


if __name__ == "__main__":
    main()
