"""The web adapter of a question type and the registry that finds it by type code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from app.codes import LabeledStrEnum
from app.errors import DomainError
from question_bank.types import get_type

A = TypeVar("A", bound="type[TypeAdapter]")

_ADAPTERS: dict[str, TypeAdapter] = {}


class ScoreStatus(LabeledStrEnum):
    """The engine's score statuses with their Chinese labels."""

    CORRECT = "correct", "正确"
    PARTIAL = "partial", "部分正确"
    WRONG = "wrong", "错误"
    PENDING = "pending", "待评分"
    DROPPED = "dropped", "不计分"  # a regrade took the question out of the total


class UnknownAdapter(DomainError):
    """No web adapter is registered for a question type code."""


class TypeAdapter:
    """How one engine question type meets the web; subclasses override what differs.

    Partials (paths under templates/) and the variables they receive:
    - `answer_template`: `adapter`, `q` (the engine's `public_dict()`), `field` (the input name),
      `given` (form values to show filled in, a list of strings);
    - `graded_template`: `adapter`, `data` (the stored question dict), `given`, `score` (with
      `status`, `earned`, `possible`), `reveal` (whether the correct answer may be shown);
    - `key_template`: `adapter`, `data` — the correct answer, for instructors and revealed results;
    - `editor_template`: `adapter`, `values` (the editor's field values) — the type's own fields;
    - `print_template`: `adapter`, `data` (the question dict, options re-lettered as printed), `key`
      (the answer key: show the correct answer) — what follows the stem on a printed paper
      (`exams/printing.py`); a type without its own prints the generic one (lines to write on).
    """

    code: ClassVar[str] = ""
    answer_template: ClassVar[str] = ""
    graded_template: ClassVar[str] = ""
    key_template: ClassVar[str] = ""
    editor_template: ClassVar[str] = ""
    print_template: ClassVar[str] = "qtypes/print_generic.html"
    stem_hint: ClassVar[str] = ""  # shown under the editor's stem box

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for part in ("answer", "graded", "key", "editor"):
            name = f"{part}_template"
            if cls.code and not getattr(cls, name):
                setattr(cls, name, f"qtypes/{cls.code}_{part}.html")

    @property
    def label(self) -> str:
        """The type's Chinese name (单选 …), from the engine's registry."""
        return get_type(self.code).label

    def templates(self) -> tuple[str, ...]:
        return (self.answer_template, self.graded_template, self.key_template, self.editor_template,
                self.print_template)

    # Answering: the submitted values of the question's input(s) ↔ the response the engine grades.

    def response(self, values: list[str]) -> object:
        """Turn the submitted values of the question's input into the engine's response shape."""
        return values[0] if values else None

    def form_values(self, response: object) -> list[str]:
        """Turn a stored response back into input values (to fill a form in or show an answer)."""
        return [response] if isinstance(response, str) else []

    # Editing: the editor's fields ↔ the type's own fields of the stored question dict.

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        """Return the type's own fields (engine `to_dict` shape) from the editor's form."""
        raise NotImplementedError

    def check_editor_data(self, form: Mapping, data: dict) -> None:
        """Refuse, with a hint about the editor's fields, what the form cannot mean (optional)."""

    def editor_values(self, data: dict) -> dict:
        """Return the editor's field values for the type's own fields of a stored dict."""
        raise NotImplementedError

    def redisplay_values(self, form: Mapping, previous: dict | None) -> dict:
        """Return values the editor needs besides the raw fields when it shows a refused form."""
        return {}


def register_adapter(cls: A) -> A:
    """Add an adapter for an engine type (a class decorator); the engine type must exist."""
    get_type(cls.code)  # an adapter for a type the engine does not know is a programming error
    if cls.code in _ADAPTERS and type(_ADAPTERS[cls.code]) is not cls:
        raise ValueError(f"question type {cls.code!r} already has a web adapter")
    _ADAPTERS[cls.code] = cls()
    return cls


def adapter_for(code: str) -> TypeAdapter:
    """Return the web adapter of a question type code such as "single"."""
    try:
        return _ADAPTERS[code]
    except (KeyError, TypeError):
        known = "、".join(adapter.label for adapter in all_adapters().values())
        raise UnknownAdapter(f"未知题型：{code}（可用：{known}）") from None


def all_adapters() -> dict[str, TypeAdapter]:
    """Return every registered adapter by type code, in the engine's menu order."""
    return dict(sorted(_ADAPTERS.items(), key=lambda item: get_type(item[0]).order))
