"""The format registry: detection by file name, dispatch, and unknown formats."""

import pytest

from question_bank.errors import FormatError
from question_bank.formats import FORMATS, detect_format, export, get_format, parse
from question_bank.types import TrueFalse


def test_the_registry_names_the_five_formats():
    assert set(FORMATS) == {"gift", "aiken", "moodle-xml", "xlsx", "csv"}
    assert {name for name, spec in FORMATS.items() if spec.binary} == {"xlsx", "csv"}
    assert {name for name, spec in FORMATS.items() if spec.reports_progress} == {"xlsx", "csv"}


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("题库.gift", "gift"),
        ("bank.GIFT.txt", "gift"),
        ("bank.aiken.txt", "aiken"),
        ("moodle.xml", "moodle-xml"),
        ("模板.XLSX", "xlsx"),
        ("starter.csv", "csv"),
    ],
)
def test_formats_are_detected_from_the_file_name(filename, fmt):
    assert detect_format(filename) == fmt


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        ("题目\nA. 甲\nB. 乙\n答案：A\n".encode(), "aiken"),
        ("题目\nA) 甲\nB) 乙\nANSWER: A\n", "aiken"),
        ("::t::题目{T}\n", "gift"),
    ],
)
def test_a_plain_txt_is_told_apart_by_its_content(data, fmt):
    assert detect_format("题库.txt", data) == fmt


@pytest.mark.parametrize("filename", ["bank.doc", "bank", "bank.txt"])
def test_unknown_files_raise_format_error_in_chinese(filename):
    with pytest.raises(FormatError, match="无法识别文件格式"):
        detect_format(filename)


def test_parse_and_export_dispatch_by_name_and_pass_progress_to_tables():
    questions = [TrueFalse(stem="对吗", answer=True)]
    calls = []
    result = parse(
        "csv", export("csv", questions), "b.csv", progress=lambda done, total: calls.append(done)
    )
    assert result.questions == questions and calls
    assert (
        parse("gift", export("gift", questions), "b.gift", progress=calls.append).questions
        == questions
    )


@pytest.mark.parametrize(
    "call", [lambda: get_format("docx"), lambda: export("docx", []), lambda: parse("pdf", b"", "x")]
)
def test_unknown_format_names_raise_format_error(call):
    with pytest.raises(FormatError, match="不支持的格式"):
        call()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_empty_bank_exports_to_something_every_format_reads(fmt):
    result = parse(fmt, export(fmt, []), "b")
    assert (result.questions, result.issues) == ([], [])
