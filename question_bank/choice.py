"""Choice questions: 单选 (one option at 100%) and 多选 (positive weights summing to 100%)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from question_bank.base import Option, Question, as_tuple, set_field
from question_bank.errors import InvalidQuestion
from question_bank.registry import register
from question_bank.scoring import DEFAULT_POLICY, GradingPolicy, Score, normalise_text

OPTION_KEYS = "ABCDEFGH"


def build_options(
    texts: Sequence[str],
    weights: Sequence[int] | None = None,
    feedbacks: Sequence[str] | None = None,
) -> tuple[Option, ...]:
    """Build options keyed A, B, C … from parallel lists of texts, weights and feedback."""
    if len(texts) > len(OPTION_KEYS):
        raise InvalidQuestion(f"选项不能超过{len(OPTION_KEYS)}个", field="options")
    weights = weights if weights is not None else [0] * len(texts)
    feedbacks = feedbacks if feedbacks is not None else [""] * len(texts)
    return tuple(
        Option(key, text, weight, feedback)
        for key, text, weight, feedback in zip(
            OPTION_KEYS[: len(texts)], texts, weights, feedbacks, strict=True
        )
    )


def split_evenly(total: int, parts: int) -> list[int]:
    """Split an integer into `parts` near-equal integers, larger ones first: 100/3 -> 34, 33, 33."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def default_multiple_weights(count: int, correct: Iterable[int]) -> list[int]:
    """Weights for a 多选 given only its correct options: they share +100%, wrong ones share −100%."""
    correct = sorted(set(correct))
    wrong = [index for index in range(count) if index not in correct]
    weights = [0] * count
    for index, weight in zip(
        correct, split_evenly(100, len(correct)) if correct else [], strict=True
    ):
        weights[index] = weight
    for index, weight in zip(wrong, split_evenly(100, len(wrong)) if wrong else [], strict=True):
        weights[index] = -weight
    return weights


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """Shared behaviour of questions answered by picking options."""

    options: tuple[Option, ...] = ()

    def _clean(self) -> None:
        super()._clean()
        options = as_tuple(self.options, "options")
        if not all(isinstance(option, Option) for option in options):
            raise InvalidQuestion("选项格式不正确", field="options")
        set_field(self, "options", options)

    def _validate_specific(self) -> None:
        count = len(self.options)
        if count < 2:
            raise InvalidQuestion("至少需要两个选项", field="options")
        if count > len(OPTION_KEYS):
            raise InvalidQuestion(f"选项不能超过{len(OPTION_KEYS)}个", field="options")
        if tuple(option.key for option in self.options) != tuple(OPTION_KEYS[:count]):
            raise InvalidQuestion("选项字母应从A开始依次排列（A、B、C……）", field="options")
        seen: dict[str, str] = {}
        for option in self.options:
            if not option.text:
                raise InvalidQuestion(f"选项{option.key}的内容不能为空", field="options")
            if not -100 <= option.weight <= 100:
                raise InvalidQuestion(
                    f"选项{option.key}的得分比例应在-100%到100%之间", field="options"
                )
            previous = seen.setdefault(normalise_text(option.text), option.key)
            if previous != option.key:
                raise InvalidQuestion(f"选项{previous}与选项{option.key}内容相同", field="options")

    @classmethod
    def _decode_field(cls, name: str, value: object) -> object:
        if name != "options":
            return super()._decode_field(name, value)
        options = []
        for item in as_tuple(value, name):
            if not isinstance(item, dict):
                raise InvalidQuestion("选项格式不正确", field="options")
            try:
                options.append(Option(**item))
            except TypeError:
                raise InvalidQuestion("选项格式不正确", field="options") from None
        return tuple(options)

    def option(self, key: str) -> Option | None:
        """Return the option with a key, or None."""
        return next((option for option in self.options if option.key == key), None)

    @classmethod
    def _public_extra(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"options": [{"key": option["key"], "text": option["text"]} for option in data["options"]]}

    def _fingerprint_texts(self) -> Iterable[str]:
        return (option.text for option in self.options)


@register
@dataclass(frozen=True, kw_only=True)
class SingleChoice(ChoiceQuestion):
    """单选: exactly one option earns 100%; others may earn partial (or negative) credit."""

    code = "single"
    label = "单选"
    order = 1
    default_points = 100

    def _validate_specific(self) -> None:
        super()._validate_specific()
        full = [option.key for option in self.options if option.weight == 100]
        if not full:
            raise InvalidQuestion("单选题必须有一个正确答案", field="options")
        if len(full) > 1:
            raise InvalidQuestion("单选题只能有一个正确答案", field="options")

    def correct_response(self) -> str:
        return next(option.key for option in self.options if option.weight == 100)

    def response_problem(self, response: object) -> str | None:
        if response is None:
            return None
        if not isinstance(response, str) or self.option(response) is None:
            return "单选题的答案应为一个选项"
        return None

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        if not isinstance(response, str):
            return Score.wrong(self.points)
        chosen = self.option(response.strip().upper())
        if chosen is None:
            return Score.wrong(self.points)
        return Score.of(self.points, policy.clamp_percent(chosen.weight))


@register
@dataclass(frozen=True, kw_only=True)
class MultipleChoice(ChoiceQuestion):
    """多选: options with positive weight are correct; positive weights sum to 100%."""

    code = "multiple"
    label = "多选"
    order = 2
    default_points = 200

    def _validate_specific(self) -> None:
        super()._validate_specific()
        positive = sum(option.weight for option in self.options if option.weight > 0)
        if positive == 0:
            raise InvalidQuestion("多选题至少需要一个正确答案", field="options")
        if positive != 100:
            raise InvalidQuestion(
                f"多选题正确选项的得分比例之和应为100%，当前为{positive}%", field="options"
            )

    def correct_keys(self) -> frozenset[str]:
        """Return the keys of the options with positive weight."""
        return frozenset(option.key for option in self.options if option.weight > 0)

    def correct_response(self) -> tuple[str, ...]:
        return tuple(sorted(self.correct_keys()))

    def response_problem(self, response: object) -> str | None:
        if response is None:
            return None
        if not isinstance(response, list | tuple) or len(set(response)) != len(response) \
                or any(not isinstance(key, str) or self.option(key) is None for key in response):
            return "多选题的答案应为不重复的选项列表"
        return None

    def grade(self, response: object, policy: GradingPolicy = DEFAULT_POLICY) -> Score:
        chosen = self._selection(response)
        if chosen is None:
            return Score.wrong(self.points)
        return Score.of(self.points, self._fraction(chosen, policy))

    def _fraction(self, chosen: frozenset[str], policy: GradingPolicy) -> Fraction:
        """Apply the multi-select policy to a set of chosen keys."""
        correct = self.correct_keys()
        if policy.multi == "weighted":
            return policy.clamp_percent(sum(o.weight for o in self.options if o.key in chosen))
        if chosen == correct:
            return Fraction(1)
        if policy.multi == "partial" and chosen and chosen < correct:
            return Fraction(policy.partial_fraction_percent, 100)
        return Fraction(0)

    def _selection(self, response: object) -> frozenset[str] | None:
        """Return the chosen keys, or None when the response is not a collection of known keys."""
        if isinstance(response, str | bytes) or not isinstance(response, Iterable):
            return None
        keys = set()
        for item in response:
            if not isinstance(item, str):
                return None
            key = item.strip().upper()
            if self.option(key) is None:
                return None
            keys.add(key)
        return frozenset(keys)
