"""What the home page shows of study: a trainee's next tasks and 学时, an admin's completion figures.

Reads only; each function costs a fixed number of statements, whatever the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment, Person
from app.models.study import AssignmentStatus
from app.study import compliance, ledger
from app.study.assignments import STATUS_FILTERS

NEXT_TASKS = 5


@dataclass(frozen=True)
class TraineeStudy:
    """A trainee's open tasks (the soonest due first) and their 学时 of the year."""

    tasks: list[Assignment]  # at most NEXT_TASKS, course loaded
    open_count: int
    overdue_count: int
    credits: ledger.YearCredits
    year: int

    @property
    def more(self) -> int:
        return self.open_count - len(self.tasks)

    @property
    def percent(self) -> int:
        """The year's 学时 as a whole percent of the annual requirement (100 at most)."""
        target = self.credits.annual_target
        return min(100, max(0, self.credits.total) * 100 // target) if target else 0


def trainee_study(person: Person, *, today: date, year: int, limit: int = NEXT_TASKS) -> TraineeStudy:
    """Return the person's open assignments (any year, overdue ones first by due date) and 学时 of `year`."""
    open_tasks = (Assignment.person_id == person.id, Assignment.completed_at.is_(None))
    tasks = list(db.session.scalars(
        select(Assignment).options(joinedload(Assignment.course)).where(*open_tasks)
        .order_by(Assignment.due_on, Assignment.id).limit(limit)))
    overdue = STATUS_FILTERS[AssignmentStatus.OVERDUE](today)
    open_count, overdue_count = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((overdue, 1), else_=0)), 0))
        .select_from(Assignment).where(*open_tasks)).one()
    return TraineeStudy(tasks, int(open_count), int(overdue_count), ledger.year_credits(person, year), year)


@dataclass(frozen=True)
class ChartRow:
    """One bar of the completion chart: a unit (or a unit's own people) and its figures."""

    unit_id: int
    label: str
    own: bool
    tally: compliance.Tally


@dataclass(frozen=True)
class AdminStudy:
    """The year's completion in an admin's scope: the sum, and one row per child unit."""

    year: int
    node_id: int | None
    node_name: str  # the scope's one root, or 全部单位
    rows: list[ChartRow]
    total: compliance.Tally

    @property
    def overdue(self) -> int:
        return self.total.statuses[AssignmentStatus.OVERDUE]

    @property
    def completed(self) -> int:
        return self.total.statuses[AssignmentStatus.COMPLETED]


def admin_study(scope: Scope, *, today: date, year: int) -> AdminStudy:
    """Return the year's assignments in scope counted per child unit of the scope's root (培训完成情况)."""
    view = compliance.overview(scope, today=today, year=year)
    rows = [ChartRow(row.unit.id, row.label, row.own, row.tally) for row in view.rows]
    return AdminStudy(year=year, node_id=view.node.id if view.node else None,
                      node_name=view.node.name if view.node else "全部单位", rows=rows, total=view.total)
