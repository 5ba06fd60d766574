"""个人培训计划 (a person's training plan), its re-tests and the mentors' 谈心谈话记录 (app/needs).

A `TrainingPlan` per person holds `PlanItem`s: a lesson that teaches a gap competency at a level the
person lacks, or a course the post syllabus requires. Items are kept when done (`done_at`) and
dropped, while not done, once their gap closes (`needs/plans.py`). A `PlanRetest` is the hidden
exam a person takes to prove a gap closed; `MentorNote` a mentor's or admin's dated note.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.curriculum import Competency, Course, Lesson
from app.models.people import Person


class PlanItemKind(LabeledStrEnum):
    LESSON = "lesson", "补差课时"
    COURSE = "course", "岗位必修课程"


class TrainingPlan(db.Model):
    """One person's plan: built from their gaps and post syllabus, refreshed on the events."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    built_at: Mapped[datetime] = mapped_column(default=clock.now)

    items: Mapped[list[PlanItem]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                 order_by="PlanItem.position")


class PlanItem(db.Model):
    """A lesson for a gap competency (`competency_id`, `level` the target, `current` the level held
    when it was planned) or a required course (`competency_id` None); `reason` says why, in Chinese."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    competency_id: Mapped[int | None] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    level: Mapped[int | None]
    current: Mapped[int | None]
    gap: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(200))
    cycle: Mapped[int] = mapped_column(default=0)  # a required course's study cycle (study/cycles.py)
    due_on: Mapped[date]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    plan: Mapped[TrainingPlan] = relationship(back_populates="items")
    competency: Mapped[Competency | None] = relationship()
    lesson: Mapped[Lesson | None] = relationship()
    course: Mapped[Course] = relationship()


class PlanRetest(db.Model):
    """A re-test (复测) of one competency at its target level: a hidden formal exam of a few questions.

    `passed` is set when the attempt is graded: True when the competency's gap is closed afterwards.
    """

    __table_args__ = (Index("ix_plan_retest_person_competency", "person_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"))
    level: Mapped[int]
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), unique=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("exam_attempt.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]
    score_percent: Mapped[int | None]
    passed: Mapped[bool | None]

    competency: Mapped[Competency] = relationship()


class MentorNote(db.Model):
    """A 谈心谈话记录 about a person: when the talk was, what was said, who wrote it."""

    __table_args__ = (Index("ix_mentor_note_person_talked", "person_id", "talked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    talked_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
