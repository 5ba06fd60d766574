"""GIFT import (Moodle's plain-text format); our metadata travels in `// 键: 值` comment lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from question_bank.base import Question
from question_bank.errors import InvalidQuestion
from question_bank.formats.common import (
    UNSUPPORTED_LABELS,
    ParseResult,
    Unsupported,
    category_from_moodle,
    decode_text,
    question_issue,
    round_weights,
    split_lines,
    unsupported_message,
)
from question_bank.formats.limits import NO_LIMITS, Limits, check_count, check_fields
from question_bank.formats.values import parse_difficulty, parse_points, split_words
from question_bank.types import (
    BLANK_MARKER,
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)

SPECIAL = "\\:#={}~"
FORMAT_NAMES = {"html": "html", "markdown": "markdown", "plain": "plain", "moodle": "markdown"}
META_FIELDS = {
    "编号": "external_id",
    "分值": "points",
    "难度": "difficulty",
    "知识点": "competencies",
    "法规依据": "legal_basis",
    "标签": "tags",
    "参考答案": "reference_answer",
    "评分要点": "rubric",
}
_PLACEHOLDERS = {char: chr(0xFDD0 + index) for index, char in enumerate(SPECIAL)}
_RESTORE = str.maketrans({value: key for key, value in _PLACEHOLDERS.items()})
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_META_ESCAPE = re.compile(r"\\([\\n])")
_FORMAT_MARKER = re.compile(r"\[(html|markdown|plain|moodle)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_META_LINE = re.compile(r"//\s*(" + "|".join(META_FIELDS) + r")\s*[:：]\s*(.*)")
_TRUTH = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class _Block:
    """The lines of one question, with its comments and the number of its first content line."""

    start: int = 0
    lines: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class _CategorySwitch:
    """A `$CATEGORY:` line."""

    path: str


def protect(text: str) -> str:
    """Replace GIFT escapes (\\= \\~ \\# \\{ \\} \\: \\\\) by placeholders and \\n by a newline."""

    def substitute(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "n":
            return "\n"
        return _PLACEHOLDERS.get(char, match.group(0))

    return _ESCAPE.sub(substitute, text)


def restore(text: str) -> str:
    """Turn placeholders back into the characters they stand for."""
    return text.translate(_RESTORE)


def parse_gift(data: bytes | str, filename: str, limits: Limits = NO_LIMITS) -> ParseResult:
    """Read GIFT text; unsupported or broken questions become issues and the rest still import.

    A file with more questions, or a longer field, than `limits` allow is refused whole."""
    result = ParseResult()
    category: tuple[str, ...] = ()
    number = 0
    for item in _scan(split_lines(decode_text(data, filename))):
        if isinstance(item, _CategorySwitch):
            category = category_from_moodle(restore(protect(item.path)))
            continue
        number += 1
        check_count(number, limits, filename)
        try:
            question = _parse_block(item, category)
        except Unsupported as exc:
            result.issues.append(
                question_issue(filename, number, item.start, unsupported_message(exc.label))
            )
        except InvalidQuestion as exc:
            result.issues.append(question_issue(filename, number, item.start, exc.message))
        else:
            check_fields(question, number, limits, filename)
            result.questions.append(question)
    return result


def _scan(lines: list[str]) -> list[_Block | _CategorySwitch]:
    """Group lines into questions (split by blank lines) and category switches."""
    items: list[_Block | _CategorySwitch] = []
    block = _Block()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("$CATEGORY:"):
            if block.lines:
                items.append(block)
            block = _Block()
            if line:
                items.append(_CategorySwitch(line.removeprefix("$CATEGORY:").strip()))
        elif line.startswith("//"):
            block.comments.append(line)
        else:
            block.start = block.start or number
            block.lines.append(line)
    if block.lines:
        items.append(block)
    return items


def _parse_block(block: _Block, category: tuple[str, ...]) -> Question:
    """Turn one question's lines into a question of the type its answer block implies."""
    text = protect("\n".join(block.lines))
    title, text = _split_title(text)
    stem, answer, general = _split_answer(text)
    stem_format, stem = strip_format(stem, "markdown")
    common = {
        "stem": restore(stem),
        "stem_format": stem_format,
        "title": restore(title),
        "explanation": _plain(general, stem_format),
        "category": category,
    }
    builder, cls = _builder(answer)
    meta = _meta(block.comments, {f.name for f in fields(cls)})
    return builder(answer, stem_format, common | meta)


def _split_title(text: str) -> tuple[str, str]:
    """Split off a leading ::title::."""
    if not text.startswith("::"):
        return "", text
    end = text.find("::", 2)
    if end < 0:
        raise InvalidQuestion("题目名称缺少结尾的“::”")
    return text[2:end].strip(), text[end + 2 :].strip()


def _split_answer(text: str) -> tuple[str, str, str]:
    """Return (stem, answer block, general feedback); text after the brace makes a missing word."""
    start = text.find("{")
    if start < 0:
        if "}" in text:
            raise InvalidQuestion("缺少左花括号“{”")
        raise Unsupported(UNSUPPORTED_LABELS["description"])
    end = text.find("}", start)
    if end < 0:
        raise InvalidQuestion("缺少右花括号“}”")
    before, inside, after = text[:start], text[start + 1 : end].strip(), text[end + 1 :]
    if "{" in after or "}" in after:
        raise InvalidQuestion("一道题只能有一组答案花括号（文字中的花括号请写作 \\{ 和 \\}）")
    # Words after the answers mean Moodle's missing-word format; stray punctuation is dropped.
    stem = before + BLANK_MARKER + after if re.search(r"\w", after) else before
    general = ""
    cut = inside.rfind("####")
    if cut >= 0:
        inside, general = inside[:cut].strip(), inside[cut + 4 :]
    return stem.strip(), inside, general.strip()


def strip_format(text: str, default: str) -> tuple[str, str]:
    """Split a leading [html]/[markdown]/[plain]/[moodle] marker off a text."""
    text = text.strip()
    match = _FORMAT_MARKER.match(text)
    if not match:
        return default, text
    return FORMAT_NAMES[match.group(1)], text[match.end() :].strip()


def _plain(text: str, default: str) -> str:
    """Drop a format marker and restore escaped characters."""
    return restore(strip_format(text, default)[1])


def _builder(answer: str) -> tuple[Any, type[Question]]:
    """Decide the question type from the answer block, as Moodle does."""
    if not answer:
        return _essay, Essay
    if answer.startswith("#"):
        raise Unsupported(UNSUPPORTED_LABELS["numerical"])
    if "~" in answer:
        return _choice, (SingleChoice if "=" in answer else MultipleChoice)
    items = [item.split("#", 1)[0] for item in answer.split("=")[1:]]
    if items and all("->" in item for item in items):
        raise Unsupported(UNSUPPORTED_LABELS["match"])
    if answer.split("#", 1)[0].strip().upper() in _TRUTH:
        return _truefalse, TrueFalse
    return _fill, FillBlank


def _meta(comments: list[str], allowed: set[str]) -> dict[str, Any]:
    """Read `// 键: 值` metadata comments into field values the question type has."""
    meta: dict[str, Any] = {}
    for comment in comments:
        match = _META_LINE.fullmatch(comment)
        if not match or META_FIELDS[match.group(1)] not in allowed:
            continue
        name = META_FIELDS[match.group(1)]
        value = _META_ESCAPE.sub(
            lambda m: "\n" if m.group(1) == "n" else "\\", match.group(2).strip()
        )
        if name == "points":
            meta[name] = parse_points(value)
        elif name == "difficulty":
            meta[name] = parse_difficulty(value)
        elif name in ("competencies", "tags"):
            meta[name] = split_words(value)
        else:
            meta[name] = value
    return meta


def take_weight(body: str) -> tuple[Decimal | None, str]:
    """Split a leading %50% weight off an answer."""
    match = _WEIGHT.match(body)
    if not match:
        return None, body
    return Decimal(match.group(1)), body[match.end() :].strip()


def _split_feedback(body: str, default: str) -> tuple[str, str]:
    """Split `answer # feedback` and clean both parts."""
    text, _, feedback = body.partition("#")
    return _plain(text, default), _plain(feedback, default)


def _choice(answer: str, fmt: str, common: dict[str, Any]) -> Question:
    """Build 单选 (an `=` answer) or 多选 (only `~` answers with weights)."""
    pieces = re.split(r"(?=[=~])", answer)
    if pieces[0].strip():
        raise InvalidQuestion("每个选项应以“=”（正确）或“~”（错误）开头")
    markers, texts, raw, feedbacks = [], [], [], []
    for piece in pieces[1:]:
        weight, body = take_weight(piece[1:].strip())
        text, feedback = _split_feedback(body, fmt)
        markers.append(piece[0])
        raw.append(weight if weight is not None else Decimal(100 if piece[0] == "=" else 0))
        texts.append(text)
        feedbacks.append(feedback)
    if markers.count("=") > 1:
        raise InvalidQuestion("单选题只能有一个“=”正确答案；多选题请用“~%50%”这样的得分比例")
    cls = SingleChoice if "=" in markers else MultipleChoice
    return cls(options=build_options(texts, round_weights(raw), feedbacks), **common)


def _truefalse(answer: str, fmt: str, common: dict[str, Any]) -> Question:
    """Build 判断 from {T}/{TRUE}/{F}/{FALSE}#wrong feedback#right feedback."""
    head, wrong, right = (answer.split("#", 2) + ["", ""])[:3]
    value = _TRUTH[head.strip().upper()]
    wrong, right = _plain(wrong, fmt), _plain(right, fmt)
    feedback_true, feedback_false = (right, wrong) if value else (wrong, right)
    return TrueFalse(
        answer=value, feedback_true=feedback_true, feedback_false=feedback_false, **common
    )


def _fill(answer: str, fmt: str, common: dict[str, Any]) -> Question:
    """Build 填空 with one blank from short-answer `=answer` items (with optional %weights)."""
    pieces = answer.split("=")
    if not pieces[0].strip():
        pieces = pieces[1:]
    answers = []
    for piece in pieces:
        weight, body = take_weight(piece.strip())
        text, feedback = _split_feedback(body, fmt)
        percent = int(
            (weight if weight is not None else Decimal(100)).to_integral_value(ROUND_HALF_UP)
        )
        answers.append(BlankAnswer(text, percent, feedback))
    return FillBlank(blanks=(tuple(answers),), **common)


def _essay(answer: str, fmt: str, common: dict[str, Any]) -> Question:
    """Build 简答 from an empty answer block {}."""
    return Essay(**common)
