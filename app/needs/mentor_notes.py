"""谈心谈话记录: dated notes a mentor (导师, 包联) or an admin writes about a person.

Who: the person's mentors (a `MentorLink` to them) and admins whose scope holds the person read
and write them; nobody else — not other trainees, not the person themself — sees they exist (404).
Every note is audited (`mentor_note_add`). Listed newest talk first, paginated.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app import clock
from app.audit import record
from app.auth.scope import scope_of
from app.errors import NotFound, Unprocessable
from app.extensions import db
from app.models import MentorLink, MentorNote, Person, RoleGrant
from app.models.people import Role
from app.needs.forms import NOTE_MAX

NOT_FOUND = "人员不存在或不在您的管理范围内。"


def may_write_notes(viewer_id: int, grants: list[RoleGrant], person: Person) -> bool:
    """A mentor of the person, or an admin whose scope holds them (never the person themself)."""
    if person.id == viewer_id:
        return False
    if scope_of(grants, Role.ADMIN).covers(person.unit):
        return True
    return db.session.scalar(select(MentorLink.id).where(
        MentorLink.mentor_id == viewer_id, MentorLink.mentee_id == person.id).limit(1)) is not None


def person_for_notes(viewer_id: int, grants: list[RoleGrant], person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not may_write_notes(viewer_id, grants, person):
        raise NotFound(NOT_FOUND)
    return person


def notes_page(person_id: int, *, page: int, per_page: int):
    query = (select(MentorNote).where(MentorNote.person_id == person_id)
             .order_by(MentorNote.talked_on.desc(), MentorNote.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def add_note(viewer_id: int, grants: list[RoleGrant], person_id: int, talked_on: date, text: str,
             *, now: datetime) -> MentorNote:
    """Record a note about the person (404 outside who may; 422 for an empty or future talk); commits."""
    person = person_for_notes(viewer_id, grants, person_id)
    text = (text or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise Unprocessable(f"请填写谈话内容（不超过 {NOTE_MAX} 字）。")
    if talked_on > clock.local_date(now):
        raise Unprocessable("谈话日期不能晚于今天。")
    note = MentorNote(person_id=person.id, author_id=viewer_id, talked_on=talked_on, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    record("mentor_note_add", note, actor_id=viewer_id, person_id=person.id, talked_on=talked_on.isoformat())
    db.session.commit()
    return note
