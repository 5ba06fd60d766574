"""Marking a paper in the engine: scaling to exam points, pending essays, pass rule, response shapes."""

from __future__ import annotations

import pytest

from question_bank import question_from_dict
from question_bank.assembly import to_display_letters, to_own_keys
from question_bank.marking import manual, manual_score, mark, mark_paper, passes, total
from question_bank.scoring import GradingPolicy, Score

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


# --- a person's score for an essay, and the total after it ------------------------------------------

@pytest.mark.parametrize(("typed", "units"), [("7", 700), ("7.5", 750), ("０", 0), (" 10 ", 1000), ("7.50", 750)])
def test_manual_score_takes_whole_and_half_points_up_to_the_slot(typed, units):
    assert manual_score(typed, 1000) == units


@pytest.mark.parametrize(("typed", "reason"), [
    ("10.5", "不能超过本题满分 10 分"), ("-1", "不能为负数"), ("7.25", "整分或半分"), ("7.123", "整分或半分"),
    ("", "应为数字"), ("七", "应为数字"), ("nan", "应为数字")])
def test_manual_score_refuses_with_a_chinese_reason(typed, reason):
    with pytest.raises(ValueError, match=reason):
        manual_score(typed, 1000)


def test_total_of_stored_scores_passes_only_when_nothing_waits():
    scores = [Score(400, 400, "correct"), manual(750, 1000), Score.wrong(200)]
    result = total(scores, 60)
    assert (result.score, result.max_score, result.pending, result.passed) == (1150, 1600, False, True)
    assert manual(750, 1000).status == "partial" and manual(0, 1000).status == "wrong"
    assert manual(1000, 1000).status == "correct"
    waiting = total([Score(400, 400, "correct"), Score.pending(1000)], 60)
    assert (waiting.score, waiting.pending, waiting.passed) == (400, True, None)
