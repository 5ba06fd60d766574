#!/usr/bin/env bash
# Create .venv and install the app (and, with "test", the test tools). Used by the README and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "test" ]; then
  .venv/bin/pip install -q -e ".[test,dev]"
else
  .venv/bin/pip install -q -e ".[dev]"
fi
