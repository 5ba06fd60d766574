"""Who may read whose 能力画像: the person themself, an admin whose scope holds the person, and the
person's mentors (导师, 包联). Anyone else gets 404, as everywhere (auth/scope.py)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.scope import scope_of
from app.errors import NotFound
from app.extensions import db
from app.models import MentorLink, Person, RoleGrant
from app.models.people import Role


def person_to_view(viewer_id: int, grants: list[RoleGrant], person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is not None and (person.id == viewer_id or scope_of(grants, Role.ADMIN).covers(person.unit)
                               or _mentors(viewer_id, person.id)):
        return person
    raise NotFound("人员不存在或不在您的管理范围内。")


def _mentors(viewer_id: int, person_id: int) -> bool:
    return db.session.scalar(select(MentorLink.id).where(
        MentorLink.mentor_id == viewer_id, MentorLink.mentee_id == person_id).limit(1)) is not None
