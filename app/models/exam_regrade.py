"""Regrades (重新评分): one fix per question of an exam, and the runs that apply them to the attempts.

The fix (`ExamQuestionAdjustment`) is what grading applies from then on (question_bank.regrade);
a run (`ExamRegradeJob`) recomputes the exam's finished attempts that hold the question, in
batches, keeping its progress and the attempts whose pass/fail changed (exams/regrade_jobs.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.people import Person


class RegradeStatus(LabeledStrEnum):
    """Where a regrade run stands (`ExamRegradeJob.status`)."""

    QUEUED = "queued", "排队等待"
    RUNNING = "running", "正在重新评分"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "已中断"


class ExamQuestionAdjustment(db.Model):
    """The fix of one question of one exam (question_bank.regrade's kinds); a new fix replaces it.

    `data`: 另认答案 {"keys": [...]} / {"answer": bool} / {"blanks": [[...], ...]}; 改用新版本
    {"version_id": id}; otherwise {}.
    """

    __table_args__ = (UniqueConstraint("exam_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    created_by: Mapped[Person | None] = relationship()


class ExamRegradeJob(db.Model):
    """One run of a regrade over an exam's attempts holding one question.

    Commits once per batch of attempts with their new scores and the counters below, so the page sees
    progress and a retry resumes after `last_attempt_id`. While it waits or runs, `running_key` holds
    the exam's id: the unique key lets one run per exam exist at a time; it is emptied when the run ends.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)  # the run's last sign of life
    finished_at: Mapped[datetime | None]
    running_key: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=RegradeStatus.QUEUED)
    background: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int] = mapped_column(default=0)  # attempts to recompute
    done: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)  # attempts whose score, maximum or status changed
    last_attempt_id: Mapped[int] = mapped_column(default=0)
    # [[attempt id, score before, score after, max before, max after, passed before, passed after]]
    pass_changes: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)  # why a failed run stopped (Chinese)

    created_by: Mapped[Person | None] = relationship()

    @property
    def status_label(self) -> str:
        return RegradeStatus.label_of(self.status)
