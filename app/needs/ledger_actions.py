"""From a ledger row to training: a 培训任务 or a 培训班 for exactly the people below target in it.

The people are the row's (`person_ledger.gap_people`: the unit's subtree, the competency and the post, in
the admin's scope), read again when the admin confirms; the course is one whose lessons teach the
competency (`LessonCompetency`). The work is done by the owning areas' services
(`study.assignments.assign_course` by staff numbers, `classes.services.create_class` and
`classes.enrolment.enrol`); this module adds one `ledger_*` audit entry naming the ledger row,
written in the transaction of the assignments (the class: of the class's creation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.audit import record
from app.auth.scope import Scope
from app.classes.enrolment import EnrolResult, enrol
from app.classes.services import ClassData, create_class
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import (
    Competency,
    Course,
    Lesson,
    LessonCompetency,
    OrgUnit,
    Person,
    Post,
    TrainingClass,
)
from app.models.curriculum import CreditKind
from app.needs.ledgers import chosen_unit
from app.needs.person_ledger import gap_people
from app.org.services import unit_options
from app.study.assignments import assign_course

PREVIEW_LIMIT = 200  # people listed on the confirmation page; the count is always whole
NOBODY = "这一行没有低于要求的人员，无需补训。"


@dataclass(frozen=True)
class RowPeople:
    """A ledger row and its people below target, for the confirmation page and the actions."""

    competency: Competency
    unit: OrgUnit | None
    post: Post | None
    people: list[Person]
    courses: list[tuple[int, str]]  # active courses whose lessons teach the competency
    units: list[tuple[int, str]]  # where a class may be organised

    @property
    def shown(self) -> list[Person]:
        return self.people[:PREVIEW_LIMIT]


def courses_for(competency_id: int) -> list[tuple[int, str]]:
    """(id, title) of the active courses with an active lesson teaching the competency."""
    return list(db.session.execute(
        select(Course.id, Course.title).distinct().join(Lesson, Lesson.course_id == Course.id)
        .join(LessonCompetency, LessonCompetency.lesson_id == Lesson.id)
        .where(LessonCompetency.competency_id == competency_id, Course.active, Lesson.active)
        .order_by(Course.title)).all())


def row_people(scope: Scope, *, unit_id: int | None, competency_id: int | None,
               post_id: int | None = None) -> RowPeople:
    competency = db.session.get(Competency, competency_id) if competency_id else None
    if competency is None:
        raise NotFound("能力项不存在。")
    post = db.session.get(Post, post_id) if post_id else None
    if post_id and post is None:
        raise NotFound("岗位不存在。")
    unit = chosen_unit(scope, unit_id)
    people = gap_people(scope, unit_id=unit_id, competency_id=competency.id, post_id=post_id)
    return RowPeople(competency, unit, post, people, courses_for(competency.id), unit_options(scope))


def _described(row: RowPeople) -> dict:
    return dict(competency_id=row.competency.id, unit_id=row.unit.id if row.unit else None,
                post_id=row.post.id if row.post else None, people=len(row.people))


def assign_from_row(actor_id: int, scope: Scope, *, unit_id: int | None, competency_id: int | None,
                    post_id: int | None, course_id: int | None, due_on: date, today: date) -> tuple[int, int]:
    """Hand the course to the row's people; return (created, already had it). Commits (assign_course)."""
    row = row_people(scope, unit_id=unit_id, competency_id=competency_id, post_id=post_id)
    if not row.people:
        raise DomainError(NOBODY)
    if course_id not in {cid for cid, _title in row.courses}:
        raise DomainError("请选择讲授该能力项的课程。")
    record("ledger_assign", row.competency, actor_id=actor_id, course_id=course_id, **_described(row))
    return assign_course(actor_id, scope, course_id=course_id, due_on=due_on, today=today,
                         staff_nos=[person.staff_no for person in row.people])


def class_from_row(actor_id: int, scope: Scope, *, unit_id: int | None, competency_id: int | None,
                   post_id: int | None, title: str, class_unit_id: int | None, kind: str,
                   credit_hours: str) -> tuple[TrainingClass, EnrolResult]:
    """Create a draft class citing the competency and enrol the row's people in it (two commits:
    the class, then its enrolment, as the class pages do)."""
    row = row_people(scope, unit_id=unit_id, competency_id=competency_id, post_id=post_id)
    if not row.people:
        raise DomainError(NOBODY)
    if kind not in CreditKind.labels():
        kind = CreditKind.REQUIRED
    record("ledger_class", row.competency, actor_id=actor_id, **_described(row))
    klass = create_class(actor_id, scope, ClassData(title=title, unit_id=class_unit_id or 0, kind=kind,
                                                    credit_hours=credit_hours, competencies=row.competency.code))
    done = enrol(actor_id, scope, klass.id, staff_nos=[person.staff_no for person in row.people])
    return klass, done
