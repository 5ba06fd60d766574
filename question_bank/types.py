"""Question types through a registry: 单选 single, 多选 multiple, 判断 truefalse, 填空 fill, 简答 essay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from question_bank.base import Option, Question
from question_bank.choice import (
    OPTION_KEYS,
    ChoiceQuestion,
    MultipleChoice,
    SingleChoice,
    build_options,
    default_multiple_weights,
)
from question_bank.errors import InvalidQuestion
from question_bank.essay import Essay
from question_bank.fill import BLANK_MARKER, BlankAnswer, FillBlank, count_blanks
from question_bank.registry import all_types, get_type, register, type_from_label
from question_bank.truefalse import TrueFalse

__all__ = [
    "BLANK_MARKER",
    "OPTION_KEYS",
    "BlankAnswer",
    "ChoiceQuestion",
    "Essay",
    "FillBlank",
    "MultipleChoice",
    "Option",
    "Question",
    "SingleChoice",
    "TrueFalse",
    "all_types",
    "build_options",
    "count_blanks",
    "default_multiple_weights",
    "get_type",
    "question_from_dict",
    "register",
    "type_from_label",
]


def question_from_dict(data: Mapping[str, Any]) -> Question:
    """Build a question of whatever registered type `data["type"]` names."""
    if not isinstance(data, Mapping):
        raise InvalidQuestion("试题数据应为字典")
    return get_type(data.get("type")).from_dict(data)
