"""Opening a stored question in the editor and saving it untouched gives back its options and blanks."""

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.bank.editor import data_from_form, form_from_data
from app.bank.starter import load_starter_banks
from app.extensions import db
from app.models import Question
from question_bank.formats import detect_format, parse
from tests.factories import make_bank_competencies
from tests.paths import MOODLE_FIXTURES as INTEROP
from tests.paths import STARTER_BANKS as BANKS
from tests.paths import needs_moodle_fixtures

ANSWER_FIELDS = {"single": "options", "multiple": "options", "fill": "blanks"}
MOODLE_FILES = ["questions.gift.txt", "questions_in_category.gift.txt", "questions.aiken.txt",
                "aiken_errors.txt", "nested_categories_with_questions.xml"]


def _saved_untouched(data: dict) -> dict:
    """Return what the editor saves for `data` when its form is submitted as shown."""
    return data_from_form(data["type"], MultiDict(form_from_data(data)), previous=data)


def _moodle_questions() -> list[dict]:
    found = []
    for name in MOODLE_FILES:
        raw = (INTEROP / name).read_bytes()
        found += [q.to_dict() for q in parse(detect_format(name, raw), raw, name).questions]
    return [data for data in found if data["type"] in ANSWER_FIELDS]


@needs_moodle_fixtures
def test_every_moodle_fixture_question_survives_the_editor():
    questions = _moodle_questions()
    kinds = {data["type"] for data in questions}
    assert kinds == {"single", "multiple", "fill"}
    for data in questions:
        field = ANSWER_FIELDS[data["type"]]
        assert _saved_untouched(data)[field] == data[field], data["stem"]


@needs_moodle_fixtures
def test_moodle_weights_and_feedback_reach_the_form_and_come_back():
    questions = {data.get("title"): data for data in _moodle_questions()}
    colours = form_from_data(questions["colours"])
    assert [colours[f"weight_{k}"] for k in "ABCD"] == ["50", "-100", "50", "-100"]
    short = questions["Shortanswer"]
    assert form_from_data(short)["blanks"] == "Frog;Cat;*"
    assert _saved_untouched(short)["blanks"][0][1] == {"text": "Cat", "weight": 50,
                                                       "feedback": "What is it with Moodlers and cats?"}


@pytest.fixture
def starter_questions(app):
    from tests.factories import make_unit, make_workforce

    root = make_unit("交警支队")
    root.workforce_id = make_workforce(code="fj").id
    db.session.commit()
    make_bank_competencies(BANKS)
    load_starter_banks(BANKS)
    return list(db.session.scalars(select(Question).where(Question.qtype.in_(ANSWER_FIELDS))))


def test_every_starter_bank_question_survives_the_editor(starter_questions):
    assert {q.qtype for q in starter_questions} == set(ANSWER_FIELDS)
    for question in starter_questions:
        field = ANSWER_FIELDS[question.qtype]
        assert _saved_untouched(question.data)[field] == question.data[field], question.external_id
