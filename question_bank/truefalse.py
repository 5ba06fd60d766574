"""判断 (true/false) questions."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from question_bank.base import Question
from question_bank.errors import InvalidQuestion
from question_bank.registry import register
from question_bank.scoring import DEFAULT_POLICY, GradingPolicy, Score


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """判断: the statement in the stem is true (对) or false (错)."""

    code = "truefalse"
    label = "判断"
    order = 3
    default_points = 100
    text_fields = ("feedback_true", "feedback_false")

    answer: bool
    feedback_true: str = ""
    feedback_false: str = ""

    def _validate_specific(self) -> None:
        if not isinstance(self.answer, bool):
            raise InvalidQuestion("判断题的答案应为“对”或“错”", field="answer")

    def correct_response(self) -> bool:
        return self.answer

    def response_problem(self, response: object) -> str | None:
        if response is None or isinstance(response, bool):
            return None
        return "判断题的答案应为“对”或“错”"

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        if not isinstance(response, bool):
            return Score.wrong(self.points)
        return Score.of(self.points, Fraction(response == self.answer))
