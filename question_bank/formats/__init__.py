"""Import/export formats through a registry: gift, aiken, moodle-xml, xlsx, csv."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from question_bank.base import Question
from question_bank.errors import FormatError, Issue
from question_bank.formats.aiken import export_aiken, parse_aiken
from question_bank.formats.common import ParseResult, Progress, decode_text
from question_bank.formats.csv_table import export_csv, parse_csv
from question_bank.formats.gift import parse_gift
from question_bank.formats.gift_write import export_gift
from question_bank.formats.limits import NO_LIMITS, Limits
from question_bank.formats.moodle_xml import parse_moodle_xml
from question_bank.formats.moodle_xml_write import export_moodle_xml
from question_bank.formats.sheets import csv_rows, xlsx_package
from question_bank.formats.xlsx_table import export_xlsx, parse_xlsx
from question_bank.formats.xlsx_template import build_xlsx_template

__all__ = [
    "FORMATS",
    "NO_LIMITS",
    "Format",
    "Limits",
    "ParseResult",
    "build_xlsx_template",
    "check_upload",
    "detect_format",
    "export",
    "get_format",
    "parse",
]


@dataclass(frozen=True)
class Format:
    """One file format: how to read it, how to write it, and what to call the file."""

    name: str
    label: str
    extension: str
    media_type: str
    binary: bool
    reader: Callable[..., ParseResult]
    writer: Callable[[Sequence[Question]], str | bytes]
    reports_progress: bool = False


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("gift", "GIFT", ".gift.txt", "text/plain", False, parse_gift, export_gift),
        Format("aiken", "Aiken", ".aiken.txt", "text/plain", False, parse_aiken, export_aiken),
        Format(
            "moodle-xml",
            "Moodle XML",
            ".xml",
            "application/xml",
            False,
            parse_moodle_xml,
            export_moodle_xml,
        ),
        Format(
            "xlsx",
            "Excel",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            True,
            parse_xlsx,
            export_xlsx,
            reports_progress=True,
        ),
        Format(
            "csv", "CSV", ".csv", "text/csv", True, parse_csv, export_csv, reports_progress=True
        ),
    )
}
_BY_SUFFIX = (
    (".gift.txt", "gift"),
    (".gift", "gift"),
    (".aiken.txt", "aiken"),
    (".aiken", "aiken"),
    (".xml", "moodle-xml"),
    (".xlsx", "xlsx"),
    (".csv", "csv"),
)
_AIKEN_ANSWER = re.compile(r"^\s*(?:ANSWER|答案)\s*[:：]", re.IGNORECASE | re.MULTILINE)


def get_format(name: str) -> Format:
    """Return a registered format by name."""
    try:
        return FORMATS[name]
    except KeyError:
        choices = "、".join(FORMATS)
        raise FormatError([Issue("", None, f"不支持的格式：{name}（可用：{choices}）")]) from None


def detect_format(filename: str, data: bytes | str | None = None) -> str:
    """Name the format of a file from its name; a plain .txt is told apart by its content."""
    lower = filename.lower()
    for suffix, name in _BY_SUFFIX:
        if lower.endswith(suffix):
            return name
    if lower.endswith(".txt") and data is not None:
        sample = data[:65536].decode("utf-8", "ignore") if isinstance(data, bytes) else data[:65536]
        return "aiken" if _AIKEN_ANSWER.search(sample) and "{" not in sample else "gift"
    message = f"无法识别文件格式：{filename}（支持 .gift、.txt、.xml、.xlsx、.csv）"
    raise FormatError([Issue(filename, None, message)])


def parse(
    fmt: str,
    data: bytes | str,
    filename: str,
    progress: Progress | None = None,
    limits: Limits = NO_LIMITS,
) -> ParseResult:
    """Read questions in a named format; `progress(done, total)` is called by table formats.

    A file past `limits` is refused whole (FormatError) as soon as the reader meets the excess."""
    spec = get_format(fmt)
    if spec.reports_progress:
        return spec.reader(data, filename, progress=progress, limits=limits)
    return spec.reader(data, filename, limits=limits)


def check_upload(fmt: str, data: bytes, filename: str, limits: Limits, *, read_up_to: int) -> None:
    """Refuse a file the limits (or its format) refuse, as far as that is quick (FormatError).

    A file of at most `read_up_to` bytes (an .xlsx: its sheets unzipped) is parsed whole. A
    larger one is checked as far as is cheap: an .xlsx's package (no zip bombs), a CSV's every
    row against the limits, a GIFT or Aiken file's encoding. Row-level problems are not refused
    here: they are what the preview lists.
    """
    get_format(fmt)
    size = xlsx_package(data, filename, limits) if fmt == "xlsx" else len(data)
    if size <= read_up_to:
        parse(fmt, data, filename, limits=limits)
    elif fmt == "csv":
        csv_rows(data, filename, limits)
    elif fmt in ("gift", "aiken"):  # Moodle XML names its own encoding; the parser reads it
        decode_text(data, filename)


def export(fmt: str, questions: Sequence[Question]) -> str | bytes:
    """Write questions in a named format (bytes for xlsx and csv, text otherwise)."""
    return get_format(fmt).writer(questions)
