"""培训完成情况's 学时 counters (`app/models/credits.py`), kept in the transaction of every change.

Every write that moves them comes one of three ways:

1. Through the ORM session: the hooks here (`init_app`) notice a new, changed or deleted
   `CreditEntry`, a person added, deleted or whose unit, post or status changed, and a syllabus
   whose annual requirement, post or activity changed (the content sync). Before the flush they read
   the affected people's state as stored (`credit_state.read`), after it the same again, store their
   yearly sums and add the difference to the tallies; a syllabus change rebuilds its post's tallies
   from the stored sums (`credit_state.recount_posts`): one rule for every change.
2. `ledger.add_entry` (an INSERT … ON CONFLICT DO NOTHING through the session) runs inside
   `kept(person_id)`, which does the same around it.
3. Any other bulk write through the session (INSERT/UPDATE/DELETE on ledger lines or syllabi, an
   UPDATE of people's unit, post or status, a DELETE of people, a text statement writing ledger
   lines) is refused by `guard` with `UntalliedCredits`, unless it carries `RECOUNT` and its caller
   runs `credit_state.recount` afterwards (bulk loads). Bulk INSERTs of people are not refused (the
   benches load people that way); they too are followed by a recount.

On PostgreSQL each writer locks the affected people's rows first (FOR UPDATE, in id order).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.models import CreditEntry, Person, Syllabus
from app.study import credit_state
from app.study.tally_guard import is_untallied, sets_columns

CREDITS = "credit_tallies"  # the execution option that lets a write pass the guard
KEPT = {CREDITS: "kept"}  # "counted by `kept`"
RECOUNT = {CREDITS: "recount"}  # "the caller runs credit_state.recount afterwards"
_BEFORE = "credit_tallies_before"
_PERSON_FIELDS = ("unit_id", "unit", "post_id", "post", "status")
_SYLLABUS_FIELDS = ("annual_tenths", "annual_required_tenths", "active", "post_id")
_WRITES_LINES = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+[\"`]?credit_entry\b", re.I)


class UntalliedCredits(RuntimeError):
    """A write that would leave the 学时 counters wrong (a programming error)."""


def _lock(connection, person_ids) -> None:
    if connection.dialect.name == "postgresql":
        ids = sorted(person_ids)
        for chunk in [ids[i:i + credit_state.CHUNK] for i in range(0, len(ids), credit_state.CHUNK)]:
            connection.execute(select(Person.id).where(Person.id.in_(chunk)).order_by(Person.id).with_for_update())


def _changed(state, names) -> bool:
    return any(state.attrs[name].history.has_changes() for name in names)


def _entry_people(state) -> set:
    person = state.dict.get("person")
    identity = inspect(person).identity if person is not None else None
    return {state.dict.get("person_id"), identity[0] if identity else None}


def _touched(session: Session) -> tuple[bool, set, set, set]:
    """Return (whether the flush concerns the counters, people, stored ledger line ids, posts whose
    requirement changed)."""
    people, lines, posts = set(), set(), set()
    concerned = any(isinstance(obj, Person) for obj in session.new)  # counted after the flush, once it has an id
    for obj in session.new:
        if isinstance(obj, CreditEntry):
            people |= _entry_people(inspect(obj))
        elif isinstance(obj, Syllabus):
            posts.add(obj.post_id)
    for obj in session.dirty:
        _dirty(obj, inspect(obj), people, lines, posts)
    for obj in session.deleted:
        if isinstance(obj, CreditEntry):
            lines.add(inspect(obj).identity[0])
        elif isinstance(obj, Person):
            people.add(inspect(obj).identity[0])
        elif isinstance(obj, Syllabus):
            posts.add(obj.post_id)
    people.discard(None)
    posts.discard(None)
    return concerned or bool(people or lines or posts), people, lines, posts


def _dirty(obj, state, people: set, lines: set, posts: set) -> None:
    if isinstance(obj, CreditEntry):
        people |= _entry_people(state)
        lines.add(state.identity[0])
    elif isinstance(obj, Person) and _changed(state, _PERSON_FIELDS):
        people.add(state.identity[0])
    elif isinstance(obj, Syllabus) and _changed(state, _SYLLABUS_FIELDS):
        posts.update((*state.attrs.post_id.history.deleted, obj.post_id))


def _before_flush(session: Session, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)
    concerned, people, lines, posts = _touched(session)
    if not concerned:
        return
    connection = session.connection()
    if lines:
        people.update(connection.execute(select(CreditEntry.person_id).where(CreditEntry.id.in_(sorted(lines))))
                      .scalars())
    _lock(connection, people)
    session.info[_BEFORE] = (people, credit_state.read(connection, people), posts)


def _after_flush(session: Session, _context) -> None:
    before = session.info.pop(_BEFORE, None)
    if before is None:
        return
    people, states, posts = before
    people = people | {obj.person_id for obj in session.new if isinstance(obj, CreditEntry)}
    people |= {obj.id for obj in session.new if isinstance(obj, Person)}
    _count(session.connection(), states, people, posts)


def _count(connection, before: dict, people, posts=()) -> None:
    after = credit_state.read(connection, people)
    credit_state.write_standing(connection, before, after)
    delta = credit_state.Delta()
    for pid in people:
        delta.add(before.get(pid), -1)
        delta.add(after.get(pid), +1)
    delta.apply(connection)
    credit_state.recount_posts(connection, posts)


@contextmanager
def kept(person_id: int):
    """Count what the block writes to the person's ledger through the session (ledger.add_entry)."""
    db.session.flush()  # pending changes are counted by the hooks, not read here as if stored
    connection = db.session.connection()
    _lock(connection, [person_id])
    before = credit_state.read(connection, [person_id])
    yield
    _count(connection, before, [person_id])


def _credits_wrong(name: str, state: ORMExecuteState) -> bool:
    return (name in ("credit_entry", "syllabus") or (name == "person" and state.is_delete)
            or (name == "person" and state.is_update and sets_columns(state, {"unit_id", "post_id", "status"})))


def guard(state: ORMExecuteState) -> None:
    """Refuse a bulk statement that would move the 学时 counters behind their back."""
    if is_untallied(state, CREDITS, _WRITES_LINES, _credits_wrong):
        raise UntalliedCredits("Write 学时 lines, syllabi and people's unit, post or status through the ORM "
                               "session or ledger.add_entry, or pass execution_options(**credit_tallies.RECOUNT) "
                               "and call credit_state.recount() afterwards: the 学时 counters would be wrong.")


def init_app(_app: Flask) -> None:
    """Hook the counters into every ORM session (once per process: the hooks keep no app state)."""
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush),
                       ("do_orm_execute", guard)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
