"""The lesson quiz's attempt limit: failures in a row lock it until a wait ends or more study."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import LessonProgress, QuizAttempt
from app.study import quiz
from app.study.quiz_limits import QuizLocked
from tests.factories import make_bank_category, make_course, make_person, make_question, make_unit

T0 = datetime(2026, 5, 1, 2, 0)  # 10:00 in Asia/Shanghai


@pytest.fixture
def lesson_and_person(app):
    make_question(make_bank_category(), external_id="Q-1", stem="第一题", status="ready")
    lesson = make_course(lessons=(1,)).lessons[0]
    lesson.quiz = ["Q-1"]
    db.session.commit()
    return lesson, make_person(unit=make_unit(), staff_no="T1")


def _try(person, lesson, answer: str, *, now: datetime) -> quiz.QuizResult:
    attempt_id = quiz.start_quiz(person.id, lesson.id, now=now)
    return quiz.submit_quiz(person.id, lesson.id, attempt_id, {"q0": [answer]}, now=now)


def _attempts(person) -> list[QuizAttempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(QuizAttempt).filter_by(person_id=person.id).order_by(QuizAttempt.id)))


def test_three_failures_lock_the_quiz_the_page_says_until_when_and_a_start_is_refused(lesson_and_person, as_user):
    lesson, person = lesson_and_person
    client = as_user("T1")
    before = client.get(f"/study/lessons/{lesson.id}/quiz").text
    assert "连续 3 次未通过后，需等待 30 分钟或再学习课时内容 10 分钟才能再次测验" in before
    for _ in range(3):
        client.post(f"/study/lessons/{lesson.id}/quiz/start")
        attempt = re.search(r'name="attempt_id" value="(\d+)"', client.get(f"/study/lessons/{lesson.id}/quiz").text)[1]
        result = client.post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt, "q0": "B"}).text
    assert "已连续 3 次未通过" in result and "错误" in result and "再做一次" not in result
    page = client.get(f"/study/lessons/{lesson.id}/quiz").text
    assert "已连续 3 次未通过，课后小测暂停到" in page and "再学习 10 分钟课时内容后也可重新测验" in page
    assert "开始小测" not in page
    refused = client.post(f"/study/lessons/{lesson.id}/quiz/start")
    assert refused.status_code == 409 and "课后小测暂停到" in refused.text
    attempts = _attempts(person)
    assert len(attempts) == 3 and [a.locked_until is not None for a in attempts] == [False, False, True]
    assert attempts[2].locked_until - attempts[2].submitted_at == timedelta(minutes=30)


def test_the_quiz_opens_again_when_the_wait_is_over(lesson_and_person):
    lesson, person = lesson_and_person
    for minute in range(3):
        _try(person, lesson, "B", now=T0 + timedelta(minutes=minute))
    with pytest.raises(QuizLocked, match="5月1日 10:32"):
        quiz.start_quiz(person.id, lesson.id, now=T0 + timedelta(minutes=31))
    assert len(_attempts(person)) == 3
    assert _try(person, lesson, "A", now=T0 + timedelta(minutes=32)).passed


def test_studying_the_lesson_more_opens_it_sooner(lesson_and_person):
    lesson, person = lesson_and_person
    for _ in range(3):
        _try(person, lesson, "B", now=T0)
    progress = LessonProgress(person_id=person.id, lesson_id=lesson.id, cycle=0, seconds=9 * 60)
    db.session.add(progress)
    db.session.commit()
    with pytest.raises(QuizLocked, match="再学习 1 分钟"):
        quiz.start_quiz(person.id, lesson.id, now=T0 + timedelta(minutes=5))
    progress.seconds = 10 * 60
    db.session.commit()
    assert quiz.start_quiz(person.id, lesson.id, now=T0 + timedelta(minutes=5))


def test_with_no_study_minutes_set_only_the_wait_opens_it(lesson_and_person, app):
    lesson, person = lesson_and_person
    app.config["QUIZ_RETRY_STUDY_MINUTES"] = 0
    for _ in range(3):
        _try(person, lesson, "B", now=T0)
    db.session.add(LessonProgress(person_id=person.id, lesson_id=lesson.id, cycle=0, seconds=3600))
    db.session.commit()
    lock = quiz.quiz_page(person.id, lesson.id, now=T0 + timedelta(minutes=29)).lock
    assert lock is not None and "再学习" not in lock.message


def test_failures_count_since_the_last_pass_and_the_limit_is_a_setting(lesson_and_person, app):
    lesson, person = lesson_and_person
    app.config["QUIZ_MAX_FAILED_TRIES"] = 2
    for answer in ("B", "A", "B"):
        _try(person, lesson, answer, now=T0)
    assert quiz.quiz_page(person.id, lesson.id, now=T0).lock is None
    result = _try(person, lesson, "B", now=T0)
    assert result.lock is not None and result.lock.failures == 2
    assert quiz.quiz_page(person.id, lesson.id, now=T0).lock is not None
