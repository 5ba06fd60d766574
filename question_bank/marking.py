"""Marking a paper: each question's score scaled to the points its exam gives it, and the total.

The web layer never computes a score: exam services hand each slot's question (its stored
version), the response and the slot's points to `mark_paper` and store what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from question_bank.base import Question
from question_bank.errors import InvalidQuestion
from question_bank.scoring import (
    DEFAULT_POLICY,
    GradingPolicy,
    Score,
    points_to_units,
    units_to_points,
)

MANUAL_STEP = 50  # units: a marker gives whole or half points


def mark(question: Question, response: object, points: int,
         policy: GradingPolicy = DEFAULT_POLICY) -> Score:
    """Grade a response and scale its score to `points` units (the exam's points for the slot)."""
    raw = question.grade(response, policy)
    if raw.status == "pending":
        return Score.pending(points)
    if raw.possible <= 0:
        return Score.wrong(points)
    return Score.of(points, Fraction(raw.earned, raw.possible))


@dataclass(frozen=True)
class PaperResult:
    scores: tuple[Score, ...]
    score: int  # units earned by the graded slots
    max_score: int
    pending: bool  # some slot awaits a person
    passed: bool | None  # None while pending

    @property
    def percent(self) -> Fraction:
        return Fraction(self.score * 100, self.max_score) if self.max_score else Fraction(0)


def mark_paper(entries: Iterable[tuple[Question, object, int]], pass_percent: int,
               policy: GradingPolicy = DEFAULT_POLICY) -> PaperResult:
    """Mark every (question, response, points) of a paper; pass at `pass_percent` of the maximum."""
    return total(tuple(mark(question, response, points, policy) for question, response, points in entries),
                 pass_percent)


def total(scores: Iterable[Score], pass_percent: int) -> PaperResult:
    """Total a paper's slot scores (as marked, as stored after a person scored an essay, or after a
    regrade: `question_bank.regrade`)."""
    scores = tuple(scores)
    score = max(sum(s.earned for s in scores), 0)
    maximum = sum(s.possible for s in scores)
    pending = any(s.status == "pending" for s in scores)
    passed = None if pending else score * 100 >= pass_percent * maximum
    return PaperResult(scores, score, maximum, pending, passed)


def manual_score(points_text: str, possible: int) -> int:
    """A marker's score for a slot worth `possible` units, typed in points ("7.5"), as units.

    Whole or half points only, from 0 to the slot's points; anything else raises `ValueError`
    with the reason in Chinese.
    """
    try:
        units = points_to_units((points_text or "").strip())
    except (InvalidQuestion, TypeError):
        raise ValueError("得分应为数字，只能是整分或半分（如 7 或 7.5）。") from None
    if units < 0:
        raise ValueError("得分不能为负数。")
    if units > possible:
        raise ValueError(f"得分不能超过本题满分 {units_to_points(possible)} 分。")
    if units % MANUAL_STEP:
        raise ValueError("得分只能是整分或半分（如 7 或 7.5）。")
    return units


def manual(units: int, possible: int) -> Score:
    """The stored score of a slot a person marked (status from the fraction, as the engine's)."""
    return Score.of(possible, Fraction(units, possible)) if possible else Score.wrong(0)


def passes(score: int, max_score: int, pass_percent: int) -> bool:
    """The pass rule alone, for a total changed by manual grading."""
    return score * 100 >= pass_percent * max_score
