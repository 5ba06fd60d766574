"""The demo's study: lessons read, quizzes passed and courses finished through the study services.

A lesson is one sitting: the lesson page starts the study clock (`timing.start_lesson`), a heartbeat
at the end of the sitting credits the time (the demo passes a cap as long as the sitting, as if the
page had beaten every half minute), and the lesson quiz is answered through `quiz.start_quiz` /
`quiz.submit_quiz` (now and then wrong the first time). So lesson progress, quiz attempts, the 学时
ledger, the tasks' started/completed times and the 培训完成情况 counters are all written by the
services, at the moments the timeline gives them.

How a person works through a year's tasks depends on their profile (org.PROFILES): `model` finishes
early and takes an elective, `normal` finishes before the deadline, `late` after it, `lagging`
leaves one task undone; fj001 (`showcase`) has every state of task at any date (see plan_showcase).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import Assignment, Course, Lesson, Person
from app.models.study import AssignmentOrigin
from app.study import assignments, ledger, quiz, timing

SITTING_BREAK = timedelta(minutes=40)  # at least this between two lessons' sittings


def _listed(response: object) -> object:
    """The engine's correct response in the shape a submitted form gives (lists, not tuples)."""
    return list(response) if isinstance(response, tuple) else response


class Study:
    """Plans and carries out the study of the demo's people on a timeline."""

    def __init__(self, tl, org) -> None:
        self.tl, self.org = tl, org
        self.lessons: dict[int, list[tuple[int, int, bool]]] = {}  # course id -> (lesson id, minutes, quiz)
        for lesson in db.session.scalars(select(Lesson).where(Lesson.active).order_by(Lesson.position)):
            self.lessons.setdefault(lesson.course_id, []).append((lesson.id, lesson.min_minutes, bool(lesson.quiz)))
        self.courses = {c.slug: c.id for c in db.session.scalars(select(Course).where(Course.active))}
        self._keys: dict[int, dict[str, list[str]]] = {}

    # --- one course, lesson by lesson ---------------------------------------------------------------

    def course(self, person_id: int, course_id: int, begin: datetime, finish: datetime | None,
               *, key: str = "") -> None:
        """Plan the sittings of a course from `begin` to `finish` (None: only the first lesson, half done)."""
        lessons = self.lessons.get(course_id, [])
        rng = self.tl.rng("course", person_id, course_id, key)
        if finish is None:
            lesson_id, minutes, _quiz = lessons[0]
            self._plan(begin, person_id, lesson_id, minutes * 30, False, rng)
            return
        gap = max((finish - begin) / max(len(lessons) - 1, 1), SITTING_BREAK)
        for i, (lesson_id, minutes, has_quiz) in enumerate(lessons):
            seconds = minutes * 60 + rng.randrange(0, 240)
            self._plan(begin + gap * i, person_id, lesson_id, seconds, has_quiz, rng)

    def _plan(self, when: datetime, person_id: int, lesson_id: int, seconds: int, has_quiz: bool, rng) -> None:
        wrong_first = has_quiz and rng.random() < 0.05
        length = timedelta(seconds=seconds + (420 if has_quiz else 60))
        if when + length > self.tl.now:  # a sitting still going on at the moment of loading has not ended
            return
        self.tl.at(when, lambda at: self._sit(at, person_id, lesson_id, seconds, has_quiz, wrong_first))

    def _sit(self, at: datetime, person_id: int, lesson_id: int, seconds: int, has_quiz: bool,
             wrong_first: bool) -> None:
        token = timing.start_lesson(person_id, lesson_id, now=at)
        end = at + timedelta(seconds=seconds)
        timing.heartbeat(person_id, lesson_id, token, now=end, cap=seconds)
        if has_quiz:
            try:
                if wrong_first:
                    self._quiz(person_id, lesson_id, end + timedelta(minutes=1), right=False)
                self._quiz(person_id, lesson_id, end + timedelta(minutes=4), right=True)
            except NotFound:  # the lesson names no usable question: no quiz to take
                pass

    def _quiz(self, person_id: int, lesson_id: int, at: datetime, *, right: bool) -> None:
        attempt_id = quiz.start_quiz(person_id, lesson_id, now=at)
        quiz.submit_quiz(person_id, lesson_id, attempt_id, self._answers(lesson_id) if right else {},
                         now=at + timedelta(minutes=2))

    def _answers(self, lesson_id: int) -> dict[str, list[str]]:
        """The right answers to a lesson's quiz as its form sends them (the questions do not change
        while the demo loads, so every attempt shows the same versions in the same places)."""
        if lesson_id not in self._keys:
            items = quiz.quiz_items(db.session.get(Lesson, lesson_id))
            self._keys[lesson_id] = {item.field: item.adapter.form_values(_listed(item.question.correct_response()))
                                     for item in items}
        return self._keys[lesson_id]

    # --- a year's tasks -------------------------------------------------------------------------------

    def open_tasks(self, person_id: int, year: int | None = None) -> list[Assignment]:
        """The person's open tasks (of a year: only the syllabus's; admins' tasks are planned when
        they are handed out, see `handed_out`)."""
        query = select(Assignment).where(Assignment.person_id == person_id, Assignment.completed_at.is_(None))
        if year is not None:
            query = query.where(Assignment.year == year, Assignment.origin == AssignmentOrigin.SYLLABUS)
        return list(db.session.scalars(query.order_by(Assignment.due_on, Assignment.id)))

    def plan_year(self, member, year: int, at: datetime) -> None:
        """Plan how the member works through their open tasks of the year (and maybe an elective)."""
        if member.profile == "showcase":
            return self.plan_showcase(member, year, at)
        rng = self.tl.rng("year", member.staff_no, year)
        tasks = self.open_tasks(member.person_id, year)
        skipped = rng.randrange(len(tasks)) if member.profile == "lagging" and tasks else None
        for i, task in enumerate(tasks):
            if i != skipped:
                self.task(member, task, at, rng)
        if member.profile in ("model", "normal") and rng.random() < (0.6 if member.profile == "model" else 0.2):
            self._elective(member, year, at, rng, {task.course_id for task in tasks})

    def task(self, member, task: Assignment, at: datetime, rng, *, share: tuple[float, float] | None = None) -> None:
        """Plan the study of one task: finished between `at` and its due date by the profile's habit."""
        start = at + timedelta(days=rng.randint(2, 12))
        due = self.tl.local(task.due_on, 18)
        if member.profile == "late":
            finish = due + timedelta(days=rng.randint(5, 45), hours=rng.randint(-8, 2))
        else:
            low, high = share or {"model": (0.05, 0.45)}.get(member.profile, (0.3, 0.95))
            finish = start + (due - start) * rng.uniform(low, high) if due > start else due
        finish = self.tl.local(self.tl.day_of(finish), rng.randint(9, 20), rng.choice((0, 15, 30, 45)))
        begin = max(finish - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 3)), at + timedelta(hours=1))
        self.course(member.person_id, task.course_id, begin, max(finish, begin), key=f"task{task.id}")

    def _elective(self, member, year: int, at: datetime, rng, taken: set[int]) -> None:
        person = db.session.get(Person, member.person_id)
        syllabus = ledger.syllabus_for(person)
        choices = [self.courses[s] for s in (syllabus.electives if syllabus else []) if s in self.courses]
        choices = [course_id for course_id in choices if course_id not in taken]
        if not choices:
            return
        finish = self.tl.local(date(year, rng.randint(4, 11), rng.randint(1, 28)), rng.randint(9, 20))
        begin = max(finish - timedelta(days=rng.randint(1, 10)), at + timedelta(days=1))
        self.course(member.person_id, rng.choice(choices), begin, max(begin, finish), key=f"elective{year}")

    def plan_showcase(self, member, year: int, at: datetime) -> None:
        """fj001: last year everything on time; this year a yearly course done in the first days of
        January, the next one by mid-March, and (planned when the admins hand them out) one task
        overdue, one in progress and one not started, whatever the date of loading."""
        tasks = self.open_tasks(member.person_id, year)
        if year < self.tl.year:
            rng = self.tl.rng("showcase", year)
            for task in tasks:
                self.task(member, task, at, rng, share=(0.2, 0.5))
            return
        for i, task in enumerate(tasks):
            begin = self.tl.local(date(year, 1, 1), 9) if i == 0 else self.tl.local(date(year, 3, 10), 19)
            finish = begin + timedelta(hours=6) if i == 0 else self.tl.local(date(year, 3, 15), 20)
            self.course(member.person_id, task.course_id, begin, finish, key=f"showcase{task.id}")

    # --- tasks handed out by admins ------------------------------------------------------------------

    def handed_out(self, people: Iterable, course_id: int, due_on: date, at: datetime, *, chance: float,
                   showcase: str) -> None:
        """Plan the study of an admin's task: people finish it with the given chance (the late ones
        after the due date); fj001 does `showcase`: "skip", "start" or "none"."""
        due = self.tl.local(due_on, 18)
        for member in people:
            task = next((t for t in self.open_tasks(member.person_id) if t.course_id == course_id), None)
            if task is None:
                continue
            rng = self.tl.rng("handed", member.staff_no, task.id)
            if member.profile == "showcase":
                if showcase == "start":
                    begin = max(self.tl.local(self.tl.today - timedelta(days=1), 20), at + timedelta(hours=1))
                    self.course(member.person_id, course_id, begin, None, key="showcase-start")
                continue
            if member.profile == "lagging" or rng.random() > chance:
                if rng.random() < 0.4:  # opened it once
                    self.course(member.person_id, course_id, self.tl.between(rng, at, max(at, due)), None,
                                key=f"peek{task.id}")
                continue
            self.task(member, task, at, rng, share=(0.1, 0.9))


def year_turn(tl, study: Study, at: datetime) -> None:
    """New Year's Day, as the `year-turn` job does it: last year's excess 学时 carried over, this
    year's syllabus tasks created; then everyone plans the year."""
    ledger.carry_over_all(tl.last_year, now=at)
    members = [m for m in study.org.members if m.joined_on <= tl.year_start]
    assignments.sync_all(today=tl.year_start, year=tl.year, person_ids=[m.person_id for m in members])
    for member in members:
        study.plan_year(member, tl.year, at)

