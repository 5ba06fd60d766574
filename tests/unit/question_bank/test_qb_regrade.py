"""Regrading in the engine: each fix on each type, never lowering an accepted answer, kept manual grades,
dropped slots out of the maximum, problems in Chinese, stored data round trip."""

from __future__ import annotations

import pytest

from question_bank.marking import mark_paper as plain_mark_paper
from question_bank.regrade import (
    ACCEPT,
    DROP,
    FULL_MARKS,
    NEW_VERSION,
    Adjustment,
    RegradeError,
    Slot,
    mark_item,
    mark_paper,
    problem,
)
from question_bank.scoring import GradingPolicy, Score
from question_bank.types import BlankAnswer, Essay, build_options
from tests.unit.question_bank.qb_factories import (
    make_fill,
    make_multiple,
    make_single,
    make_truefalse,
)

PARTIAL = GradingPolicy(multi="partial")


def accept(**data) -> Adjustment:
    return Adjustment.from_data(ACCEPT, data)


def test_without_a_fix_the_paper_is_marked_as_before():
    slots = [(make_single(), "A", 200), (make_multiple(), ["A"], 200), (make_truefalse(), True, 100)]
    before = plain_mark_paper(slots, 60)
    assert mark_paper([Slot(q, r, p) for q, r, p in slots], 60) == before


@pytest.mark.parametrize(("response", "earned"), [("B", 200), ("A", 200), ("C", 0), (None, 0)])
def test_single_accepts_another_option(response, earned):
    assert mark_item(make_single(), response, 200, adjustment=accept(keys=["b"])).earned == earned


@pytest.mark.parametrize(("response", "policy", "earned"), [
    (["A", "B"], None, 200), (["A", "B", "C"], None, 200), (["A", "C"], None, 0),
    (["A", "C"], PARTIAL, 100), (["C"], None, 0), ([], None, 0)])
def test_multiple_accepted_option_may_be_chosen_or_not(response, policy, earned):
    score = mark_item(make_multiple(), response, 200, policy or GradingPolicy(), accept(keys=["C"]))
    assert score.earned == earned


def test_multiple_accepting_a_correct_option_makes_leaving_it_out_right():
    assert mark_item(make_multiple(), ["A"], 200, adjustment=accept(keys=["B"])).status == "correct"
    assert mark_item(make_multiple(), ["A", "B"], 200, adjustment=accept(keys=["B"])).status == "correct"


def test_truefalse_accepts_the_other_answer():
    question = make_truefalse()  # the key is False
    fix = accept(answer=True)
    assert mark_item(question, True, 100, adjustment=fix).earned == 100
    assert mark_item(question, False, 100, adjustment=fix).earned == 100
    assert mark_item(question, None, 100, adjustment=fix).earned == 0


def test_fill_accepts_extra_texts_per_blank():
    question = make_fill()
    fix = accept(blanks=[["北平"], []])
    assert mark_item(question, ["北平", "京"], 200, adjustment=fix).earned == 200
    assert mark_item(question, ["北平", "燕"], 200, adjustment=fix).earned == 150
    assert mark_item(question, ["北平", "京"], 200).earned == 100


def test_new_version_grades_against_its_key():
    shown = make_single()
    fixed = make_single(options=build_options(["危险报警闪光灯", "远光灯", "雾灯"], [0, 100, 0]))
    fix = Adjustment.from_data(NEW_VERSION, {"version_id": 9}, version=fixed)
    assert problem(fix, shown) is None
    assert mark_item(shown, "B", 100, adjustment=fix).earned == 100
    assert mark_item(shown, "A", 100, adjustment=fix).earned == 0


def test_full_marks_and_drop():
    essay = Essay(stem="简述要点。")
    full = Adjustment(FULL_MARKS)
    assert mark_item(make_single(), None, 300, adjustment=full) == Score(300, 300, "correct")
    assert mark_item(essay, "写了", 500, adjustment=full) == Score(500, 500, "correct")
    dropped = mark_item(make_single(), "A", 300, adjustment=Adjustment(DROP))
    assert dropped == Score(0, 0, "dropped")


def test_drop_takes_the_slot_out_of_the_maximum_and_may_change_the_pass():
    slots = [Slot(make_single(), "B", 100, Adjustment(DROP)), Slot(make_truefalse(), False, 100)]
    result = mark_paper(slots, 60)
    assert (result.score, result.max_score, result.passed) == (100, 100, True)
    assert plain_mark_paper([(make_single(), "B", 100), (make_truefalse(), False, 100)], 60).passed is False


def test_a_manual_grade_is_kept_where_the_engine_says_pending():
    essay = Essay(stem="简述要点。")
    kept = Score(300, 500, "partial")
    assert mark_item(essay, "写了", 500, kept=kept) == kept
    assert mark_item(essay, "写了", 500, kept=Score(0, 500, "pending")).status == "pending"
    assert mark_item(essay, "写了", 500, kept=Score(0, 0, "dropped")).status == "pending"
    result = mark_paper([Slot(essay, "写了", 500, kept=kept), Slot(make_single(), "A", 100)], 60)
    assert (result.score, result.pending, result.passed) == (400, False, True)


@pytest.mark.parametrize(("fix", "question", "words"), [
    (accept(keys=[]), make_single(), "请选择"),
    (accept(keys=["A"]), make_single(), "本来就是正确答案"),
    (accept(keys=["Z"]), make_multiple(), "没有选项Z"),
    (accept(answer=False), make_truefalse(), "本来就是正确答案"),
    (accept(), make_truefalse(), "请选择"),
    (accept(blanks=[["北平"]]), make_fill(), "2 个空"),
    (accept(blanks=[[], []]), make_fill(), "至少填写"),
    (accept(blanks=[["北京"], []]), make_fill(), "本来就是正确答案"),
    (accept(keys=["A"]), Essay(stem="简述。"), "不能另认答案"),
    (Adjustment(NEW_VERSION), make_single(), "没有可以改用"),
    (Adjustment(NEW_VERSION, version=make_truefalse()), make_single(), "题型"),
    (Adjustment(NEW_VERSION, version=make_single(options=build_options(["甲", "乙"], [100, 0]))), make_single(),
     "选项"),
    (Adjustment(NEW_VERSION, version=make_fill(stem="首都是____。", blanks=(("北京",),))), make_fill(), "空数"),
    (Adjustment(NEW_VERSION, version=make_single()), make_single(), "内容相同"),
    (Adjustment(NEW_VERSION, version=Essay(stem="乙")), Essay(stem="甲"), "人工评分"),
])
def test_problems_are_told_in_chinese(fix, question, words):
    assert words in problem(fix, question)


def test_fitting_fixes_have_no_problem():
    assert problem(accept(keys=["B", "C"]), make_single()) is None
    assert problem(accept(blanks=[[" 北平 "], []]), make_fill()) is None
    assert problem(Adjustment(FULL_MARKS), Essay(stem="甲")) is None
    assert problem(Adjustment(DROP), make_fill()) is None


@pytest.mark.parametrize(("kind", "data"), [
    ("other", {}), (ACCEPT, {"keys": "AB"}), (ACCEPT, {"answer": "对"}), (ACCEPT, {"blanks": "北平"}),
    (ACCEPT, {"blanks": [[1]]})])
def test_unreadable_fixes_raise(kind, data):
    with pytest.raises(RegradeError):
        Adjustment.from_data(kind, data)


def test_stored_data_round_trips():
    for data in ({"keys": ["B", "C"]}, {"answer": True}, {"blanks": [["北平"], ["燕京", "京城"]]}):
        fix = accept(**data)
        assert fix.to_data() == data
        assert Adjustment.from_data(ACCEPT, fix.to_data()) == fix
    assert accept(keys=["c", " b "]).to_data() == {"keys": ["B", "C"]}
    assert Adjustment.from_data(DROP, {"ignored": 1}).to_data() == {}


def test_fill_with_weighted_variants_keeps_them():
    question = make_fill(blanks=(("北京",), ("京", BlankAnswer("燕", 50))))
    assert mark_item(question, ["北京", "燕"], 200, adjustment=accept(blanks=[[], ["燕京"]])).earned == 150


def test_a_stored_dropped_slot_counts_for_nothing_when_an_essay_is_totalled_later():
    # A marker settles an attempt after a regrade dropped one of its slots: the total must follow
    # the regrade (the dropped slot out of the score and the maximum), not the paper's points.
    from question_bank.marking import total
    from question_bank.scoring import Score

    stored = [(500, 500, "correct"), (0, 500, "dropped"), (700, 1000, "partial")]
    result = total((Score.stored(*row) for row in stored), 60)
    assert (result.score, result.max_score, result.pending) == (1200, 1500, False)
    assert result.passed is True
    assert Score.stored(None, 500, None) == Score(0, 500, "wrong")
    assert Score.stored(900, 500, "correct") == Score(500, 500, "correct")
