"""判断 on the web: two radio buttons, true and false."""

from __future__ import annotations

from collections.abc import Mapping

from app.errors import DomainError
from app.qtypes.base import TypeAdapter, register_adapter

_VALUES = {"true": True, "false": False}


@register_adapter
class TrueFalseAdapter(TypeAdapter):
    code = "truefalse"
    print_template = "qtypes/truefalse_print.html"

    def response(self, values: list[str]) -> object:
        return _VALUES.get(values[0] if values else "")

    def form_values(self, response: object) -> list[str]:
        return [key for key, value in _VALUES.items() if response is value]

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        if form.get("answer") not in _VALUES:
            raise DomainError("请选择判断题的答案（对或错）。")
        return {"answer": _VALUES[form.get("answer")]}

    def editor_values(self, data: dict) -> dict:
        values = self.form_values(data.get("answer"))
        return {"answer": values[0] if values else ""}
