"""Where the tests' data files live: the starter banks, and the real Moodle files in ../shared."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STARTER_BANKS = ROOT / "course_content" / "banks"
MOODLE_FIXTURES = ROOT.parent / "shared" / "interop" / "moodle"

# Outside CI a checkout without ../shared skips these; in CI (CI set) they must run, and fail if missing.
needs_moodle_fixtures = pytest.mark.skipif(
    not MOODLE_FIXTURES.is_dir() and not os.environ.get("CI"),
    reason=f"Moodle fixtures not found at {MOODLE_FIXTURES}",
)
