"""要求完成摸底测试: an admin requires the people of a unit (its subtree), of one post or all, to finish
a diagnostic by a due date.

Scope as everywhere: the unit must lie in the admin's scope (404 otherwise), the list shows only
requirements over the scope's units. Each creation and withdrawal is audited in its transaction.
A person's requirement is met by a diagnostic finished after it was made; `due_for` gives the
earliest unmet one (for the home page and the offer), overdue once its date has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from app.audit import record
from app.auth.scope import Scope
from app.errors import NotFound, Unprocessable
from app.extensions import db
from app.models import (
    Attempt,
    Diagnostic,
    DiagnosticRequirement,
    OrgUnit,
    Person,
    Post,
    Syllabus,
    SyllabusTarget,
)
from app.models.exams import AttemptState
from app.models.people import PersonStatus
from app.trees import ancestor_ids

NOT_FOUND = "要求不存在或不在您的管理范围内。"


@dataclass(frozen=True)
class Due:
    due_on: date
    overdue: bool
    unit_name: str


def due_for(person: Person, *, today: date) -> Due | None:
    """The earliest requirement on the person not yet met by a finished diagnostic (two statements)."""
    finished = db.session.scalar(select(func.max(Diagnostic.finished_at)).where(Diagnostic.person_id == person.id))
    query = (select(DiagnosticRequirement).where(
        DiagnosticRequirement.unit_id.in_(ancestor_ids(person.unit.path)),
        or_(DiagnosticRequirement.post_id.is_(None), DiagnosticRequirement.post_id == person.post_id))
        .order_by(DiagnosticRequirement.due_on, DiagnosticRequirement.id))
    if finished is not None:
        query = query.where(DiagnosticRequirement.created_at > finished)
    first = db.session.scalars(query.limit(1)).first()
    if first is None:
        return None
    return Due(first.due_on, first.due_on < today, first.unit.name)


def card_facts(person: Person) -> tuple:
    """Scalar subqueries for the home page's card: the person's last finished diagnostic, whether one is
    in progress, whether their post's syllabus sets targets, the earliest unmet requirement's date."""
    finished = select(func.max(Diagnostic.finished_at)).where(Diagnostic.person_id == person.id).scalar_subquery()
    started = select(Diagnostic.id).join(Attempt, Attempt.exam_id == Diagnostic.exam_id).where(
        Diagnostic.person_id == person.id, Diagnostic.finished_at.is_(None),
        Attempt.state == AttemptState.IN_PROGRESS).exists()
    targets = select(SyllabusTarget.competency_id).join(Syllabus, Syllabus.id == SyllabusTarget.syllabus_id).where(
        Syllabus.post_id == person.post_id, Syllabus.active).exists()
    due = select(func.min(DiagnosticRequirement.due_on)).where(
        DiagnosticRequirement.unit_id.in_(ancestor_ids(person.unit.path)),
        or_(DiagnosticRequirement.post_id.is_(None), DiagnosticRequirement.post_id == person.post_id),
        or_(finished.is_(None), DiagnosticRequirement.created_at > finished)).scalar_subquery()
    return finished, started, targets, due


@dataclass(frozen=True)
class RequirementRow:
    requirement: DiagnosticRequirement
    people: int  # people it applies to now
    done: int  # of them, those who finished a diagnostic since it was made


def listing(scope: Scope) -> list[RequirementRow]:
    """The requirements over the scope's units, soonest due first, with how many have done it."""
    requirements = list(db.session.scalars(
        select(DiagnosticRequirement).join(OrgUnit, OrgUnit.id == DiagnosticRequirement.unit_id)
        .where(scope.clause(OrgUnit.path)).order_by(DiagnosticRequirement.due_on, DiagnosticRequirement.id)))
    rows = []
    for requirement in requirements:  # an admin's requirements are few; two counts each
        people = (select(Person.id).join(OrgUnit, OrgUnit.id == Person.unit_id)
                  .where(OrgUnit.path.startswith(requirement.unit.path, autoescape=True), Person.status == PersonStatus.ACTIVE))
        if requirement.post_id is not None:
            people = people.where(Person.post_id == requirement.post_id)
        total = db.session.scalar(select(func.count()).select_from(people.subquery()))
        done = db.session.scalar(select(func.count(func.distinct(Diagnostic.person_id))).where(
            Diagnostic.person_id.in_(people), Diagnostic.finished_at >= requirement.created_at))
        rows.append(RequirementRow(requirement, total, done))
    return rows


def create(actor_id: int, scope: Scope, unit_id: int | None, post_id: int | None, due_on: date | None, note: str,
           *, now: datetime, today: date) -> DiagnosticRequirement:
    """Require the diagnostic of a unit's people (of one post, or all) by `due_on` (commits, audited)."""
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None or not scope.covers(unit):
        raise NotFound("单位不存在或不在您的管理范围内。")
    if post_id is not None and db.session.get(Post, post_id) is None:
        raise Unprocessable("请选择岗位。")
    if due_on is None or due_on < today:
        raise Unprocessable("完成期限应为今天或以后的日期。")
    requirement = DiagnosticRequirement(unit_id=unit.id, post_id=post_id, due_on=due_on, note=(note or "")[:200],
                                        created_by_id=actor_id, created_at=now)
    db.session.add(requirement)
    db.session.flush()
    record("diagnostic_require", requirement, actor_id=actor_id, unit_id=unit.id, post_id=post_id,
           due_on=due_on.isoformat())
    db.session.commit()
    return requirement


def withdraw(actor_id: int, scope: Scope, requirement_id: int) -> None:
    """Withdraw a requirement in the scope (commits, audited); 404 outside it."""
    requirement = db.session.get(DiagnosticRequirement, requirement_id)
    if requirement is None or not scope.covers(requirement.unit):
        raise NotFound(NOT_FOUND)
    record("diagnostic_require_withdraw", requirement, actor_id=actor_id, unit_id=requirement.unit_id,
           post_id=requirement.post_id, due_on=requirement.due_on.isoformat())
    db.session.delete(requirement)
    db.session.commit()
