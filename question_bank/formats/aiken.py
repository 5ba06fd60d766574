"""Aiken import/export, with Chinese variants (A、 A． Ａ. and 答案：B) and 答案：ABD for 多选."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from question_bank.base import Question
from question_bank.errors import InvalidQuestion
from question_bank.formats.common import (
    ParseResult,
    collect_export_issues,
    decode_text,
    question_issue,
    row_issue,
    split_lines,
)
from question_bank.formats.limits import NO_LIMITS, Limits, check_count, check_fields
from question_bank.types import (
    ChoiceQuestion,
    MultipleChoice,
    SingleChoice,
    build_options,
    default_multiple_weights,
)

_OPTION = re.compile(r"([A-ZＡ-Ｚ])\s*[.)．、）]\s*(.*)")
_ANSWER = re.compile(r"(?:ANSWER|答案)\s*[:：]\s*(.*)", re.IGNORECASE)
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_MISSING_ANSWER = "缺少答案行（如“ANSWER: B”或“答案：B”）"


@dataclass
class _Draft:
    """A question being read: where it started, its stem lines and its options."""

    number: int
    start: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Reader:
    """The state of one pass over an Aiken file."""

    filename: str
    limits: Limits = NO_LIMITS
    result: ParseResult = field(default_factory=ParseResult)
    draft: _Draft | None = None
    count: int = 0
    orphan: bool = False  # inside a run of option lines that has no stem
    after_blank: bool = False

    def text(self, number: int, line: str) -> None:
        """A line that is neither option nor answer: more stem, or the start of a new question."""
        draft = self.draft
        if draft is not None and not draft.options and not self.after_blank:
            draft.stem.append(line)
            return
        if draft is not None:
            self.fail(draft, _MISSING_ANSWER if draft.options else "缺少选项和答案行")
        self.count += 1
        check_count(self.count, self.limits, self.filename)
        self.draft = _Draft(self.count, number, [line])

    def option(self, number: int, key: str, text: str) -> None:
        """An `A)` / `A、` line: an option of the open question, or a stray one."""
        if self.draft is None:
            if not self.orphan:
                self.result.issues.append(row_issue(self.filename, number, "选项前缺少题干"))
            self.orphan = True
            return
        self.draft.options.append((key, text))

    def answer(self, number: int, value: str) -> None:
        """An `ANSWER:` / `答案：` line closes the open question."""
        draft, self.draft = self.draft, None
        if draft is None:
            if not self.orphan:
                self.result.issues.append(
                    row_issue(self.filename, number, "答案行前缺少题干和选项")
                )
            self.orphan = False
            return
        try:
            question = _build(draft, value)
        except InvalidQuestion as exc:
            self.fail(draft, exc.message)
            return
        check_fields(question, draft.number, self.limits, self.filename)
        self.result.questions.append(question)

    def fail(self, draft: _Draft, message: str) -> None:
        """Record one issue for a broken question."""
        self.result.issues.append(question_issue(self.filename, draft.number, draft.start, message))


def parse_aiken(data: bytes | str, filename: str, limits: Limits = NO_LIMITS) -> ParseResult:
    """Read Aiken text; each broken block gives one message and the good questions still import.

    A file with more questions, or a longer field, than `limits` allow is refused whole."""
    reader = _Reader(filename, limits)
    for number, raw in enumerate(split_lines(decode_text(data, filename)), start=1):
        line = raw.strip()
        if not line:
            reader.orphan, reader.after_blank = False, True
            continue
        if answer := _ANSWER.fullmatch(line):
            reader.answer(number, answer.group(1))
        elif option := _OPTION.fullmatch(line):
            reader.option(number, unicodedata.normalize("NFKC", option.group(1)), option.group(2))
        else:
            reader.orphan = False
            reader.text(number, line)
        reader.after_blank = False
    if reader.draft is not None:
        reader.fail(reader.draft, _MISSING_ANSWER)
    return reader.result


def _build(draft: _Draft, value: str) -> Question:
    """Turn a finished draft and its answer letters into 单选 or 多选."""
    if len(draft.options) < 2:
        raise InvalidQuestion("至少需要两个选项")
    keys = [key for key, _ in draft.options]
    if keys != [chr(ord("A") + index) for index in range(len(keys))]:
        raise InvalidQuestion("选项字母应从A开始依次排列（A、B、C……）")
    letters = _ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    if not re.fullmatch(r"[A-Z]+", letters):
        raise InvalidQuestion(f"答案“{value.strip()}”格式不正确，应为选项字母，如 B 或 ABD")
    missing = [letter for letter in dict.fromkeys(letters) if letter not in keys]
    if missing:
        raise InvalidQuestion(f"答案“{'、'.join(missing)}”不在选项中")
    correct = sorted({keys.index(letter) for letter in letters})
    texts = [text for _, text in draft.options]
    if len(correct) == 1:
        weights = [100 if index in correct else 0 for index in range(len(texts))]
        cls: type[ChoiceQuestion] = SingleChoice
    else:
        weights, cls = default_multiple_weights(len(texts), correct), MultipleChoice
    return cls(
        stem="\n".join(draft.stem), stem_format="plain", options=build_options(texts, weights)
    )


def export_aiken(questions: Sequence[Question]) -> str:
    """Write 单选/多选 questions as Aiken (多选 as `ANSWER: ABD`); other fields are dropped."""
    collect_export_issues(questions, _unsupported, "Aiken")
    chunks = []
    for question in questions:
        question = cast(ChoiceQuestion, question)  # _unsupported let only choice questions through
        lines = question.stem.split("\n")
        lines += [f"{option.key}. {option.text}" for option in question.options]
        if isinstance(question, SingleChoice):
            answer = question.correct_response()
        else:
            answer = "".join(question.correct_response())
        lines.append(f"ANSWER: {answer}")
        chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)


def _unsupported(question: Question) -> str | None:
    """Say why a question cannot be written as Aiken, or None."""
    if not isinstance(question, SingleChoice | MultipleChoice):
        return f"只能表示单选题和多选题，无法表示“{question.label}”题"
    if isinstance(question, MultipleChoice) and len(question.correct_keys()) < 2:
        return "无法表示只有一个正确答案的多选题（会被读成单选题）"
    for line in question.stem.split("\n"):
        if not line.strip() or _OPTION.fullmatch(line.strip()) or _ANSWER.fullmatch(line.strip()):
            return "无法表示含空行、或某行像选项/答案行的题干"
    if any("\n" in option.text for option in question.options):
        return "无法表示多行的选项"
    return None
