"""Stored codes with Chinese labels: the base classes every status, kind and level enum uses.

The database stores the English code (or, for ordered scales, the integer); templates, exports and
messages show `member.label`. Each enum lives beside the model columns that store it, e.g.

    class CreditKind(LabeledStrEnum):
        REQUIRED = "required", "必修"
        ELECTIVE = "elective", "选修"

    CreditKind.REQUIRED == "required"; CreditKind("required").label == "必修"
    CreditKind.from_label("必修") is CreditKind.REQUIRED      # for content files and imports
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class _Labeled:
    label: str

    @classmethod
    def labels(cls) -> dict:
        """Return {code: label} in declaration order (for select options and filters)."""
        return {member.value: member.label for member in cls}  # type: ignore[attr-defined]

    @classmethod
    def label_of(cls, value) -> str:
        """Return the label of a stored code, or the code itself when it is unknown."""
        try:
            return cls(value).label  # type: ignore[call-arg]
        except ValueError:
            return str(value)

    @classmethod
    def from_label(cls, label: str):
        """Return the member whose Chinese label is `label`; raise ValueError otherwise."""
        for member in cls:  # type: ignore[attr-defined]
            if member.label == label:
                return member
        raise ValueError(label)

    @classmethod
    def parse(cls, value):
        """Return the member whose code or label is `value`, else None (query strings, old links)."""
        for member in cls:  # type: ignore[attr-defined]
            if str(member.value) == value or member.label == value:
                return member
        return None


class LabeledStrEnum(_Labeled, StrEnum):
    """A string code stored in the database, with a Chinese label."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class LabeledIntEnum(_Labeled, IntEnum):
    """An ordered integer scale (levels) stored as an integer, with a Chinese label."""

    def __new__(cls, value: int, label: str):
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
