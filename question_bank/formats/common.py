"""Helpers shared by the file formats: results, decoding, messages, weights and category paths."""

from __future__ import annotations

import codecs
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


_SEPARATORS = b"\n\r\t, "
TEXT_ENCODING = "文件编码无法识别：请另存为 UTF-8 或 GB18030 编码的文本文件后重新上传"
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes | str, filename: str, unreadable: str = TEXT_ENCODING) -> str:
    """Decode uploaded bytes: by their byte-order mark, as UTF-16 when every other byte is NUL
    (Notepad's "Unicode" without a mark), else UTF-8, else GB18030; refuse with `unreadable`.

    Text holding a NUL character is refused too: no table cell or question contains one.
    """
    if isinstance(data, str):
        text: str | None = data.removeprefix("\ufeff")
    else:
        text = _decode(data)
    if text is None:
        raise FormatError([Issue(filename, None, unreadable)])
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        message = f"第 {line} 行含有空字符（NUL）：请删除后重新上传，或将文件另存为 UTF-8 编码"
        raise FormatError([Issue(filename, line, message)])
    return text


def _decode(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _try(data, codec)
    codec = _utf16_without_mark(data)
    if codec:
        return _try(data, codec)
    for codec in ("utf-8", "gb18030"):
        text = _try(data, codec)
        if text is not None:
            return text
    return None


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _utf16_without_mark(data: bytes) -> str | None:
    """Name the byte order of UTF-16 without a byte-order mark (Notepad's "Unicode"), if it is that.

    Line breaks, tabs, commas and spaces are one byte and a NUL in UTF-16: (0A 00) little-endian,
    (00 0A) big-endian. No character of Chinese text is written as such a pair (U+0A00, U+2C00, …
    are other scripts), and UTF-8 or GB18030 text has no NUL bytes at all.
    """
    sample = data[:8192]
    pairs = list(zip(sample[0::2], sample[1::2], strict=False))
    little = sum(1 for low, high in pairs if high == 0 and low in _SEPARATORS)
    big = sum(1 for high, low in pairs if high == 0 and low in _SEPARATORS)
    if little > 10 * big:
        return "utf-16-le"
    if big > 10 * little:
        return "utf-16-be"
    return None


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
