"""填空 (fill-in-the-blank) questions: blanks marked by runs of underscores, accepted variants."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from question_bank.base import Question, as_tuple, check_int, clean_text, set_field
from question_bank.errors import InvalidQuestion
from question_bank.registry import register
from question_bank.scoring import DEFAULT_POLICY, GradingPolicy, Score, answers_match

BLANK_PATTERN = re.compile(r"[_＿]{3,}")
MAX_BLANK_CHARS = 500  # characters of one blank's answer
BLANK_MARKER = "____"


def count_blanks(stem: str) -> int:
    """Count the blanks (runs of three or more _ or ＿) in a stem."""
    return len(BLANK_PATTERN.findall(stem))


@dataclass(frozen=True)
class BlankAnswer:
    """One accepted answer for a blank; weight is the percent of the blank's share it earns."""

    text: str
    weight: int = 100
    feedback: str = ""

    def __post_init__(self) -> None:
        set_field(self, "text", clean_text(self.text, "blanks"))
        set_field(self, "feedback", clean_text(self.feedback, "blanks"))
        check_int(self.weight, "blanks")


@register
@dataclass(frozen=True, kw_only=True)
class FillBlank(Question):
    """填空: one tuple of accepted answers per blank; blanks share the points equally."""

    # A stem without any blank marker has one implicit blank at its end (how GIFT and Moodle
    # short-answer questions arrive), so it must then carry exactly one tuple of answers.

    code = "fill"
    label = "填空"
    order = 4
    default_points = 100

    blanks: tuple[tuple[BlankAnswer, ...], ...] = ()

    def _clean(self) -> None:
        super()._clean()
        blanks = tuple(as_tuple(blank, "blanks") for blank in as_tuple(self.blanks, "blanks"))
        set_field(self, "blanks", tuple(tuple(_answer(item) for item in blank) for blank in blanks))

    def _validate_specific(self) -> None:
        marked = count_blanks(self.stem)
        if marked == 0 and len(self.blanks) != 1:
            raise InvalidQuestion("题干中没有“____”时只能有一组答案（在题末作答）", field="blanks")
        if marked and len(self.blanks) != marked:
            raise InvalidQuestion(
                f"题干中有{marked}个空，但给出了{len(self.blanks)}组答案", field="blanks"
            )
        for number, blank in enumerate(self.blanks, start=1):
            if not blank:
                raise InvalidQuestion(f"第{number}空没有答案", field="blanks")
            for answer in blank:
                if not answer.text:
                    raise InvalidQuestion(f"第{number}空的答案不能为空", field="blanks")
                if not 0 <= answer.weight <= 100:
                    raise InvalidQuestion(f"第{number}空的得分比例应在0到100%之间", field="blanks")
            if max(answer.weight for answer in blank) != 100:
                raise InvalidQuestion(f"第{number}空至少要有一个满分（100%）答案", field="blanks")

    @classmethod
    def _decode_field(cls, name: str, value: object) -> object:
        if name != "blanks":
            return super()._decode_field(name, value)
        return tuple(
            tuple(_decode_answer(item) for item in as_tuple(blank, name))
            for blank in as_tuple(value, name)
        )

    def correct_response(self) -> tuple[str, ...]:
        return tuple(next(a.text for a in blank if a.weight == 100) for blank in self.blanks)

    def response_problem(self, response: object) -> str | None:
        if response is None:
            return None
        if not isinstance(response, list | tuple) or len(response) > len(self.blanks) \
                or any(not isinstance(text, str) for text in response):
            return f"填空题的答案应为不超过 {len(self.blanks)} 项的文字列表"
        if any(len(text) > MAX_BLANK_CHARS for text in response):
            return f"每个空的答案不能超过 {MAX_BLANK_CHARS} 字"
        return None

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        if not isinstance(response, list | tuple) or len(response) > len(self.blanks):
            return Score.wrong(self.points)
        given = [("" if item is None else item) for item in response]
        if not all(isinstance(item, str) for item in given):
            return Score.wrong(self.points)
        given += [""] * (len(self.blanks) - len(given))
        earned = sum(
            _blank_credit(blank, text) for blank, text in zip(self.blanks, given, strict=True)
        )
        return Score.of(self.points, Fraction(earned, 100 * len(self.blanks)))

    @classmethod
    def _public_extra(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"blank_count": len(data["blanks"])}


def _blank_credit(blank: tuple[BlankAnswer, ...], given: str) -> int:
    """Return the best weight among the accepted answers that match."""
    return max((a.weight for a in blank if answers_match(a.text, given)), default=0)


def _answer(item: object) -> BlankAnswer:
    """Accept a BlankAnswer or plain text (a full-credit answer)."""
    if isinstance(item, str):
        return BlankAnswer(item)
    if not isinstance(item, BlankAnswer):
        raise InvalidQuestion("填空答案格式不正确", field="blanks")
    return item


def _decode_answer(item: object) -> BlankAnswer:
    """Turn a JSON dict back into a BlankAnswer."""
    if not isinstance(item, dict):
        raise InvalidQuestion("填空答案格式不正确", field="blanks")
    try:
        return BlankAnswer(**item)
    except TypeError:
        raise InvalidQuestion("填空答案格式不正确", field="blanks") from None
