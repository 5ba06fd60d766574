"""How much of an uploaded file the readers accept, and the Chinese message for each limit.

The readers check these as they go and stop at the first one a file breaks, so a hostile file
never costs more than the limits allow. The numbers come from the caller (the web app's settings).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from question_bank.errors import FormatError, Issue

# Question fields as an importing person knows them; others are named generically.
FIELD_LABELS = {
    "title": "题目名称",
    "stem": "题干",
    "explanation": "解析",
    "legal_basis": "法规依据",
    "reference_answer": "参考答案",
    "rubric": "评分要点",
    "options": "选项",
    "blanks": "填空答案",
    "feedback_true": "反馈",
    "feedback_false": "反馈",
    "category": "分类",
    "tags": "标签",
    "competencies": "知识点",
    "external_id": "编号",
}
UNCHECKED_FIELDS = frozenset({"attachments"})  # embedded images: bounded by the file size only


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one kind of upload; None leaves a bound out.

    rows: filled data rows of a table (the header row not counted), or questions of a text file;
    blank rows in a table may number as many again. columns: the last filled column of a row.
    chars: characters in one cell, or in one field of a question. unpacked: bytes of an .xlsx
    once unzipped (all its parts).
    """

    rows: int | None = None
    columns: int | None = None
    chars: int | None = None
    unpacked: int | None = None


NO_LIMITS = Limits()


def refuse(filename: str, message: str) -> FormatError:
    """Return the FormatError that refuses a whole file."""
    return FormatError([Issue(filename, None, message)])


def size_text(size: int) -> str:
    """Write a byte count as people read it: 10 MB, 1.5 MB, 40 KB."""
    mb = 1024 * 1024
    if size >= mb:
        return f"{size / mb:.1f}".removesuffix(".0") + " MB"
    return f"{max(size // 1024, 1)} KB"


def check_count(number: int, limits: Limits, filename: str) -> None:
    """Refuse a text file when its `number`-th question is one more than the limit."""
    if limits.rows is not None and number > limits.rows:
        raise refuse(filename, f"文件超过 {limits.rows} 题的上限（第 {number} 题）")


def check_fields(question: object, number: int, limits: Limits, filename: str) -> None:
    """Refuse a text file when a field of its `number`-th question is longer than the limit."""
    if limits.chars is None:
        return
    for field in dataclasses.fields(question):  # type: ignore[arg-type]
        if field.name in UNCHECKED_FIELDS:
            continue
        if _longest(getattr(question, field.name)) > limits.chars:
            label = FIELD_LABELS.get(field.name, "某一项内容")
            raise refuse(filename, f"第 {number} 题的{label}超过 {limits.chars} 字的上限")


def _longest(value: object) -> int:
    """Return the length of the longest text inside a value (texts, tuples, options, answers)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, tuple | list):
        return max((_longest(item) for item in value), default=0)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return max((_longest(getattr(value, f.name)) for f in dataclasses.fields(value)), default=0)
    return 0
