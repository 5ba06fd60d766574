"""Mastery per competency (掌握程度): the estimator's state per person and competency, and the evidence.

Derived data, kept by `app/needs` from the graded answers (exam attempt items, lesson quiz items):
one `MasteryEvidence` row per graded answer and competency its question version names, and one
`CompetencyMastery` per person and competency holding `question_bank.mastery.State` (its
`to_dict()`) with the estimate denormalised for lists and ledgers. A regrade removes the old
evidence and adds the new in O(1); `flask needs rebuild` recomputes every state from the evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db


class EvidenceSource(LabeledStrEnum):
    """Where a graded answer comes from (question_bank.mastery.Source, with labels); weights differ."""

    FORMAL = "formal", "正式考试"
    DIAGNOSTIC = "diagnostic", "摸底测试"
    PRACTICE = "practice", "练习"
    QUIZ = "quiz", "课后小测"
    RETEST = "retest", "复测"


class CompetencyMastery(db.Model):
    """One person's mastery of one competency: the estimator's state and its estimate when last changed.

    `level` None = 未评估, 0 = no level held yet, 1–3 初级–高级; `ceiling` the lowest level above it
    decided not held (the gap needs it); `score` 0–3; `confidence` 0–1 — all as of `updated_at`
    (pages age the state to today from `state`).
    """

    __table_args__ = (UniqueConstraint("person_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"), index=True)
    state: Mapped[dict] = mapped_column(JSON)  # question_bank.mastery.State.to_dict(), read whole
    level: Mapped[int | None]
    ceiling: Mapped[int | None]
    score: Mapped[float | None]
    confidence: Mapped[float] = mapped_column(default=0.0)
    evidence_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class MasteryEvidence(db.Model):
    """One graded answer as evidence about one competency (the question version's competencies).

    Exactly one of `exam_item_id` / `quiz_item_id` names the answer; unique with the competency, so
    replaying an event adds nothing. `level` is the level the question tests (from its difficulty),
    `earned` the fraction of its points earned (0–1), `answered_at` when the attempt was handed in.
    """

    __table_args__ = (
        UniqueConstraint("exam_item_id", "competency_id"),
        UniqueConstraint("quiz_item_id", "competency_id"),
        CheckConstraint("(exam_item_id IS NULL) <> (quiz_item_id IS NULL)", name="one_source"),
        Index("ix_mastery_evidence_person_competency", "person_id", "competency_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(12))
    exam_item_id: Mapped[int | None] = mapped_column(ForeignKey("attempt_item.id", ondelete="CASCADE"))
    quiz_item_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt_item.id", ondelete="CASCADE"))
    level: Mapped[int]
    earned: Mapped[float]
    answered_at: Mapped[datetime]

    @property
    def source_label(self) -> str:
        return EvidenceSource.label_of(self.source)


class NeedGap(db.Model):
    """One person's standing against one target of their post's syllabus (三本台账), kept by
    `needs/ledger_tallies.py` whenever the person's mastery, unit, post or status, or the targets change.

    `gap` None = 待评估 (not enough evidence), 0 = met, n = n levels short (`question_bank.mastery.gap`
    of the stored estimate). These rows are the person ledger and the "before" of every tally update.
    """

    __table_args__ = (Index("ix_need_gap_competency_unit", "competency_id", "unit_id"),
                      # a competency's people below target / 待评估 (the person ledger, few of them)
                      Index("ix_need_gap_competency_gap", "competency_id", "gap", "unit_id", "person_id"))

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    target: Mapped[int]
    gap: Mapped[int | None]


class NeedTally(db.Model):
    """The gaps of one unit's people of one post against one competency target, summed: the
    organisation and post ledgers add these up by unit path, so they cost the same at any head count."""

    __table_args__ = (UniqueConstraint("unit_id", "post_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="CASCADE"))
    people: Mapped[int] = mapped_column(default=0)  # people with this target
    below: Mapped[int] = mapped_column(default=0)  # of them, known to be below it
    unknown: Mapped[int] = mapped_column(default=0)  # of them, 待评估
    gap_sum: Mapped[int] = mapped_column(default=0)  # levels short, summed over `below`


class ExamOutcome(db.Model):
    """A person's counted result of a formal exam (`exams.counting`), for 培训完成情况's pass rates:
    `passed` None while it can still change (an essay waits for a marker). Kept by
    `needs/exam_outcomes.py` from the attempt events and person edits; `year` is the exam's closing year."""

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    post_id: Mapped[int] = mapped_column(default=0)  # 0: no post (a key of the tally, never NULL)
    year: Mapped[int]
    passed: Mapped[bool | None]


class ExamOutcomeTally(db.Model):
    """Final counted results of one exam per unit and post: people with one, and of them passed."""

    __table_args__ = (UniqueConstraint("unit_id", "post_id", "exam_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(default=0)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(index=True)
    people: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int] = mapped_column(default=0)
