#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, the Rust tests (unit, integration with real
# anvil and real proofs), and the contracts' forge tests (unit, fuzz, invariant).
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*" >&2; }
timed() {
  local start=$SECONDS
  "$@"
  echo "    ($((SECONDS - start)) s)" >&2
}

step "setup (toolchains, pinned npm tools, Chromium for the dashboard's browser test)"
timed scripts/setup.sh
timed scripts/setup-browser.sh

step "cargo fmt --check"
timed cargo fmt --all -- --check

step "forge build; committed contract artifacts match it (scripts/export-artifacts.py --check)"
(cd contracts && timed ../tools/node_modules/.bin/forge build)
python3 scripts/export-artifacts.py --check

step "cargo clippy --all-targets -- -D warnings"
timed cargo clippy --all-targets --locked -- -D warnings

step "Rust tests (cargo nextest)"
if cargo nextest --version >/dev/null 2>&1; then
  timed cargo nextest run --locked --no-fail-fast
  # nextest does not run doctests.
  timed cargo test --locked --doc
else
  echo "    cargo-nextest not installed; using cargo test" >&2
  timed cargo test --locked --no-fail-fast
fi

step "forge test (contracts)"
(cd contracts && timed ../tools/node_modules/.bin/forge test)

step "mutation testing: every mutant of ContestRegistry.sol killed (scripts/mutate.py)"
timed python3 scripts/mutate.py

step "all tests passed"
