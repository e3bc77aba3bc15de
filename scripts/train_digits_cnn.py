#!/usr/bin/env python3
"""Trains small convolutional networks on the digits data (NumPy, no deep-learning framework)
and exports them as PyTorch writes ONNX: the digits-cnn contest's sample models and the CNN
fixtures of the importer's tests.

Run from anywhere:  python3.11 scripts/train_digits_cnn.py
It creates (once) the venv `.venv-exporters/` (pinned packages from PyPI, see pinned_venv.py),
re-executes itself inside it, and rewrites:

  contest-specs/digits-cnn/models/cnn-c8-max.onnx   Conv 3×3 (pad 1, 8 ch) → Relu → MaxPool 2×2
                                                     → Flatten → Gemm (transB) → Softmax
  contest-specs/digits-cnn/models/cnn-c4-max.onnx   the same with 4 channels (zero-padded into the
                                                     envelope's 8)
  contest-specs/digits-cnn/models/onnxruntime.json  onnxruntime's float accuracy and predictions
  tests/fixtures/cnn/cnn-c6-bn-max.onnx   Mul by 2 (an input scale in the graph), Conv 6 ch →
                                          BatchNormalization → Relu → MaxPool → Flatten → Gemm
  tests/fixtures/cnn/cnn-c8-bn-avg.onnx   Conv 8 ch → BatchNormalization → Relu → AveragePool 2×2
                                          → Reshape → Gemm, for the avgpool envelope below
  tests/fixtures/cnn/cnn-c8-pool-relu.onnx  Conv → MaxPool → Relu (ReLU after the pooling, as
                                          some exporters order it) → Flatten → Gemm
  tests/fixtures/cnn/onnxruntime.json     the same record for the fixtures
  tests/fixtures/cnn/avg/contest.toml     digits-cnn with an avgpool stage
  tests/fixtures/cnn/mini/contest.toml, mini/mini-test.zkts
                                          digits-cnn at N = 4 (the first 4 test rows): small
                                          enough to prove in a test (mini/models/ holds links to
                                          two of the models above, committed by hand)
  tests/fixtures/cnn/mini-avg/contest.toml  the same with average pooling (its test set:
                                          mini/mini-test.zkts)

Models receive `pixel / 16` in an [N, 1, 8, 8] input and are trained on the training rows of
train_digits.py's split; the test rows are contest-specs/digits/digits-test.zkts (checked).
A BatchNormalization is arbitrary but the convolution before it is chosen so that Conv → BN
equals the trained convolution (so folding mistakes change predictions). Deterministic.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned_venv import EXPORTERS_PINNED, ensure_venv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-exporters"

ensure_venv(VENV, EXPORTERS_PINNED)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from zkts import read_zkts, write_zkts  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

DIGITS_DIR = ROOT / "contest-specs" / "digits"
SPEC_DIR = ROOT / "contest-specs" / "digits-cnn"
FIXTURES = ROOT / "tests" / "fixtures" / "cnn"
N_TEST, CLASSES, SIDE = 360, 10, 8
INPUT_SCALE = 1.0 / 16.0
EPS = 1e-5




# --- a small CNN in NumPy: conv 3×3 (padding 1) → ReLU → 2×2 pool → flatten → dense ---------


def patches(x):
    """(n, 1, 8, 8) → (n, 64, 9): each output position's zero-padded 3×3 window."""
    n = x.shape[0]
    p = np.pad(x[:, 0], ((0, 0), (1, 1), (1, 1)))
    cols = [p[:, i:i + SIDE, j:j + SIDE].reshape(n, SIDE * SIDE) for i in range(3) for j in range(3)]
    return np.stack(cols, axis=2)


def forward(params, x, pool):
    w, b, v, c = params
    ch = w.shape[0]
    cols = patches(x)
    z = cols @ w.reshape(ch, 9).T + b                     # (n, 64, ch)
    z = z.transpose(0, 2, 1).reshape(-1, ch, SIDE, SIDE)   # NCHW
    a = np.maximum(z, 0.0)
    blocks = a.reshape(-1, ch, 4, 2, 4, 2)
    pooled = blocks.max(axis=(3, 5)) if pool == "max" else blocks.mean(axis=(3, 5))
    flat = pooled.reshape(len(x), -1)
    logits = flat @ v + c
    return logits, (cols, z, a, blocks, pooled, flat)


def train(ch, pool, seed, epochs=40):
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, 0.4, (ch, 1, 3, 3)), np.zeros(ch),
              rng.normal(0, 0.1, (ch * 16, CLASSES)), np.zeros(CLASSES)]
    m = [np.zeros_like(p) for p in params]
    s = [np.zeros_like(p) for p in params]
    t = 0
    for _ in range(epochs):
        order = rng.permutation(len(X_TRAIN))
        for start in range(0, len(order), 32):
            idx = order[start:start + 32]
            x, y = X_TRAIN[idx], Y_TRAIN[idx]
            logits, (cols, z, a, blocks, pooled, flat) = forward(params, x, pool)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(y)), y] -= 1.0
            g_logits = p / len(y)
            w, b, v, c = params
            g_v = flat.T @ g_logits + 1e-4 * v
            g_c = g_logits.sum(axis=0)
            g_pooled = (g_logits @ v.T).reshape(pooled.shape)
            if pool == "max":
                mask = blocks == pooled[:, :, :, None, :, None]
                mask = mask / mask.sum(axis=(3, 5), keepdims=True)
                g_a = (mask * g_pooled[:, :, :, None, :, None]).reshape(a.shape)
            else:
                g_a = np.repeat(np.repeat(g_pooled, 2, axis=2), 2, axis=3) / 4.0
            g_z = g_a * (z > 0)
            g_z = g_z.reshape(len(y), ch, 64).transpose(0, 2, 1)          # (n, 64, ch)
            g_w = np.einsum("npc,npk->ck", g_z, cols).reshape(w.shape) + 1e-4 * w
            g_b = g_z.sum(axis=(0, 1))
            t += 1
            for i, g in enumerate([g_w, g_b, g_v, g_c]):
                m[i] = 0.9 * m[i] + 0.1 * g
                s[i] = 0.999 * s[i] + 0.001 * g * g
                params[i] -= 0.01 * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(s[i] / (1 - 0.999 ** t)) + 1e-8)
    acc = (forward(params, X_TEST_F, pool)[0].argmax(axis=1) == Y_TEST).mean()
    print(f"trained {ch} channels, {pool} pooling: NumPy test accuracy {acc:.4f}")
    return params


# --- ONNX export as PyTorch writes it ------------------------------------------------------


def f32(name, v):
    return numpy_helper.from_array(np.asarray(v, dtype=np.float32), name=name)


def export(params, pool, batch_norm=False, scale_input=False, relu_after_pool=False,
           reshape=False):
    w, b, v, c = params
    ch = w.shape[0]
    nodes, inits = [], []
    cur = "input"
    if scale_input:
        # The model takes pixel / 16 but was written for pixel / 8: Mul by 2 in the graph,
        # folded into the first convolution (a scale: exact with padding).
        nodes.append(helper.make_node("Mul", [cur, "two"], ["/scale/Mul_output_0"], name="/scale/Mul"))
        inits.append(f32("two", np.array(2.0)))
        cur = "/scale/Mul_output_0"
        w = w / 2.0
    conv_w, conv_b = w, b
    if batch_norm:
        rng = np.random.default_rng(11)
        gamma = rng.uniform(0.5, 2.0, ch)
        beta = rng.normal(0, 0.2, ch)
        mu = rng.normal(0, 0.5, ch)
        var = rng.uniform(0.25, 4.0, ch)
        a = gamma / np.sqrt(var + EPS)
        d = beta - a * mu
        # BN(z) = a·z + d: z = (h − d) / a gives BN(z) = h, the trained convolution.
        conv_w = w / a[:, None, None, None]
        conv_b = (b - d) / a
        inits += [f32("bn1.weight", gamma), f32("bn1.bias", beta),
                  f32("bn1.running_mean", mu), f32("bn1.running_var", var)]
    nodes.append(helper.make_node("Conv", [cur, "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"],
                                  name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                  strides=[1, 1], dilations=[1, 1], group=1))
    inits += [f32("conv1.weight", conv_w), f32("conv1.bias", conv_b)]
    cur = "/conv1/Conv_output_0"
    if batch_norm:
        nodes.append(helper.make_node(
            "BatchNormalization", [cur, "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"],
            ["/bn1/BatchNormalization_output_0"], name="/bn1/BatchNormalization", epsilon=EPS))
        cur = "/bn1/BatchNormalization_output_0"
    relu = helper.make_node("Relu", [cur], ["/relu/Relu_output_0"], name="/relu/Relu")
    pool_op = "MaxPool" if pool == "max" else "AveragePool"
    pooling = lambda src: helper.make_node(  # noqa: E731
        pool_op, [src], [f"/pool/{pool_op}_output_0"], name=f"/pool/{pool_op}",
        kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=0)
    if relu_after_pool:
        nodes += [pooling(cur)]
        nodes += [helper.make_node("Relu", [f"/pool/{pool_op}_output_0"], ["/relu/Relu_output_0"],
                                   name="/relu/Relu")]
        cur = "/relu/Relu_output_0"
    else:
        nodes += [relu, pooling("/relu/Relu_output_0")]
        cur = f"/pool/{pool_op}_output_0"
    if reshape:
        nodes.append(helper.make_node("Reshape", [cur, "flat_shape"], ["/Reshape_output_0"], name="/Reshape"))
        inits.append(numpy_helper.from_array(np.array([-1, ch * 16], dtype=np.int64), name="flat_shape"))
        cur = "/Reshape_output_0"
    else:
        nodes.append(helper.make_node("Flatten", [cur], ["/Flatten_output_0"], name="/Flatten", axis=1))
        cur = "/Flatten_output_0"
    nodes.append(helper.make_node("Gemm", [cur, "fc.weight", "fc.bias"], ["/fc/Gemm_output_0"],
                                  name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1))
    inits += [f32("fc.weight", v.T), f32("fc.bias", c)]
    nodes.append(helper.make_node("Softmax", ["/fc/Gemm_output_0"], ["output"], name="/Softmax", axis=1))
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 1, SIDE, SIDE])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", CLASSES])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="pytorch-style (zkcontest/train_digits_cnn.py)")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def save(model, path, results):
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = (X_TEST.reshape(-1, 1, SIDE, SIDE) * np.float32(INPUT_SCALE)).astype(np.float32)
    preds = session.run(None, {"input": x})[0].argmax(axis=1)
    correct = int((preds == Y_TEST).sum())
    results[path.name] = {
        "rows": N_TEST,
        "float_correct": correct,
        "float_accuracy": correct / N_TEST,
        "predictions": [int(p) for p in preds],
        "ops": [n.op_type for n in model.graph.node],
    }
    print(f"wrote {path} ({path.stat().st_size} bytes): onnxruntime {correct}/{N_TEST}")


def record(results, path):
    meta = {
        "generator": "scripts/train_digits_cnn.py",
        "onnxruntime": ort.__version__,
        "testset": "contest-specs/digits/digits-test.zkts",
        "input": "[N, 1, 8, 8], pixel / 16",
    }
    path.write_text(json.dumps({"meta": meta, "models": results}, indent=1) + "\n")
    print(f"wrote {path}")


def main():
    digits = load_digits()
    x_all = digits.data.astype(np.int64)
    y_all = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x_all, y_all, test_size=N_TEST, random_state=0, stratify=y_all)
    zx, zy = read_zkts(DIGITS_DIR / "digits-test.zkts")
    assert (zx == x_test).all() and (zy == y_test).all(), "split differs from digits-test.zkts"
    global X_TRAIN, Y_TRAIN, X_TEST, X_TEST_F, Y_TEST
    X_TRAIN = (x_train * INPUT_SCALE).reshape(-1, 1, SIDE, SIDE)
    Y_TRAIN = y_train
    X_TEST, Y_TEST = x_test, y_test
    X_TEST_F = (x_test * INPUT_SCALE).reshape(-1, 1, SIDE, SIDE)

    samples = {}
    save(export(train(8, "max", seed=1), "max"), SPEC_DIR / "models" / "cnn-c8-max.onnx", samples)
    save(export(train(4, "max", seed=2), "max"), SPEC_DIR / "models" / "cnn-c4-max.onnx", samples)
    record(samples, SPEC_DIR / "models" / "onnxruntime.json")

    fixtures = {}
    save(export(train(6, "max", seed=3), "max", batch_norm=True, scale_input=True),
         FIXTURES / "cnn-c6-bn-max.onnx", fixtures)
    save(export(train(8, "avg", seed=4), "avg", batch_norm=True, reshape=True),
         FIXTURES / "cnn-c8-bn-avg.onnx", fixtures)
    save(export(train(8, "max", seed=5), "max", relu_after_pool=True),
         FIXTURES / "cnn-c8-pool-relu.onnx", fixtures)
    record(fixtures, FIXTURES / "onnxruntime.json")

    spec = (SPEC_DIR / "contest.toml").read_text()
    avg = spec.replace('name = "digits-cnn"', 'name = "digits-cnn-avg"').replace(
        'kind = "maxpool"', 'kind = "avgpool"')
    (FIXTURES / "avg").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "avg" / "contest.toml").write_text(
        "# Written by scripts/train_digits_cnn.py: digits-cnn with average pooling.\n" + avg)
    mini = spec.replace('name = "digits-cnn"', 'name = "digits-cnn-mini"').replace(
        "rows = 360", "rows = 4").replace(
        "# 90%: min_correct = ceil(9000 × 360 / 10000) = 324\nthreshold_bps = 9000",
        "# 50%: min_correct = 2\nthreshold_bps = 5000")
    (FIXTURES / "mini").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "mini" / "contest.toml").write_text(
        "# Written by scripts/train_digits_cnn.py: digits-cnn at N = 4, small enough to prove in"
        " a test.\n" + mini)
    write_zkts(FIXTURES / "mini" / "mini-test.zkts", x_test[:4], y_test[:4], CLASSES)
    mini_avg = mini.replace('name = "digits-cnn-mini"', 'name = "digits-cnn-mini-avg"').replace(
        'kind = "maxpool"', 'kind = "avgpool"')
    (FIXTURES / "mini-avg").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "mini-avg" / "contest.toml").write_text(
        "# Written by scripts/train_digits_cnn.py: digits-cnn at N = 4 with average pooling.\n"
        + mini_avg)


if __name__ == "__main__":
    main()
