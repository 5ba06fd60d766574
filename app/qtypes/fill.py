"""填空 on the web: one text input per blank; the editor takes one line of variants per blank."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.qtypes.base import TypeAdapter, register_adapter

_VARIANTS = re.compile(r"[;；]")
FILL_KEPT_NOTE = "部分答案设有得分比例或反馈（来自导入），保存时按答案文字保留。"
FILL_SEPARATOR_NOTE = "有的答案本身含有分号，在此保存会被拆成几个答案。"


def _keep(variant: str, pool: list[dict]) -> dict:
    """Return a variant with the weight and feedback of the same text in `pool` (used up), else full credit."""
    match = next((answer for answer in pool if answer.get("text") == variant), None)
    if match is None:
        return {"text": variant, "weight": 100, "feedback": ""}
    pool.remove(match)
    return {"text": variant, "weight": match.get("weight", 100), "feedback": match.get("feedback", "")}


def fill_note(data: dict | None) -> str:
    """Return the note shown under the blanks textarea for imported weights, feedback or separators."""
    answers = [answer for blank in (data or {}).get("blanks") or [] for answer in blank]
    notes = []
    if any(answer.get("weight", 100) < 100 or answer.get("feedback") for answer in answers):
        notes.append(FILL_KEPT_NOTE)
    if any(_VARIANTS.search(answer.get("text", "")) for answer in answers):
        notes.append(FILL_SEPARATOR_NOTE)
    return "".join(notes)


@register_adapter
class FillAdapter(TypeAdapter):
    code = "fill"
    print_template = "qtypes/fill_print.html"
    stem_hint = "用“____”（至少三个下划线）标出每个空。"

    def response(self, values: list[str]) -> object:
        return list(values)

    def form_values(self, response: object) -> list[str]:
        if not isinstance(response, list):
            return []
        return ["" if item is None else item for item in response if item is None or isinstance(item, str)]

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        """Return the blanks from the textarea; variants known from `previous` keep weight and feedback."""
        previous = previous or {}
        old = (previous.get("blanks") or []) if previous.get("type") == "fill" else []
        lines = [line for line in (form.get("blanks") or "").splitlines() if line.strip()]
        blanks = []
        for index, line in enumerate(lines):
            pool = list(old[index]) if index < len(old) else []
            blanks.append([_keep(v.strip(), pool) for v in _VARIANTS.split(line) if v.strip()])
        return {"blanks": blanks}

    def editor_values(self, data: dict) -> dict:
        """Return the blanks textarea (one line per blank, variants joined by ';') and its note."""
        blanks = data.get("blanks", [])
        return {"blanks": "\n".join(";".join(answer["text"] for answer in blank) for blank in blanks),
                "blanks_note": fill_note(data)}

    def redisplay_values(self, form: Mapping, previous: dict | None) -> dict:
        return {"blanks_note": fill_note(previous)}
