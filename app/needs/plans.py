"""个人培训计划: a person's plan from their gaps and their post syllabus's required courses, kept up to date.

What goes in: for each competency with a known gap (target − mastery ≥ 1; `profile.gaps`), the
active lessons that teach it at a missing level (above the level held, up to the target) in courses
for the person's workforce, and the
syllabus's required courses. A competency at or above its target is never in the plan, and neither
is one whose gap is unknown (the diagnostic decides it first). Gap competencies come biggest gap
first; their lessons fall due one step apart (`NEEDS_PLAN_STEP_DAYS`, 30 days): the biggest gap's
lessons one step from when they were planned, the next two steps… A required course is due as the
syllabus says (`study.assignments.due_date`), else one step on.

`refresh` runs on the events (mastery changed, post changed: `receivers.py`), from the CLI and from
the trainee's 生成培训计划 button — never on a page view. It keeps done items, drops items not done
whose gap closed (or whose course is no longer required), adds new ones, keeps due dates, and stamps
`done_at` on items the person has completed (lesson progress). Pages read progress live
(`plan_page.py`), so a lesson finished since the last refresh shows done at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.audit import record
from app.curriculum.services import person_workforces
from app.extensions import db
from app.models import (
    Course,
    Lesson,
    LessonCompetency,
    LessonProgress,
    Person,
    PlanItem,
    TrainingPlan,
)
from app.models.curriculum import Level
from app.models.people import PersonStatus
from app.models.plans import PlanItemKind
from app.needs.profile import level_label, profile
from app.study.assignments import due_date, rule_cycle
from app.study.ledger import syllabus_for

DEFAULT_STEP_DAYS = 30


@dataclass(frozen=True)
class Gap:
    competency_id: int
    name: str
    target: int
    current: int  # the level held (0: none yet)
    size: int

    @property
    def reason(self) -> str:
        return f"岗位要求「{self.name}」{Level(self.target).label}，当前{level_label(self.current)}"


def step_days() -> int:
    return int(current_app.config.get("NEEDS_PLAN_STEP_DAYS", DEFAULT_STEP_DAYS))


def gaps_of(person: Person, *, now: datetime) -> list[Gap]:
    """The person's known gaps, biggest first (ties in the syllabus's order)."""
    return gaps_in(profile(person, now=now, own=True).rows)


def gaps_in(rows) -> list[Gap]:
    """The known gaps among a profile's rows, biggest first (ties in the syllabus's order)."""
    gaps = [Gap(row.competency_id, row.name, int(row.target), row.level or 0, row.gap) for row in rows if row.gap]
    return sorted(gaps, key=lambda gap: -gap.size)


def completed_lessons(person_id: int, lesson_ids) -> set[int]:
    """The lessons the person has completed in any cycle (one statement)."""
    ids = list(set(lesson_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(LessonProgress.lesson_id).where(
        LessonProgress.person_id == person_id, LessonProgress.lesson_id.in_(ids),
        LessonProgress.completed_at.is_not(None)).distinct()))


def course_progress(person_id: int, cycles: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Per course (with the cycle it is studied in): (active lessons completed in that cycle, active lessons)."""
    if not cycles:
        return {}
    totals = dict(db.session.execute(select(Lesson.course_id, func.count()).where(
        Lesson.course_id.in_(list(cycles)), Lesson.active).group_by(Lesson.course_id)).all())
    done: dict[int, int] = {}
    for course_id, cycle in db.session.execute(
            select(Lesson.course_id, LessonProgress.cycle).join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .where(Lesson.course_id.in_(list(cycles)), Lesson.active, LessonProgress.person_id == person_id,
                   LessonProgress.completed_at.is_not(None))):
        if cycle == cycles[course_id]:
            done[course_id] = done.get(course_id, 0) + 1
    return {course_id: (done.get(course_id, 0), totals.get(course_id, 0)) for course_id in cycles}


def _lessons_for(gaps: list[Gap], workforces: set[str]) -> list[tuple[Gap, int, int]]:
    """(gap, lesson, course) for each active lesson teaching a gap competency at a missing level, in a
    course for one of the person's workforces (`curriculum.services.person_workforces`: the courses they
    may open; another workforce's lesson on the same competency is not theirs to study)."""
    by_id = {gap.competency_id: gap for gap in gaps}
    if not by_id:
        return []
    rows = db.session.execute(
        select(LessonCompetency.competency_id, LessonCompetency.level, Lesson.id, Lesson.course_id, Course.workforces)
        .join(Lesson, Lesson.id == LessonCompetency.lesson_id).join(Course, Course.id == Lesson.course_id)
        .where(LessonCompetency.competency_id.in_(list(by_id)), Lesson.active, Course.active)
        .order_by(Course.id, Lesson.position, Lesson.id)).all()
    found = [(by_id[cid], lesson_id, course_id) for cid, level, lesson_id, course_id, course_workforces in rows
             if by_id[cid].current < int(level) <= by_id[cid].target and workforces.intersection(course_workforces or ())]
    order = {gap.competency_id: n for n, gap in enumerate(gaps)}
    return sorted(found, key=lambda row: order[row[0].competency_id])  # stable: course, lesson order kept


def _required(person: Person, today: date) -> list[tuple[Course, date, int]]:
    """The syllabus's required courses: (course, due date, cycle)."""
    syllabus = syllabus_for(person)
    rules = {rule.get("course"): rule for rule in (syllabus.required if syllabus else [])}
    if not rules:
        return []
    courses = db.session.scalars(select(Course).where(Course.slug.in_(list(rules)), Course.active)
                                 .order_by(Course.id)).all()
    found = []
    for course in courses:
        rule = rules[course.slug]
        due = due_date(rule, joined_on=person.joined_on, today=today) or today + timedelta(days=step_days())
        found.append((course, due, rule_cycle(rule, due)))
    return found


@dataclass(frozen=True)
class Refreshed:
    plan: TrainingPlan | None
    added: int = 0
    dropped: int = 0
    done: int = 0


def plan_of(person_id: int) -> TrainingPlan | None:
    return db.session.scalar(select(TrainingPlan).where(TrainingPlan.person_id == person_id))


def _wanted(person: Person, gaps: list[Gap], today: date) -> dict[tuple, dict]:
    """What the plan should hold now: key (kind, competency, lesson, course) → the item's values."""
    step = timedelta(days=step_days())
    rank = {gap.competency_id: n for n, gap in enumerate(gaps)}
    wanted: dict[tuple, dict] = {}
    for gap, lesson_id, course_id in _lessons_for(gaps, person_workforces(person)):
        wanted[(PlanItemKind.LESSON, gap.competency_id, lesson_id, course_id)] = dict(
            kind=PlanItemKind.LESSON, competency_id=gap.competency_id, lesson_id=lesson_id, course_id=course_id,
            level=gap.target, current=gap.current, gap=gap.size, reason=gap.reason, cycle=0,
            due_on=today + step * (rank[gap.competency_id] + 1))
    for course, due, cycle in _required(person, today):
        wanted[(PlanItemKind.COURSE, None, None, course.id)] = dict(
            kind=PlanItemKind.COURSE, competency_id=None, lesson_id=None, course_id=course.id, level=None,
            current=None, gap=0, reason="岗位必修课程", cycle=cycle, due_on=due)
    return wanted


def _merge(plan: TrainingPlan, wanted: dict[tuple, dict], now: datetime) -> tuple[list[PlanItem], int, int]:
    """Keep done items and wanted ones (their reasons brought up to date), drop the rest, add the new."""
    kept: list[PlanItem] = []
    dropped = 0
    for item in list(plan.items):
        values = wanted.pop((item.kind, item.competency_id, item.lesson_id, item.course_id), None)
        if values is None and item.done_at is None:
            plan.items.remove(item)
            dropped += 1
            continue
        if values is not None and item.done_at is None:
            for name in ("level", "current", "gap", "reason", "cycle"):
                setattr(item, name, values[name])
        kept.append(item)
    for values in wanted.values():
        item = PlanItem(created_at=now, **values)
        plan.items.append(item)
        kept.append(item)
    return kept, len(wanted), dropped


def update_plan(person: Person, *, now: datetime, create: bool = True) -> Refreshed:
    """Bring the person's plan in line with their gaps and syllabus (flush only; the caller commits)."""
    plan = plan_of(person.id)
    if plan is None:
        if not create:
            return Refreshed(None)
        plan = TrainingPlan(person_id=person.id, post_id=person.post_id, built_at=now)
        db.session.add(plan)
    gaps = gaps_of(person, now=now)
    wanted = _wanted(person, gaps, clock.local_date(now))
    done_lessons = completed_lessons(person.id, [v["lesson_id"] for v in wanted.values() if v["lesson_id"]]
                                     + [i.lesson_id for i in plan.items if i.lesson_id])
    cycles = {i.course_id: i.cycle for i in plan.items if i.kind == PlanItemKind.COURSE}
    cycles.update({v["course_id"]: v["cycle"] for v in wanted.values() if v["kind"] == PlanItemKind.COURSE})
    courses = course_progress(person.id, cycles)
    done = _stamp(plan.items, done_lessons, courses, now)  # first: a lesson studied before its gap closed is kept
    kept, added, dropped = _merge(plan, wanted, now)
    done += _stamp(kept, done_lessons, courses, now)
    order = {gap.competency_id: n for n, gap in enumerate(gaps)}
    kept.sort(key=lambda i: (i.kind != PlanItemKind.LESSON, order.get(i.competency_id, len(order)),
                             i.done_at is not None, i.due_on, i.course_id, i.lesson_id or 0))
    for position, item in enumerate(kept, start=1):
        item.position = position
    plan.post_id = person.post_id
    plan.built_at = now
    db.session.flush()
    if added or dropped or done:
        record("plan_update", plan, actor_id=None, person_id=person.id, added=added, dropped=dropped, done=done)
    return Refreshed(plan, added, dropped, done)


def _stamp(items, done_lessons: set[int], courses: dict[int, tuple[int, int]], now: datetime) -> int:
    stamped = 0
    for item in items:
        if item.done_at is None and _complete(item, done_lessons, courses):
            item.done_at = now
            stamped += 1
    return stamped


def _complete(item: PlanItem, done_lessons: set[int], courses: dict[int, tuple[int, int]]) -> bool:
    if item.kind == PlanItemKind.LESSON:
        return item.lesson_id in done_lessons
    finished, total = courses.get(item.course_id, (0, 0))
    return total > 0 and finished >= total


def refresh(person_id: int, *, now: datetime, create: bool = True) -> Refreshed:
    """`update_plan` and commit (the events, the CLI, the trainee's button)."""
    if not create and plan_of(person_id) is None:  # the events: only a plan that exists (one statement)
        return Refreshed(None)
    person = db.session.get(Person, person_id)
    if person is None:
        return Refreshed(None)
    refreshed = update_plan(person, now=now, create=create)
    db.session.commit()
    return refreshed


def create_own_plan(person_id: int, *, now: datetime) -> Refreshed:
    """The trainee's 生成我的培训计划 button (commits)."""
    return refresh(person_id, now=now)


def refresh_all(*, now: datetime, person_id: int | None = None) -> int:
    """`flask needs plans`: every active person with a post (or one person), one commit each."""
    ids = [person_id] if person_id is not None else list(db.session.scalars(
        select(Person.id).where(Person.post_id.is_not(None), Person.status == PersonStatus.ACTIVE).order_by(Person.id)))
    for pid in ids:
        refresh(pid, now=now)
    return len(ids)
