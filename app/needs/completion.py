"""培训完成情况's formal-exam pass rates, by unit (the overview's rows), post and exam: a section the
study page includes (`study.compliance_sections`). Summed from `ExamOutcomeTally` (one query for the
counts, one each for post and exam names), so it costs the same at any number of people. A person
counts once per exam, with the attempt that counts under the exam's rule; results still waiting for
a marker are left out until final. Each number links to the people behind it (`outcome_people`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import Exam, ExamOutcome, ExamOutcomeTally, OrgUnit, Person, Post
from app.needs.ledgers import within
from app.org.services import get_unit
from app.study.compliance import Row
from app.study.compliance_sections import Section, register
from app.trees import ancestor_ids

TEMPLATE = "needs/_completion_exams.html"


@dataclass
class Pass:
    people: int = 0
    passed: int = 0

    @property
    def rate(self) -> int:
        return self.passed * 100 // self.people if self.people else 0

    def add(self, people: int, passed: int) -> None:
        self.people += people
        self.passed += passed


@dataclass
class PassRates:
    year: int
    unit_id: int | None
    units: list[tuple[object, Pass]] = field(default_factory=list)  # (overview row, figures)
    posts: list[tuple[int, str, Pass]] = field(default_factory=list)
    exams: list[tuple[int, str, Pass]] = field(default_factory=list)
    total: Pass = field(default_factory=Pass)


def pass_rates(scope: Scope, overview) -> Section | None:
    """The section for the overview shown: its rows' pass rates, and per post and per exam."""
    node = overview.node
    found = db.session.execute(
        select(OrgUnit.path, ExamOutcomeTally.unit_id, ExamOutcomeTally.post_id, ExamOutcomeTally.exam_id,
               func.sum(ExamOutcomeTally.people), func.sum(ExamOutcomeTally.passed))
        .join(OrgUnit, OrgUnit.id == ExamOutcomeTally.unit_id)
        .where(ExamOutcomeTally.year == overview.year, within(scope, node))
        .group_by(OrgUnit.path, ExamOutcomeTally.unit_id, ExamOutcomeTally.post_id, ExamOutcomeTally.exam_id)).all()
    rates = PassRates(overview.year, node.id if node is not None else None)
    rows = [(row, Pass()) for row in overview.rows]
    if node is not None and not any(row.own for row in overview.rows):  # the overview hides an own row without tasks
        rows.insert(0, (Row(node, own=True), Pass()))
    own = {row.unit.id: figures for row, figures in rows if row.own}
    subtrees = {row.unit.id: figures for row, figures in rows if not row.own}
    posts, exams = {}, {}
    for path, unit_id, post_id, exam_id, people, passed in found:
        people, passed = int(people), int(passed)
        figures = own.get(unit_id) or next((subtrees[i] for i in reversed(ancestor_ids(path)) if i in subtrees), None)
        if figures is not None:
            figures.add(people, passed)
        posts.setdefault(post_id, Pass()).add(people, passed)
        exams.setdefault(exam_id, Pass()).add(people, passed)
        rates.total.add(people, passed)
    rates.units = [(row, figures) for row, figures in rows if not row.own or figures.people or len(rows) == 1]
    post_names = _names(Post.id, Post.name, posts)
    exam_names = _names(Exam.id, Exam.title, exams)
    rates.posts = sorted(((pid, post_names.get(pid, "未设置岗位"), f) for pid, f in posts.items()), key=lambda r: r[1])
    rates.exams = sorted(((eid, exam_names.get(eid, ""), f) for eid, f in exams.items()), key=lambda r: r[1])
    return Section(TEMPLATE, rates)


def _names(id_column, name_column, ids) -> dict[int, str]:
    ids = [i for i in ids if i]
    return {i: n for i, n in db.session.execute(select(id_column, name_column).where(id_column.in_(ids)))} if ids else {}


@dataclass(frozen=True)
class OutcomeFilter:
    year: int
    unit_id: int | None = None
    direct: bool = False  # only the unit's own people (the overview's （本级） row)
    post_id: int | None = None  # 0: people without a post
    exam_id: int | None = None
    passed: bool | None = None  # None: everyone with a final result


def outcome_people(scope: Scope, filters: OutcomeFilter, *, page: int = 1, per_page: int = 20):
    """A page of the final counted results behind a pass-rate number (NotFound for a unit outside the scope)."""
    unit = get_unit(scope, filters.unit_id) if filters.unit_id else None
    query = (select(ExamOutcome).join(Person, Person.id == ExamOutcome.person_id)
             .join(Exam, Exam.id == ExamOutcome.exam_id).join(OrgUnit, OrgUnit.id == ExamOutcome.unit_id)
             .where(ExamOutcome.year == filters.year, ExamOutcome.passed.is_not(None), within(scope, unit)))
    if unit is not None and filters.direct:
        query = query.where(ExamOutcome.unit_id == unit.id)
    if filters.post_id is not None:
        query = query.where(ExamOutcome.post_id == filters.post_id)
    if filters.exam_id:
        query = query.where(ExamOutcome.exam_id == filters.exam_id)
    if filters.passed is not None:
        query = query.where(ExamOutcome.passed.is_(filters.passed))
    query = query.order_by(OrgUnit.path, Person.staff_no, Exam.title)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    outcomes = list(pagination.items)
    people = {p.id: p for p in db.session.scalars(select(Person).where(
        Person.id.in_([o.person_id for o in outcomes])))} if outcomes else {}
    titles = _names(Exam.id, Exam.title, {o.exam_id for o in outcomes})
    pagination.rows = [(people[o.person_id], titles.get(o.exam_id, ""), o.passed) for o in outcomes]
    return pagination


def init_app(app: Flask) -> None:
    register(app, pass_rates)
