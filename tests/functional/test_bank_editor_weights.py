"""The question editor keeps imported option weights and feedback, and lets them be edited."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.bank.storing import prepare, store
from app.extensions import db
from app.models import Question, QuestionVersion
from question_bank import question_from_dict
from tests.factories import make_question, make_world


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the page's POST form (inputs, textareas, selects)."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea, self._select, self._in_form = MultiDict(), None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.fields.add(a["name"], a.get("value") or "")
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.add(self._select, a.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.add(*self._textarea)
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def _form_on(page: str) -> MultiDict:
    reader = _FormReader()
    reader.feed(page)
    return reader.fields


def _fill_in(form: MultiDict, fields: dict) -> None:
    """Replace field values as a person typing into the form would (MultiDict.update would add)."""
    for name, value in fields.items():
        form[name] = value


def _store(category, data: dict) -> Question:
    (question_id,) = store([prepare(question_from_dict(data))], lambda _path: category, actor_id=None)
    db.session.commit()
    return db.session.get(Question, question_id)


def _open_imported(kind: str, as_user):
    """Store the imported question of `kind` and open its editor as instructor inst-a."""
    question = _store(make_world(instructors=True, bank=True)["cat_a"], IMPORTED[kind])
    client = as_user("inst-a")
    return question, client, _form_on(client.get(f"/bank/questions/{question.id}/edit").data.decode())


def _versions(question_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionVersion)
                             .where(QuestionVersion.question_id == question_id))


def _options(*rows):
    return [{"key": "ABCDEFGH"[i], "text": text, "weight": weight, "feedback": feedback}
            for i, (text, weight, feedback) in enumerate(rows)]


IMPORTED = {
    "multiple": {"type": "multiple", "stem": "哪些颜色属于暖色？", "options": _options(
        ("黄色", 50, "对"), ("红色", 50, ""), ("蓝色", -100, "蓝色是冷色"), ("灰色", 0, ""))},
    "single": {"type": "single", "stem": "最恰当的做法是：", "options": _options(
        ("劝阻并报告", 100, "完全正确"), ("只报告", 50, "还应劝阻"), ("放行", 0, ""))},
    "fill": {"type": "fill", "stem": "哪种动物会呱呱叫？", "blanks": [[
        {"text": "Frog", "weight": 100, "feedback": "Good!"},
        {"text": "Cat", "weight": 50, "feedback": "What is it with Moodlers and cats?"},
        {"text": "*", "weight": 0, "feedback": "Completely wrong"}]]},
}
ANSWERS = {"single": "options", "multiple": "options", "fill": "blanks"}


@pytest.mark.parametrize("qtype", sorted(IMPORTED))
def test_saving_an_imported_question_untouched_keeps_its_weights_and_feedback(app, as_user, qtype):
    w = make_world(instructors=True, bank=True)
    question = _store(w["cat_a"], IMPORTED[qtype])
    stored = question.data[ANSWERS[qtype]]
    client = as_user("inst-a")
    page = client.get(f"/bank/questions/{question.id}/edit").data.decode()
    if qtype == "fill":
        assert "部分答案设有得分比例或反馈（来自导入），保存时按答案文字保留。" in page
    else:
        assert '<details class="mt-2" id="advanced-options" open>' in page
    response = client.post(f"/bank/questions/{question.id}/edit", data=_form_on(page))
    assert response.status_code == 302, response.data.decode()[:2000]
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.current_number == 2 and question.data[ANSWERS[qtype]] == stored


def test_an_ordinary_question_opens_with_the_advanced_settings_closed(app, as_user):
    w = make_world(instructors=True, bank=True)
    question = make_question(w["cat_a"])
    page = as_user("inst-a").get(f"/bank/questions/{question.id}/edit").data.decode()
    assert '<details class="mt-2" id="advanced-options">' in page and 'name="weight_A" value=""' in page
    assert "来自导入" not in page


def test_weights_and_feedback_typed_in_the_editor_are_saved(app, as_user):
    w = make_world(instructors=True, bank=True)
    question = make_question(w["cat_a"])
    client = as_user("inst-a")
    form = _form_on(client.get(f"/bank/questions/{question.id}/edit").data.decode())
    form.setlist("correct", ["C"])  # ignored once any weight is given
    _fill_in(form, {"weight_A": "100", "weight_B": "40%", "feedback_B": "只对了一半"})
    assert client.post(f"/bank/questions/{question.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    options = db.session.get(Question, question.id).data["options"]
    assert [(o["weight"], o["feedback"]) for o in options] == [(100, ""), (40, "只对了一半"), (0, "")]


def test_a_new_multiple_choice_can_carry_its_own_weights(app, as_user):
    w = make_world(instructors=True, bank=True)
    data = {"qtype": "multiple", "category_id": w["cat_a"].id, "stem": "新多选", "option_A": "甲",
            "option_B": "乙", "option_C": "丙", "weight_A": "70", "weight_B": "30", "weight_C": "-100"}
    assert as_user("inst-a").post("/bank/questions/new", data=data).status_code == 302
    question = db.session.scalar(select(Question).where(Question.qtype == "multiple"))
    assert [o["weight"] for o in question.data["options"]] == [70, 30, -100]


@pytest.mark.parametrize(("weights", "message"), [
    ({"weight_A": "50", "weight_B": "30", "weight_C": "-100"}, "多选题正确选项的得分比例之和应为100%，当前为80%"),
    ({"weight_A": "50", "weight_B": "五十", "weight_C": "-100"}, "选项B的得分比例“五十”应为-100到100之间的整数"),
    ({"weight_A": "50", "weight_B": "50", "weight_C": "-200"}, "选项C的得分比例应在-100%到100%之间"),
])
def test_impossible_weights_are_refused_and_nothing_is_saved(app, as_user, weights, message):
    w = make_world(instructors=True, bank=True)
    question = _store(w["cat_a"], IMPORTED["multiple"])
    client = as_user("inst-a")
    form = _form_on(client.get(f"/bank/questions/{question.id}/edit").data.decode())
    _fill_in(form, weights | {"weight_D": "", "stem": "改过的题干"})
    response = client.post(f"/bank/questions/{question.id}/edit", data=form)
    page = response.data.decode()
    assert response.status_code == 400 and message in page
    assert f'value="{weights["weight_B"]}"' in page and "改过的题干" in page and 'id="advanced-options" open' in page
    db.session.expire_all()
    assert _versions(question.id) == 1 and db.session.get(Question, question.id).current_number == 1
    assert db.session.get(Question, question.id).data["stem"] == IMPORTED["multiple"]["stem"]


def test_editing_fill_answers_keeps_what_is_known_of_each_variant(app, as_user):
    question, client, form = _open_imported("fill", as_user)
    form["blanks"] = "Cat；Toad;Frog"
    assert client.post(f"/bank/questions/{question.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).data["blanks"] == [[
        {"text": "Cat", "weight": 50, "feedback": "What is it with Moodlers and cats?"},
        {"text": "Toad", "weight": 100, "feedback": ""},
        {"text": "Frog", "weight": 100, "feedback": "Good!"}]]


def test_a_refused_fill_edit_still_shows_the_note(app, as_user):
    question, client, form = _open_imported("fill", as_user)
    form["stem"] = ""
    response = client.post(f"/bank/questions/{question.id}/edit", data=form)
    assert response.status_code == 400 and "题干不能为空" in response.data.decode()
    assert "保存时按答案文字保留" in response.data.decode() and _versions(question.id) == 1
