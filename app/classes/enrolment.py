"""Enrolling people in a class by unit subtree, post or staff numbers (only people in scope)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.audit import record
from app.auth.scope import Scope
from app.classes.services import ensure_editable, get_class
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import Attendance, ClassSession, Enrollment
from app.org.people import select_people
from app.org.services import post_options, unit_options


@dataclass(frozen=True)
class EnrolResult:
    """How an enrolment request went."""

    added: int
    already: int
    not_found: list[str]


def split_staff_nos(text: str | None) -> list[str]:
    """Split a pasted list of staff numbers (lines, commas, spaces) and drop duplicates."""
    return list(dict.fromkeys(s for s in re.split(r"[\s,，、;；]+", text or "") if s))


def enrol(actor_id: int, scope: Scope, class_id: int, *, unit_id: int | None = None,
          post_id: int | None = None, staff_nos: list[str] | None = None) -> EnrolResult:
    """Enrol the active people in scope of a unit subtree, a post, or a staff-number list."""
    klass = get_class(scope, class_id)
    ensure_editable(klass)
    staff_nos = [s.strip() for s in staff_nos or [] if s.strip()]
    if sum(map(bool, (unit_id, post_id, staff_nos))) != 1:
        raise DomainError("请只选择一种报名方式：单位、岗位或工号名单。")
    people, not_found = select_people(scope, unit_id=unit_id, post_id=post_id, staff_nos=staff_nos)
    have = set(db.session.scalars(select(Enrollment.person_id).where(
        Enrollment.class_id == klass.id, Enrollment.person_id.in_([p.id for p in people]))))
    fresh = [p for p in people if p.id not in have]
    for person in fresh:
        db.session.add(Enrollment(class_id=klass.id, person_id=person.id, created_by_id=actor_id))
    record("class_enrol", klass, actor_id=actor_id, added=len(fresh), already=len(have),
           not_found=len(not_found) or None, unit_id=unit_id, post_id=post_id)
    db.session.commit()
    return EnrolResult(added=len(fresh), already=len(have), not_found=not_found)


def form_options(scope: Scope) -> tuple[list, list]:
    """Return (unit, post) choices for the class and enrolment forms."""
    return unit_options(scope), post_options()


def withdraw(actor_id: int, scope: Scope, class_id: int, person_id: int) -> None:
    """Remove a person's enrolment; refused once they have attended (revoke attendance first)."""
    klass = get_class(scope, class_id)
    ensure_editable(klass)
    enrolment = db.session.scalar(select(Enrollment).where(
        Enrollment.class_id == klass.id, Enrollment.person_id == person_id))
    if enrolment is None:
        raise NotFound("该人员没有报名这个培训班。")
    attended = db.session.scalar(select(Attendance.id).join(ClassSession).where(
        ClassSession.class_id == klass.id, Attendance.person_id == person_id).limit(1))
    if attended:
        raise Conflict("该人员已有签到记录，不能取消报名。请先在签到名单中撤销签到。")
    record("class_withdraw", klass, actor_id=actor_id, person_id=person_id)
    db.session.delete(enrolment)
    db.session.commit()
