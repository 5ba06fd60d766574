"""Aiken import and export, including the Chinese variants."""

import pytest

from question_bank.errors import FormatError
from question_bank.formats.aiken import export_aiken, parse_aiken
from question_bank.types import Essay, MultipleChoice, SingleChoice, TrueFalse, build_options


def parse_ok(text):
    result = parse_aiken(text, "t.txt")
    assert result.issues == []
    return result.questions


@pytest.mark.parametrize(
    "options",
    [
        "A) 甲\nB) 乙",
        "A. 甲\nB. 乙",
        "A、甲\nB、乙",
        "A．甲\nB．乙",
        "Ａ.甲\nＢ.乙",
        "A）甲\nB）乙",
        "A)甲\nB)乙",
    ],
)
@pytest.mark.parametrize("answer", ["ANSWER: B", "答案：B", "答案:B", "answer: b", "答案： Ｂ"])
def test_english_and_chinese_markers_read_the_same(options, answer):
    (question,) = parse_ok(f"哪个对？\n{options}\n{answer}\n")
    assert isinstance(question, SingleChoice)
    assert [(o.key, o.text, o.weight) for o in question.options] == [
        ("A", "甲", 0),
        ("B", "乙", 100),
    ]
    assert question.stem_format == "plain"


@pytest.mark.parametrize("answer", ["答案：ABD", "ANSWER: A,B,D", "答案：A、B、D", "答案：a b d"])
def test_several_answer_letters_make_a_multiple_choice(answer):
    (question,) = parse_ok(f"哪些对？\nA. 甲\nB. 乙\nC. 丙\nD. 丁\n{answer}")
    assert isinstance(question, MultipleChoice)
    assert question.correct_keys() == {"A", "B", "D"}
    assert [o.weight for o in question.options] == [34, 33, -100, 33]


def test_consecutive_stem_lines_make_a_multi_line_stem():
    (question,) = parse_ok("根据规定：\n下列哪个对？\nA. 甲\nB. 乙\nANSWER: A")
    assert question.stem == "根据规定：\n下列哪个对？"


def test_blank_lines_inside_a_question_are_tolerated_and_no_trailing_blank_is_needed():
    questions = parse_ok("一？\n\nA. 甲\nB. 乙\n\nANSWER: A\n二？\nA. 丙\nB. 丁\nANSWER: B")
    assert [q.stem for q in questions] == ["一？", "二？"]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("只有一个选项\nA) 甲\nANSWER: A", ["第1题（行1）：至少需要两个选项"]),
        ("题\nA) 甲\nB) 乙", ["第1题（行1）：缺少答案行（如“ANSWER: B”或“答案：B”）"]),
        ("题\nA) 甲\nB) 乙\nANSWER: E", ["第1题（行1）：答案“E”不在选项中"]),
        (
            "题\nA) 甲\nB) 乙\nANSWER: 甲",
            ["第1题（行1）：答案“甲”格式不正确，应为选项字母，如 B 或 ABD"],
        ),
        ("A) 甲\nB) 乙\nANSWER: A", ["第1行：选项前缺少题干"]),
        ("ANSWER: A", ["第1行：答案行前缺少题干和选项"]),
        ("题\nA) 甲\nC) 乙\nANSWER: A", ["第1题（行1）：选项字母应从A开始依次排列（A、B、C……）"]),
        ("题\nA) 甲\nB) \nANSWER: A", ["第1题（行1）：选项B的内容不能为空"]),
        ("题一\n\n题二\nA) 甲\nB) 乙\nANSWER: A", ["第1题（行1）：缺少选项和答案行"]),
    ],
)
def test_each_broken_block_gives_one_message_and_good_ones_still_parse(text, messages):
    result = parse_aiken(text + "\n\n好题\nA. 对\nB. 错\nANSWER: A\n", "t.txt")
    assert [issue.message for issue in result.issues] == messages
    assert result.questions[-1].stem == "好题"


def test_export_writes_single_and_multiple_and_reads_back():
    questions = [
        SingleChoice(
            stem="一？", stem_format="plain", options=build_options(["甲", "乙"], [0, 100])
        ),
        MultipleChoice(
            stem="二？",
            stem_format="plain",
            options=build_options(["甲", "乙", "丙"], [50, 50, -100]),
        ),
    ]
    text = export_aiken(questions)
    assert "ANSWER: B\n" in text and "ANSWER: AB\n" in text
    assert parse_aiken(text, "t").questions == questions


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        (TrueFalse(stem="对吗", answer=True), "只能表示单选题和多选题"),
        (Essay(stem="谈谈"), "只能表示单选题和多选题"),
        (SingleChoice(stem="一\n\n二", options=build_options(["甲", "乙"], [100, 0])), "含空行"),
        (
            SingleChoice(stem="题\nA. 像选项", options=build_options(["甲", "乙"], [100, 0])),
            "像选项",
        ),
        (SingleChoice(stem="题", options=build_options(["甲\n乙", "丙"], [100, 0])), "多行的选项"),
        (
            MultipleChoice(stem="题", options=build_options(["甲", "乙"], [100, -100])),
            "只有一个正确答案的多选题",
        ),
    ],
)
def test_export_refuses_what_aiken_cannot_carry(question, reason):
    with pytest.raises(FormatError, match=reason):
        export_aiken([question])
