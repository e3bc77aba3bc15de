#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (tests/dashboard_browser.rs), if
# /usr/bin/chromium is missing. Idempotent: does nothing when Chromium is already there.
# Needs root (CI runs as root) or sudo, and Debian's package archive. Test tools that download
# their own browser (playwright install, puppeteer) are not used: they fail on this network.
set -euo pipefail

chromium=/usr/bin/chromium

if [[ -x "$chromium" ]]; then
  echo "setup-browser: ok ($("$chromium" --version 2>/dev/null | head -1))" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $chromium is missing and there is no apt-get here; install Debian's" \
    "chromium package (or a Chromium at $chromium) to run tests/dashboard_browser.rs." >&2
  exit 3
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup-browser: installing chromium needs root: run 'apt-get install -y chromium' as root." >&2
    exit 3
  fi
  sudo=(sudo)
fi

echo "setup-browser: installing Debian's chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq chromium >/dev/null

if ! "$chromium" --version >/dev/null 2>&1; then
  echo "setup-browser: $chromium was installed but does not run." >&2
  exit 3
fi
echo "setup-browser: ok ($("$chromium" --version | head -1))" >&2
