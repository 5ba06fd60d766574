"""Garbage in never crashes a parser: the result is questions and issues, or a FormatError."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.errors import FormatError
from question_bank.formats import parse
from question_bank.formats.table import HEADERS

FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

GIFT_TOKENS = ["{", "}", "=", "~", "#", "####", "%50%", "%-100%", "::", "->", "\n", "\n\n", "[html]", "T", "FALSE",
               "$CATEGORY: $course$/a", "// 难度: 9", "// 分值: x", "\\", "\\{", "____", "甲", " ", "#3:2", "abc"]  # fmt: skip
AIKEN_TOKENS = [
    "A) ",
    "B. ",
    "Ｃ、",
    "ANSWER: ",
    "答案：",
    "A",
    "BD",
    "Z",
    "\n",
    "\n\n",
    "甲",
    "?",
    " ",
]
XML_TOKENS = ["<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">',
              '<question type="shortanswer">', '<question type="category">', "</question>", "<text>", "</text>",
              '<answer fraction="100">', '<answer fraction="50.5">', "</answer>", "<questiontext>",
              "</questiontext>", "<single>false</single>", "<defaultgrade>1.234</defaultgrade>", "<file name='a'>",
              "</file>", "true", "false", "甲", "&amp;", "<![CDATA[<p>]]>", "\n"]  # fmt: skip
CELL_VALUES = ["", "单选", "多选", "判断", "填空", "简答", "匹配", "A", "ab", "对", "x", "1.5", "9", "____", "甲|乙;丙",
               "%50%甲", "a/b", "=1", "FJ-LAW,X"]  # fmt: skip


def tokens(alphabet):
    return st.lists(st.sampled_from(alphabet) | st.text(max_size=3), max_size=40).map("".join)


def survives(fmt, data):
    try:
        result = parse(fmt, data, "fuzz")
    except FormatError as error:
        assert error.issues and all(issue.message for issue in error.issues)
        return
    for issue in result.issues:
        assert issue.message and issue.filename == "fuzz"
    for question in result.questions:
        assert type(question).from_dict(question.to_dict()) == question


@FUZZ
@given(st.binary(max_size=300) | tokens(GIFT_TOKENS))
def test_gift_parser_never_crashes(data):
    survives("gift", data)


@FUZZ
@given(st.binary(max_size=300) | tokens(AIKEN_TOKENS))
def test_aiken_parser_never_crashes(data):
    survives("aiken", data)


@FUZZ
@given(st.binary(max_size=300) | tokens(XML_TOKENS))
def test_moodle_xml_parser_never_crashes(data):
    survives("moodle-xml", data)


@FUZZ
@given(
    st.lists(
        st.lists(st.sampled_from(CELL_VALUES), min_size=len(HEADERS), max_size=len(HEADERS)),
        max_size=5,
    )
)
def test_csv_parser_never_crashes_on_odd_rows(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADERS, *rows])
    survives("csv", buffer.getvalue().encode("utf-8"))


@FUZZ
@given(st.binary(max_size=300))
def test_csv_and_xlsx_parsers_never_crash_on_bytes(data):
    survives("csv", data)
    survives("xlsx", data)
