"""How often a lesson quiz may be failed: N failures in a row lock it until a wait ends or more study.

Rule: failed submissions count since the person's last pass or last lock of the quiz in the study
cycle. The failure that makes QUIZ_MAX_FAILED_TRIES stores `locked_until` (now +
QUIZ_RETRY_WAIT_MINUTES) and the lesson's study seconds; the quiz opens again when that time has
come, or once the person has studied the lesson QUIZ_RETRY_STUDY_MINUTES more. Wrong questions are
still marked on each result, so guessing through them takes many waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime
from sqlalchemy import func, or_, select

from app.errors import Conflict
from app.extensions import db
from app.models import LessonProgress, QuizAttempt
from app.study.settings import setting


@dataclass(frozen=True)
class Lock:
    """A locked quiz: when it opens again, and how much more study (seconds) opens it sooner."""

    until: datetime
    study_seconds_left: int  # 0 when studying does not open it
    failures: int

    @property
    def study_minutes_left(self) -> int:
        return -(-self.study_seconds_left // 60)

    @property
    def message(self) -> str:
        text = (f"已连续 {self.failures} 次未通过，课后小测暂停到 "
                f"{format_datetime(self.until, 'M月d日 HH:mm')}，请先复习课时内容")
        if self.study_seconds_left:
            text += f"；再学习 {self.study_minutes_left} 分钟课时内容后也可重新测验"
        return text + "。"


class QuizLocked(Conflict):
    """The quiz is locked after too many failures."""

    def __init__(self, lock: Lock):
        super().__init__(lock.message)
        self.lock = lock


def _of(person_id: int, lesson_id: int, cycle: int) -> tuple:
    """Return the conditions selecting a person's attempts at a lesson quiz in a cycle."""
    return (QuizAttempt.person_id == person_id, QuizAttempt.lesson_id == lesson_id, QuizAttempt.cycle == cycle)


def studied_seconds(person_id: int, lesson_id: int, cycle: int) -> int:
    """Return the seconds the person has studied the lesson in the cycle."""
    return db.session.scalar(select(LessonProgress.seconds).filter_by(
        person_id=person_id, lesson_id=lesson_id, cycle=cycle)) or 0


def current_lock(person_id: int, lesson_id: int, cycle: int, *, now: datetime) -> Lock | None:
    """Return the lock on the person's quiz of a lesson, or None when they may take it."""
    locking = db.session.scalars(select(QuizAttempt).where(*_of(person_id, lesson_id, cycle),
        QuizAttempt.locked_until.is_not(None)).order_by(QuizAttempt.id.desc()).limit(1)).first()
    if locking is None or now >= locking.locked_until:
        return None
    study = setting("QUIZ_RETRY_STUDY_MINUTES") * 60
    left = locking.studied_seconds + study - studied_seconds(person_id, lesson_id, cycle) if study else 0
    if study and left <= 0:
        return None
    return Lock(locking.locked_until, max(left, 0), setting("QUIZ_MAX_FAILED_TRIES"))


def check_unlocked(person_id: int, lesson_id: int, cycle: int, *, now: datetime) -> None:
    """Raise QuizLocked when the quiz is locked."""
    lock = current_lock(person_id, lesson_id, cycle, now=now)
    if lock is not None:
        raise QuizLocked(lock)


def lock_if_too_many(attempt: QuizAttempt, *, now: datetime) -> None:
    """After a failed, flushed attempt: lock the quiz when the failures in a row reach the limit."""
    mine = _of(attempt.person_id, attempt.lesson_id, attempt.cycle)
    since = db.session.scalar(select(func.max(QuizAttempt.id)).where(
        *mine, or_(QuizAttempt.passed, QuizAttempt.locked_until.is_not(None)))) or 0
    failures = db.session.scalar(select(func.count(QuizAttempt.id)).where(
        *mine, QuizAttempt.id > since, QuizAttempt.submitted_at.is_not(None), QuizAttempt.passed.is_(False)))
    if failures >= setting("QUIZ_MAX_FAILED_TRIES"):
        attempt.locked_until = now + timedelta(minutes=setting("QUIZ_RETRY_WAIT_MINUTES"))
