"""Item statistics measured by exams, kept for the draw of later papers (exams/analysis.py).

An exam's item analysis stores, per question version it used, how many graded answers it had and
their facility; the pool freeze (exams/pools.py) weights these by answers over every exam, so a
question answered often enough draws with its measured facility instead of its author's guess.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db


class ExamItemStat(db.Model):
    """What one exam measured of one question version (graded answers only)."""

    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True)
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_version.id", ondelete="CASCADE"), primary_key=True, index=True)
    answers: Mapped[int]
    facility: Mapped[float]  # mean of earned / possible
    discrimination: Mapped[float | None]  # upper minus lower group; None when it cannot be given
    point_biserial: Mapped[float | None]  # item–rest correlation


class ExamAnalysis(db.Model):
    """When an exam's item statistics were stored, and from which attempts: the refresh job stores
    them again when the count or the summed score of the analysed attempts has changed."""

    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int]
    score_total: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=clock.now)
