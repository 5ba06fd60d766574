"""Moodle XML import through defusedxml (uploads are untrusted), with line numbers for messages."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from question_bank.base import Question
from question_bank.errors import FormatError, InvalidQuestion, Issue
from question_bank.formats.common import (
    UNSUPPORTED_LABELS,
    ParseResult,
    Unsupported,
    category_from_moodle,
    parse_percent,
    question_issue,
    round_weights,
    row_issue,
    unsupported_message,
)
from question_bank.formats.limits import NO_LIMITS, Limits, check_count, check_fields
from question_bank.formats.values import parse_difficulty
from question_bank.scoring import points_to_units
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)

EXTENSION_TAG = "xunlian"  # our own fields; Moodle ignores elements it does not know
FORMATS = {
    "html": "html",
    "markdown": "markdown",
    "plain_text": "plain",
    "moodle_auto_format": "markdown",
}
_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


@dataclass
class Node:
    """An XML element with the line it starts on."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the element's own text."""
        return "".join(self.parts)

    def all(self, tag: str) -> list[Node]:
        """Return the children with a tag."""
        return [child for child in self.children if child.tag == tag]

    def find(self, path: str) -> Node | None:
        """Return the first element along a path such as "questiontext/text"."""
        node: Node | None = self
        for tag in path.split("/"):
            node = (
                next((child for child in node.children if child.tag == tag), None) if node else None
            )
        return node

    def find_text(self, path: str) -> str:
        """Return the text at a path, or ""."""
        node = self.find(path)
        return node.text if node else ""

    def walk(self, tag: str) -> list[Node]:
        """Return every descendant with a tag."""
        found = []
        for child in self.children:
            found += ([child] if child.tag == tag else []) + child.walk(tag)
        return found


class _TreeBuilder(ContentHandler):
    """Build Nodes from SAX events, noting line numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {}, 0)
        self.stack = [self.root]
        self.locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:  # noqa: N802 - SAX API name
        self.locator = locator

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 - SAX API name
        line = self.locator.getLineNumber() if self.locator else 0
        node = Node(name, dict(attrs.items()), line)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX API name
        self.stack.pop()

    def characters(self, content: str) -> None:
        self.stack[-1].parts.append(content)


def read_quiz(data: bytes | str, filename: str) -> Node:
    """Parse untrusted XML safely (no DTDs or entities) and return the <quiz> element."""
    if isinstance(data, str):
        data = _DECLARATION.sub("", data.removeprefix("\ufeff"), count=1).encode("utf-8")
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(data, builder, forbid_dtd=True)
    except SAXParseException as exc:
        line = exc.getLineNumber()
        raise FormatError(
            [row_issue(filename, line, f"XML 格式错误：{exc.getMessage()}")]
        ) from None
    except DefusedXmlException:
        raise FormatError(
            [Issue(filename, None, "XML 含有 DTD 或实体定义，出于安全原因拒绝导入")]
        ) from None
    quiz = builder.root.children[0] if builder.root.children else None
    if quiz is None or quiz.tag != "quiz":
        raise FormatError([Issue(filename, None, "不是 Moodle XML 题库文件（根元素应为 <quiz>）")])
    return quiz


def parse_moodle_xml(data: bytes | str, filename: str, limits: Limits = NO_LIMITS) -> ParseResult:
    """Read Moodle XML; categories become paths, unsupported or broken questions become issues.

    A file with more questions, or a longer field, than `limits` allow is refused whole."""
    result = ParseResult()
    category: tuple[str, ...] = ()
    number = 0
    for node in read_quiz(data, filename).all("question"):
        kind = node.attrs.get("type", "")
        if kind == "category":
            category = category_from_moodle(node.find_text("category/text"))
            continue
        number += 1
        check_count(number, limits, filename)
        try:
            question = _read_question(node, kind, category)
        except Unsupported as exc:
            result.issues.append(
                question_issue(filename, number, node.line, unsupported_message(exc.label))
            )
        except InvalidQuestion as exc:
            result.issues.append(question_issue(filename, number, node.line, exc.message))
        else:
            check_fields(question, number, limits, filename)
            result.questions.append(question)
    return result


def _read_question(node: Node, kind: str, category: tuple[str, ...]) -> Question:
    """Build one question with the reader its type names."""
    reader = _READERS.get(kind)
    if reader is None:
        raise Unsupported(UNSUPPORTED_LABELS.get(kind, kind or "（未标明题型）"))
    cls, specific = reader(node)
    values = _common(node, category) | specific
    names = {f.name for f in fields(cls)}
    return cls(**{name: value for name, value in values.items() if name in names})


def _common(node: Node, category: tuple[str, ...]) -> dict[str, Any]:
    """Read the fields every Moodle question has, plus our extension element."""
    text_node = node.find("questiontext")
    tags = node.find("tags")
    return {
        "title": node.find_text("name/text"),
        "stem": node.find_text("questiontext/text"),
        "stem_format": FORMATS.get(text_node.attrs.get("format", "html"), "html")
        if text_node
        else "html",
        "explanation": node.find_text("generalfeedback/text"),
        "points": _points(node.find_text("defaultgrade")),
        "external_id": node.find_text("idnumber"),
        "tags": tuple(tag.find_text("text").strip() for tag in tags.all("tag")) if tags else (),
        "category": category,
        "attachments": _attachments(node),
        **_extension(node.find(EXTENSION_TAG)),
    }


def _points(text: str) -> int | None:
    """Read <defaultgrade> (e.g. 1.0000000) as units, rounded to hundredths."""
    if not text.strip():
        return None
    try:
        amount = Decimal(text.strip()).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidQuestion(f"分值“{text.strip()}”不是有效的数字") from None
    return points_to_units(amount)


def _attachments(node: Node) -> tuple[tuple[str, str], ...]:
    """Collect embedded <file encoding="base64"> elements as (name, base64) pairs."""
    found: dict[str, str] = {}
    for file in node.walk("file"):
        name = file.attrs.get("name", "").strip()
        data = re.sub(r"\s+", "", file.text)
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidQuestion(f"附件“{name}”不是有效的 base64 数据") from None
        found.setdefault(name, data)
    return tuple(found.items())


def _extension(node: Node | None) -> dict[str, Any]:
    """Read the fields only our platform has from <xunlian>."""
    if node is None:
        return {}
    values: dict[str, Any] = {
        "difficulty": parse_difficulty(node.find_text("difficulty")),
        "competencies": tuple(child.text.strip() for child in node.all("competency")),
    }
    for name in ("legal_basis", "reference_answer"):
        if node.find(name) is not None:
            values[name] = node.find_text(name)
    return values


def _answers(node: Node) -> list[tuple[str, Decimal, str]]:
    """Return (text, fraction percent, feedback) for every <answer>."""
    return [
        (
            answer.find_text("text"),
            parse_percent(answer.attrs.get("fraction", "0")),
            answer.find_text("feedback/text"),
        )
        for answer in node.all("answer")
    ]


def _multichoice(node: Node) -> tuple[type[Question], dict[str, Any]]:
    """Read multichoice: <single>true</single> is 单选, otherwise 多选."""
    answers = _answers(node)
    single = node.find_text("single").strip().lower() not in ("false", "0")
    options = build_options(
        [text for text, _, _ in answers],
        round_weights([fraction for _, fraction, _ in answers]),
        [feedback for _, _, feedback in answers],
    )
    return (SingleChoice if single else MultipleChoice), {"options": options}


def _truefalse(node: Node) -> tuple[type[Question], dict[str, Any]]:
    """Read truefalse: the answer whose text is "true" tells whether the statement is true."""
    by_text = {
        text.strip().lower(): (fraction, feedback) for text, fraction, feedback in _answers(node)
    }
    if set(by_text) != {"true", "false"}:
        raise InvalidQuestion("判断题应有 true 和 false 两个答案")
    return TrueFalse, {
        "answer": by_text["true"][0] > by_text["false"][0],
        "feedback_true": by_text["true"][1],
        "feedback_false": by_text["false"][1],
    }


def _shortanswer(node: Node) -> tuple[type[Question], dict[str, Any]]:
    """Read shortanswer as 填空 with one blank (Moodle's case-sensitivity flag is dropped)."""
    answers = tuple(
        BlankAnswer(text, int(fraction.to_integral_value(ROUND_HALF_UP)), feedback)
        for text, fraction, feedback in _answers(node)
    )
    return FillBlank, {"blanks": (answers,)}


def _essay(node: Node) -> tuple[type[Question], dict[str, Any]]:
    """Read essay; <graderinfo> (information for graders) becomes the rubric."""
    return Essay, {"rubric": node.find_text("graderinfo/text")}


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "essay": _essay,
}
