#!/usr/bin/env bash
# Audit benchmark (issue #18): how long a competitor's `contest-cli audit` of a clean contest
# takes — registry and Poseidon code, the verifier rebuilt from the spec and SRS (plan, keygen,
# render, solc) and compared byte for byte, the parameters against the spec.
#
#   scripts/bench-audit.sh [SPEC] [TESTSET]
#
# Defaults: the digits contest. The organiser's keys are made once (UNSAFE development SRS) in
# target/bench/audit-<spec>/keys; a fresh anvil gets a registry, the verifier and the contest.
# Then the audit runs twice into an empty key directory (it rebuilds the verifying key, and
# writes the proving key too, as a competitor's first audit does) and twice against the keys it
# wrote (verifying key only), alternately. Results: target/bench/audit-<spec>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
spec="${1:-contest-specs/digits}"
testset="${2:-contest-specs/digits/digits-test.zkts}"
scripts/setup.sh
cargo build --quiet --locked
cli="$root/target/debug/contest-cli"
out="target/bench/audit-$(basename "$spec")"
mkdir -p "$out"
[ -f "$out/keys/vk.bin" ] || "$cli" setup --spec "$spec" --out "$out/keys" >/dev/null

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
tools/node_modules/.bin/anvil --port "$port" --silent &
anvil_pid=$!
trap 'kill $anvil_pid 2>/dev/null || true' EXIT
export CONTEST_RPC_URL="http://127.0.0.1:$port"
# anvil's first dev account (a well-known test key with no value anywhere).
export CONTEST_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
for _ in $(seq 1 100); do
  tools/node_modules/.bin/cast chain-id --rpc-url "$CONTEST_RPC_URL" >/dev/null 2>&1 && break
  sleep 0.1
done

"$cli" --json create --spec "$spec" --testset "$testset" --keys "$out/keys" --prize 1 >"$out/create.json"
# The competitor gets the contest's SRS file (here the organiser's development one).
srs="$(ls "$out"/keys/*.srs)"
registry="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registry"])' "$out/create.json")"

run() { # run NAME KEYDIR
  /usr/bin/time -f '%e %M' -o "$out/$1.time" "$cli" --json audit --spec "$spec" --keys "$2" \
    --srs "$srs" --registry "$registry" --contest 1 --allow-unsafe-srs >"$out/$1.json" 2>"$out/$1.log"
  read -r secs kb <"$out/$1.time"
  python3 - "$out/$1.json" "$1" "$secs" "$kb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = sum(c["ok"] for c in r["checks"])
print(f"{sys.argv[2]:<16} wall {float(sys.argv[3]):6.1f} s  peak {int(sys.argv[4]) // 1024:5d} MiB  "
      f"k = {r['k']}  {ok}/{len(r['checks'])} checks hold  keys written: {r['keys_written']}")
PY
}
echo "contest-cli audit of a fresh $(basename "$spec") contest (registry $registry):"
for i in 1 2; do
  rm -rf "$out/competitor-keys"
  run "fresh-keys-$i" "$out/competitor-keys"
  run "own-keys-$i" "$out/competitor-keys"
done
