"""The per-type web adapters: one for every engine type, their partials exist, and each type
goes from the editor's fields to a graded answer through its adapter alone."""

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.bank.editor import data_from_form, form_from_data
from app.qtypes import UnknownAdapter, adapter_for, all_adapters
from question_bank import question_from_dict
from question_bank.types import all_types

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"

# Editor fields of one question per type, a right and a wrong answer as submitted form values,
# and the status each earns.
CASES = {
    "single": ({"option_A": "甲", "option_B": "乙", "option_C": "丙", "correct": "B"}, ["B"], ["A"], "wrong"),
    "multiple": ({"option_A": "甲", "option_B": "乙", "option_C": "丙", "correct": ["A", "C"]},
                 ["A", "C"], ["A"], "wrong"),
    "truefalse": ({"answer": "false"}, ["false"], ["true"], "wrong"),
    "fill": ({"stem": "机动车应当____行驶，____通行。", "blanks": "靠右;右侧\n各行其道"},
             ["右侧", "各行其道"], ["靠右", "乱走"], "partial"),
    "essay": ({"reference_answer": "先劝阻，再报告。", "rubric": "劝阻2分"}, ["先劝阻"], [""], "wrong"),
}


def test_every_engine_type_has_an_adapter_and_every_adapter_an_engine_type():
    assert set(all_adapters()) == {cls.code for cls in all_types()} == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_every_partial_of_an_adapter_exists(code):
    adapter = adapter_for(code)
    for template in adapter.templates():
        assert (TEMPLATES / template).is_file(), template
    assert adapter.label == next(cls.label for cls in all_types() if cls.code == code)


def test_an_unknown_type_is_refused_with_a_chinese_message():
    with pytest.raises(UnknownAdapter, match="未知题型：ordering（可用：单选、"):
        adapter_for("ordering")
    with pytest.raises(UnknownAdapter):
        data_from_form("ordering", MultiDict({"stem": "题干"}))


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_type_goes_from_the_editor_to_a_graded_answer_through_its_adapter(code):
    fields, right, wrong, wrong_status = CASES[code]
    data = data_from_form(code, MultiDict({"stem": "题干"} | fields))
    question = question_from_dict(data)
    adapter = adapter_for(code)
    right_status = "correct" if question.auto_graded else "pending"
    assert question.grade(adapter.response(right)).status == right_status
    assert question.grade(adapter.response(wrong)).status == wrong_status
    assert question.grade(adapter.response([])).status == "wrong"
    # A stored response comes back as the same form values (a filled-in form, a shown answer).
    assert adapter.form_values(adapter.response(right)) == right
    # The editor shows the stored question as the fields it came from.
    assert data_from_form(code, MultiDict(form_from_data(data))) == data


@pytest.mark.parametrize(("code", "values", "response"), [
    ("single", ["B"], "B"), ("single", [], None), ("multiple", ["A", "C"], ["A", "C"]), ("multiple", [], []),
    ("truefalse", ["true"], True), ("truefalse", ["false"], False), ("truefalse", ["maybe"], None),
    ("fill", ["甲", "乙"], ["甲", "乙"]), ("essay", ["答案"], "答案"), ("essay", [], None),
])
def test_form_values_become_the_response_shape_the_engine_grades(code, values, response):
    assert adapter_for(code).response(values) == response


@pytest.mark.parametrize(("code", "response", "values"), [
    ("single", None, []), ("multiple", "A", []), ("truefalse", None, []), ("truefalse", True, ["true"]),
    ("fill", ["甲", None], ["甲", ""]), ("fill", "甲", []), ("essay", 5, []),
])
def test_odd_stored_responses_show_as_no_or_partial_answers(code, response, values):
    assert adapter_for(code).form_values(response) == values
