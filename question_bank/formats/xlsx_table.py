"""Excel (.xlsx) question tables in the course_content/README.md layout, read with openpyxl read-only."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from question_bank.base import Question
from question_bank.formats.common import ParseResult, Progress, collect_export_issues
from question_bank.formats.limits import NO_LIMITS, Limits
from question_bank.formats.sheets import xlsx_rows
from question_bank.formats.table import HEADERS, parse_rows, question_to_row, table_unsupported

SHEET_NAME = "试题"
COLUMN_WIDTHS = {"题干": 48, "解析": 30, "法规依据": 24, "评分要点": 24, "分类": 20}


def parse_xlsx(
    data: bytes, filename: str, progress: Progress | None = None, limits: Limits = NO_LIMITS
) -> ParseResult:
    """Read the 试题 sheet (or the first sheet); each bad row gives one 第N行 issue.

    A file past `limits` (rows, columns, characters per cell, unzipped size) is refused whole."""
    rows, total = xlsx_rows(data, filename, SHEET_NAME, limits)
    try:
        return parse_rows(rows, filename, progress, total=total)
    finally:
        rows.close()


def export_xlsx(questions: Sequence[Question]) -> bytes:
    """Write questions to a 试题 sheet in the import layout."""
    collect_export_issues(questions, table_unsupported, "Excel")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    set_widths(sheet)
    sheet.freeze_panes = "A2"
    sheet.append(list(HEADERS))
    for question in questions:
        sheet.append([_text_cell(sheet, value) for value in question_to_row(question)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_widths(sheet: Any) -> None:
    """Widen the long text columns."""
    for index, name in enumerate(HEADERS, start=1):
        width = COLUMN_WIDTHS.get(name, 12 if name.startswith("选项") else 10)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell | str | None:
    """Write text as text: a leading = must not turn into a formula."""
    if not value:
        return None
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell
