"""Spreadsheet files as rows of cell text: the one reader of uploaded tables (questions, rosters).

CSV is read as UTF-8 (BOM optional), else GB18030 (what Excel/WPS save on Chinese Windows);
Excel as .xlsx with openpyxl read-only. Errors are `FormatError`s with Chinese messages.
"""

from __future__ import annotations

import csv
import datetime
import io
import warnings
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook

from question_bank.errors import FormatError, Issue
from question_bank.formats.common import decode_text

UNSUPPORTED = "只支持 .xlsx 或 .csv 文件"
NOT_BINARY = "Excel 文件应以二进制方式读取"
UNREADABLE_XLSX = "无法读取该 Excel 文件：不是有效的 .xlsx 文件，请用 Excel/WPS 另存为 .xlsx 后重试"


def read_table(data: bytes, filename: str, sheet_name: str | None = None) -> list[list[str]]:
    """Return every row of a .csv or .xlsx file (chosen by its name) as cell texts."""
    name = filename.lower()
    if name.endswith(".csv"):
        return csv_rows(data, filename)
    if name.endswith(".xlsx"):
        rows, _total = xlsx_rows(data, filename, sheet_name)
        return list(rows)
    raise FormatError([Issue(filename, None, UNSUPPORTED)])


def csv_rows(data: bytes | str, filename: str) -> list[list[str]]:
    """Return a CSV file's records as lists of cell texts."""
    text = decode_text(data, filename)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FormatError([Issue(filename, None, f"CSV 格式错误：{exc}")]) from None


def xlsx_rows(data: bytes, filename: str, sheet_name: str | None = None) -> tuple[Iterator[list[str]], int]:
    """Open the named sheet (else the first) and return (its rows as cell texts, its row count).

    The rows are read as they are iterated, so a caller can report progress; the workbook
    closes when they are exhausted.
    """
    if not isinstance(data, bytes | bytearray):
        raise FormatError([Issue(filename, None, NOT_BINARY)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise FormatError([Issue(filename, None, UNREADABLE_XLSX)]) from None
    sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
    return _rows(workbook, sheet), sheet.max_row or 0


def _rows(workbook: Any, sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """Render a cell value as the text a person typed (3.0 -> "3", True -> "TRUE", a date -> 2024-03-01)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        # Excel keeps a typed date as a datetime at midnight
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
