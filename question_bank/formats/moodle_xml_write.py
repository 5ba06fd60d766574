"""Moodle XML export that Moodle and `parse_moodle_xml` both read; our extra fields go in <xunlian>."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from question_bank.base import Question
from question_bank.formats.common import category_to_moodle, collect_export_issues
from question_bank.formats.moodle_xml import EXTENSION_TAG
from question_bank.types import (
    ChoiceQuestion,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
)

FORMAT_NAMES = {"html": "html", "markdown": "markdown", "plain": "plain_text"}


def export_moodle_xml(questions: Sequence[Question]) -> str:
    """Write questions as a Moodle XML <quiz>, with a category entry whenever the category changes."""
    collect_export_issues(questions, _unsupported, "Moodle XML")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category: tuple[str, ...] = ()
    for question in questions:
        if question.category != category:
            category = question.category
            lines += [
                '  <question type="category">',
                f"    <category><text>{escape(category_to_moodle(category))}</text></category>",
                "  </question>",
            ]
        lines += _question(question)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def _unsupported(question: Question) -> str | None:
    """Say why a question cannot be written as Moodle XML, or None."""
    if type(question) not in _WRITERS:
        return f"无法表示“{question.label}”题"
    if isinstance(question, FillBlank) and len(question.blanks) != 1:
        return "无法表示含多个空的填空题"
    return None


def _text(tag: str, text: str, fmt: str | None = None, inner: str = "") -> str:
    """Write <tag format="…"><text>…</text>…</tag>."""
    attr = f' format="{fmt}"' if fmt else ""
    return f"<{tag}{attr}><text>{escape(text)}</text>{inner}</{tag}>"


def _question(question: Question) -> list[str]:
    """Write one question element."""
    kind, body = _WRITERS[type(question)](question)
    fmt = FORMAT_NAMES[question.stem_format]
    files = "".join(
        f'<file name="{escape(name)}" path="/" encoding="base64">{data}</file>'
        for name, data in question.attachments
    )
    tags = "".join(f"<tag><text>{escape(tag)}</text></tag>" for tag in question.tags)
    lines = [
        f'  <question type="{kind}">',
        "    " + _text("name", question.title),
        "    " + _text("questiontext", question.stem, fmt, files),
        "    " + _text("generalfeedback", question.explanation, fmt),
        f"    <defaultgrade>{Decimal(question.points).scaleb(-2):.7f}</defaultgrade>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{escape(question.external_id)}</idnumber>",
        *("    " + line for line in body),
    ]
    if tags:
        lines.append(f"    <tags>{tags}</tags>")
    lines += _extension(question)
    lines.append("  </question>")
    return lines


def _extension(question: Question) -> list[str]:
    """Write the fields Moodle has no place for inside <xunlian>."""
    parts = [f"<competency>{escape(code)}</competency>" for code in question.competencies]
    if question.difficulty is not None:
        parts.insert(0, f"<difficulty>{question.difficulty}</difficulty>")
    if question.legal_basis:
        parts.append(f"<legal_basis>{escape(question.legal_basis)}</legal_basis>")
    if isinstance(question, Essay) and question.reference_answer:
        parts.append(f"<reference_answer>{escape(question.reference_answer)}</reference_answer>")
    return [f"    <{EXTENSION_TAG}>{''.join(parts)}</{EXTENSION_TAG}>"] if parts else []


def _answer(fraction: int, text: str, feedback: str, fmt: str) -> str:
    """Write one <answer> with its fraction and feedback."""
    inner = _text("feedback", feedback, fmt)
    return (
        f'<answer fraction="{fraction}" format="{fmt}"><text>{escape(text)}</text>{inner}</answer>'
    )


def _choice(question: ChoiceQuestion) -> tuple[str, list[str]]:
    """Write multichoice with <single> telling 单选 from 多选."""
    fmt = FORMAT_NAMES[question.stem_format]
    single = "true" if isinstance(question, SingleChoice) else "false"
    lines = [f"<single>{single}</single>", "<shuffleanswers>true</shuffleanswers>"]
    lines.append("<answernumbering>ABCD</answernumbering>")
    lines += [_answer(o.weight, o.text, o.feedback, fmt) for o in question.options]
    return "multichoice", lines


def _truefalse(question: TrueFalse) -> tuple[str, list[str]]:
    """Write truefalse as a "true" and a "false" answer."""
    fmt = FORMAT_NAMES[question.stem_format]
    return "truefalse", [
        _answer(100 if question.answer else 0, "true", question.feedback_true, fmt),
        _answer(0 if question.answer else 100, "false", question.feedback_false, fmt),
    ]


def _fill(question: FillBlank) -> tuple[str, list[str]]:
    """Write a one-blank 填空 as shortanswer."""
    fmt = FORMAT_NAMES[question.stem_format]
    answers = [_answer(a.weight, a.text, a.feedback, fmt) for a in question.blanks[0]]
    return "shortanswer", ["<usecase>0</usecase>", *answers]


def _essay(question: Essay) -> tuple[str, list[str]]:
    """Write essay; the rubric goes to <graderinfo>."""
    return "essay", [
        "<responseformat>editor</responseformat>",
        "<responserequired>1</responserequired>",
        "<responsefieldlines>15</responsefieldlines>",
        "<attachments>0</attachments>",
        "<attachmentsrequired>0</attachmentsrequired>",
        _text("graderinfo", question.rubric, "plain_text"),
        _text("responsetemplate", "", "html"),
    ]


_WRITERS: dict[type, Callable[..., tuple[str, list[str]]]] = {
    SingleChoice: _choice,
    MultipleChoice: _choice,
    TrueFalse: _truefalse,
    FillBlank: _fill,
    Essay: _essay,
}
