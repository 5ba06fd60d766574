#!/usr/bin/env bash
# Install the test tools (and Debian's chromium + a CJK font for the browser tests, Pango and HarfBuzz
# for WeasyPrint's PDFs) and run the suite,
# in parallel on every core (pytest-xdist; each worker has its own databases, see tests/workers.py).
# PYTEST_WORKERS=0 runs it in one process (as does passing -n 0); arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" \
    || ! ldconfig -p | grep -q libpangoft2-1.0.so.0 || ! ldconfig -p | grep -q libharfbuzz-subset.so.0; then
  echo "安装浏览器测试所需的 chromium、fonts-wqy-microhei 和生成 PDF 所需的 Pango、HarfBuzz ……"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-wqy-microhei \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null
fi
scripts/setup.sh test
# Throwaway test databases need no disk: put pytest's folders in memory when there is room (they
# are removed as each test passes). Cached bytecode lets each worker start in half the time.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -1)" -gt 2000000 ]; then
  export TMPDIR=/dev/shm
fi
unset PYTHONDONTWRITEBYTECODE
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup "$@"
