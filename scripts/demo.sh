#!/usr/bin/env bash
# The main job, from a fresh clone: set up the pinned tools, build, and run a whole digits
# contest on a local anvil (started on a free loopback port and stopped at the end):
# the organiser creates and funds it, three competitors commit (one model below the
# threshold), the test set is revealed on chain, proofs are generated and verified on chain,
# the winners reveal their models, everyone withdraws. Prints the leaderboard and the gas of
# every transaction.
#
#   scripts/demo.sh                 # the digits contest (N = 360; see docs/BENCHMARKS.md for time)
#   scripts/demo.sh --spec tests/fixtures/mini-contest \
#     --testset tests/fixtures/mini-contest/mini-test.zkts \
#     --model contest-specs/digits/models/mlp-h16.onnx \
#     --model contest-specs/digits/models/weak-h12.onnx \
#     --model tests/fixtures/dense-h8.onnx        # the same story on an 8-row contest, ~2 min
#
# Keys are generated with an UNSAFE development SRS (local random tau) and cached in
# target/demo/keys-<spec>/ between runs. Extra arguments go to `contest-cli demo`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
echo "==> building contest-cli (first build: ~25 min on 2 cores)" >&2
cargo build --locked --quiet
exec target/debug/contest-cli demo "$@"
