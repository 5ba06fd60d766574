"""Turn the question editor's fields into an engine dict, and a stored dict back into fields."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.errors import DomainError
from question_bank import QuestionBankError, points_to_units, units_to_points
from question_bank.types import OPTION_KEYS, all_types, default_multiple_weights

TYPE_LABELS = {cls.code: cls.label for cls in all_types()}
_WORDS = re.compile(r"[,，、\s]+")
_VARIANTS = re.compile(r"[;；]")


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


def _difficulty(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _choice_fields(qtype: str, form: Mapping) -> dict:
    texts = [(form.get(f"option_{k}") or "").strip() for k in OPTION_KEYS]
    while texts and not texts[-1]:
        texts.pop()
    correct = set(form.getlist("correct")) if hasattr(form, "getlist") else set(form.get("correct", []))
    indexes = [i for i, k in enumerate(OPTION_KEYS[: len(texts)]) if k in correct]
    if qtype == "single":
        weights = [100 if i in indexes else 0 for i in range(len(texts))]
    else:
        # The same weights the table formats give, so a question survives export and re-import.
        weights = default_multiple_weights(len(texts), indexes) if indexes else [0] * len(texts)
    return {"options": [{"key": OPTION_KEYS[i], "text": t, "weight": w, "feedback": ""}
                        for i, (t, w) in enumerate(zip(texts, weights, strict=True))]}


def _specific(qtype: str, form: Mapping) -> dict:
    if qtype in ("single", "multiple"):
        return _choice_fields(qtype, form)
    if qtype == "truefalse":
        if form.get("answer") not in ("true", "false"):
            raise DomainError("请选择判断题的答案（对或错）。")
        return {"answer": form.get("answer") == "true"}
    if qtype == "fill":
        lines = [line for line in (form.get("blanks") or "").splitlines() if line.strip()]
        return {"blanks": [[{"text": v.strip(), "weight": 100, "feedback": ""}
                            for v in _VARIANTS.split(line) if v.strip()] for line in lines]}
    if qtype == "essay":
        return {"reference_answer": form.get("reference_answer") or "", "rubric": form.get("rubric") or ""}
    raise DomainError(f"未知题型：{qtype}")


def data_from_form(qtype: str, form: Mapping) -> dict:
    """Return a question dict (engine `to_dict` shape) from the editor's fields."""
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
    return data | _specific(qtype, form)


def form_from_data(data: dict) -> dict:
    """Return the editor's field values for a stored question dict."""
    values = {
        "stem": data.get("stem", ""), "explanation": data.get("explanation", ""),
        "points": units_to_points(data["points"]) if data.get("points") else "",
        "difficulty": str(data.get("difficulty") or ""),
        "competencies": ",".join(data.get("competencies", [])), "legal_basis": data.get("legal_basis", ""),
        "tags": ",".join(data.get("tags", [])), "external_id": data.get("external_id", ""),
        "correct": [o["key"] for o in data.get("options", []) if o["weight"] > 0],
        "answer": {True: "true", False: "false"}.get(data.get("answer"), ""),
        "blanks": "\n".join(";".join(a["text"] for a in blank) for blank in data.get("blanks", [])),
        "reference_answer": data.get("reference_answer", ""), "rubric": data.get("rubric", ""),
    }
    for option in data.get("options", []):
        values[f"option_{option['key']}"] = option["text"]
    return values


def form_values(form: Mapping) -> dict:
    """Return submitted fields as a plain dict for re-rendering the editor."""
    values = {key: form.get(key) for key in form}
    values["correct"] = form.getlist("correct") if hasattr(form, "getlist") else []
    return values
