"""培训完成情况: a year's training assignments counted by status per unit, and the list as xlsx.

The counts come from the counters of `study/tallies.py` (per unit, year, course and due date),
summed per unit of the node's subtree in one query (and the people per unit in a second), then
rolled up in Python to the rows of the page (the child units of the node, and the node's own
people). Their cost depends on the number of units, courses and due dates, not on the people.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import xlsxwriter
from sqlalchemy import func, select

from app import clock
from app.auth.scope import Scope
from app.errors import DomainError
from app.extensions import db
from app.models import Assignment, AssignmentPeopleTally, AssignmentTally, Course, OrgUnit, Person
from app.models.study import AssignmentOrigin, AssignmentStatus
from app.org.labels import unit_labels
from app.org.services import get_unit, units_in_scope
from app.study import cycles, tallies
from app.study.assignments import AssignmentFilter, count_in_scope, filter_in_scope, status_label
from app.trees import ancestor_ids

OWN_SUFFIX = "（本级）"
EXPORT_COLUMNS = ("工号", "姓名", "单位", "课程", "年度", "截止日期", "来源", "状态", "完成时间")
EXPORT_WIDTHS = (12, 10, 30, 30, 8, 12, 12, 8, 18)
MAX_EXPORT = 100_000
TOO_MANY = "一次最多导出 {:,} 项培训任务，请按单位、课程、年度或状态缩小范围后再导出。"


@dataclass
class Tally:
    """Assignments counted by status, and how many people they belong to."""

    people: int = 0
    total: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AssignmentStatus, 0))

    @property
    def rate(self) -> int:
        """Return 已完成 as a whole percent of all assignments (rounded down, so 100 means all)."""
        return self.statuses[AssignmentStatus.COMPLETED] * 100 // self.total if self.total else 0

    def add(self, other: Tally) -> None:
        self.people += other.people
        self.total += other.total
        for status, count in other.statuses.items():
            self.statuses[status] += count


@dataclass
class Row:
    """One line of the overview: a unit's subtree, or (`own`) only the people directly in the unit."""

    unit: OrgUnit
    own: bool = False
    tally: Tally = field(default_factory=Tally)

    @property
    def label(self) -> str:
        return self.unit.name + OWN_SUFFIX if self.own else self.unit.name


@dataclass
class Overview:
    """The rows of one level of the tree for a year (and course), and their sum."""

    year: int
    course_id: int | None
    node: OrgUnit | None  # None: the rows are the scope's roots
    trail: list[OrgUnit]  # the node's ancestors inside the scope, then the node
    several_roots: bool  # the scope has more than one root, so "all units" is a level of its own
    rows: list[Row]
    total: Tally


def overview(scope: Scope, *, today: date, year: int | None = None, course_id: int | None = None,
             unit_id: int | None = None) -> Overview:
    """Count the year's assignments per child unit of a node in scope (NotFound outside it).

    Without a unit the node is the scope's root when there is exactly one, else the rows are the roots.
    Without a year, the scope's training year that matters now (`cycles.default_year`).
    """
    if year is None:
        year = cycles.choose_year(None, cycles.years_with_data(scope=scope), today)
    roots = _roots(scope)
    node = get_unit(scope, unit_id) if unit_id else (roots[0] if len(roots) == 1 else None)
    if node is None:
        rows, within = [Row(unit) for unit in roots], scope.clause(OrgUnit.path)
    else:
        rows = [Row(node, own=True)] + [Row(unit) for unit in _children(node)]
        within = OrgUnit.path.startswith(node.path, autoescape=True)
    _roll_up(rows, _unit_tallies(within, year=year, course_id=course_id, today=today))
    rows = [row for row in rows if not row.own or row.tally.total or len(rows) == 1]
    total = Tally()
    for row in rows:
        total.add(row.tally)
    return Overview(year=year, course_id=course_id, node=node, trail=_trail(scope, node, roots),
                    several_roots=len(roots) > 1, rows=rows, total=total)


def _roots(scope: Scope) -> list[OrgUnit]:
    """Return the top units of the scope (the top-level units for a global scope), in display order."""
    query = select(OrgUnit).order_by(OrgUnit.sort_order, OrgUnit.name, OrgUnit.id)
    if scope.is_global:
        return list(db.session.scalars(query.where(OrgUnit.parent_id.is_(None))))
    units = list(db.session.scalars(query.where(OrgUnit.path.in_(scope.paths)))) if scope.paths else []
    return [u for u in units if not any(u.path != o.path and u.path.startswith(o.path) for o in units)]


def _children(node: OrgUnit) -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == node.id)
                                   .order_by(OrgUnit.sort_order, OrgUnit.name, OrgUnit.id)))


def _trail(scope: Scope, node: OrgUnit | None, roots: list[OrgUnit]) -> list[OrgUnit]:
    if node is None:
        return []
    ids = node.ancestor_ids[:-1]
    if not ids or node in roots:
        return [node]
    above = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.depth))
    return [unit for unit in above if scope.covers(unit)] + [node]


def _unit_tallies(within, *, year: int, course_id: int | None, today: date) -> list[tuple[str, int, Tally]]:
    """Return (unit path, unit id, tally) for every unit with assignments of the year (two queries)."""
    sums = [func.sum(tallies.count_expression(status, today)) for status in AssignmentStatus]
    query = (select(OrgUnit.path, OrgUnit.id, func.sum(AssignmentTally.total), *sums).select_from(AssignmentTally)
             .join(OrgUnit, OrgUnit.id == AssignmentTally.unit_id)
             .where(AssignmentTally.year == year, within).group_by(OrgUnit.id, OrgUnit.path))
    people = None
    if course_id:  # one assignment per person, course and year: the people are the assignments
        query = query.where(AssignmentTally.course_id == course_id)
    else:
        people = dict(db.session.execute(
            select(AssignmentPeopleTally.unit_id, AssignmentPeopleTally.people)
            .join(OrgUnit, OrgUnit.id == AssignmentPeopleTally.unit_id)
            .where(AssignmentPeopleTally.year == year, within)).all())
    return [(path, unit_id, Tally(total if people is None else people.get(unit_id, 0), total,
                                  dict(zip(AssignmentStatus, map(int, counts), strict=True))))
            for path, unit_id, total, *counts in db.session.execute(query) if total]


def _roll_up(rows: list[Row], found: list[tuple[str, int, Tally]]) -> None:
    """Add each unit's tally to the row of its nearest ancestor-or-self among the rows."""
    own = {row.unit.id: row for row in rows if row.own}
    subtrees = {row.unit.id: row for row in rows if not row.own}
    for path, unit_id, tally in found:
        row = own.get(unit_id) or next(
            (subtrees[i] for i in reversed(ancestor_ids(path)) if i in subtrees), None)
        if row is not None:
            row.tally.add(tally)


def overview_page(scope: Scope, *, today: date, year: int | None = None, course_id: int | None = None,
                  unit_id: int | None = None) -> tuple[Overview, list[int], list[tuple[int, str]]]:
    """Return the overview (of the asked year, else the year that matters now), the years to offer
    (those with tasks in scope, and this year) and the courses to offer."""
    facts = cycles.years_with_data(scope=scope)
    year = cycles.choose_year(year, facts, today)
    view = overview(scope, today=today, year=year, course_id=course_id, unit_id=unit_id)
    return view, cycles.year_choices(facts, today, year), course_options()


def course_options() -> list[tuple[int, str]]:
    """Return (id, title) of every course, active ones first."""
    return [(c.id, c.title if c.active else f"{c.title}（已停用）")
            for c in db.session.scalars(select(Course).order_by(Course.active.desc(), Course.title))]


def export_xlsx(scope: Scope, filters: AssignmentFilter, *, today: date) -> bytes:
    """Write every assignment in scope matching the filters to an xlsx sheet (completion times in local time)."""
    if count_in_scope(scope, filters, today=today) > MAX_EXPORT:  # refused before writing a row
        raise DomainError(TOO_MANY.format(MAX_EXPORT))
    labels = _unit_labels(scope)
    query = filter_in_scope(
        select(Person.staff_no, Person.name, Person.unit_id, Course.title, Assignment.year, Assignment.due_on,
               Assignment.origin, status_label(today), Assignment.completed_at).select_from(Assignment),
        scope, filters, today=today).join(Course, Course.id == Assignment.course_id)
    query = query.order_by(Assignment.due_on, Assignment.id).limit(MAX_EXPORT + 1)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("培训任务")
    day, moment = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for column, width in enumerate(EXPORT_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, EXPORT_COLUMNS, book.add_format({"bold": True}))
    number = 0
    result = db.session.execute(query.execution_options(yield_per=2000))
    for number, row in enumerate(result, start=1):
        if number > MAX_EXPORT:
            result.close()  # a server-side cursor on PostgreSQL
            book.close()
            raise DomainError(TOO_MANY.format(MAX_EXPORT))  # the counters were wrong: never write a partial file
        staff_no, name, unit_id, title, year, due_on, origin, status, completed_at = row
        for column, text in enumerate((staff_no, name, labels.get(unit_id, ""), title)):
            sheet.write_string(number, column, text)
        sheet.write_number(number, 4, year)
        sheet.write_datetime(number, 5, due_on, day)
        sheet.write_string(number, 6, AssignmentOrigin.label_of(origin))
        sheet.write_string(number, 7, status)
        if completed_at is not None:
            sheet.write_datetime(number, 8, clock.to_local(completed_at), moment)
    sheet.autofilter(0, 0, max(number, 1), len(EXPORT_COLUMNS) - 1)
    book.close()
    return buffer.getvalue()


def _unit_labels(scope: Scope) -> dict[int, str]:
    """The units' labels as every page shows them (`org.labels`: below the top of the admin's tree)."""
    return unit_labels(scope, units_in_scope(scope))
