#!/usr/bin/env bash
# A against B in one run (the machines are noisy: never compare runs of different days).
# Sets up keys with each binary, then proves alternately A, B, A, B, … and prints wall time and
# peak RSS of every step.
#
#   scripts/bench-ab.sh CLI_A CLI_B SPEC MODEL TESTSET [ROUNDS]
#
# CLI_A / CLI_B: two builds of contest-cli (e.g. the previous commit's, built in a worktree
# with the same CARGO_TARGET_DIR and copied aside, and this one). Output: target/bench/ab/.
# Uses an UNSAFE development SRS (setup's default): figures only, never a real contest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -ge 5 ] || { sed -n 2,10p "$0" >&2; exit 2; }
a="$1" b="$2" spec="$3" model="$4" testset="$5" rounds="${6:-2}"
command -v /usr/bin/time >/dev/null || { echo "bench-ab: GNU time (/usr/bin/time) is required" >&2; exit 2; }
out=target/bench/ab
rm -rf "$out" && mkdir -p "$out"

run() { # label, command…
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$label.time" "$@" >"$out/$label.out" 2>"$out/$label.err" || {
    echo "bench-ab: $label failed; see $out/$label.err" >&2; tail -5 "$out/$label.err" >&2; exit 3; }
  read -r secs kb <"$out/$label.time"
  printf '| %s | %.1f s | %d MiB |\n' "$label" "$secs" "$((kb / 1024))"
}

echo "| step | wall | peak RSS |"
echo "|---|---|---|"
for side in a b; do
  cli="${!side}"
  run "setup-$side" "$cli" --json setup --spec "$spec" --out "$out/keys-$side"
done
for i in $(seq 1 "$rounds"); do
  for side in a b; do
    cli="${!side}"
    run "prove-$side-$i" "$cli" --json prove --spec "$spec" --model "$model" --salt 0x2a \
      --testset "$testset" --submitter 0x00000000000000000000000000000000000000aa \
      --contest-id 1 --chain-id 31337 --keys "$out/keys-$side" --out "$out/proof-$side"
  done
done
for side in a b; do
  echo "$side: $(grep -o '"correct":[0-9]*' "$out/prove-$side-1.out") $(grep -o '"prove_seconds":[0-9.]*' "$out/prove-$side-$rounds.out")"
done
