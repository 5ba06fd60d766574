"""单选 on the web: one radio button per option."""

from __future__ import annotations

from app.qtypes.base import register_adapter
from app.qtypes.choice import ChoiceAdapter


@register_adapter
class SingleAdapter(ChoiceAdapter):
    code = "single"
    input_type = "radio"
    pick_hint = "，只能一个"
    weights_hint = "单选须恰有一个选项为 100，其他可填部分得分或负分。"

    def is_correct(self, weight: int) -> bool:
        return weight == 100

    def checkbox_weights(self, count: int, correct: list[int]) -> list[int]:
        return [100 if i in correct else 0 for i in range(count)]
