"""Study: lesson progress, the per-person study clock, the 学时 ledger and training assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.curriculum import Course, CreditKind, Lesson
from app.models.people import Person


class CreditSource(LabeledStrEnum):
    """What earned a 学时 ledger line (`source_type`)."""

    COURSE = "course", "课程学习"
    EXAM = "exam", "考试"
    QUIZ = "quiz", "课后小测"
    OFFLINE = "offline", "线下培训"
    CARRY_OVER = "carry_over", "上年结转"
    REVERSAL = "reversal", "冲正"


class AssignmentOrigin(LabeledStrEnum):
    SYLLABUS = "syllabus", "培训大纲"
    ADMIN = "admin", "管理员下达"


class AssignmentStatus(LabeledStrEnum):
    """An assignment's status as of a day (computed by `Assignment.status`, never stored)."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "学习中"
    COMPLETED = "completed", "已完成"
    OVERDUE = "overdue", "已逾期"


class LessonProgress(db.Model):
    """How long a person has studied one lesson in one study cycle, and whether it is done.

    `cycle` is 0 for a course studied once, or the year of a course that must be studied again
    each year (see study/cycles.py); each cycle keeps its own seconds, quiz pass and completion.
    """

    __table_args__ = (UniqueConstraint("person_id", "lesson_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int] = mapped_column(default=0, server_default="0")
    seconds: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None]
    quiz_passed: Mapped[bool] = mapped_column(default=False)

    lesson: Mapped[Lesson] = relationship()


class StudyClock(db.Model):
    """One row per person: the lesson being studied and the page (token) that owns the clock.

    Opening a lesson page hands the clock to that page (a new token); heartbeats from any
    other page or lesson then match no row and earn nothing.
    """

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    last_beat_at: Mapped[datetime]
    prev_beat_at: Mapped[datetime | None]
    required_seconds: Mapped[int] = mapped_column(default=0)
    quiz_required: Mapped[bool] = mapped_column(default=False)
    cycle: Mapped[int] = mapped_column(default=0, server_default="0")


class CreditEntry(db.Model):
    """An append-only 学时 ledger line in tenths; `(person, source_type, source_id, cycle)` is its
    idempotency key (`cycle` is the study cycle of a course or quiz credit, else 0)."""

    __table_args__ = (UniqueConstraint("person_id", "source_type", "source_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10))
    tenths: Mapped[int]
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    cycle: Mapped[int] = mapped_column(default=0, server_default="0")
    reversal_of_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entry.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    @property
    def kind_label(self) -> str:
        return CreditKind.label_of(self.kind)

    @property
    def source_label(self) -> str:
        return CreditSource.label_of(self.source_type)


class Assignment(db.Model):
    """A training assignment (培训任务): a course a person must finish by a date.

    `cycle` is 0 when finishing the course once, at any time, completes it; for a course that
    must be studied again each year it is the assignment's year, and only study in that cycle counts.
    """

    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "year"),
        # Covers the 培训完成情况 counts (study/compliance.py): a person's assignments of a year, with
        # everything their status needs, are read from the index without touching the table.
        Index("ix_assignment_person_year_status", "person_id", "year", "course_id", "completed_at", "due_on",
              "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    origin: Mapped[str] = mapped_column(String(20), default=AssignmentOrigin.SYLLABUS)
    cycle: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    course: Mapped[Course] = relationship()

    def status(self, today: date) -> AssignmentStatus:
        """Return completed, overdue, in progress or not started as of `today`."""
        if self.completed_at is not None:
            return AssignmentStatus.COMPLETED
        if self.due_on < today:
            return AssignmentStatus.OVERDUE
        return AssignmentStatus.IN_PROGRESS if self.started_at is not None else AssignmentStatus.NOT_STARTED

    @property
    def origin_label(self) -> str:
        return AssignmentOrigin.label_of(self.origin)


class AssignmentTally(db.Model):
    """培训完成情况 counters: the assignments of one unit's people for one year, course and due date.

    Kept in the transaction of every change to assignments by `app/study/tallies.py` (the only
    writer). `done` counts completed ones, `started` the started and not completed; the status
    counts of `Assignment.status` follow as of any day: 已逾期 is total − done of the due dates
    before it, so the counts stay right as days pass without a job.
    """

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    due_on: Mapped[date] = mapped_column(primary_key=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    started: Mapped[int] = mapped_column(default=0)


class AssignmentPeopleTally(db.Model):
    """How many people of one unit have at least one assignment of a year (人数 of 培训完成情况);
    kept by `app/study/tallies.py` with `AssignmentTally`."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class GenerateStatus(LabeledStrEnum):
    """Where a run of 按培训大纲生成培训任务 stands (`AssignmentGenerateJob.status`)."""

    QUEUED = "queued", "排队等待"
    RUNNING = "running", "正在生成"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "已中断"


class SkipReason(LabeledStrEnum):
    """Why a person with a post got no task from a run of 按培训大纲生成培训任务."""

    NO_SYLLABUS = "no_syllabus", "所在岗位没有启用的培训大纲"
    NO_COURSES = "no_courses", "培训大纲中的必修课程都不存在或已停用"
    NOT_ACTIVE = "not_active", "生成开始后已离岗、被删除或被取消岗位"


class AssignmentGenerateJob(db.Model):
    """One run of the admin's 按培训大纲生成培训任务 over their scope, done by a background task.

    The task commits once per person, with that person's new tasks and the counters below, so the
    progress page sees them as they grow and a retry resumes after `last_person_id`. While the run
    waits or runs, `running_key` holds a digest of its scope: the unique key lets one run per scope
    at a time exist; it is emptied when the run ends.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)  # the task's last sign of life
    finished_at: Mapped[datetime | None]
    scope_paths: Mapped[list | None] = mapped_column(JSON(none_as_null=True))  # the admin's unit paths; None: everywhere
    running_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=GenerateStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)  # active people with a post in the scope
    done: Mapped[int] = mapped_column(default=0)  # of them checked so far
    created: Mapped[int] = mapped_column(default=0)  # tasks created so far
    people_with_tasks: Mapped[int] = mapped_column(default=0)  # people who got at least one new task
    last_person_id: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[dict] = mapped_column(JSON, default=dict)  # {SkipReason: people}
    skipped_people: Mapped[list] = mapped_column(JSON, default=list)  # [[person id, SkipReason]], the first ones
    error: Mapped[str | None] = mapped_column(Text)  # why a failed run stopped (Chinese)

    created_by: Mapped[Person] = relationship()

    @property
    def status_label(self) -> str:
        return GenerateStatus.label_of(self.status)
