"""简答 on the web: a text box; the editor keeps a reference answer and a rubric."""

from __future__ import annotations

from collections.abc import Mapping

from app.qtypes.base import TypeAdapter, register_adapter


@register_adapter
class EssayAdapter(TypeAdapter):
    code = "essay"
    print_template = "qtypes/essay_print.html"

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        return {"reference_answer": form.get("reference_answer") or "", "rubric": form.get("rubric") or ""}

    def editor_values(self, data: dict) -> dict:
        return {"reference_answer": data.get("reference_answer", ""), "rubric": data.get("rubric", "")}
