"""The lesson quiz: graded by the exam engine; a lesson with a quiz completes on time and a pass."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CreditEntry, LessonProgress
from app.study import timing
from tests.factories import make_bank_category, make_course, make_person, make_question, make_unit


@pytest.fixture
def quiz_lesson(app):
    category = make_bank_category()
    make_question(category, external_id="Q-1", stem="第一题")
    make_question(category, external_id="Q-2", stem="第二题")
    make_question(category, external_id="Q-OLD", stem="停用题", status="retired")
    course = make_course(lessons=(1,), credit_tenths=10)
    lesson = course.lessons[0]
    lesson.quiz = ["Q-1", "Q-2", "Q-OLD", "Q-MISSING"]
    db.session.commit()
    person = make_person(unit=make_unit(), staff_no="T1")
    return person, lesson


def _ids(lesson) -> list[int]:
    from app.study.quiz import quiz_items

    return [item.field for item in quiz_items(lesson)]


def _progress(person, lesson) -> LessonProgress | None:
    db.session.expire_all()
    return db.session.scalar(select(LessonProgress).filter_by(person_id=person.id, lesson_id=lesson.id))


def _study_one_minute(person, lesson):
    start = datetime(2026, 4, 1, 2, 0)
    token = timing.start_lesson(person.id, lesson.id, now=start)
    for i in (1, 2):
        timing.heartbeat(person.id, lesson.id, token, now=start + timedelta(seconds=30 * i), cap=60)


def test_the_quiz_page_shows_only_gradable_questions_without_answers(quiz_lesson, as_user):
    _person, lesson = quiz_lesson
    page = as_user("T1").get(f"/study/lessons/{lesson.id}/quiz").data.decode()
    assert "第一题" in page and "第二题" in page and "停用题" not in page
    assert "weight" not in page and "正确选项" in page


def test_time_alone_does_not_complete_a_lesson_with_a_quiz(quiz_lesson):
    person, lesson = quiz_lesson
    _study_one_minute(person, lesson)
    row = _progress(person, lesson)
    assert row.seconds == 60 and row.completed_at is None and not row.quiz_passed


def test_passing_the_quiz_after_the_time_completes_the_lesson_and_the_course(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    _study_one_minute(person, lesson)
    fields = _ids(lesson)
    response = as_user("T1").post(f"/study/lessons/{lesson.id}/quiz", data={f: "A" for f in fields})
    page = response.data.decode()
    assert "小测已通过" in page and "本课时已完成" in page
    row = _progress(person, lesson)
    assert row.quiz_passed and row.completed_at is not None
    assert db.session.scalar(select(CreditEntry.tenths).filter_by(person_id=person.id)) == 10


def test_a_failed_quiz_changes_nothing(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    fields = _ids(lesson)
    response = as_user("T1").post(f"/study/lessons/{lesson.id}/quiz", data={fields[0]: "A", fields[1]: "B"})
    assert "未达到通过要求" in response.data.decode() and "未全对" in response.data.decode()
    assert _progress(person, lesson) is None


def test_passing_the_quiz_first_lets_the_time_complete_the_lesson(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    fields = _ids(lesson)
    as_user("T1").post(f"/study/lessons/{lesson.id}/quiz", data={f: "A" for f in fields})
    assert _progress(person, lesson).quiz_passed and _progress(person, lesson).completed_at is None
    _study_one_minute(person, lesson)
    assert _progress(person, lesson).completed_at is not None


def test_a_lesson_without_a_quiz_has_no_quiz_page(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    lesson = make_course().lessons[0]
    assert as_user("T1").get(f"/study/lessons/{lesson.id}/quiz").status_code == 404


def test_the_lesson_page_links_to_its_quiz(quiz_lesson, as_user):
    _person, lesson = quiz_lesson
    page = as_user("T1").get(f"/study/lessons/{lesson.id}").data.decode()
    assert "并通过课后小测" in page and f"/study/lessons/{lesson.id}/quiz" in page and "2 题" in page


@pytest.mark.parametrize(("code", "values", "response"), [
    ("single", ["B"], "B"), ("single", [], None), ("multiple", ["A", "C"], ["A", "C"]),
    ("truefalse", ["true"], True), ("truefalse", ["false"], False), ("truefalse", ["maybe"], None),
    ("fill", ["甲", "乙"], ["甲", "乙"]),
])
def test_form_values_become_the_response_shape_the_engine_grades(code, values, response):
    from app.study.quiz import _response

    assert _response(code, values) == response


def test_a_configured_bonus_is_credited_once_for_the_first_pass(quiz_lesson, as_user, app):
    person, lesson = quiz_lesson
    app.config["QUIZ_PASS_BONUS_TENTHS"] = 5
    fields = _ids(lesson)
    client = as_user("T1")
    client.post(f"/study/lessons/{lesson.id}/quiz", data={f: "A" for f in fields})
    client.post(f"/study/lessons/{lesson.id}/quiz", data={f: "A" for f in fields})
    bonus = db.session.scalars(select(CreditEntry).filter_by(person_id=person.id, source_type="quiz")).all()
    assert [(b.tenths, b.kind, b.source_id) for b in bonus] == [(5, "elective", lesson.id)]


def test_no_bonus_by_default(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    as_user("T1").post(f"/study/lessons/{lesson.id}/quiz", data={f: "A" for f in _ids(lesson)})
    assert db.session.scalar(select(CreditEntry).filter_by(person_id=person.id, source_type="quiz")) is None
