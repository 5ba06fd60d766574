"""Per-section scores of an attempt (一、单选题 …), in paper order, from its graded slots.

Read from what grading stored (`AttemptItem.score`, `status`); nothing is graded here. Works on
anything with `section`, `points`, `score` and `status` (ORM rows or column tuples).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from question_bank import units_to_points


@dataclass
class SectionScore:
    section: str
    questions: int = 0
    score: int = 0  # units earned by the graded slots
    points: int = 0  # units possible
    pending: int = 0  # slots waiting for a marker

    @property
    def score_points(self) -> str:
        return units_to_points(self.score)

    @property
    def max_points(self) -> str:
        return units_to_points(self.points)


def section_scores(items: Iterable) -> list[SectionScore]:
    """One entry per section in the order the slots first show it."""
    found: dict[str, SectionScore] = {}
    for item in items:
        entry = found.setdefault(item.section, SectionScore(item.section))
        entry.questions += 1
        if item.status == "dropped":  # a regrade took it out of the total
            continue
        entry.points += item.points
        if item.status == "pending":
            entry.pending += 1
        else:
            entry.score += item.score or 0
    return list(found.values())
