#!/usr/bin/env bash
# One-time (idempotent) setup: checks the toolchains and installs the pinned npm tools
# (anvil, forge, cast, solc-js, poseidon-solidity) into tools/node_modules.
# Safe to rerun: `npm ci` is skipped when tools/node_modules matches tools/package-lock.json.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

missing=0
need() {
  local cmd="$1" hint="$2"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "setup: '$cmd' not found. $hint" >&2
    missing=1
  fi
}
need cargo "Install Rust with rustup (https://rustup.rs); rust-toolchain.toml pins 1.95.0."
need node "Install Node.js 20 or newer (Debian: apt-get install nodejs, or your distribution's package)."
need npm "Install npm (it ships with Node.js; Debian: apt-get install npm)."
[[ $missing == 0 ]] || exit 2

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "setup: Node.js $(node --version) is too old; zkcontest needs Node 20 or newer." >&2
  exit 2
fi

# npm ci only when the lock file changed since the last install.
stamp="tools/node_modules/.zkcontest-lock.sha256"
want="$(sha256sum tools/package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing pinned tools into tools/node_modules (npm ci)" >&2
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi

# The binaries must run on this machine, not just exist.
for bin in anvil forge cast; do
  if ! "tools/node_modules/.bin/$bin" --version >/dev/null 2>&1; then
    echo "setup: tools/node_modules/.bin/$bin does not run; delete tools/node_modules and rerun." >&2
    exit 3
  fi
done
if ! scripts/solc --version >/dev/null; then
  echo "setup: scripts/solc (solc-js wrapper) does not run." >&2
  exit 3
fi
echo "setup: ok ($(tools/node_modules/.bin/anvil --version | head -1); $(scripts/solc --version | tail -1))" >&2
