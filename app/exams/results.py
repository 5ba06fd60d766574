"""An exam's results (成绩): one row per person of the audience in the viewer's reach, with the attempt
that counts (`counting`), the figures over them and the score distribution.

Who sees whom follows the item analysis: whoever may change the exam sees the whole audience; an
admin who only watches it sees the people in their scope; anyone else gets 404. A fixed number of
statements whatever the audience's size: the people (as columns), their attempts (as columns), the
units of the audience with their ancestors, the posts' names, the labels. Only the rows of the page
shown are labelled; the export (`results_export`) labels every row.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from app.auth.scope import Scope
from app.exams.access import Viewer, exam_to_watch, may_change, people_scope
from app.exams.audience import members
from app.exams.counting import counted
from app.exams.mine import SUBMITTED_BY
from app.extensions import db
from app.models import Attempt, Exam, OrgUnit, Person, Post
from app.models.exams import AttemptState
from app.models.people import PersonStatus
from app.org.labels import unit_labels
from app.trees import ancestor_ids, in_tree_order
from question_bank import units_to_points

STATUSES = {"passed": "合格", "failed": "不合格", "pending": "待阅卷", "in_progress": "作答中", "absent": "未参加"}
SAT = ("passed", "failed", "pending")  # handed in at least once
SORTS = {"unit": "按单位", "name": "按姓名", "score": "按得分（高到低）", "time": "按交卷时间（新到旧）"}
BANDS = 10


@dataclass(frozen=True)
class ResultFilter:
    unit_id: int | None = None  # the unit with its subtree
    post_id: int | None = None
    status: str = ""
    sort: str = "unit"


@dataclass
class ResultRow:
    person_id: int
    name: str
    staff_no: str
    unit_id: int
    unit_path: str
    post_id: int | None
    status: str = "absent"
    attempts: int = 0
    attempt_id: int | None = None  # the attempt that counts
    score: int | None = None  # units
    max_score: int = 0
    submitted_at: datetime | None = None
    submitted_by: str = ""
    switches: int = 0
    flagged: bool = False  # any attempt handed in for leaving the page too often
    unit_label: str = ""
    post_name: str = ""

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def submitted_by_label(self) -> str:
        return SUBMITTED_BY.get(self.submitted_by, "") if self.submitted_at else ""

    @property
    def score_points(self) -> str:
        return units_to_points(self.score) if self.score is not None else ""

    @property
    def max_points(self) -> str:
        return units_to_points(self.max_score) if self.attempt_id else ""


@dataclass
class Figures:
    """The header figures over a set of rows: counts per status, pass rate, mean and median, bands."""

    audience: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    pass_rate: float | None = None  # percent of the people with a final result (合格 + 不合格)
    mean: float | None = None  # points, of the final results
    median: float | None = None
    bands: list[tuple[str, int]] = field(default_factory=list)  # (label in points, people)

    @property
    def sat(self) -> int:
        return sum(self.counts.get(status, 0) for status in SAT)

    @property
    def participation(self) -> float | None:
        return round(self.sat * 100 / self.audience, 1) if self.audience else None


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already in memory (for `render_pagination`)."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


_ATTEMPT_COLUMNS = (Attempt.id, Attempt.person_id, Attempt.number, Attempt.state, Attempt.score, Attempt.max_score,
                    Attempt.passed, Attempt.pending_manual, Attempt.submitted_at, Attempt.submitted_by, Attempt.switches,
                    Attempt.flagged)


def reach(viewer: Viewer, exam_id: int) -> tuple[Exam, Scope | None]:
    """The exam and whose rows the viewer sees (None: the whole audience); 404 outside their reach."""
    exam = exam_to_watch(viewer, exam_id)
    return exam, None if may_change(viewer, exam) else people_scope(viewer)


def gather(exam: Exam, people: Scope | None) -> list[ResultRow]:
    """Every person of the audience within `people` (the 离岗 only if they sat it), with their result."""
    query = members(exam.id).with_only_columns(Person.id, Person.name, Person.staff_no, Person.status,
                                               Person.post_id, OrgUnit.id, OrgUnit.path)
    if people is not None:
        query = query.where(people.clause(OrgUnit.path))
    found = db.session.execute(query.order_by(OrgUnit.path, Person.staff_no)).all()
    tries: dict[int, list] = {}
    for attempt in db.session.execute(select(*_ATTEMPT_COLUMNS).where(
            Attempt.exam_id == exam.id, Attempt.person_id.in_(query.with_only_columns(Person.id)))):
        tries.setdefault(attempt.person_id, []).append(attempt)
    rows = []
    for person_id, name, staff_no, status, post_id, unit_id, path in found:
        if status != PersonStatus.ACTIVE and person_id not in tries:
            continue
        row = ResultRow(person_id, name, staff_no, unit_id, path, post_id)
        _settle(row, tries.get(person_id, []), exam.counting)
        rows.append(row)
    return rows


def _settle(row: ResultRow, tries: list, rule: str) -> None:
    row.attempts, row.flagged = len(tries), any(a.flagged for a in tries)
    count = counted(tries, rule)
    if count is None:
        row.status = "in_progress" if any(a.state == AttemptState.IN_PROGRESS for a in tries) else "absent"
        return
    attempt = count.attempt
    row.attempt_id, row.score, row.max_score = attempt.id, attempt.score, attempt.max_score
    row.submitted_at, row.submitted_by, row.switches = attempt.submitted_at, attempt.submitted_by, attempt.switches
    row.status = "pending" if count.pending else ("passed" if attempt.passed else "failed")


def in_unit(rows: Iterable[ResultRow], unit: OrgUnit | None) -> list[ResultRow]:
    return [row for row in rows if unit is None or row.unit_path.startswith(unit.path)]


def figures(rows: list[ResultRow]) -> Figures:
    """Counts per status, the pass rate, mean, median and the ten score bands of the final results."""
    found = Figures(audience=len(rows), counts={status: 0 for status in STATUSES})
    for row in rows:
        found.counts[row.status] += 1
    final = [row for row in rows if row.status in ("passed", "failed")]
    if not final:
        return found
    found.pass_rate = round(found.counts["passed"] * 100 / len(final), 1)
    scores = [row.score or 0 for row in final]
    found.mean = round(statistics.fmean(scores) / 100, 1)
    found.median = round(statistics.median(scores) / 100, 2)
    full = statistics.mode(row.max_score for row in final)
    counts = [0] * BANDS
    for row in final:
        counts[min(row.score * BANDS // row.max_score, BANDS - 1) if row.max_score else 0] += 1
    found.bands = [(f"{_band_edge(full, i)}–{_band_edge(full, i + 1)}", counts[i]) for i in range(BANDS)]
    return found


def _band_edge(full: int, index: int) -> str:
    return f"{full * index / BANDS / 100:g}"


@dataclass(frozen=True)
class AudienceUnits:
    """The units on the paths of the audience's people: `every` one of them (names for labels, so a
    label never needs another statement) and those `listed` in the filter and the unit summary."""

    every: list[OrgUnit]
    listed: list[OrgUnit]


def audience_units(rows: list[ResultRow], people: Scope | None) -> AudienceUnits:
    """Listed: the people's units and their ancestors inside `people`, in tree order; from the top
    down, a unit with nobody of its own and a single unit below it is left out (one statement)."""
    ids = {unit_id for row in rows for unit_id in ancestor_ids(row.unit_path)}
    every = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))) if ids else []
    units = in_tree_order([unit for unit in every if people is None or people.covers(unit)])
    own = {row.unit_id for row in rows}
    while len(units) > 1 and units[0].id not in own and units[1].parent_id == units[0].id and \
            sum(1 for unit in units if unit.parent_id == units[0].id) == 1:
        units = units[1:]
    return AudienceUnits(every, units)


def _sorted(rows: list[ResultRow], sort: str) -> list[ResultRow]:
    order = list(STATUSES)
    if sort == "name":
        return sorted(rows, key=lambda r: (r.name, r.staff_no))
    if sort == "score":
        return sorted(rows, key=lambda r: (order.index(r.status) if r.status not in SAT else 0,
                                           -(r.score if r.score is not None else -1), r.staff_no))
    if sort == "time":
        done = sorted((r for r in rows if r.submitted_at), key=lambda r: (r.submitted_at, r.staff_no), reverse=True)
        return done + [r for r in rows if not r.submitted_at]
    return rows  # gathered in unit order


@dataclass(frozen=True)
class Selection:
    """The rows a page or the export shows, and what was chosen."""

    exam: Exam
    whole: bool  # the viewer sees the whole audience
    rows: list[ResultRow]  # of the unit and post chosen (the figures' rows)
    shown: list[ResultRow]  # the same, narrowed by the status and sorted
    units: AudienceUnits
    unit: OrgUnit | None  # the unit chosen, among the listed ones
    posts: dict[int, str]  # the audience's posts by id


def select_rows(viewer: Viewer, exam_id: int, filters: ResultFilter) -> Selection:
    """The exam's rows in the viewer's reach as the filters select them; a unit that is not listed,
    a post nobody of the audience holds or an unknown status is ignored."""
    exam, people = reach(viewer, exam_id)
    rows = gather(exam, people)
    units = audience_units(rows, people)
    posts = _post_names({row.post_id for row in rows if row.post_id})
    unit = next((u for u in units.listed if u.id == filters.unit_id), None)
    rows = [row for row in in_unit(rows, unit) if filters.post_id not in posts or row.post_id == filters.post_id]
    shown = [row for row in rows if filters.status not in STATUSES or row.status == filters.status]
    return Selection(exam, people is None, rows, _sorted(shown, filters.sort), units, unit, posts)


def _post_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Post.id, Post.name).where(Post.id.in_(ids)).order_by(Post.id)).all())


def results_page(viewer: Viewer, exam_id: int, filters: ResultFilter, *, page: int, per_page: int) -> dict:
    """Everything the 成绩 page shows: figures over the unit and post chosen, a page of rows."""
    chosen = select_rows(viewer, exam_id, filters)
    pagination = ListPagination(page=page, per_page=per_page, error_out=False, rows=chosen.shown)
    labels = unit_labels(viewer.watch, chosen.units.every)  # the page's rule (org.labels)
    for row in pagination.items:
        row.unit_label, row.post_name = labels.get(row.unit_id, ""), chosen.posts.get(row.post_id, "")
    return {"exam": chosen.exam, "whole": chosen.whole, "figures": figures(chosen.rows), "pagination": pagination,
            "filters": filters, "unit": chosen.unit, "unit_label": labels[chosen.unit.id] if chosen.unit else "",
            "units": [(u.id, labels[u.id]) for u in chosen.units.listed], "posts": sorted(chosen.posts.items()),
            "statuses": STATUSES, "sorts": SORTS}
