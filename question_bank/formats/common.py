"""Helpers shared by the file formats: results, decoding, messages, weights and category paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from question_bank.base import Question
from question_bank.errors import FormatError, InvalidQuestion, Issue

Progress = Callable[[int, int], None]

# Moodle question types we do not import, with the name a Chinese user knows them by.
UNSUPPORTED_LABELS = {
    "match": "匹配题",
    "matching": "匹配题",
    "numerical": "数值题",
    "numeric": "数值题",
    "multianswer": "完形填空（Cloze）题",
    "cloze": "完形填空（Cloze）题",
    "calculated": "计算题",
    "calculatedsimple": "简单计算题",
    "calculatedmulti": "计算选择题",
    "description": "描述（非试题）",
    "ddwtos": "拖放填空题",
    "ddimageortext": "拖放图片题",
    "ddmarker": "拖放标记题",
    "gapselect": "选词填空题",
    "randomsamatch": "随机简答匹配题",
    "ordering": "排序题",
    "random": "随机题",
}
_MOODLE_ROOTS = ("$course$", "$system$", "$module$", "$cat$", "$category$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PERCENT = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class ParseResult:
    """Questions read from a file, and one issue per question (or file problem) left out."""

    questions: list[Question] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether everything in the file was imported."""
        return not self.issues


class Unsupported(Exception):
    """A question of a type we recognise but do not import; carries its Chinese name."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.label = label


def unsupported_message(label: str) -> str:
    """Return the message for a question type we do not import."""
    return f"暂不支持的题型：{label}"


def decode_text(data: bytes | str, filename: str) -> str:
    """Decode uploaded bytes: UTF-8 (with or without BOM), else GB18030; strip a BOM from text."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FormatError(
            [Issue(filename, None, "无法识别文件编码，请另存为 UTF-8 后重试")]
        ) from None


def split_lines(text: str) -> list[str]:
    """Split text into lines on \\n, \\r\\n or \\r only (not on other Unicode separators)."""
    return _LINE_BREAK.split(text)


def question_issue(filename: str, number: int, line: int | None, message: str) -> Issue:
    """Return an issue for the N-th question of a text file: 第3题（行12）：……"""
    where = f"第{number}题（行{line}）" if line else f"第{number}题"
    return Issue(filename, line, f"{where}：{message}")


def row_issue(filename: str, row: int, message: str) -> Issue:
    """Return an issue for a table row or a text line: 第5行：……"""
    return Issue(filename, row, f"第{row}行：{message}")


def parse_percent(text: str) -> Decimal:
    """Parse a weight such as "50", "-33.33333" or "100.0000000" as a Decimal percent."""
    text = text.strip()
    if not _PERCENT.fullmatch(text):
        raise InvalidQuestion(f"得分比例“{text}”不是有效的数字")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise InvalidQuestion(f"得分比例“{text}”不是有效的数字") from None


def round_weights(raw: Sequence[Decimal]) -> list[int]:
    """Round percent weights to integers so that positive ones still sum to 100 (33.3×3 -> 34,33,33)."""
    rounded = [int(weight.to_integral_value(ROUND_HALF_UP)) for weight in raw]
    positive = [index for index, weight in enumerate(raw) if weight > 0]
    gap = 100 - sum(rounded[index] for index in positive)
    raw_gap = abs(100 - sum(raw[index] for index in positive))
    # Only close a gap that rounding opened; a genuinely wrong total is left for validation to report.
    if gap == 0 or raw_gap >= Decimal("0.5") * len(positive) or abs(gap) > len(positive):
        return rounded
    step = 1 if gap > 0 else -1
    order = sorted(positive, key=lambda i: (-(raw[i] - rounded[i]) * step, i))
    for index in order[: abs(gap)]:
        rounded[index] += step
    return rounded


def category_from_moodle(path: str) -> tuple[str, ...]:
    """Turn "$course$/top/a/b" into ("a", "b"); Moodle's escaped "//" becomes a full-width "／"."""
    parts = [part.strip() for part in path.replace("//", "／").split("/")]
    if parts and parts[0] in _MOODLE_ROOTS:
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return tuple(part for part in parts if part)


def category_to_moodle(category: tuple[str, ...]) -> str:
    """Turn ("a", "b") into "$course$/top/a/b"."""
    return "/".join(("$course$", "top", *category))


def collect_export_issues(
    questions: Sequence[Question], check: Callable[[Question], str | None], fmt: str
) -> None:
    """Raise FormatError naming every question a format cannot carry (check returns a reason)."""
    issues = []
    for number, question in enumerate(questions, start=1):
        reason = check(question)
        if reason:
            issues.append(Issue("", None, f"第{number}题：{fmt}格式{reason}"))
    if issues:
        raise FormatError(issues)
