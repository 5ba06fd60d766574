"""Evaluations (培训评估) by trainees who attended, and the organiser's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.audit import record
from app.auth.scope import Scope
from app.classes.services import get_class
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import Attendance, ClassSession, Enrollment, Evaluation, TrainingClass
from app.models.classes import ClassStatus

RATINGS = {"content_rating": "课程内容", "trainer_rating": "授课教师", "organisation_rating": "组织安排"}


@dataclass(frozen=True)
class Summary:
    """Count, average per rating and the comments of a class's evaluations."""

    count: int
    averages: dict[str, float]
    comments: list[Evaluation]


def _own_class(person_id: int, class_id: int) -> TrainingClass:
    klass = db.session.scalar(select(TrainingClass).join(Enrollment).where(
        TrainingClass.id == class_id, Enrollment.person_id == person_id,
        TrainingClass.status.in_((ClassStatus.PUBLISHED, ClassStatus.CLOSED))))
    if klass is None:
        raise NotFound("培训班不存在，或您没有报名。")
    return klass


def blocker(person_id: int, klass: TrainingClass, *, now: datetime) -> str | None:
    """Return why the person cannot evaluate the class now (None when they can)."""
    if not klass.sessions or klass.sessions[0].starts_at > now:
        return "培训班第一次课开始后才能评估。"
    attended = db.session.scalar(select(Attendance.id).join(ClassSession).where(
        ClassSession.class_id == klass.id, Attendance.person_id == person_id).limit(1))
    if attended is None:
        return "至少参加一次课后才能评估。"
    if db.session.scalar(select(Evaluation.id).where(
            Evaluation.class_id == klass.id, Evaluation.person_id == person_id)):
        return "您已经评估过这个培训班，谢谢！"
    return None


def evaluation_page(person_id: int, class_id: int, *, now: datetime) -> tuple[TrainingClass, str | None]:
    """Return the trainee's class and why they cannot evaluate it (None when they can)."""
    klass = _own_class(person_id, class_id)
    return klass, blocker(person_id, klass, now=now)


def submit(person_id: int, class_id: int, *, ratings: dict[str, int], comment: str, now: datetime) -> Evaluation:
    """Store the trainee's one evaluation of a class they attended."""
    klass = _own_class(person_id, class_id)
    reason = blocker(person_id, klass, now=now)
    if reason:
        raise (Conflict if "已经评估" in reason else DomainError)(reason)
    if set(ratings) != set(RATINGS) or any(not isinstance(v, int) or not 1 <= v <= 5 for v in ratings.values()):
        raise DomainError("每一项评分都要在 1 到 5 分之间。")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("意见建议不超过 1000 个字。")
    evaluation = Evaluation(class_id=klass.id, person_id=person_id, comment=comment, created_at=now, **ratings)
    db.session.add(evaluation)
    record("class_evaluate", evaluation, actor_id=person_id, class_id=klass.id, **ratings)
    db.session.commit()
    return evaluation


def summary(scope: Scope, class_id: int) -> tuple[TrainingClass, Summary]:
    """Return a class in scope with the count, per-rating averages and comments of its evaluations."""
    klass = get_class(scope, class_id)
    columns = [getattr(Evaluation, name) for name in RATINGS]
    row = db.session.execute(select(func.count(Evaluation.id), *(func.avg(c) for c in columns))
                             .where(Evaluation.class_id == klass.id)).one()
    averages = {name: round(float(value or 0), 2) for name, value in zip(RATINGS, row[1:], strict=True)}
    comments = list(db.session.scalars(select(Evaluation).where(
        Evaluation.class_id == klass.id, Evaluation.comment != "").order_by(Evaluation.created_at.desc())))
    return klass, Summary(count=row[0], averages=averages, comments=comments)
