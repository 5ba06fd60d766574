"""Adding a question type means one engine class and one web adapter (with its partials), nothing
else: a toy 数值 type goes through the editor, the question page and a lesson quiz."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuizAttemptItem
from app.qtypes import base as adapters
from app.qtypes.base import TypeAdapter
from question_bank import Question as BankQuestion
from question_bank import Score, registry
from tests.factories import bank_world, make_course

PARTIALS = {
    "toy/numeric_answer.html": '<input name="{{ field }}" value="{{ given[0] if given else \'\' }}" aria-label="数值">',
    "toy/numeric_graded.html": "<p>您的答案：{{ given[0] if given else '未作答' }}</p>"
                               "{% if reveal %}{% include adapter.key_template %}{% endif %}",
    "toy/numeric_key.html": "<p>数值答案：{{ data.value }}</p>",
    "toy/numeric_editor.html": '<input name="value" value="{{ values.get(\'value\') or \'\' }}" aria-label="数值答案">',
}


@dataclass(frozen=True, kw_only=True)
class Numeric(BankQuestion):
    """数值: the answer is one whole number."""

    code = "numeric"
    label = "数值"
    order = 6
    value: int = 0

    def correct_response(self) -> str:
        return str(self.value)

    def grade(self, response, policy=None) -> Score:
        given = response.strip() if isinstance(response, str) else ""
        return Score.of(self.points, Fraction(given.lstrip("-").isdigit() and int(given) == self.value))


class NumericAdapter(TypeAdapter):
    code = "numeric"
    answer_template, graded_template = "toy/numeric_answer.html", "toy/numeric_graded.html"
    key_template, editor_template = "toy/numeric_key.html", "toy/numeric_editor.html"

    def editor_fields(self, form: Mapping, previous: dict | None) -> dict:
        return {"value": int(form.get("value") or 0)}

    def editor_values(self, data: dict) -> dict:
        return {"value": str(data.get("value", ""))}


@pytest.fixture
def numeric_type(app, monkeypatch):
    monkeypatch.setitem(registry._TYPES, "numeric", Numeric)
    monkeypatch.setitem(adapters._ADAPTERS, "numeric", NumericAdapter())
    app.jinja_env.loader = ChoiceLoader([DictLoader(PARTIALS), app.jinja_env.loader])


def test_a_new_type_is_edited_shown_and_taken_in_a_quiz_through_its_adapter(numeric_type, as_user):
    w = bank_world()
    instructor = as_user("inst-a")
    page = instructor.get(f"/bank/questions/new?type=numeric&category_id={w['cat_a'].id}").text
    assert "新建数值题" in page and 'aria-label="数值答案"' in page
    response = instructor.post("/bank/questions/new", data={
        "qtype": "numeric", "category_id": w["cat_a"].id, "stem": "一年有几个月？", "value": "12",
        "external_id": "N-1"})
    assert response.status_code == 302
    question = db.session.scalar(select(Question).filter_by(external_id="N-1"))
    assert (question.qtype, question.data["value"]) == ("numeric", 12)
    assert "数值答案：12" in instructor.get(f"/bank/questions/{question.id}").text
    assert 'value="12"' in instructor.get(f"/bank/questions/{question.id}/edit").text

    question.status = "ready"
    lesson = make_course(lessons=(1,)).lessons[0]
    lesson.quiz = ["N-1"]
    db.session.commit()
    trainee = as_user("trainee-a")
    trainee.post(f"/study/lessons/{lesson.id}/quiz/start")
    page = trainee.get(f"/study/lessons/{lesson.id}/quiz").text
    assert '<input name="q0" value="" aria-label="数值">' in page
    attempt = re.search(r'name="attempt_id" value="(\d+)"', page)[1]
    result = trainee.post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt, "q0": "12"}).text
    assert "小测已通过" in result and "您的答案：12" in result and "数值答案：12" in result
    item = db.session.scalar(select(QuizAttemptItem))
    assert (item.response, item.status) == ("12", "correct")
