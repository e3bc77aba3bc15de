#!/usr/bin/env bash
# The model proved once per entry, and a shard's rows opened once per contest (PROTOCOL §14.2.1,
# `setup --shared-model [--shared-rows]`), against both paid in every shard proof, on the
# synthetic MNIST-shaped 10,000-row test set, in one run with one binary (the machines are noisy:
# A, B and C take turns):
#   A: contest-specs/mnist-synth-10000 as it is (100 shards of 100 rows; each shard proof loads,
#      range-checks and hashes the whole model and its rows);
#   B: ROWS_B rows a shard (default 200) with `--shared-model`: shard proofs copy the model from
#      the shared column; the entry's model proof, once, checks and hashes it;
#   C: ROWS_C rows a shard (default 100) with `--shared-model --shared-rows`: the rows too come
#      from a shared column, which one test-set proof per shard (per contest, not per entry)
#      opens and range-checks.
# Sets up all three, proves shard 0 of A, B and C in turn ROUNDS times (each proof verified), then
# B's and C's model proofs and C's test-set proof once; prints wall time and peak RSS of every
# step, checks that the shared columns' commitments agree, and prints one entry's proving time per
# test row of the 10,000-row set (B and C: their shards plus one model proof; C's test-set proofs
# are the contest's, printed apart). UNSAFE development SRS: figures only, never a real contest.
#
#   scripts/bench-shared-model.sh [ROWS_B] [ROWS_C] [ROUNDS]          (defaults: 200 100 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows_b="${1:-200}" rows_c="${2:-100}" rounds="${3:-2}"
command -v /usr/bin/time >/dev/null || { echo "bench-shared-model: GNU time (/usr/bin/time) is required" >&2; exit 2; }
for r in "$rows_b" "$rows_c"; do
  [ $((10000 % r)) -eq 0 ] || { echo "bench-shared-model: ROWS_B and ROWS_C must divide 10000" >&2; exit 2; }
done
data=target/bench/mnist-synth
python3.11 scripts/make_mnist_synth.py "$data" >/dev/null
cargo build --quiet --locked
cli=target/debug/contest-cli
out=target/bench/shared-model
rm -rf "$out" && mkdir -p "$out/spec-b" "$out/spec-c"
for side in b c; do
  r="rows_$side"
  sed "s/^shards = .*/shards = $((10000 / ${!r}))/" contest-specs/mnist-synth-10000/contest.toml \
    >"$out/spec-$side/contest.toml"
done
spec_a=contest-specs/mnist-synth-10000 spec_b="$out/spec-b" spec_c="$out/spec-c"
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
# The shared columns' commitments are the proofs' first points, 64 bytes each: the END-th byte
# ends the shard proof's point, compared with the other proof's first point (what the registry
# will compare).
same() { # shard proof dir, END, model or test-set proof dir
  cmp -s <(head -c "$2" "$out/$1/proof.bin" | tail -c 64) <(head -c 64 "$out/$3/proof.bin") || {
    echo "bench-shared-model: $1 and $3 commit to different columns" >&2; exit 3; }
}

"$cli" --json setup --spec "$spec_c" --plan-only >"$out/plan-c.json"
echo "| step | wall | peak RSS |"
echo "|---|---|---|"
run setup-a "$cli" --json setup --spec "$spec_a" --out "$out/keys-a"
run setup-b "$cli" --json setup --spec "$spec_b" --out "$out/keys-b" --shared-model
run setup-c "$cli" --json setup --spec "$spec_c" --out "$out/keys-c" --shared-model --shared-rows
for i in $(seq 1 "$rounds"); do
  for side in a b c; do
    spec="spec_$side"
    prove "prove-$side-$i" "${!spec}" "$out/keys-$side" "$out/proof-$side" --testset "$testset" --shard 0
  done
done
prove prove-model-b "$spec_b" "$out/keys-b/model" "$out/proof-model-b"
prove prove-model-c "$spec_c" "$out/keys-c/model" "$out/proof-model-c"
prove prove-testset-c "$spec_c" "$out/keys-c/testset" "$out/proof-testset-c" --testset "$testset" --shard 0
same proof-b 64 proof-model-b
same proof-c 64 proof-model-c
same proof-c 128 proof-testset-c
echo "the shard proofs' shared-column commitments equal the model and test-set proofs'"
for side in a b c; do
  k="$(grep -o '"k":[0-9]*' "$out/setup-$side.out" | head -1 | cut -d: -f2)"
  echo "$side: k = $k, $(grep -o '"correct":[0-9]*' "$out/prove-$side-1.out") $(grep -o '"rows":[0-9]*' "$out/prove-$side-1.out")"
done
python3 - "$out" "$rounds" "$rows_b" "$rows_c" <<'PY'
import json, sys
out, rounds, rows_b, rows_c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def wall(label):
    return float(open(f"{out}/{label}.time").read().split()[0])
def proving(label):
    return json.load(open(f"{out}/{label}.out"))["proving_seconds"]
def mean(f, side):
    return sum(f(f"prove-{side}-{i}") for i in range(1, rounds + 1)) / rounds
for f, what in [(wall, "wall"), (proving, "create_proof")]:
    a = mean(f, "a") * 100
    b = mean(f, "b") * (10000 // rows_b) + f("prove-model-b")
    c = mean(f, "c") * (10000 // rows_c) + f("prove-model-c")
    t = f("prove-testset-c") * (10000 // rows_c)
    print(f"{what}: one entry's 10,000 rows: A {a:.0f} s ({a / 10000:.3f} s a row); "
          f"B {b:.0f} s ({b / 10000:.3f} s a row, {a / b:.2f}x less); "
          f"C {c:.0f} s ({c / 10000:.3f} s a row, {a / c:.2f}x less); "
          f"C's test-set proofs, once per contest: {t:.0f} s")
PY
