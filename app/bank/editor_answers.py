"""The editor's answer fields: choice options with weights and feedback, fill blanks keeping theirs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from app.errors import DomainError
from question_bank import QuestionBankError, question_from_dict
from question_bank.types import OPTION_KEYS, default_multiple_weights

_VARIANTS = re.compile(r"[;；]")
_INTEGER = re.compile(r"[+-]?\d+")
WEIGHTS_HINT = "（已填写得分比例时按得分比例计分，“正确”勾选不起作用）"
FILL_KEPT_NOTE = "部分答案设有得分比例或反馈（来自导入），保存时按答案文字保留。"
FILL_SEPARATOR_NOTE = "有的答案本身含有分号，在此保存会被拆成几个答案。"


def checkbox_weights(qtype: str, count: int, correct: list[int]) -> list[int]:
    """Return the weights the 正确 checkboxes give: 单选 100/0, 多选 the table formats' defaults."""
    if qtype == "single":
        return [100 if i in correct else 0 for i in range(count)]
    # The same weights the table formats give, so a question survives export and re-import.
    return default_multiple_weights(count, correct) if correct else [0] * count


def _weight(key: str, text: str | None) -> int | None:
    """Read one 得分比例 input: blank → None; an integer percent, '%' and full-width digits allowed."""
    raw = (text or "").strip()
    value = unicodedata.normalize("NFKC", raw).replace("−", "-").strip().removesuffix("%").strip()
    if not value:
        return None
    if not _INTEGER.fullmatch(value):
        raise DomainError(f"选项{key}的得分比例“{raw}”应为-100到100之间的整数。")
    return int(value)


def _checked(form: Mapping) -> set[str]:
    return set(form.getlist("correct")) if hasattr(form, "getlist") else set(form.get("correct", []))


def choice_fields(qtype: str, form: Mapping) -> tuple[dict, bool]:
    """Return the options from the form, and whether they carry weights typed in by hand."""
    texts = [(form.get(f"option_{k}") or "").strip() for k in OPTION_KEYS]
    while texts and not texts[-1]:
        texts.pop()
    keys = OPTION_KEYS[: len(texts)]
    given = [_weight(key, form.get(f"weight_{key}")) for key in keys]
    custom = any(weight is not None for weight in given)
    if custom:
        weights = [weight or 0 for weight in given]
    else:
        checked = _checked(form)
        weights = checkbox_weights(qtype, len(texts), [i for i, key in enumerate(keys) if key in checked])
    feedbacks = [(form.get(f"feedback_{key}") or "").strip() for key in keys]
    return {"options": [{"key": key, "text": text, "weight": weight, "feedback": feedback}
                        for key, text, weight, feedback in zip(keys, texts, weights, feedbacks, strict=True)]}, custom


def check_custom_weights(data: dict) -> None:
    """Validate hand-typed weights through the engine; an options error gets a hint on the checkboxes."""
    try:
        question_from_dict(data)
    except QuestionBankError as error:
        if getattr(error, "field", None) == "options":
            raise DomainError(error.message + WEIGHTS_HINT) from None
        # Any other problem is reported by the service, which validates the whole question again.


def choice_values(qtype: str, options: list[dict]) -> dict:
    """Return the option inputs; weights only when the checkboxes alone would give different ones."""
    weights = [option["weight"] for option in options]
    if qtype == "single":
        correct = [i for i, weight in enumerate(weights) if weight == 100]
    else:
        correct = [i for i, weight in enumerate(weights) if weight > 0]
    values: dict = {"correct": [options[i]["key"] for i in correct]}
    custom = weights != checkbox_weights(qtype, len(options), correct)
    for option in options:
        key = option["key"]
        values[f"option_{key}"] = option["text"]
        values[f"weight_{key}"] = str(option["weight"]) if custom else ""
        values[f"feedback_{key}"] = option.get("feedback", "")
    return values


def _keep(variant: str, pool: list[dict]) -> dict:
    """Return a variant with the weight and feedback of the same text in `pool` (used up), else full credit."""
    match = next((answer for answer in pool if answer.get("text") == variant), None)
    if match is None:
        return {"text": variant, "weight": 100, "feedback": ""}
    pool.remove(match)
    return {"text": variant, "weight": match.get("weight", 100), "feedback": match.get("feedback", "")}


def fill_fields(form: Mapping, previous: dict | None) -> dict:
    """Return the blanks from the textarea; variants known from `previous` keep weight and feedback."""
    previous = previous or {}
    old = (previous.get("blanks") or []) if previous.get("type") == "fill" else []
    lines = [line for line in (form.get("blanks") or "").splitlines() if line.strip()]
    blanks = []
    for index, line in enumerate(lines):
        pool = list(old[index]) if index < len(old) else []
        blanks.append([_keep(v.strip(), pool) for v in _VARIANTS.split(line) if v.strip()])
    return {"blanks": blanks}


def fill_values(blanks: list[list[dict]]) -> dict:
    """Return the blanks textarea: one line per blank, variants joined by ';'."""
    return {"blanks": "\n".join(";".join(answer["text"] for answer in blank) for blank in blanks)}


def fill_note(data: dict | None) -> str:
    """Return the note shown under the blanks textarea for imported weights, feedback or separators."""
    answers = [answer for blank in (data or {}).get("blanks") or [] for answer in blank]
    notes = []
    if any(answer.get("weight", 100) < 100 or answer.get("feedback") for answer in answers):
        notes.append(FILL_KEPT_NOTE)
    if any(_VARIANTS.search(answer.get("text", "")) for answer in answers):
        notes.append(FILL_SEPARATOR_NOTE)
    return "".join(notes)
