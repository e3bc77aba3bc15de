#!/usr/bin/env python3
"""Checks Kubernetes manifests (JSON files) against the JSON schemas published for a Kubernetes
release, strictly (an unknown field is an error), as PyPI's `kubernetes-validate` bundles them
(generated from each release's OpenAPI definitions). No cluster is needed.

  scripts/check_k8s_manifest.py [--version 1.33] MANIFEST.json ...

Runs inside the pinned virtualenv `.venv-k8s/` (created once from PyPI, see pinned_venv.py).
Exit 0 when every manifest is valid, 1 naming the first error of each invalid one."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pinned_venv import ROOT, ensure_venv  # noqa: E402

K8S_PINNED = [
    "kubernetes-validate==1.37.0",
    "jsonschema==4.23.0",
    "jsonschema-specifications==2024.10.1",
    "referencing==0.35.1",
    "rpds-py==0.22.3",
    "attrs==24.3.0",
    "PyYAML==6.0.2",
    "typing-extensions==4.12.2",
    "importlib-resources==6.4.5",
    "packaging==24.2",
]


def main():
    ensure_venv(ROOT / ".venv-k8s", K8S_PINNED)
    import kubernetes_validate  # noqa: E402 (inside the venv)

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default="1.33", help="Kubernetes release whose schemas apply")
    ap.add_argument("manifests", nargs="+")
    args = ap.parse_args()
    bad = 0
    for path in args.manifests:
        with open(path) as f:
            data = json.load(f)
        try:
            used = kubernetes_validate.validate(data, args.version, strict=True)
            print(f"{path}: valid {data.get('apiVersion')} {data.get('kind')} (Kubernetes {used}, strict)")
        except kubernetes_validate.ValidationError as e:
            bad += 1
            # The jsonschema error it wraps says where.
            cause = e.__context__
            where = "/".join(str(p) for p in getattr(cause, "path", []))
            message = getattr(cause, "message", str(e).splitlines()[0])
            print(f"{path}: INVALID at {where or '(top)'}: {message}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
