"""Marking a paper in the engine: scaling to exam points, pending essays, pass rule, response shapes."""

from __future__ import annotations

import pytest

from question_bank import question_from_dict
from question_bank.assembly import to_display_letters, to_own_keys
from question_bank.marking import mark, mark_paper, passes
from question_bank.scoring import GradingPolicy

SINGLE = {"type": "single", "stem": "红灯亮时应当？", "points": 100,
          "options": [{"key": "A", "text": "停车等待", "weight": 100}, {"key": "B", "text": "加速通过", "weight": 0},
                      {"key": "C", "text": "鸣笛", "weight": 0}]}
MULTIPLE = {"type": "multiple", "stem": "哪些属于执勤装备？", "points": 200,
            "options": [{"key": "A", "text": "反光背心", "weight": 50}, {"key": "B", "text": "执法记录仪", "weight": 50},
                        {"key": "C", "text": "雨伞", "weight": -100}]}
TRUEFALSE = {"type": "truefalse", "stem": "夜间执勤应穿反光背心。", "answer": True}
FILL = {"type": "fill", "stem": "机动车在道路上发生故障，应当开启____灯。",
        "blanks": [[{"text": "危险报警闪光", "weight": 100}]]}
ESSAY = {"type": "essay", "stem": "简述事故现场保护的要点。", "reference_answer": "设置警示、保护痕迹"}


def q(data):
    return question_from_dict(data)


def test_scores_are_scaled_to_the_exam_points():
    assert mark(q(SINGLE), "A", 250).earned == 250
    assert mark(q(SINGLE), "B", 250).earned == 0
    partial = mark(q(MULTIPLE), ["A"], 300, GradingPolicy(multi="partial", partial_fraction_percent=50))
    assert (partial.earned, partial.possible, partial.status) == (150, 300, "partial")
    assert mark(q(ESSAY), "设置警示", 1000).status == "pending"
    assert mark(q(ESSAY), "", 1000).status == "wrong"


def test_paper_total_pass_and_pending():
    entries = [(q(SINGLE), "A", 200), (q(TRUEFALSE), False, 200), (q(FILL), ["危险报警闪光"], 100)]
    result = mark_paper(entries, pass_percent=60)
    assert (result.score, result.max_score, result.pending, result.passed) == (300, 500, False, True)
    assert result.percent == 60
    assert mark_paper(entries[:2], pass_percent=60).passed is False
    with_essay = mark_paper(entries + [(q(ESSAY), "写了答案", 500)], pass_percent=60)
    assert with_essay.pending and with_essay.passed is None and with_essay.max_score == 1000
    assert passes(600, 1000, 60) and not passes(599, 1000, 60)


@pytest.mark.parametrize(("data", "good", "bad"), [
    (SINGLE, ["A", None], ["D", ["A"], 1, "a"]),
    (MULTIPLE, [["A", "B"], [], None], ["A", ["A", "A"], ["Z"], [1]]),
    (TRUEFALSE, [True, False, None], ["true", 1, "对"]),
    (FILL, [["答案"], [], None], ["答案", ["a", "b"], [1], ["长" * 501]]),
    (ESSAY, ["文字", "", None], [["文字"], 3, "长" * 20_001]),
])
def test_response_shapes(data, good, bad):
    question = q(data)
    assert all(question.response_problem(value) is None for value in good)
    for value in bad:
        problem = question.response_problem(value)
        assert problem and any("\u4e00" <= ch <= "\u9fff" for ch in problem), value


def test_display_letters_round_trip_through_the_option_order():
    order = ("C", "A", "B")
    assert to_own_keys("A", order) == "C"
    assert to_own_keys(["B", "C"], order) == ["A", "B"]
    assert to_own_keys("D", order) == ""
    assert to_own_keys(["A", "Z"], order) == ["C", ""]
    assert to_own_keys(None, order) is None
    assert to_display_letters("C", order) == "A"
    assert to_display_letters(["B", "A"], order) == ["B", "C"]
    assert to_own_keys(["填空"], ()) == ["填空"]
    assert to_own_keys(True, order) is True
