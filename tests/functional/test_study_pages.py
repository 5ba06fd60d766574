"""The trainee's pages: 我的学习, a course and a lesson (responses and database state)."""

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Assignment, CreditEntry, LessonProgress, StudyClock
from tests.factories import make_course, make_person, make_syllabus, make_unit, make_workforce


def _trainee_with_syllabus():
    workforce = make_workforce()
    post = workforce.posts[0]
    required = make_course("duty-law", title="执勤执法规范", lessons=(10, 15), credit_tenths=20)
    elective = make_course("service", title="窗口服务礼仪", lessons=(5,), kind="elective")
    make_syllabus(post, required=[{"course": "duty-law", "within_days_of_joining": 60}],
                  electives=["service"], annual_tenths=400, annual_required_tenths=240)
    person = make_person(unit=make_unit(), staff_no="T1", post_id=post.id, joined_on=date(2026, 1, 10))
    return person, required, elective


def test_my_learning_without_assignments_says_what_to_do_next(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    page = as_user("T1").get("/study/").data.decode()
    assert "您目前没有培训任务" in page and "按培训大纲更新任务" in page


def test_updating_from_the_syllabus_creates_my_assignments(app, as_user):
    person, required, _elective = _trainee_with_syllabus()
    client = as_user("T1")
    response = client.post("/study/sync", follow_redirects=True)
    assert "新增 1 项" in response.data.decode()
    assignment = db.session.scalar(select(Assignment).filter_by(person_id=person.id))
    # 60 days after joining (2026-03-11), or 60 days from today for someone already past that.
    expected = max(date(2026, 3, 11), clock.today() + timedelta(days=60))
    assert (assignment.course_id, assignment.due_on, assignment.origin) == (required.id, expected, "syllabus")
    assert "培训任务已是最新" in client.post("/study/sync", follow_redirects=True).data.decode()


def test_my_learning_shows_assignments_electives_progress_and_hours(app, as_user):
    person, required, _elective = _trainee_with_syllabus()
    db.session.add_all([
        Assignment(person_id=person.id, course_id=required.id, year=2026, due_on=date(2099, 3, 11)),
        LessonProgress(person_id=person.id, lesson_id=required.lessons[0].id, seconds=600,
                       completed_at=datetime(2026, 2, 1)),
        CreditEntry(person_id=person.id, year=clock.today().year, kind="elective", tenths=15, source_type="offline",
                    source_id=1, note="线下专题班"),
    ])
    db.session.commit()
    page = as_user("T1").get("/study/").data.decode()
    assert "执勤执法规范" in page and "2099-03-11" in page and "已完成 1/2 课时" in page
    assert "窗口服务礼仪" in page and "选修课程" in page
    assert "1.5" in page and "要求 40.0" in page and "要求 24.0" in page and "线下专题班" in page


def test_the_course_page_lists_lessons_with_progress(app, as_user):
    _person, required, _elective = _trainee_with_syllabus()
    page = as_user("T1").get(f"/study/courses/{required.id}").data.decode()
    assert "第1课" in page and "0/10 分钟" in page and "2.0 学时" in page


def test_the_lesson_page_shows_contents_neighbours_and_required_time(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    course = make_course(lessons=(10, 15, 20), bodies=["a", "## 第一节\n\n正文\n\n### 细则 *一*\n\n内容", "c"])
    lesson = course.lessons[1]
    client = as_user("T1")
    page = client.get(f"/study/lessons/{lesson.id}").data.decode()
    assert 'id="sec-第一节"' in page and 'href="#sec-细则-一"' in page and "细则 一</a>" in page
    assert f"/study/lessons/{course.lessons[0].id}" in page and f"/study/lessons/{course.lessons[2].id}" in page
    assert "本课时要求：15 分钟" in page and 'src="/static/study-clock.js"' in page
    with client.get("/static/study-clock.js") as script:  # the clock's script, a file for the CSP
        assert "visibilityState" in script.text and "csrfFetch" in script.text


def test_the_lesson_page_shows_task_lists_as_disabled_check_boxes(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    lesson = make_course(bodies=["## 出勤前\n\n- [ ] 检查反光背心\n- [x] 领取执法记录仪\n"]).lessons[0]
    page = as_user("T1").get(f"/study/lessons/{lesson.id}").data.decode()
    body = page.split('class="lesson-body"')[1].split("</article>")[0]
    items = re.findall(r'<li class="task-list-item"><input ([^>]*)> (\S+)</li>', body)
    assert [text for _attrs, text in items] == ["检查反光背心", "领取执法记录仪"] and "[x]" not in body
    assert all('type="checkbox"' in attrs and "disabled" in attrs for attrs, _text in items)
    assert ["checked" in attrs for attrs, _text in items] == [False, True]


def test_opening_a_lesson_page_writes_nothing(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    lesson = make_course().lessons[0]
    assert as_user("T1").get(f"/study/lessons/{lesson.id}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(StudyClock)) == 0


def test_starting_a_lesson_marks_the_assignment_started(app, as_user):
    person, required, _elective = _trainee_with_syllabus()
    db.session.add(Assignment(person_id=person.id, course_id=required.id, year=2099, due_on=date(2099, 3, 11)))
    db.session.commit()
    as_user("T1").post(f"/study/lessons/{required.lessons[0].id}/start")
    db.session.expire_all()
    assignment = db.session.scalar(select(Assignment))
    assert assignment.started_at is not None and assignment.status(date(2026, 1, 1)) == "in_progress"


def test_missing_or_inactive_courses_and_lessons_are_not_found(app, as_user):
    make_person(unit=make_unit(), staff_no="T1")
    course = make_course(lessons=(5, 5))
    course.lessons[1].active = False
    db.session.commit()
    client = as_user("T1")
    assert client.get("/study/courses/999").status_code == 404
    assert client.get("/study/lessons/999").status_code == 404
    assert client.get(f"/study/lessons/{course.lessons[1].id}").status_code == 404
    assert client.post(f"/study/lessons/{course.lessons[1].id}/start").status_code == 404


def test_study_pages_need_a_login(app, client):
    assert client.get("/study/").status_code == 302
