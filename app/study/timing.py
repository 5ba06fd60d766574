"""Server-side study time: a lesson page claims the person's clock, then heartbeats earn real time.

Rules (the client never sends a duration):
- Opening a lesson (the page's start call) hands the person's one clock to that page with a fresh
  token: the newest page takes over, and heartbeats from older pages or other lessons earn nothing.
- A heartbeat from the owning page credits the real time since the previous accepted heartbeat
  of the clock, when that interval is at most the cap; a longer gap (the learner was away) credits
  0 and restarts the interval. Early or forged heartbeats therefore earn only the elapsed time.
- A lesson completes when its credited seconds reach its minimum minutes and its quiz, if any
  (see quiz.py), is passed.
- Times are kept in whole seconds, so the credited intervals of a session add up to its real
  length (truncating each interval instead would lose up to a second per beat).
- Progress is kept per study cycle (see cycles.py); the cycle is fixed on the clock when the page
  starts, so a heartbeat need not look it up.
- A heartbeat costs at most three statements with the login-session load: one UPDATE ... RETURNING
  on the clock and one upsert ... RETURNING on the progress row. Only the beat that completes a
  lesson does more (course completion, rare).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, and_, bindparam, case, or_, select, update

from app.errors import NotFound
from app.events import announce, lesson_completed
from app.extensions import db, upsertable_insert
from app.models import Course, Lesson, LessonProgress, StudyClock
from app.study import cycles, progress, quiz, tallies


@dataclass(frozen=True)
class Beat:
    """What a heartbeat earned: `active` is False when another page or lesson owns the clock."""

    active: bool
    credited: int = 0
    seconds: int | None = None
    completed: bool = False


def _open_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not lesson.active or not lesson.course.active:
        raise NotFound("课时不存在或已停用。")
    return lesson


def start_lesson(person_id: int, lesson_id: int, *, now: datetime) -> str:
    """Hand the person's study clock to a new page on this lesson and return the page's token."""
    lesson = _open_lesson(lesson_id)
    now = now.replace(microsecond=0)
    cycle = cycles.current_cycle(person_id, lesson.course_id)
    clock = db.session.get(StudyClock, person_id)
    if clock is None:
        clock = StudyClock(person_id=person_id)
        db.session.add(clock)
    clock.lesson_id, clock.token = lesson.id, secrets.token_urlsafe(24)
    clock.last_beat_at, clock.prev_beat_at = now, None
    clock.required_seconds = lesson.min_minutes * 60
    clock.quiz_required = bool(quiz.quiz_items(lesson))
    clock.cycle = cycle
    tallies.mark_started(person_id, lesson.course_id, cycles.counts_for(cycle), now=now)
    db.session.commit()
    return clock.token


def credit_for(previous: datetime | None, now: datetime, cap: int) -> int:
    """Return the whole seconds a heartbeat earns: the real interval, or 0 past the cap."""
    if previous is None:
        return 0
    elapsed = int((now - previous).total_seconds())
    return elapsed if 0 < elapsed <= cap else 0


def _clock_update():
    return (
        update(StudyClock)
        .where(StudyClock.person_id == bindparam("pid"), StudyClock.lesson_id == bindparam("lid"),
               StudyClock.token == bindparam("tok"))
        .values(prev_beat_at=StudyClock.last_beat_at, last_beat_at=bindparam("now", type_=DateTime))
        .returning(StudyClock.prev_beat_at, StudyClock.required_seconds, StudyClock.quiz_required,
                   StudyClock.cycle)
        .execution_options(synchronize_session=False)
    )


def _progress_upsert(dialect_name: str):
    """Upsert the progress row in one statement; it completes when the seconds reach `req`
    and the lesson quiz, if the lesson has one (`noquiz` false), has been passed."""
    table = LessonProgress.__table__
    now = bindparam("now", type_=DateTime)
    total = table.c.seconds + bindparam("credit", type_=Integer)
    quiz_ok = or_(table.c.quiz_passed, bindparam("noquiz", type_=Boolean))
    completed = case(
        (and_(table.c.completed_at.is_(None), total >= bindparam("req", type_=Integer), quiz_ok), now),
        else_=table.c.completed_at,
    )
    return (
        upsertable_insert(table, dialect_name)
        .values(person_id=bindparam("pid"), lesson_id=bindparam("lid"), cycle=bindparam("cycle"),
                seconds=bindparam("credit"), quiz_passed=False,
                completed_at=bindparam("first_done", type_=DateTime))
        .on_conflict_do_update(index_elements=["person_id", "lesson_id", "cycle"],
                               set_={"seconds": total, "completed_at": completed})
        .returning(table.c.seconds, table.c.completed_at)
    )


_STATEMENTS: dict[str, tuple] = {}  # built once per dialect: heartbeats are the hottest path


def _statements() -> tuple:
    name = db.session.get_bind().dialect.name
    if name not in _STATEMENTS:
        _STATEMENTS[name] = (_clock_update(), _progress_upsert(name))
    return _STATEMENTS[name]


def heartbeat(person_id: int, lesson_id: int, token: str, *, now: datetime, cap: int) -> Beat:
    """Credit the real interval since the clock's previous heartbeat to the lesson."""
    clock_update, progress_upsert = _statements()
    now = now.replace(microsecond=0)
    params = {"pid": person_id, "lid": lesson_id, "now": now}
    row = db.session.execute(clock_update, params | {"tok": (token or "")[:64]}).first()
    if row is None:
        exists = db.session.scalar(
            select(Lesson.id).join(Course).where(Lesson.id == lesson_id, Lesson.active, Course.active)
        )
        db.session.rollback()
        if exists is None:
            raise NotFound("课时不存在或已停用。")
        return Beat(active=False)
    credit = credit_for(row.prev_beat_at, now, cap)
    if credit == 0:
        db.session.commit()
        return Beat(active=True)
    required = row.required_seconds
    seconds, completed_at = db.session.execute(progress_upsert, params | {
        "credit": credit, "req": required, "noquiz": not row.quiz_required, "cycle": row.cycle,
        "first_done": now if credit >= required and not row.quiz_required else None}).one()
    if completed_at == now:
        progress.lesson_completed(person_id, lesson_id, row.cycle, now=now)
    db.session.commit()
    if completed_at == now:
        announce(lesson_completed, person_id=person_id, lesson_id=lesson_id)
    return Beat(active=True, credited=credit, seconds=seconds, completed=completed_at is not None)
