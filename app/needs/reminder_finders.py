"""What the reminder job (催学, `reminders.py`) tells each person: one finder per kind of thing to do.

A finder is made once per run (`make(day)`) and then asked, batch by batch, for the messages of
the people whose ids lie in [first, last]; each batch costs it a fixed number of statements, whatever
the batch's size. `FINDERS` is the list the job walks: a new kind of reminder (the personal training
plan's items, when plans exist) is one more function here that returns `Outgoing` messages with a
dedupe key naming the thing and the local date, added to the tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from app import clock
from app.exams.audience import members
from app.extensions import db
from app.messages.services import Outgoing
from app.models import Assignment, Attempt, Course, Exam, Person
from app.models.exams import ExamKind, ExamStatus
from app.models.people import PersonStatus

ASSIGNMENT_KIND = "remind_assignment"
EXAM_KIND = "remind_exam"
EXAM_AHEAD = timedelta(days=1)  # an exam is announced when its window opens within a day


@dataclass(frozen=True)
class Day:
    """The run's moment, its local date and how far ahead a due date counts as soon."""

    now: datetime
    today: date
    due_days: int


Batch = Callable[[int, int], list[Outgoing]]  # (first person id, last person id) → messages


def month_day(day: date, today: date) -> str:
    """12月8日, with the year when it is not this year's."""
    text = f"{day.month}月{day.day}日"
    return text if day.year == today.year else f"{day.year}年{text}"


def moment_text(at: datetime, today: date) -> str:
    """A UTC moment as local 12月8日 09:00 (今天 09:00 today)."""
    local = clock.to_local(at)
    day = "今天" if local.date() == today else month_day(local.date(), today)
    return f"{day} {local:%H:%M}"


def assignment_text(title: str, due_on: date, today: date) -> str:
    if due_on < today:
        return f"培训任务《{title}》已逾期 {(today - due_on).days} 天，请尽快完成"
    if due_on == today:
        return f"培训任务《{title}》今天到期，请尽快完成"
    return f"培训任务《{title}》将于 {month_day(due_on, today)} 到期，请尽快完成"


def assignments_due(day: Day) -> Batch:
    """Open assignments (培训任务) of active people due within `due_days` or overdue, to their person;
    the link opens the course in 我的学习."""
    horizon = day.today + timedelta(days=day.due_days)
    query = (select(Assignment.id, Assignment.person_id, Assignment.course_id, Assignment.due_on, Course.title)
             .join(Course, Course.id == Assignment.course_id).join(Person, Person.id == Assignment.person_id)
             .where(Assignment.completed_at.is_(None), Assignment.due_on <= horizon, Course.active,
                    Person.status == PersonStatus.ACTIVE)
             .order_by(Assignment.person_id, Assignment.due_on, Assignment.id))

    def batch(first: int, last: int) -> list[Outgoing]:
        rows = db.session.execute(query.where(Assignment.person_id.between(first, last)))
        return [Outgoing(person_id, ASSIGNMENT_KIND, assignment_text(title, due_on, day.today),
                         f"截止日期：{due_on:%Y-%m-%d}。请进入我的学习完成这门课程。",
                         f"/study/courses/{course_id}", f"remind:assignment:{assignment_id}:{day.today}")
                for assignment_id, person_id, course_id, due_on, title in rows]

    return batch


def exam_text(exam, day: Day) -> tuple[str, str]:
    opens, closes = moment_text(exam.opens_at, day.today), moment_text(exam.closes_at, day.today)
    if exam.opens_at <= day.now:
        return (f"考试《{exam.title}》已于 {opens} 开始，请在 {closes} 前参加",
                f"考试时间：{opens} 至 {closes}，限时 {exam.duration_minutes} 分钟。请到我的考试开始作答。")
    return (f"考试《{exam.title}》将于 {opens} 开始，请按时参加",
            f"考试时间：{opens} 至 {closes}，限时 {exam.duration_minutes} 分钟。开考后在我的考试开始作答。")


def exams_opening(day: Day) -> Batch:
    """Published formal exams (not hidden practice) whose window opens within a day or opened today
    and is still open, to the people of their audience who have not started; the link is the exam's
    place in 我的考试."""
    start_of_day = clock.to_utc(datetime.combine(day.today, time.min))
    exams = db.session.execute(
        select(Exam.id, Exam.title, Exam.opens_at, Exam.closes_at, Exam.duration_minutes)
        .where(Exam.status == ExamStatus.PUBLISHED, Exam.hidden.is_(False), Exam.kind == ExamKind.FORMAL,
               Exam.opens_at >= start_of_day, Exam.opens_at <= day.now + EXAM_AHEAD, Exam.closes_at > day.now)
        .order_by(Exam.opens_at, Exam.id)).all()
    texts = {exam.id: exam_text(exam, day) for exam in exams}

    def batch(first: int, last: int) -> list[Outgoing]:
        found = []
        for exam in exams:  # a few exams a day: one audience query each per batch
            started = exists().where(Attempt.exam_id == exam.id, Attempt.person_id == Person.id)
            query = (members(exam.id).with_only_columns(Person.id)
                     .where(Person.id.between(first, last), Person.status == PersonStatus.ACTIVE, ~started)
                     .order_by(Person.id))
            title, body = texts[exam.id]
            found += [Outgoing(person_id, EXAM_KIND, title, body, f"/exams/mine#exam-{exam.id}",
                               f"remind:exam:{exam.id}:{day.today}")
                      for person_id in db.session.scalars(query)]
        return found

    return batch


# The kinds of reminder the job sends, in order. Plans due (个人培训计划) join here when plans exist.
FINDERS: tuple[Callable[[Day], Batch], ...] = (assignments_due, exams_opening)
