#!/usr/bin/env python3
"""On-chain verifier benchmark: size, deploy gas, verification gas and where that gas goes.

Renders and compiles the verifier for a key directory (`contest-cli verifier`), deploys it on
a fresh anvil, checks that the proof is accepted and that a tampered one (the `correct`
instance + 1, one flipped proof byte) is rejected, sends one verification transaction and
splits its gas by replaying it with anvil's opcode tracer (`debug_traceTransaction`):

- intrinsic: 21,000 + calldata (EIP-2028: 16 gas per non-zero byte, 4 per zero byte);
- precompiles: each call's gas from the trace (the gas before the call minus the gas after
  it, so the 100-gas warm call overhead and any memory growth are included);
- KECCAK256 (the Fiat-Shamir transcript) and every other opcode (field arithmetic in
  MULMOD/ADDMOD, memory traffic, control flow).

Usage: bench_verifier.py --cli contest-cli --anvil anvil --keys KEYDIR --proof PROOFDIR --out DIR
Writes DIR/verifier-gas.json and prints a Markdown summary. Exit 1 if the verifier accepts a
tampered proof or rejects the honest one.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

PRECOMPILES = {1: "ecrecover", 2: "sha256", 5: "modexp (inversion)", 6: "ecAdd", 7: "ecMul", 8: "pairing"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rpc:
    def __init__(self, url):
        self.url, self.id = url, 0

    def call(self, method, *params):
        self.id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method, "params": list(params)})
        req = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            reply = json.loads(r.read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def rejects(self, tx):
        """True if the call fails (a revert, or running out of gas: a point off the curve makes
        snark-verifier's code burn the whole gas limit)."""
        try:
            self.call("eth_call", tx, "latest")
            return False
        except RuntimeError:
            return True

    def receipt(self, tx_hash):
        for _ in range(600):
            r = self.call("eth_getTransactionReceipt", tx_hash)
            if r is not None:
                return r
            time.sleep(0.05)
        raise RuntimeError(f"no receipt for {tx_hash}")


def intrinsic_gas(data: bytes):
    zeros = data.count(0)
    return 21000 + 16 * (len(data) - zeros) + 4 * zeros


def breakdown(logs):
    cats, calls = {}, {}
    for i, step in enumerate(logs):
        op = step["op"]
        if op in ("STATICCALL", "CALL") and i + 1 < len(logs) and logs[i + 1]["depth"] == step["depth"]:
            addr = int(step["stack"][-2], 16)
            name = PRECOMPILES.get(addr, f"call to {addr:#x}")
            cost = step["gas"] - logs[i + 1]["gas"]
            cats[name] = cats.get(name, 0) + cost
            calls[name] = calls.get(name, 0) + 1
        elif op == "KECCAK256" or op == "SHA3":
            cats["KECCAK256 (transcript)"] = cats.get("KECCAK256 (transcript)", 0) + step["gasCost"]
            calls["KECCAK256 (transcript)"] = calls.get("KECCAK256 (transcript)", 0) + 1
        else:
            key = "MULMOD/ADDMOD (field arithmetic)" if op in ("MULMOD", "ADDMOD") else "other opcodes"
            cats[key] = cats.get(key, 0) + step["gasCost"]
            calls[key] = calls.get(key, 0) + 1
    return cats, calls


def main():
    ap = argparse.ArgumentParser()
    for a in ("--cli", "--anvil", "--keys", "--proof", "--out"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    built = json.loads(subprocess.run(
        [args.cli, "--json", "verifier", "--keys", args.keys, "--out", args.out],
        check=True, stdout=subprocess.PIPE).stdout)
    creation = open(os.path.join(args.out, "verifier.bin")).read().strip()
    creation = creation if creation.startswith("0x") else "0x" + creation
    calldata = bytes.fromhex(open(os.path.join(args.proof, "calldata.hex")).read().strip().removeprefix("0x"))

    port = free_port()
    anvil = subprocess.Popen([args.anvil, "--port", str(port), "--silent", "--steps-tracing"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        rpc = Rpc(f"http://127.0.0.1:{port}")
        for _ in range(200):
            try:
                rpc.call("eth_chainId")
                break
            except OSError:
                time.sleep(0.05)
        sender = rpc.call("eth_accounts")[0]
        deploy = rpc.receipt(rpc.call("eth_sendTransaction", {"from": sender, "data": creation, "gas": hex(15_000_000)}))
        if deploy["status"] != "0x1":
            sys.exit("deploying the verifier failed (over EIP-170's 24,576 bytes?)")
        addr = deploy["contractAddress"]
        runtime = len(bytes.fromhex(rpc.call("eth_getCode", addr, "latest")[2:]))

        def tx(data):
            return {"from": sender, "to": addr, "data": "0x" + data.hex(), "gas": hex(2_000_000)}

        wrong_correct = bytearray(calldata)
        wrong_correct[6 * 32 - 1] ^= 1  # the `correct` instance (the sixth word) ± 1
        flipped = bytearray(calldata)
        flipped[6 * 32 + 100] ^= 1  # a byte inside the first commitment of the proof
        honest_ok = not rpc.rejects(tx(calldata))
        checks = {"honest proof accepted": honest_ok,
                  "correct ± 1 rejected": rpc.rejects(tx(bytes(wrong_correct))),
                  "flipped proof byte rejected": rpc.rejects(tx(bytes(flipped)))}
        sent = rpc.receipt(rpc.call("eth_sendTransaction", tx(calldata)))
        gas_used = int(sent["gasUsed"], 16)
        trace = rpc.call("debug_traceTransaction", sent["transactionHash"],
                         {"disableStorage": True, "disableMemory": True})
    finally:
        anvil.terminate()
        anvil.wait()

    intrinsic = intrinsic_gas(calldata)
    cats, calls = breakdown(trace["structLogs"])
    traced = sum(cats.values())
    result = {
        "verifier": built, "runtime_bytes": runtime, "deploy_gas": int(deploy["gasUsed"], 16),
        "calldata_bytes": len(calldata), "verify_tx_gas": gas_used, "tx_status": sent["status"],
        "intrinsic_gas": intrinsic, "execution_gas": gas_used - intrinsic,
        "traced_execution_gas": traced, "by_category": cats, "calls": calls, "checks": checks,
    }
    json.dump(result, open(os.path.join(args.out, "verifier-gas.json"), "w"), indent=2)

    print(f"runtime {runtime:,} B (EIP-170 limit 24,576), deploy {result['deploy_gas']:,} gas, "
          f"calldata {len(calldata):,} B")
    print(f"verify tx: {gas_used:,} gas (status {sent['status']})")
    print("\n| part | gas | calls |\n|---|---:|---:|")
    print(f"| intrinsic (21,000 + calldata) | {intrinsic:,} | |")
    for name, gas in sorted(cats.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {gas:,} | {calls[name]:,} |")
    print(f"| total | {intrinsic + traced:,} | |")
    for name, ok in checks.items():
        print(f"check: {name}: {'yes' if ok else 'NO'}")
    if intrinsic + traced != gas_used:
        print(f"note: the trace accounts for {intrinsic + traced:,} of {gas_used:,} gas", file=sys.stderr)
    if not all(checks.values()) or sent["status"] != "0x1":
        sys.exit(1)


if __name__ == "__main__":
    main()
