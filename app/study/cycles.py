"""Study cycles: which round of study a person's work on a course counts for.

A course is studied once (cycle 0) unless an assignment asks for it again in a given year: the
syllabus's "by a date each year" rules, and admin assignments marked 重新学习, carry that year as
their cycle. Progress, quiz passes and course credit are kept per cycle, so last year's completion
does not complete this year's assignment, and this year's study starts from zero.

The cycle a person studies a course in is the cycle of their earliest-due open yearly assignment
of it; with none open, the latest yearly cycle (so a finished year still shows as finished); with no
yearly assignment at all, 0.

The training year a page opens on (培训完成情况, 我的学习, a person's 学时, the home page) is decided
here too, once: the year whose tasks are open or due next (see `default_year`), never an empty year
while another year has data; the year selectors offer only years with data and the current one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, case, func, literal, select, union_all

from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment, AssignmentTally, CreditEntry, OrgUnit


def pick_cycle(rows) -> int:
    """Choose the cycle from (cycle, due_on, completed_at) rows of one person's course assignments."""
    yearly = [row for row in rows if row[0] > 0]
    open_rows = sorted((row for row in yearly if row[2] is None), key=lambda row: (row[1], row[0]))
    if open_rows:
        return open_rows[0][0]
    return max((row[0] for row in yearly), default=0)


def current_cycles(person_id: int, course_ids) -> dict[int, int]:
    """Return {course_id: cycle} for the person's courses (one statement; 0 when not yearly)."""
    course_ids = list(course_ids)
    rows: dict[int, list] = {course_id: [] for course_id in course_ids}
    if course_ids:
        for course_id, *row in db.session.execute(
            select(Assignment.course_id, Assignment.cycle, Assignment.due_on, Assignment.completed_at)
            .where(Assignment.person_id == person_id, Assignment.course_id.in_(course_ids),
                   Assignment.cycle > 0)
        ):
            rows[course_id].append(row)
    return {course_id: pick_cycle(found) for course_id, found in rows.items()}


def current_cycle(person_id: int, course_id: int) -> int:
    """Return the cycle the person's study of the course counts for now."""
    return current_cycles(person_id, [course_id])[course_id]


def counts_for(cycle: int):
    """The assignments a completion in `cycle` completes: once-only ones, and that year's."""
    return Assignment.cycle.in_({0, cycle})


class Completions:
    """When people completed courses, and in which cycle (from the course credit entries)."""

    def __init__(self, person_ids, course_ids) -> None:
        self.by_cycle: dict[tuple[int, int, int], datetime] = {}
        self.first: dict[tuple[int, int], tuple[datetime, int]] = {}
        person_ids, course_ids = list(person_ids), list(course_ids)
        if not person_ids or not course_ids:
            return
        rows = db.session.execute(
            select(CreditEntry.person_id, CreditEntry.source_id, CreditEntry.cycle, CreditEntry.created_at)
            .where(CreditEntry.person_id.in_(person_ids), CreditEntry.source_id.in_(course_ids),
                   CreditEntry.source_type == "course")
        )
        for person_id, course_id, cycle, at in rows:
            self.by_cycle[person_id, course_id, cycle] = at
            if (person_id, course_id) not in self.first or (at, cycle) < self.first[person_id, course_id]:
                self.first[person_id, course_id] = (at, cycle)

    def done_at(self, person_id: int, course_id: int, cycle: int) -> datetime | None:
        """A once-only assignment is done by any completion; a yearly one only by that year's."""
        if cycle:
            return self.by_cycle.get((person_id, course_id, cycle))
        first = self.first.get((person_id, course_id))
        return first[0] if first else None

    def first_cycle(self, person_id: int, course_id: int) -> int | None:
        """The cycle of the person's first completion of the course, if any."""
        first = self.first.get((person_id, course_id))
        return first[1] if first else None


# --- the training year a page opens on ------------------------------------------------------------

@dataclass(frozen=True)
class YearFacts:
    """The years with tasks (or 学时) of a person or a scope, and per year the earliest due date
    among its open (not completed) tasks."""

    with_data: frozenset[int]
    open_due: Mapping[int, date]


def default_year(years_with_open_or_next_due: Mapping[int, date], years_with_data: Collection[int],
                 today: date) -> int:
    """The training year that matters now.

    Of this year and the years after it, the one whose open tasks fall due first (an overdue task of
    this year keeps this year; when this year's tasks are all done, next year's open ones lead). With
    no open task from this year on: this year if it has data, else the latest earlier year with data,
    else the first later one, else this year.
    """
    current = today.year
    ahead = {year: due for year, due in years_with_open_or_next_due.items() if year >= current}
    if ahead:
        return min(ahead, key=lambda year: (ahead[year], year))
    if current in years_with_data or not years_with_data:
        return current
    earlier = [year for year in years_with_data if year < current]
    return max(earlier) if earlier else min(years_with_data)


def choose_year(requested: int | None, facts: YearFacts, today: date) -> int:
    """The year asked for (any year from 1 to 9999, even an empty one), else the default year."""
    if requested is not None and 0 < requested <= 9999:
        return requested
    return default_year(facts.open_due, facts.with_data, today)


def year_choices(facts: YearFacts, today: date, chosen: int) -> list[int]:
    """The years a selector offers, newest first: those with data, this year and the chosen one."""
    return sorted(set(facts.with_data) | {today.year, chosen}, reverse=True)


def years_with_data(*, scope: Scope | None = None, person_id: int | None = None) -> YearFacts:
    """Return the YearFacts of a scope (its people's tasks, read from the 培训完成情况 counters, one
    statement whatever the number of people) or of a person (their tasks and 学时, one statement)."""
    if (scope is None) == (person_id is None):
        raise ValueError("years_with_data takes a scope or a person")
    if scope is not None:
        tally = AssignmentTally
        rows = db.session.execute(
            select(tally.year, func.min(case((tally.total > tally.done, tally.due_on))))
            .join(OrgUnit, OrgUnit.id == tally.unit_id)
            .where(scope.clause(OrgUnit.path), tally.total > 0).group_by(tally.year))
    else:
        tasks = (select(Assignment.year.label("year"),
                        func.min(case((Assignment.completed_at.is_(None), Assignment.due_on))).label("due"))
                 .where(Assignment.person_id == person_id).group_by(Assignment.year))
        credits = (select(CreditEntry.year.label("year"), literal(None, Date).label("due"))
                   .where(CreditEntry.person_id == person_id).group_by(CreditEntry.year))
        rows = db.session.execute(union_all(tasks, credits))
    with_data, open_due = set(), {}
    for year, due in rows:
        with_data.add(year)
        if due is not None:
            due = date.fromisoformat(due) if isinstance(due, str) else due
            open_due[year] = min(due, open_due.get(year, due))
    return YearFacts(frozenset(with_data), open_due)
