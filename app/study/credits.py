"""培训完成情况's 学时 against the annual requirement, by unit (the overview's rows), post and course: a
section of the page (`compliance_sections`), summed from the counters `credit_tallies` keeps (at most
three queries, whatever the number of people), and the people behind each number (`people`).

应达标人数 counts the active people of posts whose active syllabus sets an annual requirement;
已达标 those of them whose year's 学时 reach it (total and 必修); people without 学时 count as not met.
Everyone is counted by their current unit and post, as the other sections do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import and_, func, literal, select, union_all

from app.auth.scope import Scope
from app.extensions import db
from app.models import (
    Course,
    CreditHeadcount,
    CreditSourceTally,
    CreditStanding,
    CreditTally,
    OrgUnit,
    Person,
    Post,
    Syllabus,
)
from app.models.people import PersonStatus
from app.models.study import CreditSource
from app.org.services import get_unit
from app.study import credit_state
from app.study.compliance import Row
from app.study.compliance_sections import Section, register
from app.trees import ancestor_ids

TEMPLATE = "study/_completion_credits.html"
SOURCES = {credit_state.COURSE, *CreditSource}


@dataclass
class Figures:
    """应达标人数, 已达标, their 学时 summed, and the requirement summed over them (tenths)."""

    people: int = 0
    met: int = 0
    tenths: int = 0
    target: int = 0

    @property
    def rate(self) -> int:
        return self.met * 100 // self.people if self.people else 0

    @property
    def average(self) -> int:
        return round(self.tenths / self.people) if self.people else 0

    @property
    def average_target(self) -> int:
        return round(self.target / self.people) if self.people else 0

    def add(self, *, people: int = 0, met: int = 0, tenths: int = 0, target: int = 0) -> None:
        self.people, self.met = self.people + people, self.met + met
        self.tenths, self.target = self.tenths + tenths, self.target + target


@dataclass
class Credits:
    year: int
    unit_id: int | None
    any_target: bool
    units: list[tuple[object, Figures]] = field(default_factory=list)  # (overview row, figures)
    posts: list[tuple[int, str, int, int, Figures]] = field(default_factory=list)  # id, name, annual, 必修
    sources: list[tuple[str, int, str, int, int]] = field(default_factory=list)  # source, ref, label, people, tenths
    total: Figures = field(default_factory=Figures)


def within(scope: Scope, unit: OrgUnit | None):
    return OrgUnit.path.startswith(unit.path, autoescape=True) if unit is not None else scope.clause(OrgUnit.path)


def section(scope: Scope, overview) -> Section:
    """The section for the overview shown: its rows, and per post and per course."""
    node, year = overview.node, overview.year
    where = within(scope, node)
    targets = {pid: (name, annual, required) for pid, name, annual, required in db.session.execute(
        select(Post.id, Post.name, Syllabus.annual_tenths, Syllabus.annual_required_tenths)
        .join(Syllabus, Syllabus.post_id == Post.id).where(Syllabus.active, credit_state.target_set()))}
    credits = Credits(year, node.id if node is not None else None, bool(targets))
    credits.sources = _sources(where, year)
    if targets:
        _by_unit_and_post(credits, overview, where, targets)
    return Section(TEMPLATE, credits)


def _by_unit_and_post(credits: Credits, overview, where, targets: dict) -> None:
    """Sum the head counts and the year's tallies of the posts with a requirement (two queries)."""
    node, year = overview.node, overview.year
    rows = [(row, Figures()) for row in overview.rows]
    if node is not None and not any(row.own for row in overview.rows):  # the overview hides an own row without tasks
        rows.insert(0, (Row(node, own=True), Figures()))
    own = {row.unit.id: figures for row, figures in rows if row.own}
    subtrees = {row.unit.id: figures for row, figures in rows if not row.own}
    posts = {pid: Figures() for pid in targets}

    def add(path: str, unit_id: int, post_id: int, **counts) -> None:
        figures = own.get(unit_id) or next((subtrees[i] for i in reversed(ancestor_ids(path)) if i in subtrees), None)
        for found in (figures, posts[post_id], credits.total):
            if found is not None:
                found.add(**counts)

    heads = (select(OrgUnit.path, CreditHeadcount.unit_id, CreditHeadcount.post_id, CreditHeadcount.people,
                    literal(0).label("met"), literal(0).label("tenths"))
             .join(OrgUnit, OrgUnit.id == CreditHeadcount.unit_id).where(where, CreditHeadcount.post_id.in_(targets)))
    tallies = (select(OrgUnit.path, CreditTally.unit_id, CreditTally.post_id, literal(0), CreditTally.met,
                      CreditTally.tenths)
               .join(OrgUnit, OrgUnit.id == CreditTally.unit_id)
               .where(where, CreditTally.year == year, CreditTally.post_id.in_(targets)))
    for path, unit_id, post_id, people, met, tenths in db.session.execute(union_all(heads, tallies)):
        add(path, unit_id, post_id, people=people, met=met, tenths=tenths, target=people * targets[post_id][1])
    credits.units = [(row, figures) for row, figures in rows if not row.own or figures.people or len(rows) == 1]
    credits.posts = sorted(((pid, *targets[pid], figures) for pid, figures in posts.items() if figures.people),
                           key=lambda r: r[1])


def _sources(where, year: int) -> list[tuple[str, int, str, int, int]]:
    """The year's 学时 per course and other source, with the courses' titles (one query)."""
    tally = CreditSourceTally
    found = db.session.execute(
        select(tally.source, tally.ref, func.max(Course.title), func.sum(tally.people), func.sum(tally.tenths))
        .join(OrgUnit, OrgUnit.id == tally.unit_id)
        .outerjoin(Course, and_(tally.source == credit_state.COURSE, Course.id == tally.ref))
        .where(where, tally.year == year).group_by(tally.source, tally.ref)).all()
    return sorted(((source, ref, _label(source, title), int(people), int(tenths))
                   for source, ref, title, people, tenths in found if people or tenths),
                  key=lambda r: (r[0] != credit_state.COURSE, r[2]))


def _label(source: str, title: str | None) -> str:
    if source == credit_state.COURSE:
        return title or "已删除的课程"
    return CreditSource.label_of(source)


@dataclass(frozen=True)
class CreditFilter:
    year: int
    unit_id: int | None = None
    direct: bool = False  # only the unit's own people (the overview's （本级） row)
    post_id: int | None = None
    met: bool | None = None  # None: everyone with a requirement
    source: str | None = None  # the people with 学时 from a course ("course", ref) or another source
    ref: int = 0


def people(scope: Scope, filters: CreditFilter, *, page: int = 1, per_page: int = 20):
    """A page of the people behind a number of the section (NotFound for a unit outside the scope):
    rows of (person, post name, 学时 of the year, 必修, annual requirement, 必修 requirement, met,
    学时 from the source asked for)."""
    unit = get_unit(scope, filters.unit_id) if filters.unit_id else None
    standing = and_(CreditStanding.person_id == Person.id, CreditStanding.year == filters.year)
    total, required = func.coalesce(CreditStanding.total, 0), func.coalesce(CreditStanding.required, 0)
    annual, annual_required = func.coalesce(Syllabus.annual_tenths, 0), func.coalesce(Syllabus.annual_required_tenths, 0)
    meets = credit_state.met(total, required, annual, annual_required)
    columns = [Person, func.coalesce(Post.name, ""), total, required, annual, annual_required, meets]
    query = (select().select_from(Person).join(OrgUnit, OrgUnit.id == Person.unit_id)
             .outerjoin(Post, Post.id == Person.post_id).outerjoin(CreditStanding, standing)
             .where(Person.status == PersonStatus.ACTIVE, within(scope, unit)))
    if filters.source:
        lines = credit_state.grouped().subquery()
        earned = (select(lines.c.person_id, func.sum(lines.c.tenths).label("tenths"))
                  .where(lines.c.year == filters.year, lines.c.source == filters.source, lines.c.ref == filters.ref)
                  .group_by(lines.c.person_id).having(func.sum(lines.c.tenths) > 0).subquery())
        query = (query.join(earned, earned.c.person_id == Person.id)
                 .outerjoin(Syllabus, and_(Syllabus.post_id == Person.post_id, Syllabus.active))
                 .add_columns(*columns, earned.c.tenths))
    else:  # the people with a requirement
        query = (query.join(Syllabus, and_(Syllabus.post_id == Person.post_id, Syllabus.active,
                                           credit_state.target_set()))
                 .add_columns(*columns, total))
        if filters.met is not None:
            query = query.where(meets if filters.met else ~meets)
    if unit is not None and filters.direct:
        query = query.where(Person.unit_id == unit.id)
    if filters.post_id:
        query = query.where(Person.post_id == filters.post_id)
    query = query.order_by(OrgUnit.path, Person.staff_no)
    pagination = db.paginate(query.with_only_columns(Person), page=page, per_page=per_page, error_out=False)
    ids = [person.id for person in pagination.items]
    pagination.rows = list(db.session.execute(query.where(Person.id.in_(ids)))) if ids else []
    return pagination


def source_label(filters: CreditFilter) -> str:
    """The name of the course or source a people list is about ("" for none)."""
    if not filters.source:
        return ""
    title = db.session.scalar(select(Course.title).where(Course.id == filters.ref)) \
        if filters.source == credit_state.COURSE else None
    return _label(filters.source, title)


def init_app(app: Flask) -> None:
    register(app, section)
