"""The question editor's fields: hand-typed option weights and feedback, fill variants kept by text."""

import pytest
from werkzeug.datastructures import MultiDict

from app.bank.editor import data_from_form, form_from_data, form_values
from app.errors import DomainError
from app.qtypes.choice import WEIGHTS_HINT
from app.qtypes.fill import FILL_KEPT_NOTE, FILL_SEPARATOR_NOTE


def _options(*rows):
    return [{"key": "ABCDEFGH"[i], "text": text, "weight": weight, "feedback": feedback}
            for i, (text, weight, feedback) in enumerate(rows)]


def _form(**fields):
    return MultiDict({"stem": "题干"} | fields)


def _choice(qtype, weights, *, correct=(), texts="甲乙丙丁"):
    fields = {f"option_{k}": t for k, t in zip("ABCD", texts, strict=False)}
    fields |= {f"weight_{k}": w for k, w in zip("ABCD", weights, strict=False)}
    return data_from_form(qtype, _form(**fields, correct=list(correct)))


def test_blank_weights_come_from_the_checkboxes_as_before():
    multiple = _choice("multiple", ["", "", "", ""], correct=["A", "C"])
    assert [o["weight"] for o in multiple["options"]] == [50, -50, 50, -50]
    single = _choice("single", [], correct=["B"])
    assert [o["weight"] for o in single["options"]] == [0, 100, 0, 0]


def test_typed_weights_are_used_and_the_checkboxes_ignored():
    multiple = _choice("multiple", ["50", "50", "-100", ""], correct=["D"])
    assert [o["weight"] for o in multiple["options"]] == [50, 50, -100, 0]
    single = _choice("single", ["100", "50%", "", "－25"], correct=["C"])
    assert [o["weight"] for o in single["options"]] == [100, 50, 0, -25]


def test_option_feedback_is_saved():
    data = data_from_form("single", _form(option_A="甲", option_B="乙", correct="A",
                                          feedback_A=" 对了 ", feedback_B="再想想"))
    assert [(o["weight"], o["feedback"]) for o in data["options"]] == [(100, "对了"), (0, "再想想")]


@pytest.mark.parametrize(("qtype", "weights", "message"), [
    ("multiple", ["50", "30", "-100"], "多选题正确选项的得分比例之和应为100%，当前为80%"),
    ("multiple", ["0", "-50", "0"], "多选题至少需要一个正确答案"),
    ("single", ["50", "0", "0"], "单选题必须有一个正确答案"),
    ("single", ["100", "100", "0"], "单选题只能有一个正确答案"),
    ("single", ["100", "-150", "0"], "选项B的得分比例应在-100%到100%之间"),
])
def test_impossible_typed_weights_are_refused_with_the_engines_message(qtype, weights, message):
    with pytest.raises(DomainError) as caught:
        _choice(qtype, weights, correct=["A"])
    assert caught.value.message == message + WEIGHTS_HINT


@pytest.mark.parametrize("text", ["五十", "12.5", "1e2", "50%%"])
def test_a_weight_that_is_not_an_integer_is_refused(text):
    with pytest.raises(DomainError, match=f"选项B的得分比例“{text}”应为-100到100之间的整数"):
        _choice("single", ["100", text])


def test_weights_of_options_left_empty_are_ignored():
    data = _choice("single", ["", "", "", "-100"], correct=["A"], texts="甲乙")
    assert [o["weight"] for o in data["options"]] == [100, 0]


def test_an_ordinary_question_keeps_the_simple_form():
    single = form_from_data({"type": "single", "options": _options(("甲", 100, ""), ("乙", 0, "不对"))})
    assert single["correct"] == ["A"] and single["weight_A"] == single["weight_B"] == ""
    assert single["feedback_B"] == "不对"
    multiple = form_from_data({"type": "multiple", "options": _options(
        ("甲", 34, ""), ("乙", 33, ""), ("丙", 33, ""), ("丁", -100, ""))})
    assert multiple["correct"] == ["A", "B", "C"] and multiple["weight_D"] == ""


def test_imported_weights_fill_the_weight_inputs():
    single = form_from_data({"type": "single", "options": _options(("甲", 100, ""), ("乙", 50, ""), ("丙", 0, ""))})
    assert single["correct"] == ["A"] and [single[f"weight_{k}"] for k in "ABC"] == ["100", "50", "0"]
    multiple = form_from_data({"type": "multiple", "options": _options(
        ("甲", 50, ""), ("乙", -100, ""), ("丙", 50, ""), ("丁", -100, ""))})
    assert multiple["correct"] == ["A", "C"] and multiple["weight_B"] == "-100"


PREVIOUS_FILL = {"type": "fill", "stem": "____和____", "blanks": [
    [{"text": "Frog", "weight": 100, "feedback": "Good!"}, {"text": "Cat", "weight": 50, "feedback": "猫？"}],
    [{"text": "*", "weight": 0, "feedback": "全错"}, {"text": "狗", "weight": 100, "feedback": ""}],
]}


def test_fill_variants_keep_weight_and_feedback_by_text_within_their_blank():
    data = data_from_form("fill", _form(blanks="Cat；Toad;Frog\n狗;Cat"), previous=PREVIOUS_FILL)
    assert data["blanks"] == [
        [{"text": "Cat", "weight": 50, "feedback": "猫？"}, {"text": "Toad", "weight": 100, "feedback": ""},
         {"text": "Frog", "weight": 100, "feedback": "Good!"}],
        [{"text": "狗", "weight": 100, "feedback": ""}, {"text": "Cat", "weight": 100, "feedback": ""}],
    ]


def test_a_repeated_variant_uses_each_stored_one_once():
    previous = {"type": "fill", "blanks": [[{"text": "五", "weight": 100, "feedback": "甲"},
                                            {"text": "五", "weight": 40, "feedback": "乙"}]]}
    blanks = data_from_form("fill", _form(blanks="五;五;五"), previous=previous)["blanks"]
    assert [(a["weight"], a["feedback"]) for a in blanks[0]] == [(100, "甲"), (40, "乙"), (100, "")]


def test_fill_without_previous_gives_full_credit_and_no_feedback():
    blanks = data_from_form("fill", _form(blanks="Cat;Frog"))["blanks"]
    assert blanks == [[{"text": "Cat", "weight": 100, "feedback": ""}, {"text": "Frog", "weight": 100, "feedback": ""}]]


def test_fill_note_shows_only_when_variants_carry_weights_feedback_or_separators():
    assert form_from_data(PREVIOUS_FILL)["blanks_note"] == FILL_KEPT_NOTE
    plain = {"type": "fill", "blanks": [[{"text": "五", "weight": 100, "feedback": ""}]]}
    assert form_from_data(plain)["blanks_note"] == ""
    semicolon = {"type": "fill", "blanks": [[{"text": "甲;乙", "weight": 100, "feedback": ""}]]}
    assert form_from_data(semicolon)["blanks_note"] == FILL_SEPARATOR_NOTE
    assert form_values("fill", _form(blanks="x"), previous=PREVIOUS_FILL)["blanks_note"] == FILL_KEPT_NOTE
    assert form_values("fill", _form(blanks="x"))["blanks_note"] == ""
