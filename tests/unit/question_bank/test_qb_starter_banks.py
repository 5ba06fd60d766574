"""The starter banks in course_content/banks read cleanly and survive every format that can carry them."""

from pathlib import Path

import pytest

from question_bank.formats import export, parse
from question_bank.types import FillBlank

BANKS = sorted((Path(__file__).resolve().parents[3] / "course_content" / "banks").glob("*.csv"))


def carried_by_moodle_formats(question):
    return not isinstance(question, FillBlank) or len(question.blanks) == 1


@pytest.mark.skipif(not BANKS, reason="no starter banks yet")
@pytest.mark.parametrize("path", BANKS, ids=lambda path: path.name)
def test_starter_bank_parses_without_issues_and_round_trips(path):
    result = parse("csv", path.read_bytes(), path.name)
    assert result.issues == []
    assert result.questions
    for fmt in ("csv", "xlsx"):
        assert parse(fmt, export(fmt, result.questions), path.name).questions == result.questions
    carried = [q for q in result.questions if carried_by_moodle_formats(q)]
    for fmt in ("gift", "moodle-xml"):
        assert parse(fmt, export(fmt, carried), path.name).questions == carried
