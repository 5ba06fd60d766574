"""Spreadsheet files as rows of cell text: the one reader of uploaded tables (questions, rosters).

CSV is read by its byte-order mark, as UTF-16 when NUL bytes interleave the text, else UTF-8,
else GB18030 (what Excel/WPS save on Chinese Windows); Excel as .xlsx with openpyxl read-only.
Both stop at the first limit a file breaks (`Limits`: rows, columns, characters per cell, the
unzipped size), never trusting an .xlsx's declared dimension. Errors are `FormatError`s with
Chinese messages.
"""

from __future__ import annotations

import csv
import datetime
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from question_bank.errors import FormatError
from question_bank.formats.common import decode_text
from question_bank.formats.limits import NO_LIMITS, Limits, refuse, size_text

UNSUPPORTED = "只支持 .xlsx 或 .csv 文件"
NOT_BINARY = "Excel 文件应以二进制方式读取"
UNREADABLE_XLSX = "无法读取该 Excel 文件：不是有效的 .xlsx 文件，请用 Excel/WPS 另存为 .xlsx 后重试"
CSV_ENCODING = "文件编码无法识别：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 xlsx"
MAX_PARTS = 1000  # files inside an .xlsx; Excel writes a few dozen
_TABLE_PARTS = ("xl/worksheets/", "xl/sharedStrings.xml")
_LAST_COLUMN = 18278  # ZZZ, the last column letter openpyxl writes


def read_table(
    data: bytes, filename: str, sheet_name: str | None = None, limits: Limits = NO_LIMITS
) -> list[list[str]]:
    """Return every row of a .csv or .xlsx file (chosen by its name) as cell texts."""
    kind = table_kind(filename)
    if kind == "csv":
        return csv_rows(data, filename, limits)
    rows, _total = xlsx_rows(data, filename, sheet_name, limits)
    return list(rows)


def table_kind(filename: str) -> str:
    """Return "csv" or "xlsx" from a file's name, or refuse it."""
    name = filename.lower()
    for kind in ("csv", "xlsx"):
        if name.endswith("." + kind):
            return kind
    raise refuse(filename, UNSUPPORTED)


def csv_rows(data: bytes | str, filename: str, limits: Limits = NO_LIMITS) -> list[list[str]]:
    """Return a CSV file's records as lists of cell texts (trailing blank cells dropped)."""
    text = decode_text(data, filename, CSV_ENCODING)
    reader = csv.reader(io.StringIO(text, newline=""))
    check = _RowCheck(filename, limits)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append(check(number, cells))
    except csv.Error as exc:
        raise refuse(filename, _csv_problem(str(exc), reader.line_num, limits)) from None
    return rows


def _csv_problem(error: str, line: int, limits: Limits) -> str:
    if "field larger than field limit" in error:
        limit = min(limits.chars or csv.field_size_limit(), csv.field_size_limit())
        return f"CSV 格式错误：第 {line} 行有一格的内容超过 {limit} 字的上限"
    return f"CSV 格式错误：第 {line} 行附近的引号或分隔符不成对，请用 Excel/WPS 重新另存为 CSV"


def xlsx_package(data: bytes, filename: str, limits: Limits = NO_LIMITS) -> int:
    """Check an .xlsx as a zip before opening it (no zip bombs); return its sheets' unzipped size.

    A zip member never unpacks to more than the size its directory declares (zipfile stops
    there and checks the CRC), so the declared sizes bound what reading can cost.
    """
    if not isinstance(data, bytes | bytearray):
        raise refuse(filename, NOT_BINARY)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise refuse(filename, UNREADABLE_XLSX) from None
    if len(members) > MAX_PARTS:
        raise refuse(filename, UNREADABLE_XLSX)
    unpacked = sum(member.file_size for member in members)
    if limits.unpacked is not None and unpacked > limits.unpacked:
        raise refuse(filename, f"Excel 文件解压后超过 {size_text(limits.unpacked)} 的上限："
                               "请删除多余的内容或格式，另存后重新上传")
    return sum(m.file_size for m in members if m.filename.startswith(_TABLE_PARTS))


def xlsx_rows(
    data: bytes, filename: str, sheet_name: str | None = None, limits: Limits = NO_LIMITS
) -> tuple[Iterator[list[str]], int]:
    """Open the named sheet (else the first) and return (its rows as cell texts, an estimate of
    their number for progress reports).

    The rows are read as they are iterated, so a caller can report progress; the workbook
    closes when they are exhausted. The sheet's declared dimension only feeds the estimate:
    rows are read as they are in the file, each only as wide as its last cell.
    """
    xlsx_package(data, filename, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        declared = sheet.max_row or 0
        sheet.reset_dimensions()  # else openpyxl pads every row to the declared width and height
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise refuse(filename, UNREADABLE_XLSX) from None
    if limits.rows is not None:
        declared = min(declared, limits.rows + 1)
    return _rows(workbook, sheet, _RowCheck(filename, limits)), declared


def _rows(workbook: Any, sheet: Any, check: _RowCheck) -> Iterator[list[str]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield check(number, values)
    except FormatError:
        raise
    except Exception:  # a sheet damaged past the part load_workbook read
        raise refuse(check.filename, UNREADABLE_XLSX) from None
    finally:
        workbook.close()


class _RowCheck:
    """Turn one row's values into cell texts, refusing the file at the first limit it breaks."""

    def __init__(self, filename: str, limits: Limits) -> None:
        self.filename = filename
        self.limits = limits
        self.filled = 0
        self.blank = 0

    def __call__(self, number: int, values: Sequence[Any]) -> list[str]:
        limits = self.limits
        width = self._width(number, values)
        if width == 0:
            self.blank += 1
            if limits.rows is not None and self.blank > limits.rows:
                raise refuse(self.filename, f"表格中的空行超过 {limits.rows} 行（读到第 {number} 行）："
                                            "请删除多余的空行（包括只设置了格式的行）后重新上传")
            return []
        self.filled += 1
        if limits.rows is not None and self.filled > limits.rows + 1:  # + the header row
            raise refuse(self.filename, f"数据超过 {limits.rows} 行的上限（第 {number} 行）")
        cells = [cell_text(value) for value in values[:width]]
        for column, text in enumerate(cells, start=1):
            if limits.chars is not None and len(text) > limits.chars:
                raise refuse(self.filename, f"{_where(number, column)}的内容超过 {limits.chars} 字的上限")
            if "\x00" in text:
                raise refuse(self.filename, f"{_where(number, column)}含有空字符（NUL），请删除后重新上传")
        return cells

    def _width(self, number: int, values: Sequence[Any]) -> int:
        """Return the position of the last filled value, refusing one past the column limit."""
        limit = self.limits.columns
        if limit is not None and len(values) > limit:
            tail = values[limit:]
            if tail.count(None) != len(tail):  # counted in C: a far cell costs no Python loop
                beyond = next((i for i, value in enumerate(tail) if not _blank(value)), None)
                if beyond is not None:
                    column = limit + beyond + 1
                    raise refuse(self.filename, f"{_where(number, column)}超过 {limit} 列的上限")
            values = values[:limit]
        width = len(values)
        while width and _blank(values[width - 1]):
            width -= 1
        return width


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _where(row: int, column: int) -> str:
    letter = f"（{get_column_letter(column)}列）" if column <= _LAST_COLUMN else ""
    return f"第 {row} 行第 {column} 列{letter}"


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
