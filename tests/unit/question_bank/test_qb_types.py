"""Question types: validation, registry, JSON round trips, fingerprints and the public view."""

import dataclasses
import json

import pytest

from question_bank.errors import InvalidQuestion, UnknownQuestionType
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    Option,
    SingleChoice,
    TrueFalse,
    all_types,
    build_options,
    count_blanks,
    default_multiple_weights,
    get_type,
    question_from_dict,
    register,
    type_from_label,
)


def make_single(**overrides):
    fields = {
        "stem": "机动车在道路上发生故障时，驾驶人应当立即开启什么灯？",
        "options": build_options(["危险报警闪光灯", "远光灯", "雾灯"], [100, 0, 0]),
    }
    return SingleChoice(**(fields | overrides))


def make_multiple(**overrides):
    fields = {
        "stem": "下列哪些属于机动车？",
        "options": build_options(["小型汽车", "摩托车", "自行车"], [50, 50, -100]),
    }
    return MultipleChoice(**(fields | overrides))


def make_truefalse(**overrides):
    return TrueFalse(**({"stem": "驾驶机动车可以不携带驾驶证。", "answer": False} | overrides))


def make_fill(**overrides):
    fields = {"stem": "我国的首都是____，简称____。", "blanks": (("北京",), ("京", BlankAnswer("燕", 50)))}
    return FillBlank(**(fields | overrides))


def make_essay(**overrides):
    fields = {"stem": "简述窗口服务的基本要求。", "reference_answer": "文明、规范、高效", "rubric": "每点2分"}
    return Essay(**(fields | overrides))


def full_single():
    return make_single(
        stem_format="html",
        points=150,
        explanation="见第五十二条",
        difficulty=3,
        competencies=("FJ-LAW", "GEN-POL"),
        legal_basis="《道路交通安全法》第五十二条",
        tags=("故障", "示警"),
        category=("辅警", "道路交通安全法规"),
        title="故障处置",
        external_id="FJ-0001",
        attachments=(("a.png", "aGVsbG8="),),
    )


ALL_FACTORIES = [make_single, make_multiple, make_truefalse, make_fill, make_essay, full_single]

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
    (make_single, {"attachments": (("", "AA=="),)}, "附件名称不能为空"),
    (make_single, {"attachments": ("a.png",)}, "附件应为"),
    (make_single, {"stem": None}, "题干应为文本"),
    (make_single, {"options": build_options(["甲"], [100])}, "至少需要两个选项"),
    (make_single, {"options": build_options(["甲", "乙"], [0, 0])}, "必须有一个正确答案"),
    (make_single, {"options": build_options(["甲", "乙"], [100, 100])}, "只能有一个正确答案"),
    (make_single, {"options": build_options(["甲", "乙"], [100, 101])}, "-100%到100%"),
    (make_single, {"options": build_options(["甲", " "], [100, 0])}, "选项B的内容不能为空"),
    (make_single, {"options": build_options(["甲", "ｙｅｓ", "YES"], [100, 0, 0])}, "选项B与选项C内容相同"),
    (make_single, {"options": (Option("A", "甲", 100), Option("C", "乙"))}, "从A开始依次"),
    (make_single, {"options": (Option("A", "甲", 100), "乙")}, "选项格式不正确"),
    (
        make_single,
        {"options": tuple(Option(k, k * 2, 100 if k == "A" else 0) for k in "ABCDEFGHI")},
        "不能超过8个",
    ),
    (make_multiple, {"options": build_options(["甲", "乙"], [0, -100])}, "至少需要一个正确答案"),
    (make_multiple, {"options": build_options(["甲", "乙", "丙"], [50, 40, 0])}, "之和应为100%，当前为90%"),
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
    [("无空", 0), ("__", 0), ("___", 1), ("a____b______c", 2), ("全角＿＿＿空", 1), ("混合_＿_", 1)],
)
def test_blanks_are_runs_of_three_or_more_underscores(stem, blanks):
    assert count_blanks(stem) == blanks


def test_a_fill_stem_without_marker_has_one_implicit_blank():
    question = make_fill(stem="我国的首都是哪座城市？", blanks=(("北京",),))
    assert len(question.blanks) == 1


def test_default_points_differ_per_type():
    assert [f().points for f in (make_single, make_multiple, make_truefalse, make_fill, make_essay)] == [
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


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("单选", "single"),
        ("单选题", "single"),
        (" 单项选择题 ", "single"),
        ("多选", "multiple"),
        ("多项选择", "multiple"),
        ("判断题", "truefalse"),
        ("是非题", "truefalse"),
        ("填空题", "fill"),
        ("简答", "essay"),
        ("问答题", "essay"),
        ("single", "single"),
        ("ESSAY", "essay"),
    ],
)
def test_types_are_found_by_chinese_label_or_code(label, code):
    assert type_from_label(label).code == code


@pytest.mark.parametrize("label", ["匹配题", "", "单"])
def test_unknown_labels_raise_their_own_error(label):
    with pytest.raises(UnknownQuestionType, match="未知题型"):
        type_from_label(label)


def test_registry_holds_the_five_types_with_labels():
    assert {(cls.code, cls.label) for cls in all_types()} >= {
        ("single", "单选"),
        ("multiple", "多选"),
        ("truefalse", "判断"),
        ("fill", "填空"),
        ("essay", "简答"),
    }
    assert get_type("fill") is FillBlank


@pytest.mark.parametrize("code", ["matching", None, ""])
def test_unknown_codes_raise_unknown_question_type(code):
    with pytest.raises(UnknownQuestionType, match="未知题型"):
        get_type(code)


def test_register_refuses_a_second_type_with_the_same_code():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Impostor(SingleChoice):
        code = "single"
        label = "冒名"

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)


@pytest.mark.parametrize("factory", ALL_FACTORIES)
def test_to_dict_round_trips_exactly_through_json(factory):
    question = factory()
    data = json.loads(json.dumps(question.to_dict(), ensure_ascii=False))
    assert data == question.to_dict()
    assert question_from_dict(data) == question
    assert type(question).from_dict(data) == question


def test_from_dict_accepts_a_minimal_dict_with_defaults():
    question = question_from_dict({"type": "truefalse", "stem": "对吗？", "answer": True})
    assert question == TrueFalse(stem="对吗？", answer=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "single", "stem": "x", "colour": "red"}, "未知字段：colour"),
        ({"type": "truefalse", "stem": "x"}, "缺少答案"),
        ({"type": "essay"}, "缺少题干"),
        ({"type": "single", "stem": "x", "options": [{"key": "A"}]}, "选项格式不正确"),
        ({"type": "single", "stem": "x", "options": ["A"]}, "选项格式不正确"),
        ({"type": "single", "stem": "x", "options": "AB"}, "选项应为列表"),
        ({"type": "fill", "stem": "x", "blanks": [[{"text": "a", "score": 1}]]}, "填空答案格式不正确"),
        ({"type": "fill", "stem": "x", "blanks": [["a"]]}, "填空答案格式不正确"),
        ({"type": "essay", "stem": 3}, "题干应为文本"),
        ("single", "试题数据应为字典"),
    ],
)
def test_from_dict_refuses_bad_data_in_chinese(data, message):
    with pytest.raises(InvalidQuestion, match=message):
        question_from_dict(data)


def test_from_dict_of_one_type_refuses_another():
    with pytest.raises(InvalidQuestion, match="题型不符"):
        SingleChoice.from_dict(make_essay().to_dict())


def test_question_from_dict_with_unknown_type_raises_unknown_question_type():
    with pytest.raises(UnknownQuestionType):
        question_from_dict({"type": "matching", "stem": "x"})


def test_fingerprint_ignores_width_spacing_punctuation_and_option_order():
    first = make_single(stem="机动车故障时 应开启什么灯？")
    second = make_single(
        stem="机动车故障时应开启什么灯",
        options=build_options(["远光灯", "危险报警闪光灯", "雾灯。"], [0, 100, 0]),
        points=300,
    )
    assert first.fingerprint() == second.fingerprint()
    assert len(first.fingerprint()) == 64


def test_fingerprint_changes_with_the_content():
    assert make_single().fingerprint() != make_single(stem="另一道题").fingerprint()
    other_options = build_options(["危险报警闪光灯", "近光灯", "雾灯"], [100, 0, 0])
    assert make_single().fingerprint() != make_single(options=other_options).fingerprint()


SECRET_KEYS = {"weight", "feedback", "answer", "blanks", "explanation", "reference_answer", "rubric"}


def _all_keys(value):
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _all_keys(item)}
    return set()


@pytest.mark.parametrize("factory", ALL_FACTORIES)
def test_public_dict_reveals_no_answers_weights_or_explanations(factory):
    public = factory().public_dict()
    assert not _all_keys(public) & (SECRET_KEYS | {"legal_basis", "feedback_true", "feedback_false"})
    assert public["stem"] == factory().stem
    json.dumps(public)


def test_public_dict_keeps_what_the_trainee_needs():
    assert make_single().public_dict()["options"][0] == {"key": "A", "text": "危险报警闪光灯"}
    assert make_fill().public_dict()["blank_count"] == 2
    assert "北京" not in json.dumps(make_fill().public_dict(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("factory", "response"),
    [
        (make_single, "A"),
        (make_multiple, ("A", "B")),
        (make_truefalse, False),
        (make_fill, ("北京", "京")),
        (make_essay, "文明、规范、高效"),
    ],
)
def test_correct_response_is_what_earns_full_marks(factory, response):
    assert factory().correct_response() == response
