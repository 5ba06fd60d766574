"""GIFT export that `parse_gift` (and Moodle) read back; our metadata goes in `// 键: 值` comments."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from question_bank.base import Question
from question_bank.formats.common import category_to_moodle, collect_export_issues
from question_bank.formats.gift import META_FIELDS, SPECIAL
from question_bank.scoring import units_to_points
from question_bank.types import (
    ChoiceQuestion,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
)

_FORMAT_MARKER = re.compile(r"\[(html|markdown|plain|moodle)\]")
_LEADING_WEIGHT = re.compile(r"%-?\d+(?:\.\d+)?%")
_MARKER_NAMES = {"markdown": "markdown", "html": "html", "plain": "plain"}


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters and newlines."""
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def export_gift(questions: Sequence[Question]) -> str:
    """Write questions as GIFT, switching `$CATEGORY:` as categories change."""
    collect_export_issues(questions, _unsupported, "GIFT")
    chunks = []
    category: tuple[str, ...] = ()
    for question in questions:
        if question.category != category:
            category = question.category
            path = "/".join(gift_escape(part) for part in category_to_moodle(category).split("/"))
            chunks.append(f"$CATEGORY: {path}\n")
        chunks.append(_question(question))
    return "\n".join(chunks)


def _unsupported(question: Question) -> str | None:
    """Say why a question cannot be written as GIFT, or None."""
    if type(question) not in _WRITERS:
        return f"无法表示“{question.label}”题"
    if isinstance(question, FillBlank):
        if len(question.blanks) != 1:
            return "无法表示含多个空的填空题"
        if any("->" in answer.text for answer in question.blanks[0]):
            return "无法表示包含“->”的填空答案"
    return None


def _question(question: Question) -> str:
    """Write one question: metadata comments, ::title::, [format]stem and its answer block."""
    fmt = question.stem_format
    lines = _meta_lines(question)
    title = f"::{gift_escape(question.title)}::" if question.title else ""
    lines.append(f"{title}[{_MARKER_NAMES[fmt]}]{gift_escape(question.stem)}{{")
    lines.extend("\t" + line for line in _WRITERS[type(question)](question, fmt))
    if question.explanation:
        lines.append("\t####" + _text(question.explanation, fmt))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _meta_lines(question: Question) -> list[str]:
    """Write the fields GIFT has no place for as `// 键: 值` comments."""
    lines = []
    for key, name in META_FIELDS.items():
        if not hasattr(question, name):
            continue
        value = getattr(question, name)
        if name == "points":
            value = units_to_points(value)
        elif isinstance(value, tuple):
            value = ",".join(value)
        if value is None or value == "":
            continue
        text = str(value).replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"// {key}: {text}")
    return lines


def _text(text: str, fmt: str) -> str:
    """Escape a text; repeat the format marker if the text itself starts like one."""
    escaped = gift_escape(text)
    return f"[{_MARKER_NAMES[fmt]}]{escaped}" if _FORMAT_MARKER.match(escaped) else escaped


def _feedback(text: str, fmt: str) -> str:
    """Write `#feedback` when there is any."""
    return "#" + _text(text, fmt) if text else ""


def _answer_prefix(default: str, weight: int, text: str, explicit: bool) -> str:
    """Write =, ~ or a weighted prefix; be explicit when the text itself starts like a weight."""
    if explicit or _LEADING_WEIGHT.match(text):
        return f"{default}%{weight}%"
    return default


def _choice_lines(question: ChoiceQuestion, fmt: str) -> list[str]:
    """Write options: `=` for the 单选 answer, `~` for others, `~%w%` when weighted."""
    single = isinstance(question, SingleChoice)
    lines = []
    for option in question.options:
        if single and option.weight == 100:
            prefix = _answer_prefix("=", 100, option.text, explicit=False)
        else:
            prefix = _answer_prefix("~", option.weight, option.text, explicit=option.weight != 0)
        lines.append(prefix + _text(option.text, fmt) + _feedback(option.feedback, fmt))
    return lines


def _truefalse_lines(question: TrueFalse, fmt: str) -> list[str]:
    """Write TRUE/FALSE then #feedback for a wrong answer #feedback for a right one."""
    right, wrong = (
        (question.feedback_true, question.feedback_false)
        if question.answer
        else (question.feedback_false, question.feedback_true)
    )
    line = "TRUE" if question.answer else "FALSE"
    if wrong or right:
        line += "#" + _text(wrong, fmt)
    if right:
        line += "#" + _text(right, fmt)
    return [line]


def _fill_lines(question: FillBlank, fmt: str) -> list[str]:
    """Write the accepted answers of the single blank as short-answer `=` items."""
    return [
        _answer_prefix("=", answer.weight, answer.text, explicit=answer.weight != 100)
        + _text(answer.text, fmt)
        + _feedback(answer.feedback, fmt)
        for answer in question.blanks[0]
    ]


def _essay_lines(question: Essay, fmt: str) -> list[str]:
    """An essay's answer block is empty."""
    return []


_WRITERS: dict[type, Callable[..., list[str]]] = {
    SingleChoice: _choice_lines,
    MultipleChoice: _choice_lines,
    TrueFalse: _truefalse_lines,
    FillBlank: _fill_lines,
    Essay: _essay_lines,
}
