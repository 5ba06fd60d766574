"""Question types: validation, cleaning and defaults."""

import dataclasses

import pytest
from qb_factories import make_essay, make_fill, make_multiple, make_single, make_truefalse

from question_bank.errors import InvalidQuestion
from question_bank.types import (
    BlankAnswer,
    Option,
    build_options,
    count_blanks,
    default_multiple_weights,
)

INVALID_CASES = [
    (make_single, {"stem": "  "}, "题干不能为空"),
    (make_single, {"stem_format": "rtf"}, "题干格式"),
    (make_single, {"points": 0}, "分值应大于0"),
    (make_single, {"points": 100_001}, "不超过1000分"),
    (make_single, {"points": "1"}, "分值应为整数"),
    (make_single, {"difficulty": 6}, "难度应为1到5"),
    (make_single, {"difficulty": 0}, "难度应为1到5"),
    (make_single, {"difficulty": True}, "难度应为整数"),
    (make_single, {"competencies": ("A,B",)}, "知识点不能为空"),
    (make_single, {"tags": ("",)}, "标签不能为空"),
    (make_single, {"tags": "abc"}, "标签应为列表"),
    (make_single, {"category": ("辅警", "")}, "分类的每一级"),
    (make_single, {"category": ("a/b",)}, "分类的每一级"),
    (make_single, {"external_id": "编" * 61}, "编号不能超过 60 个字符（现有 61 个）"),
    (make_single, {"attachments": (("", "AA=="),)}, "附件名称不能为空"),
    (make_single, {"attachments": ("a.png",)}, "附件应为"),
    (make_single, {"attachments": None}, "附件应为列表"),
    (make_single, {"stem": None}, "题干应为文本"),
    (make_single, {"options": build_options(["甲"], [100])}, "至少需要两个选项"),
    (make_single, {"options": build_options(["甲", "乙"], [0, 0])}, "必须有一个正确答案"),
    (make_single, {"options": build_options(["甲", "乙"], [100, 100])}, "只能有一个正确答案"),
    (make_single, {"options": build_options(["甲", "乙"], [100, 101])}, "-100%到100%"),
    (make_single, {"options": build_options(["甲", " "], [100, 0])}, "选项B的内容不能为空"),
    (
        make_single,
        {"options": build_options(["甲", "ｙｅｓ", "YES"], [100, 0, 0])},
        "选项B与选项C内容相同",
    ),
    (make_single, {"options": (Option("A", "甲", 100), Option("C", "乙"))}, "从A开始依次"),
    (make_single, {"options": (Option("A", "甲", 100), "乙")}, "选项格式不正确"),
    (
        make_single,
        {"options": tuple(Option(k, k * 2, 100 if k == "A" else 0) for k in "ABCDEFGHI")},
        "不能超过8个",
    ),
    (make_multiple, {"options": build_options(["甲", "乙"], [0, -100])}, "至少需要一个正确答案"),
    (
        make_multiple,
        {"options": build_options(["甲", "乙", "丙"], [50, 40, 0])},
        "之和应为100%，当前为90%",
    ),
    (make_truefalse, {"answer": "对"}, "判断题的答案"),
    (make_truefalse, {"answer": None}, "判断题的答案"),
    (make_fill, {"stem": "首都是____。"}, "题干中有1个空，但给出了2组答案"),
    (make_fill, {"stem": "首都是哪里？"}, "没有“____”时只能有一组答案"),
    (make_fill, {"blanks": (("北京",), ())}, "第2空没有答案"),
    (make_fill, {"blanks": (("北京",), (" ",))}, "第2空的答案不能为空"),
    (make_fill, {"blanks": (("北京",), (BlankAnswer("京", 50),))}, "第2空至少要有一个满分"),
    (make_fill, {"blanks": (("北京",), (BlankAnswer("京", 120),))}, "第2空的得分比例"),
    (make_fill, {"blanks": (("北京",), (3,))}, "填空答案格式不正确"),
    (make_essay, {"stem": ""}, "题干不能为空"),
]


@pytest.mark.parametrize(("factory", "overrides", "message"), INVALID_CASES)
def test_invalid_questions_are_refused_with_a_chinese_message(factory, overrides, message):
    with pytest.raises(InvalidQuestion, match=message):
        factory(**overrides)


def test_build_options_refuses_more_than_eight():
    with pytest.raises(InvalidQuestion, match="不能超过8个"):
        build_options(list("abcdefghi"))


@pytest.mark.parametrize(
    ("count", "correct", "weights"),
    [
        (4, [0, 1], [50, 50, -50, -50]),
        (5, [0, 2, 4], [34, -50, 33, -50, 33]),
        (3, [0, 1, 2], [34, 33, 33]),
        (4, [3], [-34, -33, -33, 100]),
    ],
)
def test_default_multiple_weights_share_plus_and_minus_one_hundred(count, correct, weights):
    assert default_multiple_weights(count, correct) == weights


@pytest.mark.parametrize(
    ("stem", "blanks"),
    [
        ("无空", 0),
        ("__", 0),
        ("___", 1),
        ("a____b______c", 2),
        ("全角＿＿＿空", 1),
        ("混合_＿_", 1),
    ],
)
def test_blanks_are_runs_of_three_or_more_underscores(stem, blanks):
    assert count_blanks(stem) == blanks


def test_a_fill_stem_without_marker_has_one_implicit_blank():
    question = make_fill(stem="我国的首都是哪座城市？", blanks=(("北京",),))
    assert len(question.blanks) == 1


def test_default_points_differ_per_type():
    assert [
        f().points for f in (make_single, make_multiple, make_truefalse, make_fill, make_essay)
    ] == [
        100,
        200,
        100,
        100,
        500,
    ]


def test_texts_are_cleaned_on_construction():
    question = make_single(stem="  第一行\r\n第二行\x00\x07  ", tags=["甲", " 乙 "], title=" 标题 ")
    assert question.stem == "第一行\n第二行"
    assert question.tags == ("甲", "乙")
    assert question.title == "标题"


def test_questions_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_single().stem = "改"


def test_an_external_id_of_60_characters_is_kept():
    assert make_single(external_id="编" * 60).external_id == "编" * 60
