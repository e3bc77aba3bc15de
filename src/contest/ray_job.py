#!/usr/bin/env python3
"""Proves a zkcontest shard plan on a Ray cluster, one Ray task per shard.

Written into the plan directory as `ray-job.py` by `contest-cli shard plan` (source:
src/contest/ray_job.py). Run it where Ray is installed:

  RAY_ADDRESS=<head>:6379 python ray-job.py          # an existing cluster
  ray job submit --address http://<head>:8265 -- python /shared/plan/ray-job.py --dir /shared/plan
  python ray-job.py                                  # no address: a local Ray on this machine

Every node must see the plan directory at `--dir` (default: this file's directory; a shared
filesystem on a real cluster) and have `contest-cli` on its PATH (or pass `--cli`). Each task
reads the salt from the plan's `salt` file, passes it to `contest-cli prove --shard s` in
`CONTEST_SALT` (never on a command line), and writes its output to `logs/shard-<s>.log`.

A shard whose proof is complete (`proofs/shard-<s>/calldata.hex`, the last file `prove` writes)
is skipped, so a rerun after a failure proves only what is missing. At most `--parallelism`
shards run at once, each holding `num_cpus` CPUs and `memory` bytes of Ray's logical resources
(from plan.json's `ray`). Prints a JSON summary on stdout; exit 1 if any shard failed.
Then: `contest-cli submit --collect <dir>/proofs ...` checks every proof against the registry's
statement and sends it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def prove_shard(plan_dir, cli, shard, command, threads):
    """One shard, on whichever node Ray picked: `contest-cli --json <command>` in the plan
    directory. Returns the shard, the exit code and the log's path."""
    plan_dir = Path(plan_dir)
    logs = plan_dir / "logs"
    logs.mkdir(exist_ok=True)
    log = logs / f"shard-{shard}.log"
    env = dict(os.environ)
    env["CONTEST_SALT"] = (plan_dir / "salt").read_text().strip()
    env["RAYON_NUM_THREADS"] = str(threads)
    started = time.time()
    with open(log, "wb") as f:
        code = subprocess.run(
            [cli, "--json", *command], cwd=plan_dir, env=env, stdout=f, stderr=subprocess.STDOUT
        ).returncode
    return {
        "shard": shard,
        "exit": code,
        "log": str(log),
        "seconds": round(time.time() - started, 1),
        "host": os.uname().nodename,
    }


def main():
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(here), help="the plan directory, as every node sees it")
    ap.add_argument("--cli", default="contest-cli", help="contest-cli on the nodes")
    ap.add_argument("--address", default=None, help="Ray cluster (default: RAY_ADDRESS, else a local Ray)")
    ap.add_argument("--shards", default=None, help="comma-separated shards (default: all)")
    ap.add_argument("--parallelism", type=int, default=None, help="shards at once (default: plan.json)")
    args = ap.parse_args()

    plan_dir = Path(args.dir).resolve()
    plan = json.loads((plan_dir / "plan.json").read_text())
    resources = plan["ray"]
    parallelism = max(1, args.parallelism or resources["parallelism"])
    wanted = None
    if args.shards:
        wanted = {int(s) for s in args.shards.split(",")}
        unknown = wanted - {s["shard"] for s in plan["shards"]}
        if unknown:
            sys.exit(f"no shard {sorted(unknown)} in {plan_dir / 'plan.json'}")

    todo, done = [], []
    for s in plan["shards"]:
        if wanted is not None and s["shard"] not in wanted:
            continue
        if (plan_dir / "proofs" / f"shard-{s['shard']}" / "calldata.hex").exists():
            done.append(s["shard"])
        else:
            todo.append(s)

    import ray  # noqa: E402 (only needed once there is work: --help runs without Ray)

    address = args.address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        # A local cluster sized to this machine; a small object store (tasks return a few bytes).
        ray.init(include_dashboard=False, log_to_driver=False, object_store_memory=100 * 2**20)
    options = {"num_cpus": resources["num_cpus"], "max_retries": 0}
    if resources.get("memory_bytes"):
        options["memory"] = resources["memory_bytes"]
    task = ray.remote(prove_shard).options(**options)

    results, failed = [], []
    pending, queue = {}, list(todo)
    while queue or pending:
        while queue and len(pending) < parallelism:
            s = queue.pop(0)
            ref = task.remote(str(plan_dir), args.cli, s["shard"], s["command"], resources["num_cpus"])
            pending[ref] = s["shard"]
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            shard = pending.pop(ref)
            try:
                r = ray.get(ref)
            except Exception as e:  # the task's worker died (e.g. killed for memory)
                r = {"shard": shard, "exit": None, "error": f"{type(e).__name__}: {e}".splitlines()[0]}
            print(f"shard {shard}: {'proved' if r.get('exit') == 0 else 'FAILED'} {r}", file=sys.stderr)
            (results if r.get("exit") == 0 else failed).append(r)
    ray.shutdown()

    summary = {
        "plan": str(plan_dir),
        "proved": sorted(r["shard"] for r in results),
        "already_proved": sorted(done),
        "failed": sorted(failed, key=lambda r: r["shard"]),
        "runs": sorted(results, key=lambda r: r["shard"]),
        "collect": str(plan_dir / "proofs"),
    }
    print(json.dumps(summary, indent=2))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
