"""The evidence behind one competency's value: the graded answers, newest first, a page at a time.

Each line names its source (考试 title or the lesson of a quiz), the day, the level the question
tests and the result — right, partly right or wrong — only where the person may see it: an exam's
result only when its review policy shows correctness now (`exams.views.review_flags`), a lesson
quiz's always (its result page shows it); otherwise 已计入. No question text or answer is shown.
Fixed statements per page: the page of evidence, its exam items, its quiz items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select

from app.errors import NotFound
from app.exams.views import review_flags
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Competency,
    CompetencyMastery,
    Exam,
    ExamOverride,
    Lesson,
    MasteryEvidence,
    Person,
    QuizAttempt,
    QuizAttemptItem,
)
from app.models.curriculum import Level
from app.needs.evidence import settings
from app.needs.profile import Row, row_for

COUNTED = "已计入"


@dataclass(frozen=True)
class Line:
    answered_at: datetime
    source_label: str
    title: str
    level_label: str
    result: str  # 正确 / 部分正确 / 错误, or 已计入 when the source does not show it


@dataclass(frozen=True)
class EvidencePage:
    person: Person
    competency: Competency
    row: Row
    pagination: object
    lines: list[Line]


def result_label(earned: float) -> str:
    return "正确" if earned >= 1 else "错误" if earned <= 0 else "部分正确"


def evidence_page(person: Person, competency_id: int, *, now: datetime, page: int, per_page: int) -> EvidencePage:
    competency = db.session.get(Competency, competency_id)
    if competency is None:
        raise NotFound("没有这项能力。")
    stored = db.session.scalar(select(CompetencyMastery.state).where(
        CompetencyMastery.person_id == person.id, CompetencyMastery.competency_id == competency_id))
    row = row_for(competency.id, competency.name, None, stored, settings(), now)
    pagination = db.paginate(select(MasteryEvidence).where(
        MasteryEvidence.person_id == person.id, MasteryEvidence.competency_id == competency_id)
        .order_by(MasteryEvidence.answered_at.desc(), MasteryEvidence.id.desc()),
        page=page, per_page=per_page, error_out=False)
    exams = _exam_items([e.exam_item_id for e in pagination.items if e.exam_item_id], now)
    quizzes = _quiz_items([e.quiz_item_id for e in pagination.items if e.quiz_item_id])
    lines = []
    for item in pagination.items:
        if item.exam_item_id:
            title, shown = exams.get(item.exam_item_id, ("考试", False))
        else:
            title, shown = quizzes.get(item.quiz_item_id, "课后小测"), True
        lines.append(Line(item.answered_at, item.source_label, title, Level(item.level).label,
                          result_label(item.earned) if shown else COUNTED))
    return EvidencePage(person, competency, row, pagination, lines)


def _exam_items(ids: list[int], now: datetime) -> dict[int, tuple[str, bool]]:
    """Exam item id → (the exam's title, whether its review policy shows correctness to the person now)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(AttemptItem.id, Exam, Attempt, ExamOverride.closes_at)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(Exam, Exam.id == Attempt.exam_id)
        .outerjoin(ExamOverride, and_(ExamOverride.exam_id == Exam.id, ExamOverride.person_id == Attempt.person_id))
        .where(AttemptItem.id.in_(ids)))
    found = {}
    for item_id, exam, attempt, personal_close in rows:
        flags = review_flags(exam, attempt, now=now, close=personal_close or exam.closes_at)
        found[item_id] = (exam.title, bool(flags and flags["correctness"]))
    return found


def _quiz_items(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(
        select(QuizAttemptItem.id, Lesson.title).join(QuizAttempt, QuizAttempt.id == QuizAttemptItem.attempt_id)
        .join(Lesson, Lesson.id == QuizAttempt.lesson_id).where(QuizAttemptItem.id.in_(ids))).all())
