"""CSV in the course_content/README.md layout: read UTF-8 (BOM optional) or GB18030, write UTF-8 with BOM."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from question_bank.base import Question
from question_bank.formats.common import ParseResult, Progress, collect_export_issues
from question_bank.formats.limits import NO_LIMITS, Limits
from question_bank.formats.sheets import csv_rows
from question_bank.formats.table import HEADERS, parse_rows, question_to_row, table_unsupported

# Spreadsheet programs run a cell that starts with = + - @ as a formula; an apostrophe disarms it.
_NEEDS_GUARD = re.compile(r"'*[=+\-@]")


def parse_csv(
    data: bytes | str, filename: str, progress: Progress | None = None, limits: Limits = NO_LIMITS
) -> ParseResult:
    """Read a CSV question table; each bad row gives one 第N行 issue (N counts records, header = 1).

    A file past `limits` (rows, columns, characters per cell) is refused whole."""
    rows = [[_unguard(cell) for cell in row] for row in csv_rows(data, filename, limits)]
    return parse_rows(rows, filename, progress, total=len(rows))


def export_csv(questions: Sequence[Question]) -> bytes:
    """Write questions as a UTF-8 (with BOM) CSV table that Excel/WPS open correctly."""
    collect_export_issues(questions, table_unsupported, "CSV")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for question in questions:
        writer.writerow([_guard(cell) for cell in question_to_row(question)])
    return buffer.getvalue().encode("utf-8-sig")


def _guard(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula."""
    return "'" + cell if _NEEDS_GUARD.match(cell) else cell


def _unguard(cell: str) -> str:
    """Drop the apostrophe `_guard` added."""
    return cell[1:] if cell.startswith("'") and _NEEDS_GUARD.match(cell) else cell
