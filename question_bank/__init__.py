"""The exam engine: pure question types, grading and import/export formats (no web stack)."""

from question_bank.errors import (
    FormatError,
    InvalidQuestion,
    Issue,
    QuestionBankError,
    UnknownQuestionType,
)
from question_bank.scoring import (
    GradingPolicy,
    Score,
    normalise_text,
    points_to_units,
    units_to_points,
)
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    Option,
    Question,
    SingleChoice,
    TrueFalse,
    get_type,
    question_from_dict,
    register,
    type_from_label,
)

__all__ = [
    "BlankAnswer",
    "Essay",
    "FillBlank",
    "FormatError",
    "GradingPolicy",
    "InvalidQuestion",
    "Issue",
    "MultipleChoice",
    "Option",
    "Question",
    "QuestionBankError",
    "Score",
    "SingleChoice",
    "TrueFalse",
    "UnknownQuestionType",
    "get_type",
    "normalise_text",
    "points_to_units",
    "question_from_dict",
    "register",
    "type_from_label",
    "units_to_points",
]
