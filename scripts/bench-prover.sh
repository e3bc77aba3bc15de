#!/usr/bin/env bash
# Prover benchmark: contest-cli setup + prove + verify on a contest spec, with wall time and
# peak RSS of each step (GNU time). Results go to stdout as a Markdown table row set and to
# target/bench/<name>/ (keys, proof, raw logs).
#
#   scripts/bench-prover.sh [SPEC_DIR] [MODEL.onnx] [TESTSET.zkts]
#
# Defaults: the digits contest with the 32-unit sample model. Uses the dev profile build
# (the one profile the project builds) and an UNSAFE locally generated SRS (cached in the key
# directory between runs; delete it to time SRS generation again).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
spec="${1:-contest-specs/digits}"
model="${2:-contest-specs/digits/models/mlp-h32.onnx}"
testset="${3:-contest-specs/digits/digits-test.zkts}"
name="$(basename "$spec")-$(basename "$model" .onnx)"
out="target/bench/$name"
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time (/usr/bin/time) is required: apt-get install time" >&2; exit 2; }

cargo build --quiet --locked
cli=target/debug/contest-cli

run() { # label, command…
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$label.time" "$@" >"$out/$label.out" 2>"$out/$label.err" || {
    echo "bench: $label failed; see $out/$label.err" >&2; tail -5 "$out/$label.err" >&2; exit 3; }
  read -r secs kb <"$out/$label.time"
  printf '| %s | %s | %.1f s | %d MiB |\n' "$name" "$label" "$secs" "$((kb / 1024))"
}

echo "| benchmark | step | wall | peak RSS |"
echo "|---|---|---|---|"
run setup "$cli" --json setup --spec "$spec" --out "$out/keys"
run prove "$cli" --json prove --spec "$spec" --model "$model" --salt 0x2a --testset "$testset" \
  --submitter 0x00000000000000000000000000000000000000aa --contest-id 1 --chain-id 31337 \
  --keys "$out/keys" --out "$out/proof"
run verify "$cli" --json verify --keys "$out/keys" --proof "$out/proof"
echo
echo "circuit: $(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["figures"]))' "$out/keys/circuit.json")"
echo "prove:   $(cat "$out/prove.out")"
echo "proof bytes: $(stat -c %s "$out/proof/proof.bin")"
