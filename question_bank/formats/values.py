"""Parsing of the small text values that files carry: 分值, 难度, 知识点/标签 lists, 判断 answers."""

from __future__ import annotations

import re
import unicodedata

from question_bank.errors import InvalidQuestion
from question_bank.scoring import points_to_units

_WORD_SEPARATORS = re.compile(r"[,，]")
_DIFFICULTY_WORDS = {
    "易": 1,
    "容易": 1,
    "较易": 2,
    "中": 3,
    "中等": 3,
    "一般": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}
_TRUE_WORDS = {"对", "正确", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "是", "A"}
_FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "否", "B"}


def parse_points(text: str) -> int | None:
    """Parse 分值 such as "1.5" or "1.5分" into units; blank means the type's default (None)."""
    text = text.strip().removesuffix("分").strip()
    return points_to_units(text) if text else None


def parse_difficulty(text: str) -> int | None:
    """Parse 难度 as 1–5 (also 易/较易/中/较难/难); blank means unknown (None)."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if text in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[text]
    if re.fullmatch(r"[1-5](?:\.0+)?", text):
        return int(text[0])
    raise InvalidQuestion(f"难度“{text}”不正确，应为1到5之间的整数", field="difficulty")


def split_words(text: str) -> tuple[str, ...]:
    """Split a comma-separated list (half- or full-width commas), dropping blanks."""
    return tuple(word.strip() for word in _WORD_SEPARATORS.split(text) if word.strip())


def parse_truth(text: str) -> bool:
    """Parse a 判断 answer: 对/错, 正确/错误, √/×, T/F, TRUE/FALSE, A/B (A is 对)."""
    value = unicodedata.normalize("NFKC", text).strip().upper()
    if value in _TRUE_WORDS:
        return True
    if value in _FALSE_WORDS:
        return False
    raise InvalidQuestion(f"判断题答案“{text.strip()}”无法识别，应为“对”或“错”", field="answer")
