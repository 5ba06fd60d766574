#!/usr/bin/env bash
# Install, migrate, load the demo data and serve on http://127.0.0.1:5000 (SQLite, no other servers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export FLASK_APP=wsgi.py
.venv/bin/flask db upgrade
.venv/bin/flask demo load
echo "打开 http://127.0.0.1:${PORT:-5000} ，用上面的示例账号登录。按 Ctrl+C 停止。"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
