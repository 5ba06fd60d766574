"""简答 (essay) questions, graded by a person."""

from __future__ import annotations

from dataclasses import dataclass

from question_bank.base import Question
from question_bank.registry import register
from question_bank.scoring import DEFAULT_POLICY, GradingPolicy, Score

MAX_ESSAY_CHARS = 20_000  # characters of a written answer


@register
@dataclass(frozen=True, kw_only=True)
class Essay(Question):
    """简答: a free-text answer; grading leaves it pending for a person, guided by the rubric."""

    code = "essay"
    label = "简答"
    order = 5
    default_points = 500
    auto_graded = False
    text_fields = ("reference_answer", "rubric")

    reference_answer: str = ""
    rubric: str = ""

    def correct_response(self) -> str:
        return self.reference_answer

    def response_problem(self, response: object) -> str | None:
        if response is None:
            return None
        if not isinstance(response, str):
            return "简答题的答案应为文字"
        if len(response) > MAX_ESSAY_CHARS:
            return f"简答题的答案不能超过 {MAX_ESSAY_CHARS} 字"
        return None

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        """Leave a written answer pending; a blank or non-text one scores zero at once."""
        if not isinstance(response, str) or not response.strip():
            return Score.wrong(self.points)
        return Score.pending(self.points)
