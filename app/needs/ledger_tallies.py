"""三本台账 counters: each person's standing against their post's targets, and its sums per unit.

`NeedGap` holds one row per active person and target competency of their post's active syllabus
(unit, post, target level, gap of the stored estimate: None 待评估, 0 met, n levels short);
`NeedTally` sums them per unit, post and competency (people, below target, 待评估, levels short).
The organisation and post ledgers add up tallies by unit path, so they cost the same for 1,000 or
100,000 people (as 培训完成情况 over `study/tallies.py`).

One rule keeps both: `refresh(person_ids)` reads the people as they are now (unit, post, status,
their syllabus's targets, their stored mastery) and their `NeedGap` rows as stored, writes the
difference to the rows and adds it to the tallies. It only flushes, and a repeat changes nothing,
so it is called in the transaction of every change that moves a gap:

- a mastery update or rebuild (`needs.updates`, same transaction);
- a person joining, edited (unit, post, 离岗) (`receivers`: `person_joined`, `person_updated`);
- a syllabus's targets changing (`receivers`: `syllabi_changed`, every person of those posts).

The gap is that of the estimate stored with the last evidence (`CompetencyMastery.level` and
`ceiling`, through `question_bank.mastery.gap`); the 能力画像 ages it to today, so its confidence can
fall between two answers while the ledgers keep the last decided standing.
`recount()` (`flask needs recount`) rebuilds both tables from the sources, a chunk of people at a time.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from sqlalchemy import and_, delete, insert, or_, select, text, update

from app.extensions import db, upsertable_insert
from app.models import CompetencyMastery, NeedGap, NeedTally, Person, Syllabus, SyllabusTarget
from app.models.people import PersonStatus
from question_bank import mastery

CHUNK = 2000  # people per round: below SQLite's and PostgreSQL's bound-parameter limits
_FIELDS = ("people", "below", "unknown", "gap_sum")


def gap_of(target: int, level: int | None, ceiling: int | None) -> int | None:
    """The gap of a stored estimate (`mastery.gap` reads only its level and ceiling)."""
    return mastery.gap(target, SimpleNamespace(level=level, ceiling=ceiling))


def chunks(ids) -> list[list[int]]:
    ids = sorted(set(ids))
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _current(person_ids: list[int]) -> dict[tuple[int, int], tuple[int, int, int, int | None]]:
    """(person, competency) → (unit, post, target, gap) for the active people's targets now (one query)."""
    query = (select(Person.id, Person.unit_id, Person.post_id, SyllabusTarget.competency_id, SyllabusTarget.level,
                    CompetencyMastery.level, CompetencyMastery.ceiling)
             .join(Syllabus, and_(Syllabus.post_id == Person.post_id, Syllabus.active))
             .join(SyllabusTarget, SyllabusTarget.syllabus_id == Syllabus.id)
             .outerjoin(CompetencyMastery, and_(CompetencyMastery.person_id == Person.id,
                                                CompetencyMastery.competency_id == SyllabusTarget.competency_id))
             .where(Person.id.in_(person_ids), Person.status == PersonStatus.ACTIVE))
    return {(pid, cid): (unit_id, post_id, int(target), gap_of(int(target), level, ceiling))
            for pid, unit_id, post_id, cid, target, level, ceiling in db.session.execute(query)}


def _stored(person_ids: list[int]) -> dict[tuple[int, int], tuple[int, int, int, int | None]]:
    return {(pid, cid): (unit_id, post_id, target, gap) for pid, cid, unit_id, post_id, target, gap in
            db.session.execute(select(NeedGap.person_id, NeedGap.competency_id, NeedGap.unit_id, NeedGap.post_id,
                                      NeedGap.target, NeedGap.gap).where(NeedGap.person_id.in_(person_ids)))}


class Delta:
    """Changes to the tallies per (unit, post, competency), written with one upsert."""

    def __init__(self) -> None:
        self.counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def add(self, cid: int, row: tuple[int, int, int, int | None], sign: int) -> None:
        unit_id, post_id, _target, gap = row
        counts = self.counts[unit_id, post_id, cid]
        counts[0] += sign
        counts[1] += sign * bool(gap)
        counts[2] += sign * (gap is None)
        counts[3] += sign * (gap or 0)

    def apply(self) -> None:
        rows = [dict(unit_id=k[0], post_id=k[1], competency_id=k[2], **dict(zip(_FIELDS, c, strict=True)))
                for k, c in sorted(self.counts.items()) if any(c)]  # sorted: one lock order
        if not rows:
            return
        db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)
        if emptied := {row["unit_id"] for row in rows if row["people"] < 0}:
            db.session.execute(delete(NeedTally).where(NeedTally.unit_id.in_(emptied), NeedTally.people == 0))


_UPSERTS: dict[str, object] = {}


def _upsert(dialect_name: str):
    if dialect_name not in _UPSERTS:
        table = NeedTally.__table__
        into = upsertable_insert(table, dialect_name)
        _UPSERTS[dialect_name] = into.on_conflict_do_update(
            index_elements=["unit_id", "post_id", "competency_id"],
            set_={name: table.c[name] + into.excluded[name] for name in _FIELDS})
    return _UPSERTS[dialect_name]


def refresh(person_ids) -> int:
    """Bring the people's `NeedGap` rows and the tallies in step with them (flushes; the caller
    commits). A fixed number of statements per 2,000 people; returns how many rows changed."""
    changed = 0
    for chunk in chunks(person_ids):
        before, now = _stored(chunk), _current(chunk)
        delta, gone, new, moved = Delta(), [], [], []
        for key, row in before.items():
            if now.get(key) != row:
                delta.add(key[1], row, -1)
                (moved if key in now else gone).append(key)
        for key, row in now.items():
            if before.get(key) != row:
                delta.add(key[1], row, +1)
                if key not in before:
                    new.append(key)
        if gone:
            db.session.execute(delete(NeedGap).where(_pairs(gone)))
        if new:
            db.session.execute(insert(NeedGap), [_values(key, now[key]) for key in new])
        if moved:
            db.session.execute(update(NeedGap), [_values(key, now[key]) for key in moved])
        delta.apply()
        changed += len(gone) + len(new) + len(moved)
    return changed


def _pairs(keys: list[tuple[int, int]]):
    """A condition selecting these (person, competency) rows: per person, their competencies."""
    by_person: dict[int, list[int]] = defaultdict(list)
    for pid, cid in keys:
        by_person[pid].append(cid)
    return or_(*(and_(NeedGap.person_id == pid, NeedGap.competency_id.in_(cids)) for pid, cids in by_person.items()))


def _values(key: tuple[int, int], row: tuple[int, int, int, int | None]) -> dict:
    unit_id, post_id, target, gap = row
    return dict(person_id=key[0], competency_id=key[1], unit_id=unit_id, post_id=post_id, target=target, gap=gap)


def people_of_posts(post_ids) -> list[int]:
    return list(db.session.scalars(select(Person.id).where(Person.post_id.in_(list(post_ids))).order_by(Person.id)))


def recount() -> int:
    """Rebuild both tables from the people, syllabi and mastery (`flask needs recount`) in one
    transaction (the caller commits), a chunk of people at a time; idempotent. Returns how many people have targets."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE need_gap, need_tally IN EXCLUSIVE MODE"))
    db.session.execute(delete(NeedTally))
    db.session.execute(delete(NeedGap))
    people = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    counted = set()
    for chunk in chunks(people):
        now, delta = _current(chunk), Delta()
        for key, row in now.items():
            delta.add(key[1], row, +1)
            counted.add(key[0])
        if now:
            db.session.execute(insert(NeedGap), [_values(key, row) for key, row in now.items()])
        delta.apply()
    return len(counted)
