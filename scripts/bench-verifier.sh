#!/usr/bin/env bash
# On-chain verifier benchmark (issue #4): renders and compiles the verifier for a key
# directory, deploys it on a fresh anvil, checks an honest and two tampered proofs, sends one
# verification transaction and splits its gas by category (scripts/bench_verifier.py).
#
#   scripts/bench-verifier.sh [KEYDIR] [PROOFDIR]
#
# Defaults: the keys and proof that scripts/bench-prover.sh leaves in
# target/bench/digits-mlp-h32/ (run it first). Results: target/bench/<name>/verifier/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
keys="${1:-target/bench/digits-mlp-h32/keys}"
proof="${2:-target/bench/digits-mlp-h32/proof}"
[ -f "$keys/vk.bin" ] && [ -f "$proof/calldata.hex" ] || {
  echo "bench-verifier: need $keys/vk.bin and $proof/calldata.hex; run scripts/bench-prover.sh first" >&2; exit 2; }
scripts/setup.sh
cargo build --quiet --locked
python3 scripts/bench_verifier.py --cli target/debug/contest-cli --anvil tools/node_modules/.bin/anvil \
  --keys "$keys" --proof "$proof" --out "$(dirname "$keys")/verifier"
