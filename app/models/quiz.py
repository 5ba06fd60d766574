"""The lesson quiz: which bank questions a lesson's quiz uses, and every attempt at it.

Attempts store the question versions they showed and graded (editing the bank never changes a
graded attempt); their items are evidence of mastery per competency for later reports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.bank import QuestionVersion
from question_bank.base import EXTERNAL_ID_MAX


class LessonQuizQuestion(db.Model):
    """One entry of a lesson's quiz: the 编号 the content names, resolved once to a bank question.

    `question_id` stays empty until a question with that 编号 exists (the bank may be loaded after
    the content); once set it is kept, so renumbering a question in the bank does not move it.
    """

    __table_args__ = (UniqueConstraint("lesson_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"), index=True)


class QuizAttempt(db.Model):
    """One try at a lesson quiz in a study cycle; open until submitted, then graded.

    `studied_seconds` is the person's study time on the lesson when it was submitted, and
    `locked_until` is set on the failure that locks the quiz (see study/quiz_limits.py).
    """

    __table_args__ = (Index("ix_quiz_attempt_person_lesson_cycle", "person_id", "lesson_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_at: Mapped[datetime | None]
    earned: Mapped[int] = mapped_column(default=0)  # score units (hundredths of a point)
    possible: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool] = mapped_column(default=False)
    studied_seconds: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]

    items: Mapped[list[QuizAttemptItem]] = relationship(
        back_populates="attempt", order_by="QuizAttemptItem.position", cascade="all, delete-orphan"
    )


class QuizAttemptItem(db.Model):
    """One question of an attempt: the exact version shown, the response given and its score."""

    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    response: Mapped[object | None] = mapped_column(JSON)
    earned: Mapped[int] = mapped_column(default=0)
    possible: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="")  # a score status once graded

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()
