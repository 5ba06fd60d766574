"""What 单选 and 多选 share on the web: option inputs, weights typed in by hand, option feedback."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import ClassVar

from app.errors import DomainError
from app.qtypes.base import TypeAdapter
from question_bank import QuestionBankError, question_from_dict
from question_bank.types import OPTION_KEYS

_INTEGER = re.compile(r"[+-]?\d+")
WEIGHTS_HINT = "（已填写得分比例时按得分比例计分，“正确”勾选不起作用）"


def _weight(key: str, text: str | None) -> int | None:
    """Read one 得分比例 input: blank → None; an integer percent, '%' and full-width digits allowed."""
    raw = (text or "").strip()
    value = unicodedata.normalize("NFKC", raw).replace("−", "-").strip().removesuffix("%").strip()
    if not value:
        return None
    if not _INTEGER.fullmatch(value):
        raise DomainError(f"选项{key}的得分比例“{raw}”应为-100到100之间的整数。")
    return int(value)


def _checked(form: Mapping) -> list[str]:
    return form.getlist("correct") if hasattr(form, "getlist") else list(form.get("correct", []))


def _texts(form: Mapping) -> list[str]:
    """Return the option texts up to the last one filled in."""
    texts = [(form.get(f"option_{k}") or "").strip() for k in OPTION_KEYS]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _typed_weights(form: Mapping) -> bool:
    """Tell whether a weight is typed in for any option that has a text."""
    return any((form.get(f"weight_{key}") or "").strip() for key in OPTION_KEYS[: len(_texts(form))])


class ChoiceAdapter(TypeAdapter):
    """Options A–H with a 正确 checkbox each; hand-typed weights, when given, replace the checkboxes."""

    answer_template = "qtypes/choice_answer.html"
    graded_template = "qtypes/choice_graded.html"
    key_template = "qtypes/choice_key.html"
    editor_template = "qtypes/choice_editor.html"
    print_template = "qtypes/choice_print.html"
    input_type: ClassVar[str] = "radio"  # of the answering inputs
    pick_hint: ClassVar[str] = ""  # after 勾选正确答案 in the editor
    weights_hint: ClassVar[str] = ""  # the rule hand-typed weights must follow
    show_weights: ClassVar[bool] = False  # show the percent of correct options in the answer key

    def is_correct(self, weight: int) -> bool:
        """Tell whether an option of this weight is ticked 正确 in the editor."""
        raise NotImplementedError

    def checkbox_weights(self, count: int, correct: list[int]) -> list[int]:
        """Return the weights the 正确 checkboxes give to `count` options."""
        raise NotImplementedError

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        texts = _texts(form)
        keys = OPTION_KEYS[: len(texts)]
        given = [_weight(key, form.get(f"weight_{key}")) for key in keys]
        if any(weight is not None for weight in given):
            weights = [weight or 0 for weight in given]
        else:
            checked = set(_checked(form))
            weights = self.checkbox_weights(len(texts), [i for i, key in enumerate(keys) if key in checked])
        feedbacks = [(form.get(f"feedback_{key}") or "").strip() for key in keys]
        return {"options": [{"key": key, "text": text, "weight": weight, "feedback": feedback}
                            for key, text, weight, feedback in zip(keys, texts, weights, feedbacks, strict=True)]}

    def check_editor_data(self, form: Mapping, data: dict) -> None:
        """Validate hand-typed weights through the engine; an options error gets a hint on the checkboxes."""
        if not _typed_weights(form):
            return
        try:
            question_from_dict(data)
        except QuestionBankError as error:
            if getattr(error, "field", None) == "options":
                raise DomainError(error.message + WEIGHTS_HINT) from None
            # Any other problem is reported by the service, which validates the whole question again.

    def editor_values(self, data: dict) -> dict:
        """Return the option inputs; weights only when the checkboxes alone would give different ones."""
        options = data.get("options", [])
        weights = [option["weight"] for option in options]
        correct = [i for i, weight in enumerate(weights) if self.is_correct(weight)]
        values: dict = {"correct": [options[i]["key"] for i in correct]}
        custom = weights != self.checkbox_weights(len(options), correct)
        for option in options:
            key = option["key"]
            values[f"option_{key}"] = option["text"]
            values[f"weight_{key}"] = str(option["weight"]) if custom else ""
            values[f"feedback_{key}"] = option.get("feedback", "")
        return values

    def redisplay_values(self, form: Mapping, previous: dict | None) -> dict:
        return {"correct": _checked(form)}
