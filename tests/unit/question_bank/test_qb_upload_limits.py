"""The readers of uploaded files: encodings (UTF-16 with or without a mark), NUL, and the limits
(rows, columns, characters, unzipped size, questions) met as they read, in bounded memory."""

import io
import time
import tracemalloc
import zipfile

import pytest

from question_bank.errors import FormatError
from question_bank.formats import check_upload, parse
from question_bank.formats.common import decode_text
from question_bank.formats.limits import Limits, size_text
from question_bank.formats.sheets import CSV_ENCODING, csv_rows, read_table, xlsx_rows
from question_bank.formats.table import HEADERS
from question_bank.types import MultipleChoice, SingleChoice, build_options
from tests import hostile_files

TEXT = "工号,姓名,单位\nU1,欧阳淑珍,交警支队/一大队/一中队\nU2,李一,一中队\n"
ROSTER = Limits(rows=5, columns=10, chars=20, unpacked=200_000)


def _message(call) -> str:
    with pytest.raises(FormatError) as caught:
        call()
    return caught.value.issues[0].message


# --- encodings ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_every_encoding_excel_and_notepad_save_reads_the_same(encoding):
    assert decode_text(TEXT.encode(encoding), "a.csv") == TEXT


def test_chinese_heavy_utf16_without_a_mark_is_still_recognised():
    text = "一一一,二,三\n" * 50  # 一 is U+4E00: NUL bytes on the "wrong" side too
    assert decode_text(text.encode("utf-16-le"), "a.csv") == text


@pytest.mark.parametrize("data", [bytes(range(0x80, 0x100)), b"\xff\xfe" + "abc".encode("utf-16-le") + b"\x00",
                                  b"\xfe\xff\xd8\x00\x00\x41"])
def test_undecodable_bytes_are_refused_with_the_message_for_the_format(data):
    assert _message(lambda: csv_rows(data, "a.csv")) == CSV_ENCODING
    assert "文本文件" in _message(lambda: decode_text(data, "a.gift"))


def test_a_nul_in_text_is_refused_with_its_line():
    assert _message(lambda: csv_rows(b"a,b\nc,d\ne,\x00f\n", "a.csv")).startswith("第 3 行含有空字符（NUL）")
    assert _message(lambda: parse("gift", "题干{T}\n\n题\x00干{F}\n".encode(), "a.gift")).startswith("第 3 行")


# --- CSV limits ----------------------------------------------------------------------------------------
def _csv(*rows: str) -> bytes:
    return "\n".join(rows).encode()


@pytest.mark.parametrize(("data", "message"), [
    (_csv("h", *"123456"), "数据超过 5 行的上限（第 7 行）"),
    (_csv("h", *[""] * 6, "1"), "表格中的空行超过 5 行（读到第 7 行）"),
    (_csv("h", "1" + "," * 10 + "x"), "第 2 行第 11 列（K列）超过 10 列的上限"),
    (_csv("h", "a," + "长" * 21), "第 2 行第 2 列（B列）的内容超过 20 字的上限"),
    (_csv("h", "a,\"" + "长" * 200_000 + "\""), "CSV 格式错误：第 2 行有一格的内容超过 20 字的上限"),
])
def test_a_csv_past_a_limit_is_refused_naming_the_limit(data, message):
    assert _message(lambda: csv_rows(data, "a.csv", ROSTER)).startswith(message)


def test_a_csv_at_the_limits_reads_with_trailing_blank_cells_dropped():
    rows = csv_rows(_csv("h,,,", *["1,2"] * 4, *[""] * 5, "1" + "," * 29), "a.csv", ROSTER)
    assert rows[:2] == [["h"], ["1", "2"]] and rows[-1] == ["1"] and len(rows) == 11


# --- xlsx limits and hostile files -----------------------------------------------------------------------
def _drain(data: bytes, limits: Limits, sheet=None) -> list:
    rows, _total = xlsx_rows(data, "a.xlsx", sheet, limits)
    return list(rows)


def test_the_dimension_bomb_is_refused_in_bounded_time_and_memory():
    data = hostile_files.dimension_bomb(["工号", "姓名"])
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = _message(lambda: _drain(data, Limits(rows=5000, columns=60, chars=2000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("表格中的空行超过 5000 行（读到第 5002 行）")
    assert peak < 3 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert time.perf_counter() - started < 10


def test_the_declared_dimension_is_not_trusted_for_width_or_height():
    data = hostile_files.xlsx([["a", "b"], ["c"]], dimension="A1:XFD1048576")
    assert _drain(data, Limits()) == [["a", "b"], ["c"]]
    rows, estimate = xlsx_rows(data, "a.xlsx", None, Limits(rows=100))
    assert estimate == 101 and list(rows) == [["a", "b"], ["c"]]  # the estimate only feeds progress


def test_a_flood_of_formatted_blank_rows_is_refused_in_bounded_memory():
    data = hostile_files.styled_blank_rows(["工号"], 200_000)
    assert len(data) < 1_000_000
    tracemalloc.start()
    try:
        message = _message(lambda: _drain(data, Limits(rows=5000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "空行超过 5000 行" in message and peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize(("data", "message"), [
    (hostile_files.far_column(["a"], ["b"]), "第 3 行第 16384 列（XFD列）超过 10 列的上限"),
    (hostile_files.long_cells(["a"], columns=5, chars=1000), "第 2 行第 1 列（A列）的内容超过 20 字的上限"),
    (hostile_files.long_cells(["a"], rows=1, columns=1, chars=100_000), "Excel 文件解压后超过 195 KB 的上限"),
    (hostile_files.xlsx([["h"], *[[n] for n in range(6)]]), "数据超过 5 行的上限（第 7 行）"),
])
def test_a_hostile_xlsx_is_refused_naming_the_limit(data, message):
    assert _message(lambda: _drain(data, ROSTER)).startswith(message)


def test_far_styled_cells_without_values_are_not_columns():
    blank_far = '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="XFD2" s="0"/></row>'
    assert _drain(hostile_files.xlsx([["h"]], extra_rows_xml=blank_far), ROSTER) == [["h"], ["x"]]


def test_a_zip_with_too_many_parts_or_a_sheet_damaged_midway_is_unreadable_not_a_crash():
    crowded = io.BytesIO()
    with zipfile.ZipFile(crowded, "w") as package:
        for n in range(1001):
            package.writestr(f"x{n}.xml", "")
    assert "无法读取该 Excel 文件" in _message(lambda: _drain(crowded.getvalue(), Limits()))
    broken = hostile_files.xlsx([["h"]], extra_rows_xml='<row r="2"><c r="A2"><v>1</v></c></row><row')
    assert "无法读取该 Excel 文件" in _message(lambda: _drain(broken, Limits()))


def test_read_table_and_cell_text_are_unchanged_for_ordinary_files():
    data = hostile_files.xlsx([["编号", "分值"], ["Q1", 1.5], ["Q2", 3.0]])
    assert read_table(data, "a.xlsx") == [["编号", "分值"], ["Q1", "1.5"], ["Q2", "3"]]


def test_sizes_read_as_people_say_them():
    assert [size_text(n) for n in (10 * 1024 * 1024, 1536 * 1024, 40 * 1024, 100)] == ["10 MB", "1.5 MB", "40 KB",
                                                                                      "1 KB"]


# --- question files: count and field length -------------------------------------------------------------
BANK = Limits(rows=3, columns=30, chars=50)


def _gift(count: int, stem: str = "题干") -> bytes:
    return "".join(f"{stem}{n}{{T}}\n\n" for n in range(count)).encode()


@pytest.mark.parametrize(("fmt", "data", "message"), [
    ("gift", _gift(4), "文件超过 3 题的上限（第 4 题）"),
    ("aiken", "".join(f"题{n}\nA. 甲\nB. 乙\nANSWER: A\n\n" for n in range(4)).encode(), "文件超过 3 题的上限（第 4 题）"),
    ("moodle-xml", ("<quiz>" + '<question type="essay"><questiontext><text>题</text></questiontext></question>' * 4
                    + "</quiz>").encode(), "文件超过 3 题的上限（第 4 题）"),
    ("csv", (",".join(HEADERS) + "\n" + "".join(f"Q{n},,判断,题{n},,,,,,,,,对\n" for n in range(4))).encode(),
     "数据超过 3 行的上限（第 5 行）"),
    ("gift", _gift(1, "长" * 51), "第 1 题的题干超过 50 字的上限"),
    ("gift", ("题干{=对 ~" + "错" * 51 + "}\n").encode(), "第 1 题的选项超过 50 字的上限"),
])
def test_a_question_file_past_a_limit_is_refused_whole(fmt, data, message):
    assert _message(lambda: parse(fmt, data, "a", limits=BANK)) == message


def test_a_question_file_at_the_limits_parses_and_attachments_are_not_fields():
    assert len(parse("gift", _gift(3), "a.gift", limits=BANK).questions) == 3
    image = "A" * 400  # base64 of an embedded image, longer than the field limit
    xml = ('<quiz><question type="essay"><questiontext format="html"><text>看图</text>'
           f'<file name="a.png" encoding="base64">{image}</file></questiontext></question></quiz>').encode()
    (question,) = parse("moodle-xml", xml, "a.xml", limits=BANK).questions
    assert question.attachments == (("a.png", image),)


def test_choice_options_and_feedback_count_as_fields():
    question = SingleChoice(stem="题", options=build_options(["甲", "乙" * 60], [100, 0]))
    from question_bank.formats.limits import check_fields

    with pytest.raises(FormatError, match="第 7 题的选项超过 50 字"):
        check_fields(question, 7, BANK, "a")
    check_fields(MultipleChoice(stem="题", options=build_options(["甲", "乙"], [100, 0])), 1, BANK, "a")


def test_check_upload_reads_a_small_file_whole_and_a_large_one_only_cheaply():
    too_many = hostile_files.xlsx([list(HEADERS)] + [[f"Q{n}", "", "判断", "题", *[""] * 8, "对"] for n in range(5)])
    with pytest.raises(FormatError, match="数据超过 3 行"):
        check_upload("xlsx", too_many, "a.xlsx", BANK, read_up_to=10**9)
    check_upload("xlsx", too_many, "a.xlsx", BANK, read_up_to=0)  # left to the parse task
    with pytest.raises(FormatError, match="Excel 文件解压后超过"):
        check_upload("xlsx", hostile_files.long_cells(["a"], rows=1, columns=1), "a.xlsx",
                     Limits(unpacked=1000), read_up_to=0)
    with pytest.raises(FormatError, match="数据超过 3 行"):
        check_upload("csv", (",".join(HEADERS) + "\n" + "a\n" * 5).encode(), "a.csv", BANK, read_up_to=0)
    with pytest.raises(FormatError, match="文件编码无法识别"):
        check_upload("gift", bytes(range(0x80, 0x100)), "a.gift", BANK, read_up_to=0)
    check_upload("gift", _gift(5), "a.gift", BANK, read_up_to=0)  # counted by the parse task
