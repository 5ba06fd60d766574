"""The proctor's actions in the live view (监考): more time for one person, close one attempt now.

Both are for a person of the exam's audience inside the actor's scope, with a reason, audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit import record
from app.errors import Conflict, DomainError
from app.exams import attempts
from app.exams.access import Viewer, exam_to_watch
from app.exams.overrides import check_reason, person_for
from app.extensions import db
from app.models import Attempt, ExamOverride
from app.models.exams import AttemptState


def _running(exam_id: int, person_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).filter_by(exam_id=exam_id, person_id=person_id,
                                                       state=AttemptState.IN_PROGRESS))


def add_time(viewer: Viewer, exam_id: int, person_id: int, minutes: int | None, reason: str,
             *, now: datetime) -> Attempt | None:
    """Give one person `minutes` more: added to their override, and to the attempt in progress.

    The running attempt's deadline moves by exactly `minutes`; when that passes the exam's close,
    the person's own close moves with it. Returns the running attempt, if any.
    """
    exam = exam_to_watch(viewer, exam_id)
    person = person_for(viewer, exam, person_id=person_id)
    reason = check_reason(reason)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
        raise DomainError("加时应为 1 到 600 分钟。")
    attempt = _running(exam.id, person.id)
    if attempt is not None and attempts.is_closed(attempt, exam, now):
        raise Conflict("该人员的作答时间已到，正在收卷，不能再加时。")
    override = attempts.override_for(exam.id, person.id)
    if override is None:
        override = ExamOverride(exam_id=exam.id, person_id=person.id, reason=reason, created_by_id=viewer.person_id)
        db.session.add(override)
    override.extra_minutes = (override.extra_minutes or 0) + minutes
    override.reason, override.created_by_id, override.created_at = reason, viewer.person_id, now
    deadline = None
    if attempt is not None:
        deadline = attempt.deadline + timedelta(minutes=minutes)
        if deadline > attempts.closes_at(exam, override):
            override.closes_at = deadline
        attempt.deadline = deadline
    record("exam_add_time", exam, actor_id=viewer.person_id, person_id=person.id, minutes=minutes, reason=reason,
           attempt_id=attempt.id if attempt else None, deadline=deadline.isoformat() if deadline else None)
    db.session.commit()
    return attempt


def close_now(viewer: Viewer, exam_id: int, person_id: int, reason: str, *, now: datetime) -> Attempt:
    """Finish the person's attempt in progress now and grade it (submitted by the proctor)."""
    exam = exam_to_watch(viewer, exam_id)
    person = person_for(viewer, exam, person_id=person_id)
    reason = check_reason(reason)
    attempt = _running(exam.id, person.id)
    if attempt is None:
        raise Conflict("该人员没有正在进行的作答。")
    record("exam_close_attempt", exam, actor_id=viewer.person_id, person_id=person.id, attempt_id=attempt.id,
           reason=reason)
    attempts.finish_now(attempt.id, now=now, by="proctor")
    return attempt
