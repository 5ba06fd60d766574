"""Score units, scores, grading policies and Chinese-aware answer normalisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from question_bank.errors import InvalidQuestion, QuestionBankError

UNITS_PER_POINT = 100
STATUSES = ("correct", "partial", "wrong", "pending", "dropped")
MULTI_POLICIES = ("all_or_nothing", "partial", "weighted")

Status = Literal["correct", "partial", "wrong", "pending", "dropped"]
MultiPolicy = Literal["all_or_nothing", "partial", "weighted"]


def points_to_units(value: str | int | Decimal) -> int:
    """Convert points such as "1.5" (or 1, Decimal("0.25")) to integer hundredths: 150."""
    if isinstance(value, bool | float):
        raise TypeError("points must be str, int or Decimal, never float or bool")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidQuestion(f"分值“{value}”不是有效的数字", field="points") from None
    if not amount.is_finite():
        raise InvalidQuestion(f"分值“{value}”不是有效的数字", field="points")
    units = amount * UNITS_PER_POINT
    if units != units.to_integral_value():
        raise InvalidQuestion(f"分值“{value}”最多保留两位小数", field="points")
    return int(units)


def units_to_points(units: int) -> str:
    """Render integer hundredths as points without trailing zeros: 150 -> "1.5"."""
    text = f"{Decimal(units).scaleb(-2):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scale_units(units: int, fraction: Fraction) -> int:
    """Return units × fraction rounded half away from zero to whole units."""
    value = units * fraction
    magnitude = int(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


@dataclass(frozen=True)
class Score:
    """Points earned out of points possible, both in units, with a status for display and stats."""

    earned: int
    possible: int
    status: Status

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise QuestionBankError(f"未知的评分状态：{self.status}")
        if self.possible < 0 or self.earned > self.possible:
            raise QuestionBankError("得分不能超过满分，满分不能为负数")

    @classmethod
    def of(cls, possible: int, fraction: Fraction) -> Score:
        """Score a fraction (1 = full marks) of `possible` units and derive the status."""
        earned = scale_units(possible, fraction)
        if possible > 0 and earned >= possible:
            return cls(possible, possible, "correct")
        return cls(earned, possible, "wrong" if earned <= 0 else "partial")

    @classmethod
    def wrong(cls, possible: int) -> Score:
        """Return a zero score (unanswered, wrong, or a response of the wrong shape)."""
        return cls(0, possible, "wrong")

    @classmethod
    def pending(cls, possible: int) -> Score:
        """Return a score that awaits manual grading."""
        return cls(0, possible, "pending")

    @classmethod
    def dropped(cls) -> Score:
        """Return the score of a question taken out of the total by a regrade: nothing of nothing."""
        return cls(0, 0, "dropped")

    @classmethod
    def stored(cls, earned: int | None, points: int, status: str | None) -> Score:
        """Rebuild a slot's score from what an attempt stored (earned units, the slot's points, status).

        A slot a regrade dropped counts for nothing of nothing, whatever points the paper gave it.
        """
        if status == "dropped":
            return cls.dropped()
        return cls(min(earned or 0, points), points, status or "wrong")


@dataclass(frozen=True)
class GradingPolicy:
    """How multiple-choice (and weighted) answers earn points."""

    multi: MultiPolicy = "all_or_nothing"
    partial_fraction_percent: int = 50
    allow_negative: bool = False

    def __post_init__(self) -> None:
        if self.multi not in MULTI_POLICIES:
            raise QuestionBankError(f"未知的多选题评分规则：{self.multi}")
        percent = self.partial_fraction_percent
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise QuestionBankError("漏选得分比例应为0到100之间的整数")

    def clamp_percent(self, percent: int | Fraction) -> Fraction:
        """Clamp a summed option weight to [0, 100] (or [-100, 100]) and return it as a fraction."""
        low = -100 if self.allow_negative else 0
        return Fraction(min(max(percent, low), 100), 100)


DEFAULT_POLICY = GradingPolicy()

_TRAILING_PUNCTUATION = "。.！!？?；;，,、"
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
)
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def normalise_text(text: str) -> str:
    """Normalise an answer for comparison: width, spaces, trailing punctuation, case."""
    text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())
    text = _SPACE_NEXT_TO_CJK.sub("", text)
    text = text.rstrip(_TRAILING_PUNCTUATION + " ")
    return text.casefold()


def parse_number(text: str) -> Decimal | None:
    """Return the number a normalised answer spells ("1,000", "0.50", "-3"), or None."""
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    elif not _PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text)


def answers_match(expected: str, given: str) -> bool:
    """Tell whether a given answer matches an accepted one (numbers compare by value)."""
    want, got = normalise_text(expected), normalise_text(given)
    if not got:
        return False
    if want == got:
        return True
    number = parse_number(want)
    return number is not None and parse_number(got) == number
