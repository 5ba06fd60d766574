"""The trainee's own classes: sessions, own attendance and whether they may evaluate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.classes.evaluation import blocker
from app.extensions import db
from app.models import Attendance, ClassSession, Enrollment, TrainingClass
from app.models.classes import ClassStatus


@dataclass(frozen=True)
class MyClass:
    """One of a trainee's classes as 我的培训班 shows it."""

    klass: TrainingClass
    attended: set[int]
    evaluation_blocker: str | None


def my_classes(person_id: int, *, now: datetime) -> list[MyClass]:
    """Return the published or finished classes the person is enrolled in, newest first."""
    classes = list(db.session.scalars(
        select(TrainingClass).join(Enrollment)
        .where(Enrollment.person_id == person_id, TrainingClass.status.in_((ClassStatus.PUBLISHED, ClassStatus.CLOSED)))
        .options(selectinload(TrainingClass.sessions))
        .order_by(TrainingClass.created_at.desc(), TrainingClass.id.desc())))
    attended = set(db.session.scalars(select(Attendance.session_id).join(ClassSession).where(
        Attendance.person_id == person_id, ClassSession.class_id.in_([c.id for c in classes])))) if classes else set()
    return [MyClass(klass=c, attended={s.id for s in c.sessions if s.id in attended},
                    evaluation_blocker=blocker(person_id, c, now=now)) for c in classes]


def upcoming_sessions(person_id: int, *, now: datetime, limit: int = 5) -> list[ClassSession]:
    """Return the sessions not yet over of the published classes the person is enrolled in, soonest first."""
    return list(db.session.scalars(
        select(ClassSession).join(TrainingClass).join(Enrollment, Enrollment.class_id == TrainingClass.id)
        .where(Enrollment.person_id == person_id, TrainingClass.status == ClassStatus.PUBLISHED,
               ClassSession.ends_at >= now)
        .options(joinedload(ClassSession.training_class))
        .order_by(ClassSession.starts_at, ClassSession.id).limit(limit)))
