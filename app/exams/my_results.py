"""What the trainee's result page adds to the API's Result: the scores per section and their
attempts at the exam, each with its score and which one counts, as far as the review policy shows.

Kept off the JSON API: API.md fixes the Result's fields, and it has no field for sections.
Two statements: the attempt's slots (section, points, score, status) and the person's attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.exams import views
from app.exams.counting import counted
from app.exams.sections import SectionScore, section_scores
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam
from app.models.exams import AttemptState, CountingRule
from question_bank import units_to_points


@dataclass(frozen=True)
class PastAttempt:
    """One of the person's attempts at the exam, as the result page lists it."""

    attempt: Attempt
    score: str | None  # points, when the policy shows this attempt's score now
    max_score: str | None
    passed: bool | None
    pending: bool
    counts: bool  # the attempt whose result counts (marked only when that tells nothing hidden)
    current: bool  # the attempt this page shows


def sections_for(exam: Exam, attempt: Attempt, *, now: datetime) -> list[SectionScore]:
    """The attempt's scores per section, only when the policy shows its score now."""
    flags = views.review_flags(exam, attempt, now=now)
    if flags is None or not flags["score"]:
        return []
    items = db.session.execute(select(AttemptItem.section, AttemptItem.points, AttemptItem.score, AttemptItem.status)
                               .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.slot)).all()
    return section_scores(items)


def history(exam: Exam, attempt: Attempt, close: datetime, *, now: datetime) -> list[PastAttempt]:
    """The person's attempts at the exam, by number; which counts is marked when it reveals no
    hidden score (取最后一次 always; 取最高分 only when every finished attempt's score is shown)."""
    tries = list(db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id,
                                                          Attempt.person_id == attempt.person_id)
                                    .order_by(Attempt.number)))
    flags = {a.id: views.review_flags(exam, a, now=now, close=close) for a in tries}
    shows = {a.id: bool(flags[a.id] and flags[a.id]["score"]) for a in tries}
    finished = [a for a in tries if a.state == AttemptState.FINISHED]
    count = counted(finished, exam.counting)
    markable = count is not None and (exam.counting == CountingRule.LATEST or all(shows[a.id] for a in finished))
    return [PastAttempt(attempt=a, score=units_to_points(a.score or 0) if shows[a.id] else None,
                        max_score=units_to_points(a.max_score) if shows[a.id] else None,
                        passed=a.passed if shows[a.id] else None, pending=bool(flags[a.id]) and a.pending_manual,
                        counts=markable and a.id == count.attempt.id, current=a.id == attempt.id)
            for a in tries]
