#!/usr/bin/env bash
# Side by side: zkcontest vs EZKL 23.0.5 proving the same ONNX model on the same first N rows
# of the digits test set, on this machine. Both use a locally generated UNSAFE SRS (nothing is
# downloaded at run time); EZKL runs with hashed params (the model stays hidden, as in
# zkcontest) and one batch of N samples per proof; zkcontest proves `correct` over the N rows
# with the digits envelope shrunk to N rows.
#
#   scripts/bench-vs-ezkl.sh [N] [MODEL.onnx]       # defaults: 100, digits mlp-h32
#
# Writes target/bench-vs-ezkl/N<N>/ and prints a Markdown table (wall, peak RSS, k, proof size).
# Heavy: run it on a quiet machine, never inside the timed tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-100}"
model="${2:-contest-specs/digits/models/mlp-h32.onnx}"
out="target/bench-vs-ezkl/N$n"
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "GNU time (/usr/bin/time) is required" >&2; exit 2; }

# EZKL in its own pinned venv (PyPI).
venv=.venv-ezkl
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import ezkl; assert ezkl.__version__ == "23.0.5"' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ezkl==23.0.5 onnx==1.23.2 numpy==2.4.6
fi

# zkcontest: the digits spec and test set cut to N rows.
scripts/setup.sh >/dev/null
cargo build --quiet --locked
python3 - "$n" "$out" <<'PY'
import re, struct, sys
n, out = int(sys.argv[1]), sys.argv[2]
spec = open("contest-specs/digits/contest.toml").read()
spec = spec.replace('name = "digits"', f'name = "digits-{n}"')
spec = re.sub(r"^rows = 360$", f"rows = {n}", spec, flags=re.M)
open(f"{out}/contest.toml", "w").write(spec)
data = open("contest-specs/digits/digits-test.zkts", "rb").read()
hdr = bytearray(data[:28]); rows, f = struct.unpack_from("<II", data, 8)
assert n <= rows, f"the digits test set has only {rows} rows"
struct.pack_into("<I", hdr, 8, n)
open(f"{out}/test.zkts", "wb").write(bytes(hdr) + data[28:28 + n * (f + 2)])
PY
cli=target/debug/contest-cli
timed() { # label, command… : wall and peak RSS via GNU time
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$label.time" "$@" >"$out/$label.out" 2>"$out/$label.err" || {
    echo "$label failed; see $out/$label.err" >&2; tail -5 "$out/$label.err" >&2; exit 3; }
}
timed zk-setup "$cli" --json setup --spec "$out/contest.toml" --out "$out/keys"
timed zk-prove "$cli" --json prove --spec "$out/contest.toml" --model "$model" --salt 0x2a \
  --testset "$out/test.zkts" --submitter 0x00000000000000000000000000000000000000aa \
  --contest-id 1 --chain-id 31337 --keys "$out/keys" --out "$out/proof"
timed zk-verify "$cli" --json verify --keys "$out/keys" --proof "$out/proof"
timed ezkl "$venv/bin/python" scripts/bench_ezkl.py --model "$model" --testset "$out/test.zkts" \
  --rows "$n" --scale 0.0625 --work "$out/ezkl"

python3 - "$out" "$n" "$model" <<'PY'
import json, os, sys
out, n, model = sys.argv[1], sys.argv[2], sys.argv[3]
t = lambda l: open(f"{out}/{l}.time").read().split()
k = json.load(open(f"{out}/keys/circuit.json"))["figures"]["k"]
zp = json.loads(open(f"{out}/zk-prove.out").read())
ez = json.loads(open(f"{out}/ezkl.out").read().strip().splitlines()[-1])
print(f"model {model}, N = {n} (UNSAFE local SRS on both sides)\n")
print("| system | k | setup (SRS generation included) | prove | peak RSS | proof bytes | verifies |")
print("|---|---:|---:|---:|---:|---:|---|")
s, p = t("zk-setup"), t("zk-prove")
print(f"| zkcontest | {k} | {float(s[0]):.1f} s | {float(p[0]):.1f} s (witness {zp['witness_seconds']:.1f} s) | "
      f"{int(p[1]) // 1024} MiB (prove) | {zp['proof_bytes']} | {json.loads(open(f'{out}/zk-verify.out').read())['valid']} |")
st = ez["steps"]
ez_setup = st["setup"]["seconds"] + st.get("gen_srs (UNSAFE, local)", {}).get("seconds", 0)
print(f"| EZKL {ez['ezkl']} | {ez['logrows']} | {ez_setup:.1f} s | {st['prove']['seconds']:.1f} s | "
      f"{int(t('ezkl')[1]) // 1024} MiB (whole run) | {ez['proof_bytes']} | {ez['verified']} |")
PY
