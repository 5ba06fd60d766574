"""Study cycles: which round of study a person's work on a course counts for.

A course is studied once (cycle 0) unless an assignment asks for it again in a given year: the
syllabus's "by a date each year" rules, and admin assignments marked 重新学习, carry that year as
their cycle. Progress, quiz passes and course credit are kept per cycle, so last year's completion
does not complete this year's assignment, and this year's study starts from zero.

The cycle a person studies a course in is the cycle of their earliest-due open yearly assignment
of it; with none open, the latest yearly cycle (so a finished year still shows as finished); with no
yearly assignment at all, 0.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, CreditEntry


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
