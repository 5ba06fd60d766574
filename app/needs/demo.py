"""The demo's diagnostics (摸底测试), through the services, after the exams' demo.

A few generated trainees per post with targets took it in the past weeks (seeded by their staff
number, so two loads give the same answers); the demo logins have not, so fj001 can try it as a new
user; sq001's unit is required by its admin to take it within days (the home page shows it).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock
from app.auth.scope import scope_of
from app.errors import Conflict, Unprocessable
from app.exams import diagnostic as running
from app.exams.demo import LOGINS, response_for
from app.extensions import db
from app.models import DiagnosticRequirement, Person, Syllabus, SyllabusTarget
from app.models.people import Role
from app.needs import diagnostic, requirements
from app.needs.evidence import settings
from question_bank import question_from_dict

PER_POST = 2
REQUIRED_BY, REQUIRED_OF, DUE_DAYS = "sq-admin", "sq001", 5


def load_diagnostics(*, now: datetime) -> int:
    """Diagnostics taken by a few trainees per post, and one requirement; returns how many were taken."""
    if db.session.scalar(select(DiagnosticRequirement.id).limit(1)) is not None:
        return 0  # loaded already
    posts = select(Syllabus.post_id).where(Syllabus.active, select(SyllabusTarget.competency_id).where(
        SyllabusTarget.syllabus_id == Syllabus.id).exists())
    people = db.session.scalars(select(Person).where(Person.post_id.in_(posts)).order_by(Person.staff_no)).all()
    taken, per_post = 0, {}
    for person in people:
        if person.staff_no in LOGINS or per_post.get(person.post_id, 0) >= PER_POST:
            continue
        per_post[person.post_id] = per_post.get(person.post_id, 0) + 1
        taken += _take(person.id, person.staff_no, now)
    _require(now)
    return taken


def _take(person_id: int, staff_no: str, now: datetime) -> int:
    rng = random.Random(f"diagnostic/{staff_no}")  # noqa: S311 - demo data, not secrets
    at = now - timedelta(days=rng.randrange(3, 20), hours=rng.randrange(1, 8))
    ability = 0.35 + 0.6 * rng.random()
    try:
        started = diagnostic.start(db.session.get(Person, person_id), now=at, seed=rng.randrange(2**62))
    except (Conflict, Unprocessable):  # a post whose competencies have no questions: nothing to take
        db.session.rollback()
        return 0
    diagnostic_id = started.id
    for step in range(100):
        page = running.current(diagnostic_id, person_id, settings=settings(), now=at + timedelta(seconds=45 * step))
        if page.item is None:
            break
        response = response_for(question_from_dict(page.data), rng.random() < ability, rng)
        running.answer(diagnostic_id, person_id, page.item.slot, response, settings=settings(),
                       now=at + timedelta(seconds=45 * (step + 1)))
    return 1


def _require(now: datetime) -> None:
    admin = db.session.scalar(select(Person).where(Person.staff_no == REQUIRED_BY))
    trainee = db.session.scalar(select(Person).where(Person.staff_no == REQUIRED_OF))
    if admin is None or trainee is None:
        return
    today = clock.local_date(now)
    requirements.create(admin.id, scope_of(admin.roles, Role.ADMIN), trainee.unit_id, None,
                        today + timedelta(days=DUE_DAYS), "新一年度岗位能力摸底", now=now - timedelta(days=2),
                        today=today - timedelta(days=2))
