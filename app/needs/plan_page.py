"""我的培训计划 as a page: the plan's items grouped by gap competency, required courses, progress and
the re-test of each gap — read from the stored plan and live lesson progress in a fixed number of
statements (the profile's, the plan with its items, lessons done, courses' progress, re-tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Person, PlanItem, PlanRetest, TrainingPlan
from app.models.curriculum import Level
from app.models.plans import PlanItemKind
from app.needs.plans import completed_lessons, course_progress, gaps_in
from app.needs.profile import level_label, profile
from app.needs.retests import RetestState, states


@dataclass(frozen=True)
class Line:
    item: PlanItem
    done: bool
    finished: int  # a course's lessons done (a lesson: 0 or 1)
    total: int
    overdue: bool


@dataclass(frozen=True)
class Group:
    """A competency of the plan: its lessons, whether the gap is still open, its re-test."""

    competency_id: int
    name: str
    reason: str
    open: bool
    lines: list[Line]
    retest: RetestState | None

    @property
    def last(self) -> PlanRetest | None:
        return self.retest.last if self.retest else None


@dataclass(frozen=True)
class PlanPage:
    person: Person
    own: bool
    no_gaps: str | None  # why there are no gaps (no post, no syllabus targets)
    plan: TrainingPlan | None
    today: date
    groups: list[Group] = field(default_factory=list)
    required: list[Line] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # gap not decided yet: practise or take the diagnostic

    @property
    def lines(self) -> list[Line]:
        return [line for group in self.groups for line in group.lines] + self.required

    @property
    def done(self) -> int:
        return sum(line.done for line in self.lines)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.lines)) if self.lines else 0

    @property
    def open_gaps(self) -> int:
        return sum(group.open for group in self.groups)


def _line(item: PlanItem, done_lessons: set[int], courses: dict, today: date) -> Line:
    if item.kind == PlanItemKind.LESSON:
        done = item.done_at is not None or item.lesson_id in done_lessons
        finished, total = int(done), 1
    else:
        finished, total = courses.get(item.course_id, (0, 0))
        done = item.done_at is not None or (total > 0 and finished >= total)
    return Line(item, done, finished, total, not done and item.due_on < today)


def _closed_reason(name: str, item: PlanItem) -> str:
    """A gap closed since it was planned: the target met, and where it stood then."""
    if item.level is None:
        return item.reason
    then = f"（列入计划时{level_label(item.current)}）" if item.current is not None else ""
    return f"岗位要求「{name}」{Level(item.level).label}，已达到{then}"


def plan_page(person: Person, *, now: datetime, own: bool) -> PlanPage:
    today = clock.local_date(now)
    shown = profile(person, now=now, own=own)
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.person_id == person.id).options(
        selectinload(TrainingPlan.items).selectinload(PlanItem.competency),
        selectinload(TrainingPlan.items).selectinload(PlanItem.lesson),
        selectinload(TrainingPlan.items).selectinload(PlanItem.course)))
    unknown = [row.name for row in shown.rows if row.target is not None and row.gap is None]
    page = PlanPage(person, own, shown.no_gaps, plan, today, unknown=unknown)
    if plan is None:
        return page
    items = plan.items
    done_lessons = completed_lessons(person.id, [i.lesson_id for i in items if i.lesson_id])
    courses = course_progress(person.id, {i.course_id: i.cycle for i in items if i.kind == PlanItemKind.COURSE})
    gaps = {gap.competency_id: gap for gap in gaps_in(shown.rows)}
    retest = states(person.id, list(gaps), items, done_lessons)
    grouped: dict[int, list[PlanItem]] = {}
    for item in items:
        if item.kind == PlanItemKind.LESSON:
            grouped.setdefault(item.competency_id, []).append(item)
    for cid in gaps:  # a gap with no lesson to study still gets its re-test
        grouped.setdefault(cid, [])
    for cid, group_items in grouped.items():
        gap = gaps.get(cid)
        name = gap.name if gap else group_items[0].competency.name
        reason = gap.reason if gap else _closed_reason(name, group_items[0])
        page.groups.append(Group(cid, name, reason, gap is not None,
                                 [_line(i, done_lessons, courses, today) for i in group_items], retest.get(cid)))
    page.required.extend(_line(i, done_lessons, courses, today) for i in items if i.kind == PlanItemKind.COURSE)
    return page
