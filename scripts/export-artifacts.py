#!/usr/bin/env python3
"""Copies the ABI and creation bytecode of the contracts the Rust side deploys from forge's
build output (contracts/out/) to contracts/artifacts/, which is committed: the Rust bindings
(alloy `sol!`) and `contest-cli create` embed those files, so the binary deploys a registry without
a Solidity toolchain at hand.

    scripts/export-artifacts.py          # write contracts/artifacts/*.json (after forge build)
    scripts/export-artifacts.py --check  # exit 1 if the committed files are stale

`--check` (run by scripts/test.sh after `forge build`) compares the ABI exactly and the
bytecode without its trailing CBOR metadata (which hashes source paths and settings), so a
changed contract that was not re-exported fails the test run. PoseidonT3 is compared whole:
the registry pins its runtime, metadata included (`POSEIDON_T3_CODEHASH`).
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# RegistryAnnex is created by the registry's constructor (its creation code is inside the
# registry's); its own artifact lets an auditor rebuild the code at a registry's annex address.
CONTRACTS = [
    ("ContestRegistry.sol", "ContestRegistry"),
    ("RegistryAnnex.sol", "RegistryAnnex"),
    ("PoseidonT3.sol", "PoseidonT3"),
]


def strip_metadata(code_hex: str) -> str:
    code = bytes.fromhex(code_hex.removeprefix("0x"))
    if len(code) < 2:
        return code.hex()
    n = int.from_bytes(code[-2:], "big")
    return code[: -(n + 2)].hex() if n + 2 <= len(code) else code.hex()


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for source, name in CONTRACTS:
        built_path = ROOT / "contracts" / "out" / source / f"{name}.json"
        if not built_path.exists():
            print(f"export-artifacts: {built_path} missing; run forge build in contracts/", file=sys.stderr)
            return 2
        built = json.loads(built_path.read_text())
        bytecode = built["bytecode"]["object"]
        if built["bytecode"].get("linkReferences"):
            print(f"export-artifacts: {name} needs linking; not supported", file=sys.stderr)
            return 2
        artifact = {"contractName": name, "abi": built["abi"], "bytecode": bytecode}
        out = ROOT / "contracts" / "artifacts" / f"{name}.json"
        if check:
            if not out.exists():
                stale.append(f"{out} missing")
                continue
            old = json.loads(out.read_text())
            if old["abi"] != artifact["abi"]:
                stale.append(f"{out}: ABI differs from forge build")
            elif name == "PoseidonT3" and old["bytecode"] != bytecode:
                # The registry pins PoseidonT3's runtime by a hash that covers its metadata too
                # (POSEIDON_T3_CODEHASH), so here the whole bytecode must match.
                stale.append(f"{out}: bytecode (with metadata) differs from forge build")
            elif strip_metadata(old["bytecode"]) != strip_metadata(bytecode):
                stale.append(f"{out}: bytecode differs from forge build")
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(artifact, indent=1) + "\n")
            print(f"wrote {out.relative_to(ROOT)} ({(len(bytecode) - 2) // 2} bytes of creation code)")
    if stale:
        for s in stale:
            print(f"export-artifacts: {s}; run scripts/export-artifacts.py and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
