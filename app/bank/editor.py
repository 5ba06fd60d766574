"""Turn the question editor's fields into an engine dict, and a stored dict back into fields.

The common fields are read here; each type's own fields through its web adapter (app/qtypes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.errors import DomainError
from app.qtypes import adapter_for
from question_bank import QuestionBankError, points_to_units, units_to_points
from question_bank.types import all_types

_WORDS = re.compile(r"[,，、\s]+")
_DIFFICULTY = re.compile(r"[1-5]")


def type_labels() -> dict[str, str]:
    """Return {code: 单选 …} for every registered question type, in menu order."""
    return {cls.code: cls.label for cls in all_types()}


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.split(text or "") if w]


def _points(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return points_to_units(text)
    except (QuestionBankError, ValueError, ArithmeticError) as error:
        raise DomainError(f"分值“{text}”不是有效的数字。") from error


def _difficulty(text: str | None) -> int | None:
    """Read the 难度 menu: blank → None, else 1–5 (the engine's range) in ASCII digits only.

    Never int() or str.isdigit() on typed text: they take "²", "٣" or "５".
    """
    text = (text or "").strip()
    if not text:
        return None
    if not _DIFFICULTY.fullmatch(text):
        raise DomainError("难度须为 1 到 5 之间的整数，也可以不设。")
    return int(text)


def data_from_form(qtype: str, form: Mapping, previous: dict | None = None) -> dict:
    """Return a question dict (engine `to_dict` shape) from the editor's fields.

    `previous` is the stored dict being edited: fill variants with the same text keep its weights
    and feedback.
    """
    adapter = adapter_for(qtype)
    data = {
        "type": qtype,
        "stem": form.get("stem") or "",
        "explanation": form.get("explanation") or "",
        "points": _points(form.get("points")),
        "difficulty": _difficulty(form.get("difficulty")),
        "competencies": _words(form.get("competencies")),
        "legal_basis": form.get("legal_basis") or "",
        "tags": _words(form.get("tags")),
        "external_id": (form.get("external_id") or "").strip(),
    }
    data |= adapter.editor_fields(form, previous)
    adapter.check_editor_data(form, data)
    return data


def form_from_data(data: dict) -> dict:
    """Return the editor's field values for a stored question dict."""
    values = {
        "stem": data.get("stem", ""), "explanation": data.get("explanation", ""),
        "points": units_to_points(data["points"]) if data.get("points") else "",
        "difficulty": str(data.get("difficulty") or ""),
        "competencies": ",".join(data.get("competencies", [])), "legal_basis": data.get("legal_basis", ""),
        "tags": ",".join(data.get("tags", [])), "external_id": data.get("external_id", ""),
    }
    return values | adapter_for(data.get("type", "")).editor_values(data)


def form_values(qtype: str, form: Mapping, previous: dict | None = None) -> dict:
    """Return submitted fields as a plain dict for re-rendering the editor (of `previous`, if any)."""
    values = {key: form.get(key) for key in form}
    return values | adapter_for(qtype).redisplay_values(form, previous)
