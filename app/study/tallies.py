"""培训完成情况 counters, kept in step with every change to assignments in the same transaction.

`AssignmentTally` counts the assignments of each unit's people per year, course and due date
(total, done, started and not done), `AssignmentPeopleTally` the people of each unit with an
assignment of a year. The overview and the assignment list's totals sum them (`count_expression`)
instead of reading assignment rows, so they cost the same for 1,000 or 100,000 people. This module
is the only writer of both tables and of assignments in bulk; every write comes in one of three ways:

1. Changes through the ORM session are counted by the session hooks here (`init_app`): a new,
   edited or deleted `Assignment` (its due date, course, person, start or completion), a person
   whose unit changed, a deleted person or course. Before the flush they read the affected
   people's assignments as stored, with their units, after it the same again, and add the
   difference: one rule for every change, so services simply use the ORM and commit.
2. Bulk UPDATEs of assignments go through `mark_started` / `mark_completed`, which UPDATE ...
   RETURNING the rows they changed and count exactly those.
3. Any other write through the session (a bulk INSERT/UPDATE/DELETE or text statement on
   assignments, a bulk change of people's units) is refused by `tally_guard.guard`, unless it
   carries the execution option `RECOUNT` and its caller runs `recount` afterwards (bulk loads).

`recount` (`flask study recount`; the same SQL, frozen, in migration 0012) rebuilds both tables
from the rows. On PostgreSQL each writer first locks the affected people's rows (FOR UPDATE), so
concurrent changes to one person's assignments and unit are counted one after the other; SQLite's
write transactions are serial anyway.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from flask import Flask
from sqlalchemy import (
    and_,
    case,
    delete,
    distinct,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.extensions import db, upsertable_insert
from app.models import Assignment, AssignmentPeopleTally, AssignmentTally, Course, Person
from app.models.study import AssignmentStatus
from app.study.tally_guard import RECOUNT, TALLIES, UntalliedWrite, guard

__all__ = ["RECOUNT", "UntalliedWrite", "count_expression", "init_app", "mark_completed", "mark_started",
           "recount"]

_KEPT = {TALLIES: "kept", "synchronize_session": False}
_BEFORE = "assignment_tallies_before"  # session.info: what a flush found before it wrote
_CHUNK = 2000  # ids per IN (...): below SQLite's and PostgreSQL's bound-parameter limits
_ROW = (Assignment.person_id, Person.unit_id, Assignment.year, Assignment.course_id, Assignment.due_on,
        Assignment.started_at, Assignment.completed_at)


class Delta:
    """Changes to the counters, summed per key, then written with one upsert per table."""

    def __init__(self) -> None:
        self.counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.people: Counter = Counter()

    def add(self, key: tuple, *, total: int = 0, done: int = 0, started: int = 0) -> None:
        counts = self.counts[key]
        counts[0], counts[1], counts[2] = counts[0] + total, counts[1] + done, counts[2] + started

    def add_rows(self, rows, sign: int) -> None:
        """Count (person, unit, year, course, due_on, started_at, completed_at) rows, with a sign."""
        present = set()
        for person_id, unit_id, year, course_id, due_on, started_at, completed_at in rows:
            done = completed_at is not None
            self.add((unit_id, year, course_id, due_on), total=sign, done=sign * done,
                     started=sign * (started_at is not None and not done))
            present.add((person_id, unit_id, year))
        for _person_id, unit_id, year in present:
            self.people[unit_id, year] += sign

    def apply(self, connection) -> None:
        """Add the changes to the stored counters; drop the rows that fell to zero."""
        counts = [dict(unit_id=k[0], year=k[1], course_id=k[2], due_on=k[3], total=c[0], done=c[1], started=c[2])
                  for k, c in sorted(self.counts.items()) if any(c)]  # sorted: one lock order
        people = [dict(unit_id=k[0], year=k[1], people=n) for k, n in sorted(self.people.items()) if n]
        counts_upsert, people_upsert = _upserts(connection.dialect.name)
        if counts:
            connection.execute(counts_upsert, counts)
        if people:
            connection.execute(people_upsert, people)
        if emptied := {row["unit_id"] for row in counts if row["total"] < 0}:
            table = AssignmentTally.__table__
            connection.execute(delete(table).where(table.c.unit_id.in_(emptied), table.c.total == 0))
        if emptied := {row["unit_id"] for row in people if row["people"] < 0}:
            table = AssignmentPeopleTally.__table__
            connection.execute(delete(table).where(table.c.unit_id.in_(emptied), table.c.people == 0))


_UPSERTS: dict[str, tuple] = {}


def _upserts(dialect_name: str) -> tuple:
    """Return the two upserts that add to the counters (built once per dialect)."""
    if dialect_name not in _UPSERTS:
        counts, people = AssignmentTally.__table__, AssignmentPeopleTally.__table__
        into_counts, into_people = upsertable_insert(counts, dialect_name), upsertable_insert(people, dialect_name)
        _UPSERTS[dialect_name] = (
            into_counts.on_conflict_do_update(
                index_elements=["unit_id", "year", "course_id", "due_on"],
                set_={name: counts.c[name] + into_counts.excluded[name] for name in ("total", "done", "started")}),
            into_people.on_conflict_do_update(
                index_elements=["unit_id", "year"], set_={"people": people.c.people + into_people.excluded.people}),
        )
    return _UPSERTS[dialect_name]


def _chunks(ids) -> list[list[int]]:
    ids = sorted(ids)
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _rows_of(connection, person_ids) -> list[tuple]:
    """Return every stored assignment of the people as (person, unit, year, course, due_on, started, completed)."""
    rows = []
    for chunk in _chunks(person_ids):
        rows += connection.execute(select(*_ROW).join(Person, Person.id == Assignment.person_id)
                                   .where(Assignment.person_id.in_(chunk))).all()
    return rows


def _lock_people(connection, person_ids) -> None:
    """On PostgreSQL, lock the people's rows (in id order) until the transaction ends."""
    if connection.dialect.name == "postgresql":
        for chunk in _chunks(person_ids):
            connection.execute(select(Person.id).where(Person.id.in_(chunk)).order_by(Person.id).with_for_update())


# --- 1. the session hooks -------------------------------------------------------------------------

def _people_of(state) -> set:
    """The people an assignment in the session may belong to: its `person_id` and its loaded
    `person`, which differ while one of them is being changed (a person not stored yet gives None)."""
    person = state.dict.get("person")
    identity = inspect(person).identity if person is not None else None
    return {state.dict.get("person_id"), identity[0] if identity else None}


def _touched(session: Session) -> tuple[bool, set, set, set]:
    """Return (whether the flush concerns the counters, people, stored assignment ids, course ids)."""
    concerned, people, stored, courses = False, set(), set(), set()
    for obj in session.new:
        if isinstance(obj, Assignment):
            concerned = True
            people |= _people_of(inspect(obj))
    for obj in session.dirty:
        state = inspect(obj)
        if isinstance(obj, Assignment):
            people |= _people_of(state)
            stored.add(state.identity[0])
        elif isinstance(obj, Person) and (state.attrs.unit_id.history.has_changes()
                                          or state.attrs.unit.history.has_changes()):
            people.add(state.identity[0])
    for obj in session.deleted:
        state = inspect(obj)
        if isinstance(obj, Assignment):
            stored.add(state.identity[0])
        elif isinstance(obj, Person):
            people.add(state.identity[0])
        elif isinstance(obj, Course):
            courses.add(state.identity[0])
    people.discard(None)
    return concerned or bool(people or stored or courses), people, stored, courses


def _before_flush(session: Session, _context, _instances) -> None:
    """Read the affected people's assignments as stored before the flush writes."""
    session.info.pop(_BEFORE, None)
    concerned, people, stored, courses = _touched(session)
    if not concerned:
        return
    connection = session.connection()
    for chunk in _chunks(stored):  # whose they were as stored (the person may be changing)
        people.update(connection.execute(select(Assignment.person_id).where(Assignment.id.in_(chunk))).scalars())
    for chunk in _chunks(courses):  # a deleted course takes its assignments with it
        people.update(connection.execute(
            select(Assignment.person_id).distinct().where(Assignment.course_id.in_(chunk))).scalars())
    _lock_people(connection, people)
    session.info[_BEFORE] = (people, _rows_of(connection, people), courses)


def _after_flush(session: Session, _context) -> None:
    """Read the same people's assignments as stored now and add the difference to the counters."""
    before = session.info.pop(_BEFORE, None)
    if before is None:
        return
    people, rows, deleted_courses = before
    # New people's assignments were not stored before; everyone else was read then.
    people = people | {obj.person_id for obj in (*session.new, *session.dirty) if isinstance(obj, Assignment)}
    connection = session.connection()
    delta = Delta()
    delta.add_rows(rows, -1)
    delta.add_rows(_rows_of(connection, people), +1)
    for key in [key for key in delta.counts if key[2] in deleted_courses]:
        del delta.counts[key]  # the database dropped those counters with the course (ON DELETE CASCADE)
    delta.apply(connection)


# --- 2. bulk updates -----------------------------------------------------------------------------

def mark_started(person_id: int, course_id: int, condition, *, now: datetime) -> int:
    """Set `started_at` on the person's unstarted assignments of the course that `condition` (on
    Assignment) selects, count them (the caller commits), and return how many."""
    return _mark(person_id, course_id, Assignment.started_at, condition, now)


def mark_completed(person_id: int, course_id: int, condition, *, now: datetime) -> int:
    """Set `completed_at` on the person's open assignments of the course that `condition` (on
    Assignment) selects, count them (the caller commits), and return how many."""
    return _mark(person_id, course_id, Assignment.completed_at, condition, now)


def _unit_of(person_id: int) -> int:
    """Return the person's unit, locking their row on PostgreSQL (SQLite renders no FOR UPDATE)."""
    return db.session.scalar(select(Person.unit_id).where(Person.id == person_id).with_for_update())


def _mark(person_id: int, course_id: int, column, condition, now: datetime) -> int:
    # On PostgreSQL the person is locked first, as the session hooks do, so the two never deadlock.
    unit_id = _unit_of(person_id) if db.session.get_bind().dialect.name == "postgresql" else None
    rows = db.session.execute(
        update(Assignment)
        .where(Assignment.person_id == person_id, Assignment.course_id == course_id, column.is_(None), condition)
        .values({column.key: now})
        .returning(Assignment.year, Assignment.due_on, Assignment.started_at, Assignment.completed_at)
        .execution_options(**_KEPT)
    ).all()
    if not rows:
        return 0
    unit_id = unit_id or _unit_of(person_id)
    delta = Delta()
    for year, due_on, started_at, completed_at in rows:
        key = (unit_id, year, course_id, due_on)
        if column is Assignment.completed_at:  # open (maybe started) → done
            delta.add(key, done=1, started=-1 if started_at is not None else 0)
        elif completed_at is None:  # not started → started; a completed one stays completed
            delta.add(key, started=1)
    delta.apply(db.session.connection())
    return len(rows)


def init_app(_app: Flask) -> None:
    """Hook the counters into every ORM session (once per process: the hooks keep no app state)."""
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush),
                       ("do_orm_execute", guard)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


# --- reading and rebuilding ----------------------------------------------------------------------

def count_expression(status: str, today: date):
    """Return what an `AssignmentTally` row holds of a status as of `today` (all for ""), for sums.

    Mirrors `Assignment.status`: completed, else overdue when due before today, else in progress
    when started, else not started.
    """
    tally = AssignmentTally
    if status == AssignmentStatus.COMPLETED:
        return tally.done
    if status == AssignmentStatus.OVERDUE:
        return case((tally.due_on < today, tally.total - tally.done), else_=0)
    if status == AssignmentStatus.IN_PROGRESS:
        return case((tally.due_on >= today, tally.started), else_=0)
    if status == AssignmentStatus.NOT_STARTED:
        return case((tally.due_on >= today, tally.total - tally.done - tally.started), else_=0)
    return tally.total


def recount() -> int:
    """Rebuild both counter tables from the assignment rows, and commit; return how many assignments
    were counted. Idempotent; safe while the app runs (writers wait for it on PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE assignment_tally, assignment_people_tally IN EXCLUSIVE MODE"))
    db.session.execute(delete(AssignmentTally))
    db.session.execute(delete(AssignmentPeopleTally))
    joined = select().select_from(Assignment).join(Person, Person.id == Assignment.person_id)
    started = func.sum(case((and_(Assignment.started_at.is_not(None), Assignment.completed_at.is_(None)), 1),
                            else_=0))
    keys = (Person.unit_id, Assignment.year, Assignment.course_id, Assignment.due_on)
    db.session.execute(insert(AssignmentTally).from_select(
        ["unit_id", "year", "course_id", "due_on", "total", "done", "started"],
        joined.add_columns(*keys, func.count(), func.count(Assignment.completed_at), started).group_by(*keys)))
    db.session.execute(insert(AssignmentPeopleTally).from_select(
        ["unit_id", "year", "people"],
        joined.add_columns(Person.unit_id, Assignment.year, func.count(distinct(Assignment.person_id)))
        .group_by(Person.unit_id, Assignment.year)))
    counted = db.session.scalar(select(func.coalesce(func.sum(AssignmentTally.total), 0)))
    db.session.commit()
    return counted
