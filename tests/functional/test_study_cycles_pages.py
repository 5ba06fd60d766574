"""Yearly re-study in the pages: the admin's 重新学习 option, the trainee's year badge, and a
lesson quiz that must be passed again in the new year."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Assignment, CreditEntry, LessonProgress, QuizAttempt
from app.study import timing
from tests.factories import (
    make_bank_category,
    make_course,
    make_person,
    make_question,
    make_world,
)


def _finish(person, lesson, start: datetime) -> None:
    token = timing.start_lesson(person.id, lesson.id, now=start)
    for i in (1, 2):
        timing.heartbeat(person.id, lesson.id, token, now=start + timedelta(seconds=30 * i), cap=60)


def test_an_admin_assigns_a_finished_course_for_restudy_and_the_trainee_sees_a_fresh_year(app, as_user):
    world = make_world()
    course = make_course("safety", title="交通安全年度复训", lessons=(1,))
    trainee = make_person(unit=world["a1"], staff_no="T-A")
    _finish(trainee, course.lessons[0], datetime(2026, 1, 5, 2, 0))
    due = clock.today() + timedelta(days=30)

    admin = as_user("admin-a")
    page = admin.get("/study/admin/assignments").data.decode()
    assert "要求重新学习" in page
    admin.post("/study/admin/assignments", data={
        "course_id": course.id, "target": "staff", "unit_id": 0, "post_id": 0, "staff_nos": "T-A",
        "due_on": due.isoformat(), "restudy": "y"})
    assignment = db.session.scalar(select(Assignment).filter_by(person_id=trainee.id))
    assert (assignment.cycle, assignment.completed_at) == (due.year, None)
    assert f"{due.year} 年度重学" in admin.get("/study/admin/assignments").data.decode()

    client = as_user("T-A")
    mine = client.get("/study/").data.decode()
    assert f"{due.year} 年度" in mine and "已完成 0/1 课时" in mine
    course_page = client.get(f"/study/courses/{course.id}").data.decode()
    assert "本课程每年须重新学习" in course_page and f"{due.year} 年度的学习进度" in course_page


def test_a_quiz_passed_last_year_must_be_passed_again_this_year(app, as_user):
    app.config["QUIZ_PASS_BONUS_TENTHS"] = 5
    world = make_world()
    category = make_bank_category()
    make_question(category, external_id="Q-1", stem="第一题", status="ready")
    course = make_course("annual", lessons=(1,))
    lesson = course.lessons[0]
    lesson.quiz = ["Q-1"]
    trainee = make_person(unit=world["a1"], staff_no="T-A")
    today = clock.today()
    last, this = (Assignment(person_id=trainee.id, course_id=course.id, year=y, cycle=y,
                             due_on=date(y, 12, 31)) for y in (today.year - 1, today.year))
    last.completed_at = datetime(today.year - 1, 6, 1)
    db.session.add_all([last, this, LessonProgress(person_id=trainee.id, lesson_id=lesson.id, cycle=last.cycle,
                                                   seconds=60, quiz_passed=True, completed_at=last.completed_at)])
    db.session.commit()

    client = as_user("T-A")
    page = client.get(f"/study/lessons/{lesson.id}").data.decode()
    assert "课后小测：未通过" in page and f"以下为 {today.year} 年度的进度" in page
    client.post(f"/study/lessons/{lesson.id}/quiz/start")
    attempt = db.session.scalar(select(QuizAttempt).filter_by(person_id=trainee.id))
    client.post(f"/study/lessons/{lesson.id}/quiz", data={"attempt_id": attempt.id, "q0": "A"})
    rows = {r.cycle: r.quiz_passed for r in db.session.scalars(select(LessonProgress).filter_by(person_id=trainee.id))}
    assert rows == {today.year - 1: True, today.year: True}
    bonus = db.session.scalars(select(CreditEntry).filter_by(person_id=trainee.id, source_type="quiz")).all()
    assert [b.cycle for b in bonus] == [today.year]
    db.session.refresh(attempt)
    assert (attempt.cycle, attempt.passed) == (today.year, True)
