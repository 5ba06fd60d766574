"""Question types: registry, JSON round trips, fingerprints, the public view and correct responses."""

import dataclasses
import json

import pytest
from qb_factories import (
    ALL_FACTORIES,
    make_essay,
    make_fill,
    make_multiple,
    make_single,
    make_truefalse,
)

from question_bank.errors import InvalidQuestion, UnknownQuestionType
from question_bank.types import (
    FillBlank,
    SingleChoice,
    TrueFalse,
    all_types,
    build_options,
    get_type,
    question_from_dict,
    register,
    type_from_label,
)


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
        (
            {"type": "fill", "stem": "x", "blanks": [[{"text": "a", "score": 1}]]},
            "填空答案格式不正确",
        ),
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


SECRET_KEYS = {
    "weight",
    "feedback",
    "answer",
    "blanks",
    "explanation",
    "reference_answer",
    "rubric",
}


def _all_keys(value):
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _all_keys(item)}
    return set()


@pytest.mark.parametrize("factory", ALL_FACTORIES)
def test_public_dict_reveals_no_answers_weights_or_explanations(factory):
    public = factory().public_dict()
    assert not _all_keys(public) & (
        SECRET_KEYS | {"legal_basis", "feedback_true", "feedback_false"}
    )
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


def test_the_public_view_of_a_stored_version_equals_the_built_questions():
    """`public_from_stored` (the exam pages' shortcut) and `public_dict` never disagree."""
    from pathlib import Path

    from question_bank.formats import parse
    from question_bank.registry import get_type

    banks = Path(__file__).resolve().parents[3] / "course_content" / "banks"
    questions = [q for path in sorted(banks.glob("*.csv")) for q in parse("csv", path.read_bytes(), path.name).questions]
    questions += [make_single(), make_fill()]
    assert len(questions) > 50 and {q.code for q in questions} >= {"single", "multiple", "truefalse", "fill", "essay"}
    for question in questions:
        stored = json.loads(json.dumps(question.to_dict(), ensure_ascii=False))
        assert get_type(stored["type"]).public_from_stored(stored) == question.public_dict()
    partial = {"type": "truefalse", "stem": "旧数据", "answer": True}
    assert get_type("truefalse").public_from_stored(partial)["points"] == 100
