"""Exporting a filtered selection of the bank in any supported format."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.auth.scope import Scope
from app.bank.browse import Filters, filtered_query
from app.errors import DomainError
from app.extensions import db
from app.models import Question
from question_bank import FormatError, question_from_dict
from question_bank.formats import FORMATS, export, get_format

_NUMBER = re.compile(r"第(\d+)题")
MAX_EXPORT = 20_000


@dataclass(frozen=True)
class Exported:
    content: bytes
    filename: str
    media_type: str
    count: int
    skipped: list[str]  # one reason per question the format cannot carry


def export_questions(questions, fmt: str, stem: str = "题库导出") -> Exported:
    """Write engine questions in a format, leaving out (and naming) those it cannot carry."""
    if fmt not in FORMATS:
        raise DomainError(f"不支持的导出格式：{fmt}")
    spec = get_format(fmt)
    skipped: list[str] = []
    try:
        content = export(fmt, questions)
    except FormatError as error:
        bad = {int(m.group(1)) for issue in error.issues if (m := _NUMBER.search(issue.message))}
        skipped = [issue.message for issue in error.issues]
        questions = [q for n, q in enumerate(questions, start=1) if n not in bad]
        content = export(fmt, questions) if questions else b""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return Exported(data, stem + spec.extension, spec.media_type, len(questions), skipped)


def export_selection(scope: Scope, filters: Filters, fmt: str, ids: list[int] | None = None) -> Exported:
    """Export the questions in scope matching the filters (or only the given ids)."""
    query = filtered_query(scope, filters)
    if ids:
        query = query.where(Question.id.in_(ids))
    rows = list(db.session.scalars(query.limit(MAX_EXPORT + 1)))
    if not rows:
        raise DomainError("没有符合条件的试题可导出。")
    if len(rows) > MAX_EXPORT:
        raise DomainError(f"一次最多导出 {MAX_EXPORT} 题，请缩小筛选范围。")
    questions = [question_from_dict(row.data) for row in reversed(rows)]
    return export_questions(questions, fmt)
