#!/usr/bin/env bash
# Prover benchmark on synthetic MNIST-shaped data (issue #7): 784 -> 128 -> 10, N = 100 and
# N = 1000. Generates the data and model (scripts/make_mnist_synth.py, deterministic, into
# target/bench/mnist-synth/), prints each spec's circuit plan, then runs scripts/bench-prover.sh
# (setup, prove, verify with wall time and peak RSS) on every N whose circuit fits the prover
# (k <= 22); a spec that does not fit is reported with the planner's reason.
#
#   scripts/bench-mnist.sh [N ...]          (default: 100 1000)
#
# A sharded spec (N = 10000: 100 shards of 100 rows) goes to scripts/bench-shards.sh instead,
# with P = 2 workers (BENCH_SHARDS=K there samples the first K shards).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
data=target/bench/mnist-synth
python3.11 scripts/make_mnist_synth.py "$data"
cargo build --quiet --locked
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100 1000)
for n in "${ns[@]}"; do
  spec=contest-specs/mnist-synth-$n
  echo "== N = $n: plan"
  if ! target/debug/contest-cli setup --spec "$spec" --plan-only; then
    echo "N = $n: does not fit the prover (see the error above); skipped"
    continue
  fi
  shards="$(sed -n 's/^shards *= *\([0-9]*\).*/\1/p' "$spec/contest.toml")"
  if [ -n "$shards" ] && [ "$shards" -gt 1 ]; then
    scripts/bench-shards.sh "$spec" "$data/mlp-h128.onnx" "$data/test-$n.zkts" "$shards" 2
  else
    scripts/bench-prover.sh "$spec" "$data/mlp-h128.onnx" "$data/test-$n.zkts"
  fi
done
