"""The adaptive diagnostic (摸底测试) of one person, and an admin's requirement to take it.

A `Diagnostic` is a hidden exam of kind `diagnostic` made for one person (exams/diagnostic.py):
its attempt gets one slot per question asked, appended after each answer. `targets` is what it
asks about (competency id → target level, from the post's syllabus when it began), `skipped` the
target competencies without usable questions (named on the result page), `exhausted` those whose
questions ran out before the rule stopped, `asked` which competency and level each slot asked about. `levels` is the level assigned per competency once
finished (None 未评估, 0 below 初级, 1–3).

A `DiagnosticRequirement` is an admin's 要求完成摸底测试: the people of a unit (its subtree), of one
post or all, must finish a diagnostic by `due_on`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.exams import Exam
from app.models.org import OrgUnit, Post


class Diagnostic(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), unique=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    targets: Mapped[dict] = mapped_column(JSON, default=dict)  # str(competency id) → target level
    skipped: Mapped[list] = mapped_column(JSON, default=list)  # [competency id, …] with no usable question
    exhausted: Mapped[list] = mapped_column(JSON, default=list)  # [competency id, …] whose questions ran out
    asked: Mapped[list] = mapped_column(JSON, default=list)  # [[slot, competency id, level], …] in order
    max_per_competency: Mapped[int]
    levels: Mapped[dict | None] = mapped_column(JSON)  # str(competency id) → level assigned, once finished
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None]

    exam: Mapped[Exam] = relationship()


class DiagnosticRequirement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    unit: Mapped[OrgUnit] = relationship()
    post: Mapped[Post | None] = relationship()
