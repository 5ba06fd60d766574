"""The spreadsheet layout shared by CSV and Excel (course_content/README.md): rows ↔ questions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from question_bank.base import Question
from question_bank.errors import FormatError, InvalidQuestion, Issue, UnknownQuestionType
from question_bank.formats.common import ParseResult, Progress, row_issue
from question_bank.formats.values import parse_difficulty, parse_points, parse_truth, split_words
from question_bank.scoring import units_to_points
from question_bank.types import (
    OPTION_KEYS,
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
    default_multiple_weights,
    type_from_label,
)

OPTION_COLUMNS = tuple(f"选项{key}" for key in OPTION_KEYS)
HEADERS = ("编号", "分类", "题型", "题干", *OPTION_COLUMNS) + (
    "答案",
    "解析",
    "难度",
    "知识点",
    "分值",
    "法规依据",
    "标签",
    "评分要点",
)
OPTIONAL = frozenset({"编号", "分类", "标签", "评分要点", *OPTION_COLUMNS[4:]})
PROGRESS_EVERY = 200
_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_BLANK_SEPARATOR = re.compile(r"[|｜]")
_VARIANT_SEPARATOR = re.compile(r"[;；]")
_WEIGHT_PREFIX = re.compile(r"%(\d{1,3})%")


def header_positions(cells: list[str], filename: str, row: int) -> dict[str, int]:
    """Map column names to positions, tolerating spaces and full-width letters; check required ones."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell))
        if name in HEADERS:
            if name in positions:
                raise FormatError([row_issue(filename, row, f"表头“{name}”重复")])
            positions[name] = index
    missing = [name for name in HEADERS if name not in OPTIONAL and name not in positions]
    if missing:
        message = f"缺少必需的列：{'、'.join(missing)}（表头应为：{','.join(HEADERS)}）"
        raise FormatError([row_issue(filename, row, message)])
    return positions


def parse_rows(
    rows: Iterable[list[str]], filename: str, progress: Progress | None = None, total: int = 0
) -> ParseResult:
    """Read numbered rows (header first); each bad row gives one 第N行 issue."""
    result = ParseResult()
    positions: dict[str, int] | None = None
    seen_ids: dict[str, int] = {}
    number = 0
    for number, cells in enumerate(rows, start=1):
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, max(total, number))
        if not any(cell.strip() for cell in cells):
            continue
        if positions is None:
            positions = header_positions(cells, filename, number)
            continue
        values = {name: _cell(cells, index) for name, index in positions.items()}
        try:
            question = row_to_question(values)
        except InvalidQuestion as exc:
            result.issues.append(row_issue(filename, number, exc.message))
            continue
        if question.external_id in seen_ids:
            message = f"编号“{question.external_id}”与第{seen_ids[question.external_id]}行重复"
            result.issues.append(row_issue(filename, number, message))
            continue
        if question.external_id:
            seen_ids[question.external_id] = number
        result.questions.append(question)
    if positions is None:
        raise FormatError([Issue(filename, None, "文件是空的，没有表头和试题")])
    if progress:
        progress(number, number)
    return result


def _cell(cells: list[str], index: int) -> str:
    """Return one cell's text, stripped ("" past the end of a short row)."""
    return cells[index].strip() if index < len(cells) else ""


def row_to_question(values: dict[str, str]) -> Question:
    """Build a question from one row's cells (keyed by column name)."""
    label = values.get("题型", "")
    if not label:
        raise InvalidQuestion("题型不能为空")
    try:
        code = type_from_label(label).code
    except UnknownQuestionType as exc:
        raise InvalidQuestion(exc.message) from None
    if code not in _READERS:
        raise InvalidQuestion(f"表格暂不支持“{label}”题")
    common = {
        "external_id": values.get("编号", ""),
        "category": tuple(
            part.strip() for part in values.get("分类", "").split("/") if part.strip()
        ),
        "stem": values.get("题干", ""),
        "explanation": values.get("解析", ""),
        "difficulty": parse_difficulty(values.get("难度", "")),
        "competencies": split_words(values.get("知识点", "")),
        "points": parse_points(values.get("分值", "")),
        "legal_basis": values.get("法规依据", ""),
        "tags": split_words(values.get("标签", "")),
    }
    return _READERS[code](values, common)


def _option_texts(values: dict[str, str]) -> list[str]:
    """Return the filled option cells, which must run from 选项A without gaps."""
    cells = [values.get(column, "") for column in OPTION_COLUMNS]
    count = max((index + 1 for index, text in enumerate(cells) if text), default=0)
    gaps = [OPTION_COLUMNS[index] for index in range(count) if not cells[index]]
    if gaps:
        raise InvalidQuestion(f"选项应从选项A起连续填写，{'、'.join(gaps)}为空")
    return cells[:count]


def _letters(values: dict[str, str], count: int) -> list[int]:
    """Parse 答案 letters (any case, any separators) into option indexes."""
    raw = values.get("答案", "")
    letters = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()
    if not letters:
        raise InvalidQuestion("答案不能为空")
    if not re.fullmatch(r"[A-Z]+", letters):
        raise InvalidQuestion(f"答案“{raw}”应为选项字母，如 B 或 ABD")
    missing = [letter for letter in dict.fromkeys(letters) if letter not in OPTION_KEYS[:count]]
    if missing:
        raise InvalidQuestion(f"答案“{'、'.join(missing)}”不在选项中")
    return sorted({OPTION_KEYS.index(letter) for letter in letters})


def _single(values: dict[str, str], common: dict[str, Any]) -> Question:
    """Read a 单选 row."""
    texts = _option_texts(values)
    correct = _letters(values, len(texts))
    if len(correct) > 1:
        raise InvalidQuestion("单选题只能有一个正确答案")
    weights = [100 if index in correct else 0 for index in range(len(texts))]
    return SingleChoice(options=build_options(texts, weights), **common)


def _multiple(values: dict[str, str], common: dict[str, Any]) -> Question:
    """Read a 多选 row; correct options share +100%, wrong ones −100% (for the weighted policy)."""
    texts = _option_texts(values)
    weights = default_multiple_weights(len(texts), _letters(values, len(texts)))
    return MultipleChoice(options=build_options(texts, weights), **common)


def _truefalse(values: dict[str, str], common: dict[str, Any]) -> Question:
    """Read a 判断 row (对/错 and the other spellings parse_truth knows)."""
    if not values.get("答案", ""):
        raise InvalidQuestion("答案不能为空")
    return TrueFalse(answer=parse_truth(values["答案"]), **common)


def _fill(values: dict[str, str], common: dict[str, Any]) -> Question:
    """Read a 填空 row: blanks split by |, variants by ; and an optional %50% weight prefix."""
    answer = values.get("答案", "")
    if not answer:
        raise InvalidQuestion("答案不能为空")
    blanks = []
    for blank in _BLANK_SEPARATOR.split(answer):
        variants = [text.strip() for text in _VARIANT_SEPARATOR.split(blank) if text.strip()]
        blanks.append(tuple(_variant(text) for text in variants))
    return FillBlank(blanks=tuple(blanks), **common)


def _variant(text: str) -> BlankAnswer:
    """Read one accepted answer, with its optional %weight% prefix."""
    match = _WEIGHT_PREFIX.match(text)
    if not match:
        return BlankAnswer(text)
    return BlankAnswer(text[match.end() :].strip(), int(match.group(1)))


def _essay(values: dict[str, str], common: dict[str, Any]) -> Question:
    """Read a 简答 row: 答案 is the reference answer, 评分要点 the rubric."""
    return Essay(
        reference_answer=values.get("答案", ""), rubric=values.get("评分要点", ""), **common
    )


_READERS: dict[str, Callable[[dict[str, str], dict[str, Any]], Question]] = {
    "single": _single,
    "multiple": _multiple,
    "truefalse": _truefalse,
    "fill": _fill,
    "essay": _essay,
}


def question_to_row(question: Question) -> list[str]:
    """Write a question as one row in HEADERS order."""
    options = [option.text for option in getattr(question, "options", ())]
    values = {
        "编号": question.external_id,
        "分类": "/".join(question.category),
        "题型": question.label,
        "题干": question.stem,
        **dict(
            zip(OPTION_COLUMNS, options + [""] * (len(OPTION_COLUMNS) - len(options)), strict=True)
        ),
        "答案": _answer_cell(question),
        "解析": question.explanation,
        "难度": "" if question.difficulty is None else str(question.difficulty),
        "知识点": ",".join(question.competencies),
        "分值": units_to_points(question.points),
        "法规依据": question.legal_basis,
        "标签": ",".join(question.tags),
        "评分要点": getattr(question, "rubric", ""),
    }
    return [values[name] for name in HEADERS]


def _answer_cell(question: Question) -> str:
    """Write the 答案 cell for any supported type."""
    return _ANSWER_WRITERS[question.code](question)


def _variant_text(answer: BlankAnswer) -> str:
    """Write one accepted answer, prefixing %weight% when it is not 100 (or the text looks like one)."""
    if answer.weight != 100 or _WEIGHT_PREFIX.match(answer.text):
        return f"%{answer.weight}%{answer.text}"
    return answer.text


_ANSWER_WRITERS: dict[str, Callable[[Any], str]] = {
    "single": lambda q: q.correct_response(),
    "multiple": lambda q: "".join(q.correct_response()),
    "truefalse": lambda q: "对" if q.answer else "错",
    "fill": lambda q: "|".join(";".join(_variant_text(a) for a in blank) for blank in q.blanks),
    "essay": lambda q: q.reference_answer,
}


def table_unsupported(question: Question) -> str | None:
    """Say why a question cannot be written as a table row, or None."""
    if question.code not in _READERS:
        return f"无法表示“{question.label}”题"
    if isinstance(question, FillBlank):
        texts = [answer.text for blank in question.blanks for answer in blank]
        if any(_BLANK_SEPARATOR.search(text) or _VARIANT_SEPARATOR.search(text) for text in texts):
            return "无法表示包含“|”或“;”的填空答案"
    return None
