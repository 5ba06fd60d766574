"""Excel (.xlsx) question tables in the course_content/README.md layout, read with openpyxl read-only."""

from __future__ import annotations

import datetime
import io
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from question_bank.base import Question
from question_bank.errors import FormatError, Issue
from question_bank.formats.common import ParseResult, Progress, collect_export_issues
from question_bank.formats.table import HEADERS, parse_rows, question_to_row, table_unsupported

SHEET_NAME = "试题"
COLUMN_WIDTHS = {"题干": 48, "解析": 30, "法规依据": 24, "评分要点": 24, "分类": 20}


def parse_xlsx(data: bytes, filename: str, progress: Progress | None = None) -> ParseResult:
    """Read the 试题 sheet (or the first sheet); each bad row gives one 第N行 issue."""
    if not isinstance(data, bytes | bytearray):
        raise FormatError([Issue(filename, None, "Excel 文件应以二进制方式读取")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise FormatError(
            [
                Issue(
                    filename,
                    None,
                    "不是有效的 Excel（.xlsx）文件，请用 Excel/WPS 另存为 .xlsx 后重试",
                )
            ]
        ) from None
    try:
        sheet = (
            workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        )
        return parse_rows(_rows(sheet), filename, progress, total=sheet.max_row or 0)
    finally:
        workbook.close()


def _rows(sheet: Any) -> Iterator[list[str]]:
    """Yield each row's cells as text."""
    for row in sheet.iter_rows(values_only=True):
        yield [cell_text(value) for value in row]


def cell_text(value: object) -> str:
    """Render a cell value as the text a person typed (3.0 -> "3", True -> "TRUE")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return (
            value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        )
    return str(value)


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
