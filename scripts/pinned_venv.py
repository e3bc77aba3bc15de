"""The pinned PyPI virtualenvs of the scripts that make test data (`train_digits.py`,
`make_mnist_synth.py`, `make_exporter_models.py`): created once at the repository root, and the
running script re-executed inside one, so that every output is made by the same packages.

  scripts/pinned_venv.py ray     # creates .venv-ray (Ray, for a shard plan's ray-job.py) if
                                 # needed and prints its python's path"""

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


# Ray, to run a shard plan's `ray-job.py` on a local Ray cluster (tests/sharded_contest.rs).
RAY_PINNED = [
    "ray==2.60.0",
    "attrs==26.1.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "click==8.5.1",
    "filelock==4.3.2",
    "idna==3.20",
    "jsonschema==4.26.0",
    "jsonschema-specifications==2025.9.1",
    "msgpack==1.2.4",
    "packaging==26.4",
    "protobuf==7.36.2",
    "PyYAML==6.0.4",
    "referencing==0.37.0",
    "requests==2.34.2",
    "rpds-py==2026.9.1",
    "typing_extensions==4.16.0",
    "urllib3==2.8.0",
]

VENVS = {"ray": (".venv-ray", RAY_PINNED)}


def create_venv(venv, pinned):
    """Creates `venv` with `pinned` unless a complete one is there; returns its python. A venv
    is complete once its packages are in (marker `.zkcontest-complete`), so an interrupted
    install is made again rather than used half-made."""
    venv = Path(venv)
    py = venv / "bin" / "python"
    marker = venv / ".zkcontest-complete"
    if marker.exists():
        return py
    print(f"creating {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *pinned], check=True)
    marker.write_text("\n".join(pinned) + "\n")
    return py


def ensure_venv(venv, pinned):
    """Re-executes the running script (`sys.argv[0]`, also when a script imports another that
    calls this) inside `venv`, creating it with `pinned` first if needed. Returns when already
    inside it."""
    if Path(sys.prefix).resolve() == Path(venv).resolve():
        return
    py = create_venv(venv, pinned)
    os.execv(str(py), [str(py), os.path.abspath(sys.argv[0]), *sys.argv[1:]])


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in VENVS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(VENVS)}}}")
    name, pinned = VENVS[sys.argv[1]]
    print(create_venv(ROOT / name, pinned))
