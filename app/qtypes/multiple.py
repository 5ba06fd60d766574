"""多选 on the web: one checkbox per option; the response is the list of ticked keys."""

from __future__ import annotations

from app.qtypes.base import register_adapter
from app.qtypes.choice import ChoiceAdapter
from question_bank.types import default_multiple_weights


@register_adapter
class MultipleAdapter(ChoiceAdapter):
    code = "multiple"
    input_type = "checkbox"
    pick_hint = "，可多个"
    weights_hint = "正数比例之和须为 100，错误选项可填负数扣分。"
    show_weights = True

    def is_correct(self, weight: int) -> bool:
        return weight > 0

    def checkbox_weights(self, count: int, correct: list[int]) -> list[int]:
        # The same weights the table formats give, so a question survives export and re-import.
        return default_multiple_weights(count, correct) if correct else [0] * count

    def response(self, values: list[str]) -> object:
        return list(values)

    def form_values(self, response: object) -> list[str]:
        return [item for item in response if isinstance(item, str)] if isinstance(response, list) else []
