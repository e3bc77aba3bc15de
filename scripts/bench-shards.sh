#!/usr/bin/env bash
# Sharded proving benchmark (PROTOCOL §14.1): a spec split into M shards, every shard proved by
# its own `contest-cli prove --shard s` process (what `submit --workers P` runs), first one
# after another (P = 1), then P at a time, alternately in one run. Prints per shard its wall
# time and peak RSS, and per pass the total CPU time (user + system of every worker) and the
# wall time. Every worker is checked with `contest-cli verify`.
#
#   scripts/bench-shards.sh [SPEC_DIR] [MODEL.onnx] [TESTSET.zkts] [M] [P]
#
# Defaults: digits, the 32-unit sample model, its 360-row test set, M = 2, P = 2. The spec is
# copied with `shards = M` in its [test_set] table (target/bench/shards-<name>-M/spec).
# BENCH_SHARDS=K proves only shards 0 … K−1 in each pass (a sample of a large M: the figures are
# then those K shards'); BENCH_PASSES=1 runs one pass of each kind instead of two.
# BENCH_RAY=1 adds a third kind: the same shards as tasks of a local Ray cluster, by the Ray
# driver `shard plan` writes (src/contest/ray_job.py; Ray from the pinned .venv-ray), P tasks at
# a time, each holding one CPU (so each prover runs one thread: RAYON_NUM_THREADS = num_cpus).
# Uses the dev profile build and an UNSAFE locally generated SRS (benchmarks only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
spec="${1:-contest-specs/digits}"
model="${2:-contest-specs/digits/models/mlp-h32.onnx}"
testset="${3:-contest-specs/digits/digits-test.zkts}"
m="${4:-2}"
p="${5:-2}"
name="$(basename "$spec")"
out="target/bench/shards-$name-$m"
command -v /usr/bin/time >/dev/null || { echo "bench: GNU time (/usr/bin/time) is required: apt-get install time" >&2; exit 2; }
mkdir -p "$out/spec"
grep -q '^\[test_set\]$' "$spec/contest.toml" || { echo "bench: $spec/contest.toml has no [test_set] table" >&2; exit 2; }
grep -v '^shards *=' "$spec/contest.toml" | sed "s/^\[test_set\]\$/[test_set]\nshards = $m/" >"$out/spec/contest.toml"

cargo build --quiet --locked
cli=target/debug/contest-cli
echo "plan: $("$cli" --json setup --spec "$out/spec" --plan-only | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["shards"], "shards of", d["shard_rows"], "rows, k =", d["figures"]["k"])')"
[ -f "$out/keys/circuit.json" ] || "$cli" --json setup --spec "$out/spec" --out "$out/keys" >/dev/null

# prove_shard PASS S: one worker, timed; its proof verified.
prove_shard() {
  local pass="$1" s="$2" dir="$out/$1/shard-$2"
  rm -rf "$dir"
  /usr/bin/time -f "%e %U %S %M" -o "$dir.time" \
    env CONTEST_SALT=0x2a "$cli" --json prove --spec "$out/spec" --model "$model" --testset "$testset" \
    --submitter 0x00000000000000000000000000000000000000aa --contest-id 1 --chain-id 31337 \
    --keys "$out/keys" --shard "$s" --out "$dir" >"$dir.json" 2>"$dir.log" \
    || { echo "bench: shard $s failed; see $dir.log" >&2; exit 3; }
  "$cli" --json verify --keys "$out/keys" --proof "$dir" >/dev/null 2>&1 \
    || { echo "bench: shard $s's proof does not verify" >&2; exit 3; }
}
export -f prove_shard
export out cli model testset

# pass LABEL WORKERS: every shard, WORKERS at a time.
k="${BENCH_SHARDS:-$m}"
pass() {
  local label="$1" workers="$2" started ended
  mkdir -p "$out/$label"
  started=$(date +%s.%N)
  seq 0 $((k - 1)) | xargs -P "$workers" -I{} bash -c 'prove_shard "$0" "$1"' "$label" {}
  ended=$(date +%s.%N)
  summarise "$out/$label" "$label" "$workers at a time" "" "$started" "$ended"
}

# summarise DIR LABEL HOW WALL_NOTE T0 T1: a row per shard from DIR/shard-<s>.time (GNU time:
# wall, user, system, peak KiB), then the pass's wall (T1 − T0) and CPU (every worker's).
summarise() {
  python3 - "$k" "$@" <<'EOF'
import sys
m, (d, label, how, note), (t0, t1) = int(sys.argv[1]), sys.argv[2:6], map(float, sys.argv[6:8])
cpu = 0.0
for s in range(m):
    wall, user, system, kb = open(f"{d}/shard-{s}.time").read().split()
    cpu += float(user) + float(system)
    print(f"| {label} | shard {s} | {float(wall):.1f} s | {int(kb) // 1024} MiB |")
print(f"| {label} | {m} shards, {how} | wall {t1 - t0:.1f} s{note} | CPU {cpu:.1f} s |")
EOF
}

# ray_pass LABEL TASKS: every shard as a Ray task (a plan directory made here the way `shard
# plan` makes one, without a chain: plan.json's commands, the salt file, the driver), through a
# wrapper that times each worker; the proofs verified as above.
ray_pass() {
  local label="$1" tasks="$2" plan="$out/$1" started ended py
  rm -rf "$plan" && mkdir -p "$plan/proofs"
  py="$(python3 scripts/pinned_venv.py ray)"
  cp src/contest/ray_job.py "$plan/ray-job.py"
  printf '0x2a\n' >"$plan/salt"
  printf '%s\n' '#!/usr/bin/env bash' \
    'for ((i = 1; i < $#; i++)); do [ "${!i}" = --shard ] && { j=$((i + 1)); s="${!j}"; }; done' \
    "exec /usr/bin/time -f '%e %U %S %M' -o \"$root/$plan/shard-\$s.time\" \"$root/$cli\" \"\$@\"" \
    >"$plan/cli.sh"
  chmod +x "$plan/cli.sh"
  # The keys as the plan's own (the workers run in the plan directory): links to the key files
  # and a manifest naming the SRS by its absolute path.
  mkdir -p "$plan/keys"
  ln -s "$root/$out/keys/pk.bin" "$root/$out/keys/vk.bin" "$plan/keys/"
  python3 - "$root" "$out" "$plan" "$k" "$tasks" "$(realpath "$model")" "$(realpath "$testset")" <<'PYEOF'
import json, os, sys
root, out, plan, k, tasks, model, testset = sys.argv[1:]
manifest = json.load(open(f"{out}/keys/circuit.json"))
manifest["srs_path"] = os.path.join(root, manifest["srs_path"])
json.dump(manifest, open(f"{plan}/keys/circuit.json", "w"))
shards = [{"shard": s, "command": [
    "prove", "--spec", f"{root}/{out}/spec", "--model", model, "--testset", testset,
    "--submitter", "0x00000000000000000000000000000000000000aa", "--contest-id", "1",
    "--chain-id", "31337", "--keys", "keys", "--shard", str(s),
    "--out", f"proofs/shard-{s}"]} for s in range(int(k))]
ray = {"parallelism": int(tasks), "num_cpus": 1, "memory_bytes": None}
json.dump({"shards": shards, "ray": ray}, open(f"{plan}/plan.json", "w"))
PYEOF
  started=$(date +%s.%N)
  "$py" "$plan/ray-job.py" --cli "$root/$plan/cli.sh" >"$plan/summary.json" 2>"$plan/ray.log" \
    || { echo "bench: the Ray driver failed; see $plan/ray.log and $plan/logs/" >&2; exit 3; }
  ended=$(date +%s.%N)
  for s in $(seq 0 $((k - 1))); do
    "$cli" --json verify --keys "$out/keys" --proof "$plan/proofs/shard-$s" >/dev/null 2>&1 \
      || { echo "bench: Ray shard $s's proof does not verify" >&2; exit 3; }
  done
  summarise "$plan" "$label" "$tasks Ray tasks at a time (1 CPU each)" " (Ray's start included)" \
    "$started" "$ended"
}

echo "| pass | shard | wall | peak RSS |"
echo "|---|---|---|---|"
pass sequential 1
pass "pool-$p" "$p"
[ -z "${BENCH_RAY:-}" ] || ray_pass "ray-$p" "$p"
if [ "${BENCH_PASSES:-2}" != 1 ]; then
  pass sequential-again 1
  pass "pool-$p-again" "$p"
  [ -z "${BENCH_RAY:-}" ] || ray_pass "ray-$p-again" "$p"
fi
