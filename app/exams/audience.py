"""Who may take an exam: units with their subtrees, posts, named people."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from app.extensions import db
from app.models import Exam, ExamAudience, OrgUnit, Person
from app.models.exams import ExamStatus


def _matches(person: Person):
    """SQL condition: an audience row that includes the person."""
    unit_path = select(OrgUnit.path).where(OrgUnit.id == person.unit_id).scalar_subquery()
    return or_(ExamAudience.person_id == person.id,
               ExamAudience.post_id == (person.post_id if person.post_id is not None else -1),
               ExamAudience.unit_id.in_(
                   select(OrgUnit.id).where(unit_path.startswith(OrgUnit.path))))


def in_audience(exam: Exam, person: Person) -> bool:
    """Whether the person is one of the exam's audience (one query)."""
    return bool(db.session.scalar(select(exists().where(ExamAudience.exam_id == exam.id, _matches(person)))))


def exams_for(person: Person) -> list[Exam]:
    """The published exams whose audience includes the person, opening soonest last."""
    ids = select(ExamAudience.exam_id).where(_matches(person))
    return list(db.session.scalars(select(Exam).where(Exam.status == ExamStatus.PUBLISHED, Exam.id.in_(ids))
                                   .order_by(Exam.opens_at.desc(), Exam.id)))
