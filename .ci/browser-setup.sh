#!/usr/bin/env bash
# Browser tests' prerequisites: Debian's chromium and the Python playwright package (no browser download).
# Called by .ci/run before `make test`. Idempotent; needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# Playwright drives /usr/bin/chromium (executablePath); never let it fetch its own browser build.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
"$VENV/bin/python" -m pip install --quiet "playwright>=1.45"
/usr/bin/chromium --version
