#!/usr/bin/env bash
# The model proved once per entry (PROTOCOL §14.2, `setup --shared-model`) against the model
# paid in every shard, on the synthetic MNIST-shaped 10,000-row test set, in one run with one
# binary (the machines are noisy: A and B alternate):
#   A: contest-specs/mnist-synth-10000 as it is (100 shards of 100 rows; each shard proof loads,
#      range-checks and hashes the whole model);
#   B: the same spec with ROWS rows per shard (default 200) and `setup --shared-model`: shard
#      proofs copy the model from the shared column; the entry's model proof, once, checks and
#      hashes it.
# Sets up both, proves shard 0 of A and of B alternately ROUNDS times (each proof verified),
# then B's model proof once, and prints wall time and peak RSS of every step, and the proving
# seconds per test row of the whole 10,000-row set for A and for B (B: its shards plus one
# model proof). Uses an UNSAFE development SRS: figures only, never a real contest.
#
#   scripts/bench-shared-model.sh [ROWS] [ROUNDS]          (defaults: 200 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-200}" rounds="${2:-2}"
command -v /usr/bin/time >/dev/null || { echo "bench-shared-model: GNU time (/usr/bin/time) is required" >&2; exit 2; }
[ $((10000 % rows)) -eq 0 ] || { echo "bench-shared-model: ROWS must divide 10000" >&2; exit 2; }
data=target/bench/mnist-synth
python3.11 scripts/make_mnist_synth.py "$data" >/dev/null
cargo build --quiet --locked
cli=target/debug/contest-cli
out=target/bench/shared-model
rm -rf "$out" && mkdir -p "$out/spec-b"
sed "s/^shards = .*/shards = $((10000 / rows))/" contest-specs/mnist-synth-10000/contest.toml \
  >"$out/spec-b/contest.toml"
spec_a=contest-specs/mnist-synth-10000 spec_b="$out/spec-b"
model="$data/mlp-h128.onnx" testset="$data/test-10000.zkts"

run() { # label, command…
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$label.time" "$@" >"$out/$label.out" 2>"$out/$label.err" || {
    echo "bench-shared-model: $label failed; see $out/$label.err" >&2; tail -5 "$out/$label.err" >&2; exit 3; }
  read -r secs kb <"$out/$label.time"
  printf '| %s | %.1f s | %d MiB |\n' "$label" "$secs" "$((kb / 1024))"
}
prove() { # label, spec, keys, proof dir, extra arguments…
  local label="$1" spec="$2" keys="$3" proof="$4"; shift 4
  run "$label" "$cli" --json prove --spec "$spec" --model "$model" --salt 0x2a \
    --submitter 0x00000000000000000000000000000000000000aa --contest-id 1 --chain-id 31337 \
    --keys "$keys" --out "$proof" "$@"
  "$cli" verify --keys "$keys" --proof "$proof" >/dev/null 2>&1 || {
    echo "bench-shared-model: $label's proof does not verify" >&2; exit 3; }
}
seconds() { grep -o '"proving_seconds":[0-9.]*' "$out/$1.out" | cut -d: -f2; }

"$cli" --json setup --spec "$spec_b" --plan-only >"$out/plan-b.json"
echo "| step | wall | peak RSS |"
echo "|---|---|---|"
run setup-a "$cli" --json setup --spec "$spec_a" --out "$out/keys-a"
run setup-b "$cli" --json setup --spec "$spec_b" --out "$out/keys-b" --shared-model
for i in $(seq 1 "$rounds"); do
  prove "prove-a-$i" "$spec_a" "$out/keys-a" "$out/proof-a" --testset "$testset" --shard 0
  prove "prove-b-$i" "$spec_b" "$out/keys-b" "$out/proof-b" --testset "$testset" --shard 0
done
prove prove-model-b "$spec_b" "$out/keys-b/model" "$out/proof-model"
# The model column's commitment is the proofs' first 64 bytes: a shard's and the model proof's
# must be equal (what the registry will compare).
cmp -n 64 "$out/proof-b/proof.bin" "$out/proof-model/proof.bin" || {
  echo "bench-shared-model: the shard and model proofs commit to different model columns" >&2; exit 3; }
echo "the shard and model proofs' model-column commitments are equal"
for side in a b; do
  k="$(grep -o '"k":[0-9]*' "$out/setup-$side.out" | head -1 | cut -d: -f2)"
  echo "$side: k = $k, $(grep -o '"correct":[0-9]*' "$out/prove-$side-1.out") $(grep -o '"rows":[0-9]*' "$out/prove-$side-1.out")"
done
python3 - "$out" "$rounds" "$rows" <<'EOF'
import sys
out, rounds, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def secs(label):
    import json
    return json.load(open(f"{out}/{label}.out"))["proving_seconds"]
a = sum(secs(f"prove-a-{i}") for i in range(1, rounds + 1)) / rounds
b = sum(secs(f"prove-b-{i}") for i in range(1, rounds + 1)) / rounds
m = secs("prove-model-b")
total_a, total_b = a * 100, b * (10000 // rows) + m
print(f"A: {a:.1f} s per 100-row shard; 10,000 rows: {total_a:.0f} s, {total_a / 10000:.3f} s per row")
print(f"B: {b:.1f} s per {rows}-row shard + model proof {m:.1f} s; 10,000 rows: {total_b:.0f} s, "
      f"{total_b / 10000:.3f} s per row ({total_a / total_b:.2f}x less proving time than A)")
EOF
