"""The 学时 ledger: yearly totals against the post's requirement, year-end carry-over, reversals.

Entries are never changed or deleted: a correction is a reversal entry with the opposite sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.audit import record
from app.auth.scope import Scope, person_in_scope
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db, upsertable_insert
from app.models import CreditEntry, Person, Syllabus
from app.models.curriculum import CreditKind
from app.study import credit_tallies, cycles
from app.study.settings import setting


@dataclass(frozen=True)
class YearCredits:
    """A person's 学时 in one year (tenths) and what their post's syllabus requires."""

    required: int
    elective: int
    annual_target: int
    annual_required_target: int

    @property
    def total(self) -> int:
        return self.required + self.elective


def syllabus_for(person: Person) -> Syllabus | None:
    """Return the active syllabus of the person's post, if any."""
    if person.post_id is None:
        return None
    return db.session.scalar(select(Syllabus).where(Syllabus.post_id == person.post_id, Syllabus.active))


def year_credits(person: Person, year: int) -> YearCredits:
    """Return the person's 必修 and 选修 tenths in the year and the syllabus targets."""
    sums = dict(db.session.execute(
        select(CreditEntry.kind, func.sum(CreditEntry.tenths))
        .where(CreditEntry.person_id == person.id, CreditEntry.year == year)
        .group_by(CreditEntry.kind)
    ).all())
    syllabus = syllabus_for(person)
    return YearCredits(
        required=int(sums.get(CreditKind.REQUIRED) or 0), elective=int(sums.get(CreditKind.ELECTIVE) or 0),
        annual_target=syllabus.annual_tenths if syllabus else 0,
        annual_required_target=syllabus.annual_required_tenths if syllabus else 0,
    )


def entries(person_id: int, year: int) -> list[CreditEntry]:
    """Return the person's ledger lines of a year, newest first."""
    return list(db.session.scalars(
        select(CreditEntry).where(CreditEntry.person_id == person_id, CreditEntry.year == year)
        .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
    ))


def carry_over(person_id: int, year: int, *, now: datetime, actor_id: int | None = None) -> CreditEntry | None:
    """Move the year's excess over the post's annual target into next year's 选修 (once per year),
    and commit.

    Amounts carried into `year` are not counted again, so hours never roll forward twice.
    """
    entry = _carry_over(person_id, year, now=now, actor_id=actor_id)
    db.session.commit()
    return entry


def _carry_over(person_id: int, year: int, *, now: datetime, actor_id: int | None) -> CreditEntry | None:
    """Add the person's carry-over entry to the session if one is due (the caller commits)."""
    person = db.session.get(Person, person_id)
    syllabus = syllabus_for(person) if person else None
    if syllabus is None or syllabus.annual_tenths <= 0:
        return None
    key = dict(person_id=person_id, source_type="carry_over", source_id=year)
    if db.session.scalar(select(CreditEntry.id).filter_by(**key)):
        return None
    earned = db.session.scalar(
        select(func.coalesce(func.sum(CreditEntry.tenths), 0)).where(
            CreditEntry.person_id == person_id, CreditEntry.year == year,
            CreditEntry.source_type != "carry_over",
        )
    )
    excess = min(earned - syllabus.annual_tenths, setting("CARRY_OVER_MAX_TENTHS"))
    if excess <= 0:
        return None
    entry = CreditEntry(**key, year=year + 1, kind=CreditKind.ELECTIVE, tenths=excess, created_at=now,
                        note=f"{year} 年超出年度要求的学时结转", created_by_id=actor_id)
    db.session.add(entry)
    record("credit_carry_over", entry, actor_id=actor_id, person_id=person_id, year=year, tenths=excess)
    return entry


def carry_over_all(year: int, *, now: datetime) -> int:
    """Run the year-end carry-over for every person; return how many entries were written."""
    ids = list(db.session.scalars(select(Person.id).where(Person.post_id.is_not(None)).order_by(Person.id)))
    # One commit per person, as in assignments.sync_all: the write lock is never held for long.
    return sum(1 for person_id in ids if carry_over(person_id, year, now=now))


def entry_in_scope(scope: Scope, entry_id: int) -> CreditEntry:
    """Return a ledger entry whose person lies in the scope, else raise NotFound."""
    entry = db.session.scalar(
        scope.over_people(select(CreditEntry), CreditEntry.person_id).where(CreditEntry.id == entry_id))
    if entry is None:
        raise NotFound("学时记录不存在或不在您的管理范围内。")
    return entry


def add_entry(**values) -> CreditEntry | None:
    """Append a ledger line unless its (person, source_type, source_id) key exists, counted in the
    学时 counters (caller commits)."""
    with credit_tallies.kept(values["person_id"]):
        entry_id = db.session.scalar(
            upsertable_insert(CreditEntry).values(**values).on_conflict_do_nothing().returning(CreditEntry.id)
            .execution_options(**credit_tallies.KEPT))
    return db.session.get(CreditEntry, entry_id) if entry_id is not None else None


def add_reversal(entry: CreditEntry, *, actor_id: int | None, reason: str, now: datetime) -> CreditEntry:
    """Append the opposite of `entry` in the same year and kind (caller commits)."""
    if entry.source_type == "reversal":
        raise DomainError("冲正记录不能再次冲正。")
    reversal = add_entry(person_id=entry.person_id, source_type="reversal", source_id=entry.id,
                         year=entry.year, kind=entry.kind, tenths=-entry.tenths, reversal_of_id=entry.id,
                         note=f"冲正：{reason}", created_by_id=actor_id, created_at=now)
    if reversal is None:
        raise Conflict("这条学时记录已经冲正过了。")
    record("credit_reverse", reversal, actor_id=actor_id, reversed_id=entry.id, tenths=-entry.tenths,
           reason=reason)
    return reversal


def reverse_entry(actor_id: int, scope: Scope, entry_id: int, *, reason: str, now: datetime) -> CreditEntry:
    """Cancel a ledger entry in scope with an opposite entry, and commit."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 150:
        raise DomainError("请填写冲正原因（不超过 150 个字）。")
    reversal = add_reversal(entry_in_scope(scope, entry_id), actor_id=actor_id, reason=reason, now=now)
    db.session.commit()
    return reversal


@dataclass(frozen=True)
class PersonLedger:
    """A person's 学时 page: the year shown, the years to offer, the totals and the ledger lines."""

    person: Person
    year: int
    years: list[int]
    credits: YearCredits
    lines: list[CreditEntry]
    reversed_ids: set[int]


def person_ledger(scope: Scope, person_id: int, year: int | None, *, today: date) -> PersonLedger:
    """Return a person in scope with their 学时 of the year asked for (else the year that matters
    now for them, `cycles.default_year`), its ledger lines and the ids already reversed."""
    person = person_in_scope(scope, person_id)
    facts = cycles.years_with_data(person_id=person.id)
    year = cycles.choose_year(year, facts, today)
    reversed_ids = set(db.session.scalars(select(CreditEntry.reversal_of_id).where(
        CreditEntry.person_id == person.id, CreditEntry.reversal_of_id.is_not(None))))
    return PersonLedger(person, year, cycles.year_choices(facts, today, year), year_credits(person, year),
                        entries(person.id, year), reversed_ids)
