"""Per-person overrides (Moodle's user overrides): more minutes, a later close, more attempts.

Only for a person of the exam's audience inside the actor's scope, always with a reason, audited.
An attempt in progress gets the longer deadline at once; an override never shortens a sitting
that has started (removing one leaves the running attempt's deadline as it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import clock
from app.audit import record
from app.errors import DomainError, NotFound
from app.exams import attempts
from app.exams.access import Viewer, exam_to_watch, people_scope
from app.exams.audience import in_audience
from app.extensions import db
from app.models import Attempt, Exam, ExamOverride, Person
from app.models.exams import AttemptState

NOT_IN_AUDIENCE = "该人员不在本场考试的对象中，或不在您的管理范围内。"


@dataclass(frozen=True)
class OverrideData:
    staff_no: str
    extra_minutes: int | None = 0
    closes_local: datetime | None = None
    extra_attempts: int | None = 0
    reason: str = ""


def person_for(viewer: Viewer, exam: Exam, *, person_id: int | None = None, staff_no: str = "") -> Person:
    """A person of the exam's audience inside the viewer's scope; NotFound otherwise."""
    person = db.session.get(Person, person_id) if person_id else \
        db.session.scalar(select(Person).where(Person.staff_no == (staff_no or "").strip()))
    if person is None or not people_scope(viewer).covers(person.unit) or not in_audience(exam, person):
        raise NotFound(NOT_IN_AUDIENCE)
    return person


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise DomainError("请填写原因（不超过 300 个字）。")
    return reason


def extend_running(exam: Exam, override: ExamOverride, person_id: int) -> Attempt | None:
    """Give the person's attempt in progress the override's deadline if that is later (flushes)."""
    attempt = db.session.scalar(select(Attempt).filter_by(exam_id=exam.id, person_id=person_id,
                                                          state=AttemptState.IN_PROGRESS))
    if attempt is None:
        return None
    deadline = attempts.deadline_for(exam, override, attempt.started_at)
    if deadline > attempt.deadline:
        attempt.deadline = deadline
    return attempt


def _snapshot(override: ExamOverride | None) -> dict | None:
    if override is None:
        return None
    return {"extra_minutes": override.extra_minutes, "extra_attempts": override.extra_attempts,
            "closes_at": clock.format_local_dt(override.closes_at) or None, "reason": override.reason}


def set_override(viewer: Viewer, exam_id: int, data: OverrideData) -> ExamOverride:
    """Create or replace the person's override."""
    exam = exam_to_watch(viewer, exam_id)
    person = person_for(viewer, exam, staff_no=data.staff_no)
    reason = check_reason(data.reason)
    minutes, extra, closes_local = data.extra_minutes or 0, data.extra_attempts or 0, data.closes_local
    if not (isinstance(minutes, int) and 0 <= minutes <= 1440 and isinstance(extra, int) and 0 <= extra <= 20):
        raise DomainError("延长时间应为 0 到 1440 分钟，增加次数应为 0 到 20 次。")
    problem = clock.typed_date_problem(closes_local, "个人结束时间")
    if problem:
        raise DomainError(problem + "。")
    closes_at = clock.to_utc(closes_local) if closes_local else None
    if closes_at is not None and closes_at <= exam.closes_at:
        raise DomainError(f"个人结束时间应晚于考试的结束时间（{clock.format_local_dt(exam.closes_at)}）。")
    if not (minutes or extra or closes_at):
        raise DomainError("请至少填写一项：延长时间、推迟结束时间或增加作答次数。")
    override = attempts.override_for(exam.id, person.id)
    before = _snapshot(override)
    if override is None:
        override = ExamOverride(exam_id=exam.id, person_id=person.id)
        db.session.add(override)
    override.extra_minutes, override.extra_attempts, override.closes_at = minutes, extra, closes_at
    override.reason, override.created_by_id, override.created_at = reason, viewer.person_id, clock.now()
    extend_running(exam, override, person.id)
    record("exam_override", exam, actor_id=viewer.person_id, person_id=person.id, before=before,
           after=_snapshot(override))
    db.session.commit()
    return override


def remove_override(viewer: Viewer, exam_id: int, override_id: int) -> None:
    """Remove an override of a person in the viewer's scope (a running attempt keeps its deadline)."""
    exam = exam_to_watch(viewer, exam_id)
    override = db.session.get(ExamOverride, override_id)
    if override is None or override.exam_id != exam.id:
        raise NotFound("个别调整不存在。")
    person_for(viewer, exam, person_id=override.person_id)
    record("exam_override_remove", exam, actor_id=viewer.person_id, person_id=override.person_id,
           before=_snapshot(override))
    db.session.delete(override)
    db.session.commit()


def overrides_of(viewer: Viewer, exam: Exam) -> list[tuple[ExamOverride, Person, str]]:
    """The exam's overrides of people in the viewer's scope: (override, person, set by whose name)."""
    scope = people_scope(viewer)
    rows = db.session.execute(
        scope.over_people(select(ExamOverride, Person), ExamOverride.person_id)
        .where(ExamOverride.exam_id == exam.id).order_by(Person.staff_no)).all()
    authors = dict(db.session.execute(select(Person.id, Person.name).where(
        Person.id.in_({o.created_by_id for o, _p in rows if o.created_by_id}))).all())
    return [(o, p, authors.get(o.created_by_id, "")) for o, p in rows]

