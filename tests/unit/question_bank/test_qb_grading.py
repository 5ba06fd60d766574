"""Grading every type, every multi-select policy, and responses of the wrong shape."""

import pytest

from question_bank.scoring import GradingPolicy, Score
from question_bank.types import (
    BlankAnswer,
    Essay,
    FillBlank,
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    build_options,
)

ALL_OR_NOTHING = GradingPolicy()
PARTIAL = GradingPolicy(multi="partial", partial_fraction_percent=50)
WEIGHTED = GradingPolicy(multi="weighted")
WEIGHTED_NEGATIVE = GradingPolicy(multi="weighted", allow_negative=True)

SINGLE = SingleChoice(
    stem="发现交通事故现场有人员受伤，首先应当？",
    options=build_options(
        ["抢救伤员并报警", "先拍照取证", "离开现场", "先移动车辆"], [100, 50, -50, 0]
    ),
    points=200,
)


@pytest.mark.parametrize(
    ("response", "policy", "expected"),
    [
        ("A", ALL_OR_NOTHING, Score(200, 200, "correct")),
        (" a ", ALL_OR_NOTHING, Score(200, 200, "correct")),
        ("B", ALL_OR_NOTHING, Score(100, 200, "partial")),
        ("C", ALL_OR_NOTHING, Score(0, 200, "wrong")),
        ("C", WEIGHTED_NEGATIVE, Score(-100, 200, "wrong")),
        ("D", ALL_OR_NOTHING, Score(0, 200, "wrong")),
        ("E", ALL_OR_NOTHING, Score(0, 200, "wrong")),
        ("", ALL_OR_NOTHING, Score(0, 200, "wrong")),
        (None, ALL_OR_NOTHING, Score(0, 200, "wrong")),
        (["A"], ALL_OR_NOTHING, Score(0, 200, "wrong")),
        (1, ALL_OR_NOTHING, Score(0, 200, "wrong")),
    ],
)
def test_single_choice_earns_the_chosen_option_weight(response, policy, expected):
    assert SINGLE.grade(response, policy) == expected


MULTIPLE = MultipleChoice(
    stem="下列属于辅警可以协助开展的工作有？",
    options=build_options(
        ["维护交通秩序", "劝阻交通违法行为", "单独作出行政处罚", "采集信息"], [34, 33, -100, 33]
    ),
    points=300,
)


@pytest.mark.parametrize(
    ("response", "policy", "expected"),
    [
        (["A", "B", "D"], ALL_OR_NOTHING, Score(300, 300, "correct")),
        (["D", "b", "A"], ALL_OR_NOTHING, Score(300, 300, "correct")),
        (["A", "B"], ALL_OR_NOTHING, Score(0, 300, "wrong")),
        (["A", "B", "C", "D"], ALL_OR_NOTHING, Score(0, 300, "wrong")),
        (["A", "B", "D"], PARTIAL, Score(300, 300, "correct")),
        (["A", "B"], PARTIAL, Score(150, 300, "partial")),
        (["A"], PARTIAL, Score(150, 300, "partial")),
        (["A", "C"], PARTIAL, Score(0, 300, "wrong")),
        ([], PARTIAL, Score(0, 300, "wrong")),
        (["A", "B", "C", "D"], PARTIAL, Score(0, 300, "wrong")),
        (
            ["A", "B"],
            GradingPolicy(multi="partial", partial_fraction_percent=40),
            Score(120, 300, "partial"),
        ),
        (["A", "B", "D"], WEIGHTED, Score(300, 300, "correct")),
        (["A", "B"], WEIGHTED, Score(201, 300, "partial")),
        (["A"], WEIGHTED, Score(102, 300, "partial")),
        (["A", "C"], WEIGHTED, Score(0, 300, "wrong")),
        (["A", "C"], WEIGHTED_NEGATIVE, Score(-198, 300, "wrong")),
        (["C"], WEIGHTED_NEGATIVE, Score(-300, 300, "wrong")),
        (["A", "B", "C", "D"], WEIGHTED, Score(0, 300, "wrong")),
        ([], WEIGHTED, Score(0, 300, "wrong")),
        (("A", "A", "B", "D"), ALL_OR_NOTHING, Score(300, 300, "correct")),
        ({"A", "B", "D"}, ALL_OR_NOTHING, Score(300, 300, "correct")),
    ],
)
def test_multiple_choice_follows_the_policy(response, policy, expected):
    assert MULTIPLE.grade(response, policy) == expected


@pytest.mark.parametrize("response", ["ABD", None, 3, ["A", "Z"], ["A", 1], b"AB"])
@pytest.mark.parametrize("policy", [ALL_OR_NOTHING, PARTIAL, WEIGHTED])
def test_multiple_choice_with_a_badly_shaped_response_scores_zero(response, policy):
    assert MULTIPLE.grade(response, policy) == Score(0, 300, "wrong")


def test_multiple_choice_policies_agree_on_a_full_answer():
    for policy in (ALL_OR_NOTHING, PARTIAL, WEIGHTED, WEIGHTED_NEGATIVE):
        assert MULTIPLE.grade(MULTIPLE.correct_response(), policy).status == "correct"


TRUEFALSE = TrueFalse(stem="辅警可以单独执法。", answer=False)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (False, Score(100, 100, "correct")),
        (True, Score(0, 100, "wrong")),
        ("错", Score(0, 100, "wrong")),
        (0, Score(0, 100, "wrong")),
        (None, Score(0, 100, "wrong")),
    ],
)
def test_true_false_needs_the_right_bool(response, expected):
    assert TRUEFALSE.grade(response) == expected


FILL = FillBlank(
    stem="机动车行经人行横道时，应当____；遇行人正在通过时，应当____让行。最高时速____公里。",
    blanks=(
        ("减速行驶",),
        ("停车", BlankAnswer("停下", 100), BlankAnswer("减速", 50)),
        ("0.5",),
    ),
    points=300,
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["减速行驶", "停车", "0.5"], Score(300, 300, "correct")),
        (("减速 行驶。", "停下", "０．５０"), Score(300, 300, "correct")),
        (["减速行驶", "减速", "0.5"], Score(250, 300, "partial")),
        (["减速行驶", "", "0.5"], Score(200, 300, "partial")),
        (["减速行驶", None, ".5"], Score(200, 300, "partial")),
        (["减速行驶"], Score(100, 300, "partial")),
        ([], Score(0, 300, "wrong")),
        (["加速", "不让", "1"], Score(0, 300, "wrong")),
        (["减速行驶", "停车", "0.5", "多余"], Score(0, 300, "wrong")),
        ("减速行驶", Score(0, 300, "wrong")),
        (["减速行驶", 3, "0.5"], Score(0, 300, "wrong")),
        (None, Score(0, 300, "wrong")),
    ],
)
def test_fill_blanks_share_the_points_and_accept_variants(response, expected):
    assert FILL.grade(response) == expected


def test_fill_compares_numbers_by_value_with_thousands_separators():
    question = FillBlank(stem="罚款____元", blanks=(("1000",),))
    assert question.grade(["1,000"]).status == "correct"
    assert question.grade(["１０００"]).status == "correct"
    assert question.grade(["100"]).status == "wrong"


def test_fill_zero_weight_answers_earn_nothing():
    question = FillBlank(stem="最好的动物？", blanks=((BlankAnswer("青蛙"), BlankAnswer("*", 0)),))
    assert question.grade(["*"]) == Score(0, 100, "wrong")
    assert question.grade(["青蛙"]) == Score(100, 100, "correct")


ESSAY = Essay(stem="简述执勤执法中文明用语的要求。", points=1000)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("要礼貌、规范……", Score(0, 1000, "pending")),
        ("   ", Score(0, 1000, "wrong")),
        ("", Score(0, 1000, "wrong")),
        (None, Score(0, 1000, "wrong")),
        (["答案"], Score(0, 1000, "wrong")),
    ],
)
def test_essays_wait_for_a_person_unless_blank(response, expected):
    assert ESSAY.grade(response) == expected


@pytest.mark.parametrize("question", [SINGLE, MULTIPLE, TRUEFALSE, FILL])
def test_the_correct_response_earns_full_marks(question):
    score = question.grade(question.correct_response())
    assert score == Score(question.points, question.points, "correct")
