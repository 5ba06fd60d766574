"""Which attempt counts when a person may sit an exam more than once (`Exam.counting`).

Only finished attempts count. 取最高分: the attempt with the highest score (of equal scores the
first); the result stays 待阅卷 while any finished attempt waits for a marker, since that one may
still end higher. 取最后一次: the last finished attempt, 待阅卷 while it waits.
Works on anything with `state`, `number`, `score` and `pending_manual` (ORM rows or column tuples).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.models.exams import AttemptState, CountingRule


@dataclass(frozen=True)
class Counted:
    attempt: Any  # the attempt whose result counts
    pending: bool  # the result can still change: an essay waits for a marker


def _waiting(attempt) -> bool:
    return bool(attempt.pending_manual) or attempt.score is None


def counted(attempts: Iterable, rule: str) -> Counted | None:
    """The attempt that counts under `rule`, or None when no attempt is finished."""
    finished = [a for a in attempts if a.state == AttemptState.FINISHED]
    if not finished:
        return None
    if rule == CountingRule.LATEST:
        last = max(finished, key=lambda a: a.number)
        return Counted(last, _waiting(last))
    best = max(finished, key=lambda a: (a.score if a.score is not None else -1, -a.number))
    return Counted(best, any(_waiting(a) for a in finished))
