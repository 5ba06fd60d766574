"""The lesson quiz: recorded attempts on stored question versions, graded by the exam engine."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.bank.questions import update_question
from app.extensions import db
from app.models import CreditEntry, LessonProgress, Question, QuizAttempt, QuizAttemptItem
from app.study import timing
from tests.factories import (
    make_bank_category,
    make_course,
    make_person,
    make_question,
    make_unit,
    single_choice_data,
)


@pytest.fixture
def quiz_lesson(app):
    category = make_bank_category()
    make_question(category, external_id="Q-1", stem="第一题", status="ready")
    make_question(category, external_id="Q-2", stem="第二题", status="ready")
    make_question(category, external_id="Q-OLD", stem="停用题", status="retired")
    make_question(category, external_id="Q-DRAFT", stem="草稿题")
    review = make_question(category, external_id="Q-REVIEW", stem="待复核题", status="ready")
    review.needs_review = True
    course = make_course(lessons=(1,), credit_tenths=10)
    lesson = course.lessons[0]
    lesson.quiz = ["Q-1", "Q-OLD", "Q-DRAFT", "Q-2", "Q-REVIEW", "Q-MISSING"]
    db.session.commit()
    person = make_person(unit=make_unit(), staff_no="T1")
    return person, lesson


def start(client, lesson) -> str:
    """Start (or reopen) the quiz and return the open attempt's page."""
    assert client.post(f"/study/lessons/{lesson.id}/quiz/start").status_code == 302
    return client.get(f"/study/lessons/{lesson.id}/quiz").data.decode()


def take(client, lesson, *answers):
    """Start the quiz and submit one answer per question, in order."""
    attempt = re.search(r'name="attempt_id" value="(\d+)"', start(client, lesson))[1]
    data = {"attempt_id": attempt} | {f"q{i}": answer for i, answer in enumerate(answers)}
    return client.post(f"/study/lessons/{lesson.id}/quiz", data=data)


def attempts(person) -> list[QuizAttempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(QuizAttempt).filter_by(person_id=person.id).order_by(QuizAttempt.id)))


def _progress(person, lesson) -> LessonProgress | None:
    db.session.expire_all()
    return db.session.scalar(select(LessonProgress).filter_by(person_id=person.id, lesson_id=lesson.id))


def _study_one_minute(person, lesson):
    begin = datetime(2026, 4, 1, 2, 0)
    token = timing.start_lesson(person.id, lesson.id, now=begin)
    for i in (1, 2):
        timing.heartbeat(person.id, lesson.id, token, now=begin + timedelta(seconds=30 * i), cap=60)


def _version_ids(*external_ids) -> list[int]:
    questions = {q.external_id: q for q in db.session.scalars(select(Question))}
    return [questions[e].versions[-1].id for e in external_ids]


def test_the_quiz_page_counts_only_usable_questions_and_writes_nothing(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    page = as_user("T1").get(f"/study/lessons/{lesson.id}/quiz").data.decode()
    assert "本小测共 2 题" in page and "开始小测" in page
    assert attempts(person) == []


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>|<meta name="csrf-token"[^>]*>', "", page)


def test_starting_opens_one_attempt_with_the_current_versions_and_a_reload_shows_it(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    client = as_user("T1")
    page = start(client, lesson)
    assert "第一题" in page and "第二题" in page and "正确选项" in page and "weight" not in page
    assert not any(stem in page for stem in ("停用题", "草稿题", "待复核题"))
    (attempt,) = attempts(person)
    assert [i.question_version_id for i in attempt.items] == _version_ids("Q-1", "Q-2")
    assert attempt.submitted_at is None and [i.status for i in attempt.items] == ["", ""]
    # The same attempt and questions again (the CSRF token in the page is re-signed each second).
    assert _without_csrf(start(client, lesson)) == _without_csrf(page) and len(attempts(person)) == 1


def test_an_edit_after_the_start_does_not_change_what_is_graded(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    client = as_user("T1")
    shown = _version_ids("Q-1", "Q-2")
    attempt = re.search(r'name="attempt_id" value="(\d+)"', start(client, lesson))[1]
    first = db.session.scalar(select(Question).filter_by(external_id="Q-1"))
    edited = single_choice_data("第一题（新）") | {"options": [
        {"key": "A", "text": "正确选项", "weight": 0, "feedback": ""},
        {"key": "B", "text": "新的正确选项", "weight": 100, "feedback": ""}]}
    update_question(person.id, Scope(None), first.id, edited)
    response = client.post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt, "q0": "A", "q1": "A"})
    assert "小测已通过" in response.data.decode() and "第一题（新）" not in response.data.decode()
    (graded,) = attempts(person)
    assert graded.passed and [i.question_version_id for i in graded.items] == shown
    assert [(i.response, i.status) for i in graded.items] == [("A", "correct"), ("A", "correct")]


def test_passing_the_quiz_after_the_time_completes_the_lesson_and_the_course(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    _study_one_minute(person, lesson)
    page = take(as_user("T1"), lesson, "A", "A").data.decode()
    assert "小测已通过" in page and "本课时已完成" in page
    row = _progress(person, lesson)
    assert row.quiz_passed and row.completed_at is not None
    assert db.session.scalar(select(CreditEntry.tenths).filter_by(person_id=person.id)) == 10
    (attempt,) = attempts(person)
    assert (attempt.earned, attempt.possible, attempt.passed, attempt.studied_seconds) == (200, 200, True, 60)


def test_a_failed_quiz_is_recorded_marks_the_wrong_question_and_changes_no_progress(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    page = take(as_user("T1"), lesson, "A", "B").data.decode()
    assert "未达到通过要求" in page and "错误" in page and "再做一次" in page
    assert "正确答案" not in page  # a failed quiz does not give the answers away
    (attempt,) = attempts(person)
    assert (attempt.earned, attempt.possible, attempt.passed) == (100, 200, False)
    assert [(i.response, i.earned, i.status) for i in attempt.items] == [("A", 100, "correct"), ("B", 0, "wrong")]
    assert _progress(person, lesson) is None


def test_the_next_try_fills_in_the_previous_answers_and_marks_the_wrong_ones(quiz_lesson, as_user):
    _person, lesson = quiz_lesson
    client = as_user("T1")
    take(client, lesson, "A", "B")
    page = start(client, lesson)
    assert page.count("上次未全对") == 1 and re.search(r'value="B"\s+checked', page)


def test_a_passed_result_shows_the_correct_answers(quiz_lesson, as_user):
    _person, lesson = quiz_lesson
    page = take(as_user("T1"), lesson, "A", "A").data.decode()
    assert page.count("正确答案") == 2 and "再做一次" not in page


def test_passing_the_quiz_first_lets_the_time_complete_the_lesson(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    take(as_user("T1"), lesson, "A", "A")
    assert _progress(person, lesson).quiz_passed and _progress(person, lesson).completed_at is None
    _study_one_minute(person, lesson)
    assert _progress(person, lesson).completed_at is not None


def test_submitting_again_shows_the_result_without_grading_again(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    client = as_user("T1")
    take(client, lesson, "A", "B")
    (attempt,) = attempts(person)
    again = client.post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt.id, "q0": "A", "q1": "A"})
    assert "未达到通过要求" in again.data.decode()
    assert [(a.earned, a.passed) for a in attempts(person)] == [(100, False)]


def test_another_persons_attempt_cannot_be_submitted(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    make_person(unit=make_unit(), staff_no="T2")
    start(as_user("T1"), lesson)
    (attempt,) = attempts(person)
    response = as_user("T2").post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt.id, "q0": "A"})
    assert response.status_code == 404 and "没有找到这次小测" in response.data.decode()
    assert attempts(person)[0].submitted_at is None
    assert db.session.scalar(select(func.count()).select_from(QuizAttemptItem).where(QuizAttemptItem.status != "")) == 0


def test_a_renumbered_question_stays_in_the_quiz(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    client = as_user("T1")
    take(client, lesson, "A", "A")
    db.session.scalar(select(Question).filter_by(external_id="Q-1")).external_id = "Q-1-NEW"
    db.session.commit()
    take(client, lesson, "A", "A")
    assert [len(a.items) for a in attempts(person)] == [2, 2]


def test_a_lesson_without_a_quiz_has_no_quiz_page(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    lesson = make_course().lessons[0]
    client = as_user("T1")
    assert client.get(f"/study/lessons/{lesson.id}/quiz").status_code == 404
    assert client.post(f"/study/lessons/{lesson.id}/quiz/start").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_the_lesson_page_links_to_its_quiz(quiz_lesson, as_user):
    _person, lesson = quiz_lesson
    page = as_user("T1").get(f"/study/lessons/{lesson.id}").data.decode()
    assert "并通过课后小测" in page and f"/study/lessons/{lesson.id}/quiz" in page and "2 题" in page


def test_a_configured_bonus_is_credited_once_for_the_first_pass(quiz_lesson, as_user, app):
    person, lesson = quiz_lesson
    app.config["QUIZ_PASS_BONUS_TENTHS"] = 5
    client = as_user("T1")
    take(client, lesson, "A", "A")
    take(client, lesson, "A", "A")
    bonus = db.session.scalars(select(CreditEntry).filter_by(person_id=person.id, source_type="quiz")).all()
    assert [(b.tenths, b.kind, b.source_id) for b in bonus] == [(5, "elective", lesson.id)]
    assert [a.passed for a in attempts(person)] == [True, True]


def test_no_bonus_by_default(quiz_lesson, as_user):
    person, lesson = quiz_lesson
    take(as_user("T1"), lesson, "A", "A")
    assert db.session.scalar(select(CreditEntry).filter_by(person_id=person.id, source_type="quiz")) is None
