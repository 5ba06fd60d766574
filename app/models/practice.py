"""Practice generated for one trainee, and the trainee's 错题本 (wrong-answer book).

A practice of a 知识点, a 题库分类, a practice exam's questions or the trainee's own 错题 is a hidden
practice `Exam` made for that person (exams/practice.py); `PracticeSource` says what it was drawn
from. A `WrongBookEntry` is one question a person answered wrongly (exams/wrong_book.py): it stays
open until it is answered correctly twice in a row, then it is kept as 已掌握 (`mastered_at`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.bank import Question, QuestionVersion
from app.models.exams import Exam


class PracticeSourceKind(LabeledStrEnum):
    EXAM = "exam", "练习卷"
    COMPETENCY = "competency", "知识点"
    CATEGORY = "category", "题库分类"
    WRONG_BOOK = "wrong_book", "我的错题"


class PracticeSource(db.Model):
    """What a trainee's generated practice was drawn from (`source_id`: the exam, competency or
    category; None for 我的错题), and how: the number of questions and whether it is timed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), unique=True)
    source_kind: Mapped[str] = mapped_column(String(12))
    source_id: Mapped[int | None]
    source_name: Mapped[str] = mapped_column(String(200))  # as it was named when the practice began
    question_count: Mapped[int]
    timed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    exam: Mapped[Exam] = relationship()

    @property
    def source_kind_label(self) -> str:
        return PracticeSourceKind.label_of(self.source_kind)


class WrongBookEntry(db.Model):
    """One question in one person's 错题本, with their latest wrong answer (in the question's own keys).

    `correct_streak` counts correct answers since the last wrong one; at two the entry is mastered
    (`mastered_at`), and a later wrong answer opens it again.
    """

    __table_args__ = (UniqueConstraint("person_id", "question_id"),
                      Index("ix_wrong_book_entry_person_mastered", "person_id", "mastered_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id", ondelete="CASCADE"))
    response: Mapped[object | None] = mapped_column(JSON)  # None: left unanswered
    status: Mapped[str] = mapped_column(String(10))  # the engine's score status of that answer
    earned: Mapped[int] = mapped_column(default=0)
    possible: Mapped[int] = mapped_column(default=0)
    wrong_count: Mapped[int] = mapped_column(default=1)
    correct_streak: Mapped[int] = mapped_column(default=0)
    first_wrong_at: Mapped[datetime]
    last_wrong_at: Mapped[datetime]
    last_answered_at: Mapped[datetime]
    mastered_at: Mapped[datetime | None]
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("exam_attempt.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship()
    version: Mapped[QuestionVersion] = relationship()
