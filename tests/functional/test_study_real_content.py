"""The study pages on the real course_content: every post's syllabus, lessons and quizzes."""

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, Course, Lesson, Post
from app.study import assignments
from tests.factories import make_person, make_synced_curriculum, make_unit

ROOT = Path(__file__).resolve().parents[2]


def test_every_posts_syllabus_assigns_its_required_courses_and_the_pages_render(app, as_user):
    make_synced_curriculum()
    unit = make_unit()
    posts = list(db.session.scalars(select(Post).order_by(Post.id)))
    for i, post in enumerate(posts):
        make_person(unit=unit, staff_no=f"P{i}", post_id=post.id, joined_on=date(2026, 3, 1))
    created = assignments.sync_all(today=date(2026, 5, 10))
    assert created > 0 and db.session.scalar(select(func.count()).select_from(Assignment)) == created
    for i in range(len(posts)):
        page = as_user(f"P{i}").get("/study/").data.decode()
        assert "培训任务" in page and "您目前没有培训任务" not in page


def test_every_lesson_and_quiz_of_the_curriculum_renders(app, as_user):
    from app.bank.starter import load_starter_banks

    make_synced_curriculum()
    load_starter_banks(ROOT / "course_content" / "banks")
    db.session.commit()
    make_person(unit=make_unit(), staff_no="T1")
    client = as_user("T1")
    lessons = list(db.session.scalars(select(Lesson).join(Course).where(Lesson.active, Course.active)))
    quizzes = 0
    for lesson in lessons:
        assert client.get(f"/study/lessons/{lesson.id}").status_code == 200, lesson.file
        if lesson.quiz:
            assert client.post(f"/study/lessons/{lesson.id}/quiz/start").status_code == 302, lesson.file
            page = client.get(f"/study/lessons/{lesson.id}/quiz").data.decode()
            quizzes += 'name="attempt_id"' in page and 'name="q0"' in page
    assert lessons and quizzes == sum(1 for lesson in lessons if lesson.quiz)
