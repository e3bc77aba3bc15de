#!/usr/bin/env python3
"""Produces the breast-cancer tabular template's data (`contest-specs/breast-cancer/`) and the
CSV import tests' model (`tests/csv_import.rs`), from scikit-learn's bundled Wisconsin
breast-cancer set (no download): 569 rows, 30 float columns with ranges from 0.0008 to 4254,
labels "malignant" / "benign".

Run from anywhere:  python3.11 scripts/make_breast_cancer.py
It runs inside `.venv-exporters/` (make_exporter_models.py's pinned packages) and rewrites:

  contest-specs/breast-cancer/train.csv   426 training rows (stratified split, seed 0)
  contest-specs/breast-cancer/test.csv    143 test rows; floats written with repr (exact)
  contest-specs/breast-cancer/test.npz    the same test rows as np.savez(x=float64, y=str)
  contest-specs/breast-cancer/models/mlp-h16.onnx
                                          Pipeline(StandardScaler, MLPClassifier((16,))),
                                          skl2onnx zipmap=False; input: the raw float columns
  contest-specs/breast-cancer/models/onnxruntime.json
                                          onnxruntime's predictions and accuracy on the test
                                          rows (raw floats, before any quantisation)

The spec itself is made by `contest-cli spec init` from train.csv (the command is in
contest-specs/SCHEMA.md; tests/csv_import.rs checks it reproduces the committed spec). test.npz
is written by np.savez as organisers would, so its ZIP timestamps change on every run.
"""

import csv
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_exporter_models import PINNED, VENV  # noqa: E402  (same venv, same pins)
from pinned_venv import ensure_venv  # noqa: E402

ensure_venv(VENV, PINNED)

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "contest-specs" / "breast-cancer"


def write_csv(path, names, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(names) + ["diagnosis"])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [label])
    print(f"wrote {path} ({len(y)} rows)")


def main():
    data = load_breast_cancer()
    names = list(data.feature_names)
    labels = np.array([data.target_names[t] for t in data.target])
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, labels, test_size=143, stratify=labels, random_state=0
    )
    (OUT / "models").mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "train.csv", names, x_train, y_train)
    write_csv(OUT / "test.csv", names, x_test, y_test)
    np.savez(OUT / "test.npz", x=x_test.astype(np.float64), y=y_test.astype(str))
    print(f"wrote {OUT / 'test.npz'}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = Pipeline([
            ("scale", StandardScaler()),
            ("mlp", MLPClassifier((16,), alpha=1e-2, max_iter=2000, random_state=0)),
        ]).fit(x_train, y_train)
    model = to_onnx(pipe, np.zeros((1, len(names)), dtype=np.float32),
                    options={MLPClassifier: {"zipmap": False}},
                    target_opset={"": 17, "ai.onnx.ml": 1})
    path = OUT / "models" / "mlp-h16.onnx"
    path.write_bytes(model.SerializeToString())
    print(f"wrote {path}: {' '.join(n.op_type for n in model.graph.node)}")

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: x_test.astype(np.float32)})
    preds = [str(p) for p in out[0]]
    correct = sum(p == y for p, y in zip(preds, y_test))
    report = {
        "classes": list(pipe.classes_),
        "rows": len(y_test),
        "onnxruntime_correct": int(correct),
        "onnxruntime_accuracy": correct / len(y_test),
        "predictions": preds,
    }
    (OUT / "models" / "onnxruntime.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"onnxruntime: {correct}/{len(y_test)} on the test rows")


if __name__ == "__main__":
    main()
