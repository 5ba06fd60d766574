"""What the 试题分析 page shows: the exam's figures, a row per question in paper order, the flags.

The exam's owner (and anyone who may change it) sees every analysed attempt; an admin who only
watches the exam sees the attempts of the people in their scope. A flag links to the question's
editor only for a viewer who may edit that question in the bank (an instructor whose bank scope
holds its category); the others read the reason without a link that would answer 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.auth.scope import Scope
from app.bank.categories import in_scope_clause
from app.bank.editor import type_labels
from app.exams import analysis
from app.exams.access import Viewer, exam_to_watch, may_change, people_scope
from app.extensions import db
from app.models import Exam, ExamAnalysis, Question, QuestionCategory
from app.models.exams import ExamStatus, SourceKind
from question_bank import stats
from question_bank.stats_flags import MIN_FLAG_ANSWERS, flags

MIN_ATTEMPTS = 10  # analysed attempts before the page shows figures
_TAG = re.compile(r"<[^>]+>")


@dataclass
class OptionRow:
    key: str
    text: str
    stats: stats.OptionStats


@dataclass
class ItemRow:
    number: int
    question_id: int
    stem: str
    type_label: str
    stats: stats.ItemStats
    options: list[OptionRow]
    reasons: list[str] = field(default_factory=list)
    editable: bool = False


def short(text: str, limit: int) -> str:
    """A question's or option's text on one line, at most `limit` characters."""
    plain = " ".join(_TAG.sub("", text or "").split())
    return plain if len(plain) <= limit else plain[:limit] + "…"


def _paper_order(exam: Exam, used: dict[int, analysis.Version]) -> list[analysis.Version]:
    """Rules in blueprint order; within a fixed rule its chosen order, otherwise by question."""
    fixed = {number: [int(i) for i in rule.question_ids or []]
             for number, rule in enumerate(exam.blueprint.rules, start=1) if rule.source_kind == SourceKind.FIXED}

    def key(version: analysis.Version):
        order = fixed.get(version.rule, [])
        return (version.rule, order.index(version.question_id) if version.question_id in order else len(order),
                version.question_id, version.version_id)

    return sorted(used.values(), key=key)


def _editable(bank_scope: Scope, question_ids: list[int]) -> set[int]:
    """The questions the viewer may open in the bank's editor (one statement, none without a bank)."""
    if not question_ids or (bank_scope.paths is not None and not bank_scope.paths):
        return set()
    return set(db.session.scalars(select(Question.id).join(QuestionCategory, QuestionCategory.id == Question.category_id)
                                  .where(Question.id.in_(question_ids), in_scope_clause(bank_scope))))


def _rows(exam: Exam, used: dict[int, analysis.Version], result: stats.Analysis, bank_scope: Scope):
    """(section, rows) in paper order, and the flagged rows."""
    reasons: dict[int, list[str]] = {}
    for flag in flags(result):
        reasons.setdefault(flag.item_id, []).append(flag.reason)
    ordered = _paper_order(exam, used)
    editable = _editable(bank_scope, sorted({v.question_id for v in ordered if v.version_id in reasons}))
    sections: list[tuple[str, list[ItemRow]]] = []
    labels, rules = type_labels(), exam.blueprint.rules
    for number, version in enumerate(ordered, start=1):
        texts = {o["key"]: o.get("text", "") for o in version.data.get("options") or ()}
        item = result.item(version.version_id)
        row = ItemRow(number, version.question_id, short(version.data.get("stem", ""), 60),
                      labels.get(version.qtype, ""), item,
                      [OptionRow(o.key, short(texts.get(o.key, ""), 24), o) for o in item.options],
                      reasons.get(version.version_id, []), version.question_id in editable)
        section = rules[version.rule - 1].section if 0 < version.rule <= len(rules) else ""
        if not sections or sections[-1][0] != section:
            sections.append((section, []))
        sections[-1][1].append(row)
    flagged = [row for _section, rows in sections for row in rows if row.reasons]
    return sections, flagged


def analysis_page(viewer: Viewer, exam_id: int, *, bank_scope: Scope, now: datetime) -> dict:
    """Everything the page shows; `bank_scope` is the viewer's instructor scope (question links)."""
    exam = exam_to_watch(viewer, exam_id)
    whole = may_change(viewer, exam)
    people = None if whole else people_scope(viewer)
    found = analysis.counts(exam.id, people)
    page = {"exam": exam, "whole": whole, "counts": found, "min_attempts": MIN_ATTEMPTS,
            "min_flag_answers": MIN_FLAG_ANSWERS, "enough": found.analysed >= MIN_ATTEMPTS,
            "stored": db.session.get(ExamAnalysis, exam.id),
            "still_open": exam.status == ExamStatus.PUBLISHED and now < exam.closes_at}
    if not page["enough"]:
        return page
    used, result = analysis.analyse(exam.id, people)
    sections, flagged = _rows(exam, used, result, bank_scope)
    return page | {"result": result, "sections": sections, "flagged": flagged}
