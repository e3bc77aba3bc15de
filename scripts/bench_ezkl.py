#!/usr/bin/env python3
"""EZKL side of scripts/bench-vs-ezkl.sh: one EZKL proof of a batch of the first N rows of a
.zkts test set through the same ONNX model, with hashed params (the model stays hidden, as in
zkcontest), a locally generated SRS (UNSAFE: known tau; EZKL's get_srs would download one and
nothing may download here), and wall time plus peak RSS for each step. Prints one JSON object.

    bench_ezkl.py --model M.onnx --testset T.zkts --rows N --scale S --work DIR
"""
import argparse
import asyncio
import inspect
import json
import os
import resource
import struct
import sys
import time

import ezkl


def read_zkts(path, rows):
    data = open(path, "rb").read()
    magic, version, vbytes, _res, n, f, lo, hi, k = struct.unpack_from("<4sHBBIIiiI", data, 0)
    if magic != b"ZKTS" or version != 1 or vbytes not in (1, 2, 4):
        sys.exit(f"{path}: not a version-1 .zkts file")
    if rows > n:
        sys.exit(f"{path} has {n} rows, fewer than {rows}")
    fmt = {1: "b", 2: "h", 4: "i"}[vbytes]
    row_len = f * vbytes + 2
    xs, ys = [], []
    for r in range(rows):
        off = 28 + r * row_len
        xs.append(list(struct.unpack_from(f"<{f}{fmt}", data, off)))
        ys.append(struct.unpack_from("<H", data, off + f * vbytes)[0])
    return xs, ys


def run(f, *args, **kw):
    out = f(*args, **kw)
    if inspect.isawaitable(out):
        out = asyncio.run(out)
    return out


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--testset", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--scale", type=float, required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)
    xs, _ = read_zkts(a.testset, a.rows)
    flat = [v * a.scale for row in xs for v in row]
    json.dump({"input_data": [flat]}, open(w("input.json"), "w"))

    steps = {}

    def step(name, f, *args, **kw):
        t = time.time()
        out = run(f, *args, **kw)
        steps[name] = {"seconds": round(time.time() - t, 2), "peak_rss_mib_so_far": peak_mib()}
        return out

    ra = ezkl.PyRunArgs()
    ra.input_visibility = "private"
    ra.output_visibility = "public"
    ra.param_visibility = "hashed"
    ra.variables = [("batch", a.rows)]
    step("gen_settings", ezkl.gen_settings, a.model, w("settings.json"), py_run_args=ra)
    step("calibrate_settings", ezkl.calibrate_settings, w("input.json"), a.model, w("settings.json"), "resources")
    settings = json.load(open(w("settings.json")))
    logrows = settings["run_args"]["logrows"]
    step("compile_circuit", ezkl.compile_circuit, a.model, w("model.compiled"), w("settings.json"))
    srs = w(f"kzg{logrows}.UNSAFE-dev.srs")
    if not os.path.exists(srs):
        step("gen_srs (UNSAFE, local)", ezkl.gen_srs, srs, logrows)
    step("setup", ezkl.setup, w("model.compiled"), w("vk.key"), w("pk.key"), srs)
    step("gen_witness", ezkl.gen_witness, w("input.json"), w("model.compiled"), w("witness.json"), w("vk.key"), srs)
    step("prove", ezkl.prove, w("witness.json"), w("model.compiled"), w("pk.key"), w("proof.json"), srs)
    ok = step("verify", ezkl.verify, w("proof.json"), w("settings.json"), w("vk.key"), srs)
    proof = json.load(open(w("proof.json")))
    proof_bytes = len(bytes.fromhex(proof["hex_proof"][2:])) if proof.get("hex_proof") else None
    print(json.dumps({
        "ezkl": ezkl.__version__, "rows": a.rows, "logrows": logrows,
        "num_rows": settings.get("num_rows"), "total_assignments": settings.get("total_assignments"),
        "verified": bool(ok), "proof_bytes": proof_bytes, "steps": steps,
        "peak_rss_mib": peak_mib(),
    }))


if __name__ == "__main__":
    main()
