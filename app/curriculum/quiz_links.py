"""A lesson's quiz names bank questions by 编号; resolve each to a question id once and keep it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Lesson, LessonQuizQuestion, Question


def _lookup(external_ids: set[str]) -> dict[str, int]:
    if not external_ids:
        return {}
    query = select(Question.external_id, Question.id).where(Question.external_id.in_(external_ids))
    return dict(db.session.execute(query).all())


def _rows(lesson_ids: list[int]) -> dict[int, list[LessonQuizQuestion]]:
    found: dict[int, list[LessonQuizQuestion]] = {lesson_id: [] for lesson_id in lesson_ids}
    for start in range(0, len(lesson_ids), 500):
        query = (select(LessonQuizQuestion).where(LessonQuizQuestion.lesson_id.in_(lesson_ids[start:start + 500]))
                 .order_by(LessonQuizQuestion.position))
        for row in db.session.scalars(query):
            found[row.lesson_id].append(row)
    return found


def _plan(lesson: Lesson, rows: list[LessonQuizQuestion]) -> list[tuple[str, int | None]]:
    """Return (编号, question id or None) per quiz entry; an 编号 resolved before keeps its question."""
    pinned = {row.external_id: row.question_id for row in rows if row.question_id is not None}
    return [(external_id, pinned.get(external_id)) for external_id in lesson.quiz or []]


def _resolve(plans: Iterable[list[tuple[str, int | None]]]) -> dict[str, int]:
    plans = list(plans)
    return _lookup({external_id for plan in plans for external_id, qid in plan if qid is None})


def quiz_question_ids(lesson: Lesson) -> list[int]:
    """Return the ids of the questions a lesson's quiz names, in order (reads only)."""
    plan = _plan(lesson, _rows([lesson.id])[lesson.id])
    found = _resolve([plan])
    ids = [qid if qid is not None else found.get(external_id) for external_id, qid in plan]
    return [qid for qid in ids if qid is not None]


def link_quiz_questions(lessons: Iterable[Lesson]) -> None:
    """Make the lessons' stored quiz entries follow their quiz lists, resolving new 编号 (no commit)."""
    lessons = list(lessons)
    db.session.flush()  # new lessons need their ids
    rows = _rows([lesson.id for lesson in lessons])
    plans = {lesson.id: _plan(lesson, rows[lesson.id]) for lesson in lessons}
    found = _resolve(plans.values())
    for lesson in lessons:
        existing = rows[lesson.id]
        for position, (external_id, qid) in enumerate(plans[lesson.id]):
            qid = qid if qid is not None else found.get(external_id)
            if position < len(existing):
                row = existing[position]
                row.position, row.external_id, row.question_id = position, external_id, qid
            else:
                db.session.add(LessonQuizQuestion(lesson_id=lesson.id, position=position, external_id=external_id,
                                                  question_id=qid))
        for row in existing[len(plans[lesson.id]):]:
            db.session.delete(row)
