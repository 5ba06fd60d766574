#!/usr/bin/env bash
# Create .venv and install the app (and, with "test", the test tools). Used by the README and CI.
# The install is skipped when pyproject.toml has not changed since the last one with the same extras
# (the app is installed in editable mode, so code changes need no reinstall).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras="dev"
[ "${1:-}" = "test" ] && extras="test,dev"
stamp=".venv/.installed-${extras/,/-}"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[$extras]"
echo "$wanted" > "$stamp"
