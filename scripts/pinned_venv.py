"""The pinned PyPI virtualenvs of the scripts that make test data (`train_digits.py`,
`make_mnist_synth.py`, `make_exporter_models.py`): created once at the repository root, and the
running script re-executed inside one, so that every output is made by the same packages."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What train_digits.py (and make_mnist_synth.py, which imports it) need.
TRAIN_PINNED = [
    "numpy==1.26.4",
    "scipy==1.17.1",
    "scikit-learn==1.5.2",
    "joblib==1.6.0",
    "threadpoolctl==3.8.0",
    "onnx==1.17.0",
    "protobuf==7.36.2",
]

# What make_exporter_models.py and train_digits_cnn.py need: the above, skl2onnx and
# onnxruntime (to record the exported models' float accuracy).
EXPORTERS_PINNED = TRAIN_PINNED + [
    "skl2onnx==1.20.0",
    "onnxruntime==1.22.1",
    "coloredlogs==15.0.1",
    "flatbuffers==25.12.19",
    "humanfriendly==10.0",
    "mpmath==1.3.0",
    "packaging==26.4",
    "sympy==1.14.0",
]


def ensure_venv(venv, pinned):
    """Re-executes the running script (`sys.argv[0]`, also when a script imports another that
    calls this) inside `venv`, creating it with `pinned` first if needed. Returns when already
    inside it."""
    if Path(sys.prefix).resolve() == Path(venv).resolve():
        return
    py = Path(venv) / "bin" / "python"
    if not py.exists():
        print(f"creating {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *pinned], check=True)
    os.execv(str(py), [str(py), os.path.abspath(sys.argv[0]), *sys.argv[1:]])
