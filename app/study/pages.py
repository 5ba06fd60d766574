"""Read-only views of a trainee's own study: 我的学习, a course, a lesson."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.errors import NotFound
from app.extensions import db
from app.models import Assignment, Course, CreditEntry, Lesson, LessonProgress, Person
from app.models.study import AssignmentStatus
from app.study import cycles, ledger, quiz


@dataclass
class LessonRow:
    lesson: Lesson
    seconds: int = 0
    completed: bool = False

    @property
    def required(self) -> int:
        return self.lesson.min_minutes * 60

    @property
    def percent(self) -> int:
        if self.completed or not self.required:
            return 100 if self.completed else 0
        return min(99, self.seconds * 100 // self.required)


@dataclass
class CourseProgress:
    course: Course
    lessons: list[LessonRow] = field(default_factory=list)
    assignment: Assignment | None = None
    status: AssignmentStatus | None = None
    cycle: int = 0

    @property
    def done(self) -> int:
        return sum(row.completed for row in self.lessons)

    @property
    def percent(self) -> int:
        return self.done * 100 // len(self.lessons) if self.lessons else 0


@dataclass
class Overview:
    person: Person
    assigned: list[CourseProgress]
    electives: list[CourseProgress]
    credits: ledger.YearCredits
    entries: list[CreditEntry]
    year: int
    years: list[int]  # the years to offer: those with tasks or 学时, and this year


def _progress(person_id: int, wanted: list[tuple[Course, int]]) -> dict[tuple[int, int], CourseProgress]:
    """Return progress per (course id, cycle) for the wanted (course, cycle) pairs."""
    result = {(course.id, cycle): CourseProgress(course, cycle=cycle) for course, cycle in wanted}
    if not wanted:
        return result
    course_ids = {course_id for course_id, _ in result}
    lessons = list(db.session.scalars(
        select(Lesson).where(Lesson.course_id.in_(course_ids), Lesson.active).order_by(Lesson.position)
    ))
    rows = {(r.lesson_id, r.cycle): r for r in db.session.scalars(select(LessonProgress).where(
        LessonProgress.person_id == person_id, LessonProgress.lesson_id.in_([ls.id for ls in lessons]),
        LessonProgress.cycle.in_({cycle for _, cycle in result})))}
    for (course_id, cycle), item in result.items():
        for lesson in (ls for ls in lessons if ls.course_id == course_id):
            row = rows.get((lesson.id, cycle))
            item.lessons.append(LessonRow(lesson, row.seconds if row else 0, bool(row and row.completed_at)))
    return result


def my_learning(person_id: int, *, today: date, year: int | None = None) -> Overview:
    """Return the person's open assignments and those of the year, electives and 学时 of the year:
    the year asked for, else the one that matters now for them (`cycles.default_year`)."""
    person = db.session.get(Person, person_id)
    facts = cycles.years_with_data(person_id=person_id)
    year = cycles.choose_year(year, facts, today)
    assignments = list(db.session.scalars(
        select(Assignment).options(joinedload(Assignment.course))
        .where(Assignment.person_id == person_id,
               or_(Assignment.completed_at.is_(None), Assignment.year == year))
        .order_by(Assignment.due_on, Assignment.id)
    ))
    syllabus = ledger.syllabus_for(person)
    assigned_ids = {a.course_id for a in assignments}
    electives = list(db.session.scalars(
        select(Course).where(Course.slug.in_(syllabus.electives if syllabus else []), Course.active)
        .order_by(Course.title)
    ))
    electives = [c for c in electives if c.id not in assigned_ids]
    course_ids = assigned_ids | {c.id for c in electives}
    current = cycles.current_cycles(person_id, course_ids)
    done = cycles.Completions([person_id], course_ids)
    wanted = [(a.course, _shown_cycle(a, current, done)) for a in assignments]
    progress = _progress(person_id, wanted + [(c, current[c.id]) for c in electives])
    assigned = []
    for assignment, (course, cycle) in zip(assignments, wanted, strict=True):
        item = progress[course.id, cycle]
        assigned.append(CourseProgress(course, item.lessons, assignment, assignment.status(today), cycle=cycle))
    return Overview(person, assigned, [progress[c.id, current[c.id]] for c in electives],
                    ledger.year_credits(person, year), ledger.entries(person_id, year), year,
                    cycles.year_choices(facts, today, year))


def _shown_cycle(assignment: Assignment, current: dict[int, int], done: cycles.Completions) -> int:
    """The study an assignment shows: a yearly one its own year's; a once-only one the cycle that
    completed it, or while open the course's current cycle."""
    if assignment.cycle:
        return assignment.cycle
    if assignment.completed_at is not None:
        first = done.first_cycle(assignment.person_id, assignment.course_id)
        if first is not None:
            return first
    return current[assignment.course_id]


def course_view(person_id: int, course_id: int, *, today: date) -> CourseProgress:
    """Return an active course with the person's progress per lesson in the current cycle."""
    course = db.session.get(Course, course_id)
    if course is None or not course.active:
        raise NotFound("课程不存在或已停用。")
    cycle = cycles.current_cycle(person_id, course.id)
    item = _progress(person_id, [(course, cycle)])[course.id, cycle]
    item.assignment = db.session.scalar(
        select(Assignment).where(Assignment.person_id == person_id, Assignment.course_id == course.id,
                                 cycles.counts_for(cycle))
        .order_by(Assignment.completed_at.is_not(None), Assignment.cycle.desc(), Assignment.year.desc())
    )
    item.status = item.assignment.status(today) if item.assignment else None
    return item


@dataclass
class LessonPage:
    lesson: Lesson
    body: Markup
    toc: list[tuple[str, str, str]]
    row: LessonRow
    previous: Lesson | None
    next: Lesson | None
    quiz_count: int = 0
    quiz_passed: bool = False
    cycle: int = 0


def lesson_view(person_id: int, lesson_id: int) -> LessonPage:
    """Return an active lesson rendered with a table of contents, neighbours and progress."""
    from app.curriculum.assets import render_lesson_with_contents

    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not lesson.active or not lesson.course.active:
        raise NotFound("课时不存在或已停用。")
    siblings = [ls for ls in lesson.course.lessons if ls.active]
    index = siblings.index(lesson)
    cycle = cycles.current_cycle(person_id, lesson.course_id)
    row = db.session.scalar(select(LessonProgress).where(
        LessonProgress.person_id == person_id, LessonProgress.lesson_id == lesson.id,
        LessonProgress.cycle == cycle))
    body, toc = render_lesson_with_contents(lesson)
    return LessonPage(
        lesson, body, toc, LessonRow(lesson, row.seconds if row else 0, bool(row and row.completed_at)),
        siblings[index - 1] if index > 0 else None,
        siblings[index + 1] if index + 1 < len(siblings) else None,
        len(quiz.quiz_items(lesson)), bool(row and row.quiz_passed), cycle,
    )
