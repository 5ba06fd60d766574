"""The registry of question types: codes, Chinese labels and lookup."""

from __future__ import annotations

import unicodedata
from typing import TypeVar

from question_bank.base import Question
from question_bank.errors import UnknownQuestionType

T = TypeVar("T", bound=type[Question])

_TYPES: dict[str, type[Question]] = {}
_ALIASES = {
    "单项选择": "single",
    "多项选择": "multiple",
    "不定项选择": "multiple",
    "是非": "truefalse",
    "对错": "truefalse",
    "问答": "essay",
    "主观": "essay",
}


def register(cls: T) -> T:
    """Add a question type to the registry (usable as a class decorator)."""
    if not cls.code or not cls.label:
        raise ValueError(f"{cls.__name__} needs a code and a label")
    if _TYPES.get(cls.code, cls) is not cls:
        raise ValueError(f"question type code {cls.code!r} is already registered")
    _TYPES[cls.code] = cls
    return cls


def get_type(code: str) -> type[Question]:
    """Return the question type registered under a code such as "single"."""
    try:
        return _TYPES[code]
    except (KeyError, TypeError):
        raise UnknownQuestionType(f"未知题型：{code}（可用：{_choices()}）") from None


def type_from_label(label: str) -> type[Question]:
    """Return the type a Chinese label names: 单选, 单选题, 单项选择题 … or a code."""
    text = unicodedata.normalize("NFKC", str(label)).strip()
    if text.lower() in _TYPES:
        return _TYPES[text.lower()]
    stem = text.removesuffix("题")
    for cls in _TYPES.values():
        if stem == cls.label:
            return cls
    if stem in _ALIASES:
        return _TYPES[_ALIASES[stem]]
    raise UnknownQuestionType(f"未知题型：{label}（可用：{_choices()}）")


def all_types() -> tuple[type[Question], ...]:
    """Return every registered type in menu order (单选, 多选, 判断, 填空, 简答, then others)."""
    return tuple(sorted(_TYPES.values(), key=lambda cls: cls.order))


def _choices() -> str:
    """List the labels for an error message."""
    return "、".join(cls.label for cls in all_types())
