#!/usr/bin/env python3
"""Synthetic MNIST-shaped data for the prover benchmark (issue #7): 28×28 = 784 features in
0..=255, 10 classes, and a 784 → 128 → 10 ReLU model trained on it.

    python3.11 scripts/make_mnist_synth.py [OUT_DIR]      (default: target/bench/mnist-synth)

No real MNIST is downloaded (nothing may be fetched at run time): each class is a random
blocky 28×28 prototype, and a sample is its prototype at a random intensity plus Gaussian
noise, clipped to 0..=255. The circuit's cost depends only on the shapes, so this is enough to
measure the prover; the accuracy is what makes the proof's statement non-trivial. Runs in the
`.venv-train/` of `scripts/train_digits.py` (pinned PyPI packages) and is deterministic.

Writes `OUT_DIR/test-100.zkts`, `OUT_DIR/test-1000.zkts`, `OUT_DIR/test-10000.zkts` (each set's
first rows are the smaller sets; the rows past 1,000 come from a second generator, so the
smaller sets and the model are what they were before the 10,000-row set existed) and
`OUT_DIR/mlp-h128.onnx`, for the specs `contest-specs/mnist-synth-{100,1000,10000}`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_digits as td  # noqa: E402  (re-executes this script inside the venv first)

import numpy as np  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

SIDE, CLASSES, HIDDEN = 28, 10, 128
FEATURES = SIDE * SIDE
X_MAX = 255
N_TRAIN, N_TEST, N_LARGE = 3000, 1000, 10000


def samples(rng, prototypes, n):
    """`n` noisy samples with labels drawn uniformly."""
    y = rng.integers(0, CLASSES, size=n)
    gain = rng.uniform(0.6, 1.0, size=(n, 1))
    x = prototypes[y] * gain * X_MAX + rng.normal(0.0, 400.0, size=(n, FEATURES))
    return np.clip(np.rint(x), 0, X_MAX).astype(np.int64), y


def export(clf, path):
    """MatMul + Add with a symbolic batch dimension (the layout of the digits h32 sample)."""
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", FEATURES])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", CLASSES])
    nodes = [
        helper.make_node("MatMul", ["input", "W1"], ["m1"], name="matmul1"),
        helper.make_node("Add", ["m1", "B1"], ["h1"], name="add1"),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("MatMul", ["a1", "W2"], ["m2"], name="matmul2"),
        helper.make_node("Add", ["m2", "B2"], ["output"], name="add2"),
    ]
    inits = [td.init("W1", w1), td.init("B1", b1), td.init("W2", w2), td.init("B2", b2)]
    td.save(helper.make_graph(nodes, "mnist_synth_mlp", [inp], [out], inits), path)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else td.ROOT / "target" / "bench" / "mnist-synth"
    rng = np.random.default_rng(7)
    # Blocky prototypes: a 7×7 random pattern upsampled 4×, keeping its brightest 30 %.
    coarse = rng.uniform(size=(CLASSES, 7, 7))
    blocks = np.stack([np.kron(c, np.ones((4, 4))) for c in coarse]).reshape(CLASSES, FEATURES)
    prototypes = (blocks > np.quantile(blocks, 0.7, axis=1, keepdims=True)).astype(np.float64)

    x_train, y_train = samples(rng, prototypes, N_TRAIN)
    x_test, y_test = samples(rng, prototypes, N_TEST)
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", max_iter=40,
                        random_state=0, alpha=1e-3)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(x_train / X_MAX, y_train)
    acc = (clf.predict(x_test / X_MAX) == y_test).mean()
    print(f"mlp-h128: sklearn accuracy on the synthetic test rows {acc:.4f}")

    export(clf, out / "mlp-h128.onnx")
    for n in (100, 1000):
        td.write_zkts(out / f"test-{n}.zkts", x_test[:n], y_test[:n], 0, X_MAX, value_bytes=2)
    x_more, y_more = samples(np.random.default_rng(8), prototypes, N_LARGE - N_TEST)
    x_large, y_large = np.concatenate([x_test, x_more]), np.concatenate([y_test, y_more])
    acc = (clf.predict(x_large / X_MAX) == y_large).mean()
    print(f"mlp-h128: sklearn accuracy on the {N_LARGE} synthetic test rows {acc:.4f}")
    td.write_zkts(out / f"test-{N_LARGE}.zkts", x_large, y_large, 0, X_MAX, value_bytes=2)


if __name__ == "__main__":
    main()
