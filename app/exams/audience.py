"""Who may take an exam: units with their subtrees, posts, named people.

One audience row names one of: a unit (with its subtree), a post (anyone holding it), a post within
a unit's subtree (both set: how a post chosen by an author with a unit scope stays in that scope),
or a person.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, literal, or_, select
from sqlalchemy.orm import aliased

from app.auth.scope import Scope
from app.extensions import db
from app.models import Exam, ExamAudience, OrgUnit, Person
from app.models.exams import ExamStatus


def _matches():
    """SQL condition: an audience row that includes the person of the parameters `person_id`,
    `unit_id` and `post_id` (`_person_params`)."""
    unit_path = select(OrgUnit.path).where(OrgUnit.id == bindparam("unit_id")).scalar_subquery()
    post = bindparam("post_id")
    return or_(ExamAudience.person_id == bindparam("person_id"),
               and_(ExamAudience.unit_id.is_(None), ExamAudience.post_id == post),
               and_(ExamAudience.unit_id.in_(select(OrgUnit.id).where(unit_path.startswith(OrgUnit.path))),
                    or_(ExamAudience.post_id.is_(None), ExamAudience.post_id == post)))


def _person_params(person: Person) -> dict:
    return {"person_id": person.id, "unit_id": person.unit_id,
            "post_id": person.post_id if person.post_id is not None else -1}


# Built once: building these costs more than running them (every start checks the audience).
_IN_AUDIENCE = select(exists().where(ExamAudience.exam_id == bindparam("exam_id"), _matches()))
_EXAMS_FOR = (select(Exam).where(Exam.status == ExamStatus.PUBLISHED, Exam.hidden.is_(False),
                                 Exam.id.in_(select(ExamAudience.exam_id).where(_matches())))
              .order_by(Exam.opens_at.desc(), Exam.id))


def in_audience(exam: Exam, person: Person) -> bool:
    """Whether the person is one of the exam's audience (one query)."""
    return bool(db.session.scalar(_IN_AUDIENCE, {"exam_id": exam.id} | _person_params(person)))


def exams_for(person: Person) -> list[Exam]:
    """The published exams whose audience includes the person, opening soonest last (generated
    practice, `Exam.hidden`, is on the practice page instead)."""
    return list(db.session.scalars(_EXAMS_FOR, _person_params(person)))


def members(exam_id: int):
    """A select of (Person, OrgUnit) for every person in the exam's audience (one correlated query).

    The caller adds its own conditions (a scope on `OrgUnit.path`, an order).
    """
    row_unit = aliased(OrgUnit)
    matching = (select(ExamAudience.id).outerjoin(row_unit, row_unit.id == ExamAudience.unit_id)
                .where(ExamAudience.exam_id == exam_id,
                       or_(ExamAudience.person_id == Person.id,
                           and_(ExamAudience.unit_id.is_(None), ExamAudience.post_id == Person.post_id),
                           and_(OrgUnit.path.startswith(row_unit.path),
                                or_(ExamAudience.post_id.is_(None), ExamAudience.post_id == Person.post_id)))))
    return select(Person, OrgUnit).join(OrgUnit, OrgUnit.id == Person.unit_id).where(exists(matching))


def overlaps(scope: Scope):
    """SQL condition on `Exam`: some audience row reaches into the scope (an admin's exams to watch).

    A unit row overlaps when it lies inside the scope or the scope inside it; a person row when the
    person's unit is inside; a post row when someone in the scope holds the post.
    """
    if scope.is_global:
        return exists().where(ExamAudience.exam_id == Exam.id)
    if not scope.paths:
        return literal(False)
    row_unit, person_unit = aliased(OrgUnit), aliased(OrgUnit)
    unit_overlap = or_(scope.clause(row_unit.path),
                       *(literal(path).startswith(row_unit.path) for path in scope.paths))
    post_held = exists().where(Person.post_id == ExamAudience.post_id, Person.unit_id == person_unit.id,
                               scope.clause(person_unit.path))
    person_inside = exists().where(Person.id == ExamAudience.person_id, Person.unit_id == person_unit.id,
                                   scope.clause(person_unit.path))
    return exists(select(ExamAudience.id).outerjoin(row_unit, row_unit.id == ExamAudience.unit_id)
                  .where(ExamAudience.exam_id == Exam.id,
                         or_(and_(ExamAudience.unit_id.is_not(None), unit_overlap),
                             and_(ExamAudience.unit_id.is_(None), ExamAudience.post_id.is_not(None), post_held),
                             and_(ExamAudience.person_id.is_not(None), person_inside))))
