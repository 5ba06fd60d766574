"""What the 学时 counters hold, computed two ways: per person (for the changes `credit_tallies` counts)
and for everyone at once (`recount`). Both group the ledger lines with the same SQL (`grouped`).

A person's contribution to the counters follows from their stored state: unit, post, status, the
annual requirement of their post's active syllabus, and their lines summed per year, kind and
source group. `credit_tallies` reads it before and after a change and adds the difference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select, text
from sqlalchemy.orm import aliased

from app.extensions import db, upsertable_insert
from app.models import (
    CreditEntry,
    CreditHeadcount,
    CreditSourceTally,
    CreditStanding,
    CreditTally,
    Lesson,
    Person,
    Syllabus,
)
from app.models.curriculum import CreditKind
from app.models.people import PersonStatus

CHUNK = 2000  # ids per IN (...): below SQLite's and PostgreSQL's bound-parameter limits
COURSE = "course"
TABLES = (CreditStanding, CreditTally, CreditHeadcount, CreditSourceTally)


def grouped():
    """Every ledger line as (person, year, kind, source, ref, tenths): course and quiz credit under
    ("course", course id), any other line under (its source_type, 0); a reversal under the group of
    the line it cancels."""
    entry, original = CreditEntry, aliased(CreditEntry)
    source_type = func.coalesce(original.source_type, entry.source_type)
    source_id = func.coalesce(original.source_id, entry.source_id)
    course = case((source_type == "course", source_id), (source_type == "quiz", Lesson.course_id))
    return (select(entry.person_id.label("person_id"), entry.year.label("year"), entry.kind.label("kind"),
                   case((course.is_not(None), literal(COURSE)), else_=source_type).label("source"),
                   func.coalesce(course, 0).label("ref"), entry.tenths.label("tenths"))
            .select_from(entry).outerjoin(original, original.id == entry.reversal_of_id)
            .outerjoin(Lesson, and_(source_type == "quiz", Lesson.id == source_id)))


def target_set():
    """A condition on `Syllabus`: it sets an annual requirement."""
    return or_(Syllabus.annual_tenths > 0, Syllabus.annual_required_tenths > 0)


def met(total, required, annual, annual_required):
    """A SQL condition: the 学时 meet a requirement that is set."""
    return and_(or_(annual > 0, annual_required > 0), total >= annual, required >= annual_required)


@dataclass
class State:
    """A person as the counters see them (None for a person not stored)."""

    unit_id: int
    post_id: int
    active: bool
    annual: int
    annual_required: int
    years: dict[int, list[int]] = field(default_factory=dict)  # year → [total, required]
    sources: dict[tuple, int] = field(default_factory=dict)  # (year, source, ref) → tenths

    def meets(self, total: int, required: int) -> bool:
        return (self.annual > 0 or self.annual_required > 0) and total >= self.annual and required >= self.annual_required


def read(connection, person_ids) -> dict[int, State]:
    """Return the stored state of the people (absent ones are left out): two queries per chunk."""
    states: dict[int, State] = {}
    ids = sorted(set(person_ids))
    for chunk in [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]:
        for pid, unit_id, post_id, status, annual, annual_required in connection.execute(
                select(Person.id, Person.unit_id, func.coalesce(Person.post_id, 0), Person.status,
                       func.coalesce(Syllabus.annual_tenths, 0), func.coalesce(Syllabus.annual_required_tenths, 0))
                .outerjoin(Syllabus, and_(Syllabus.post_id == Person.post_id, Syllabus.active))
                .where(Person.id.in_(chunk))):
            states[pid] = State(unit_id, post_id, status == PersonStatus.ACTIVE, annual, annual_required)
        lines = grouped().where(CreditEntry.person_id.in_(chunk)).subquery()
        for pid, year, kind, source, ref, tenths in connection.execute(
                select(lines.c.person_id, lines.c.year, lines.c.kind, lines.c.source, lines.c.ref,
                       func.sum(lines.c.tenths))
                .group_by(lines.c.person_id, lines.c.year, lines.c.kind, lines.c.source, lines.c.ref)):
            state = states.get(pid)
            if state is None:
                continue
            tenths = int(tenths)
            sums = state.years.setdefault(year, [0, 0])
            sums[0] += tenths
            sums[1] += tenths if kind == CreditKind.REQUIRED else 0
            state.sources[year, source, ref] = state.sources.get((year, source, ref), 0) + tenths
    return states


class Delta:
    """Changes to the three tallies, summed per key, then written with one upsert per table."""

    def __init__(self) -> None:
        self.tallies: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # people, tenths, required, met
        self.heads: dict[tuple, int] = defaultdict(int)
        self.sources: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # people, tenths

    def add(self, state: State | None, sign: int) -> None:
        if state is None or not state.active:
            return
        self.heads[state.unit_id, state.post_id] += sign
        for year, (total, required) in state.years.items():
            counts = self.tallies[state.unit_id, state.post_id, year]
            for i, value in enumerate((total > 0, total, required, state.meets(total, required))):
                counts[i] += sign * int(value)
        for (year, source, ref), tenths in state.sources.items():
            counts = self.sources[state.unit_id, year, source, ref]
            counts[0] += sign * (tenths > 0)
            counts[1] += sign * tenths

    def apply(self, connection) -> None:
        """Add the changes to the stored counters; drop the rows that fell to nothing."""
        for model, keys, names, changes in (
                (CreditTally, ("unit_id", "post_id", "year"), ("people", "tenths", "required", "met"), self.tallies),
                (CreditHeadcount, ("unit_id", "post_id"), ("people",), {k: [n] for k, n in self.heads.items()}),
                (CreditSourceTally, ("unit_id", "year", "source", "ref"), ("people", "tenths"), self.sources)):
            rows = [dict(zip(keys, key, strict=True), **dict(zip(names, counts, strict=True)))
                    for key, counts in sorted(changes.items()) if any(counts)]  # sorted: one lock order
            if not rows:
                continue
            table = model.__table__
            into = upsertable_insert(table, connection.dialect.name)
            connection.execute(into.on_conflict_do_update(
                index_elements=list(keys), set_={name: table.c[name] + into.excluded[name] for name in names}), rows)
            if emptied := {row["unit_id"] for row in rows if any(row[name] < 0 for name in names)}:
                connection.execute(delete(table).where(table.c.unit_id.in_(emptied),
                                                       *(table.c[name] == 0 for name in names)))


def write_standing(connection, before: dict[int, State], after: dict[int, State]) -> None:
    """Store the people's yearly sums as they are now (deleted people's rows went with them)."""
    gone, rows = [], []
    for pid, state in after.items():
        old = before.get(pid)
        old_years = old.years if old is not None else {}
        gone += [(pid, year) for year in old_years if year not in state.years]
        rows += [dict(person_id=pid, year=year, total=sums[0], required=sums[1])
                 for year, sums in sorted(state.years.items()) if old_years.get(year) != sums]
    if rows:
        table = CreditStanding.__table__
        into = upsertable_insert(table, connection.dialect.name)
        connection.execute(into.on_conflict_do_update(
            index_elements=["person_id", "year"], set_={"total": into.excluded.total,
                                                        "required": into.excluded.required}), rows)
    for pid, year in gone:
        connection.execute(delete(CreditStanding).where(CreditStanding.person_id == pid, CreditStanding.year == year))


def _tally_select(posts=None):
    """(unit, post, year, people, tenths, required, met) summed from the standings of active people."""
    standing = CreditStanding
    post = func.coalesce(Person.post_id, 0)
    meets = met(standing.total, standing.required, Syllabus.annual_tenths, Syllabus.annual_required_tenths)
    sums = (func.sum(case((standing.total > 0, 1), else_=0)), func.sum(standing.total), func.sum(standing.required),
            func.sum(case((meets, 1), else_=0)))
    query = (select(Person.unit_id, post, standing.year, *sums)
             .select_from(standing).join(Person, Person.id == standing.person_id)
             .outerjoin(Syllabus, and_(Syllabus.post_id == Person.post_id, Syllabus.active))
             .where(Person.status == PersonStatus.ACTIVE).group_by(Person.unit_id, post, standing.year)
             .having(or_(*(total != 0 for total in sums))))  # as the kept counters: no row of zeros
    return query.where(Person.post_id.in_(posts)) if posts is not None else query


_TALLY_COLUMNS = ["unit_id", "post_id", "year", "people", "tenths", "required", "met"]


def recount_posts(connection, post_ids) -> None:
    """Rebuild the tallies of some posts from the standings (their annual requirement changed)."""
    post_ids = sorted(set(post_ids) - {0})
    if post_ids:
        connection.execute(delete(CreditTally).where(CreditTally.post_id.in_(post_ids)))
        connection.execute(insert(CreditTally).from_select(_TALLY_COLUMNS, _tally_select(post_ids)))


def recount() -> int:
    """Rebuild the standings and the three tallies from the ledger and the people, and commit;
    return how many ledger lines were counted. Idempotent; the same SQL as migration 0030 leaves to it."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE credit_standing, credit_tally, credit_headcount, credit_source_tally "
                             "IN EXCLUSIVE MODE"))
    for model in TABLES:
        session.execute(delete(model))
    entry = CreditEntry
    required = func.sum(case((entry.kind == CreditKind.REQUIRED, entry.tenths), else_=0))
    session.execute(insert(CreditStanding).from_select(
        ["person_id", "year", "total", "required"],
        select(entry.person_id, entry.year, func.sum(entry.tenths), required).group_by(entry.person_id, entry.year)))
    session.execute(insert(CreditTally).from_select(_TALLY_COLUMNS, _tally_select()))
    post = func.coalesce(Person.post_id, 0)
    session.execute(insert(CreditHeadcount).from_select(
        ["unit_id", "post_id", "people"],
        select(Person.unit_id, post, func.count()).where(Person.status == PersonStatus.ACTIVE)
        .group_by(Person.unit_id, post)))
    lines = grouped().subquery()
    per_person = (select(lines.c.person_id, lines.c.year, lines.c.source, lines.c.ref,
                         func.sum(lines.c.tenths).label("tenths"))
                  .group_by(lines.c.person_id, lines.c.year, lines.c.source, lines.c.ref).subquery())
    people, tenths = func.sum(case((per_person.c.tenths > 0, 1), else_=0)), func.sum(per_person.c.tenths)
    session.execute(insert(CreditSourceTally).from_select(
        ["unit_id", "year", "source", "ref", "people", "tenths"],
        select(Person.unit_id, per_person.c.year, per_person.c.source, per_person.c.ref, people, tenths)
        .join(Person, Person.id == per_person.c.person_id).where(Person.status == PersonStatus.ACTIVE)
        .group_by(Person.unit_id, per_person.c.year, per_person.c.source, per_person.c.ref)
        .having(or_(people != 0, tenths != 0))))
    counted = session.scalar(select(func.count()).select_from(entry))
    session.commit()
    return counted
