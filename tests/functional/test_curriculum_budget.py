"""The course list and course detail cost a constant number of SQL statements."""

from sqlalchemy import select

from app.extensions import db
from app.models import Course
from tests.factories import make_course, make_instructor
from tests.sql_budget import statements_for


def test_the_course_list_costs_the_same_statements_for_2_or_20_courses(app, as_user):
    make_instructor()
    client = as_user("jiaoguan")
    for _ in range(2):
        make_course(lessons=(10, 10))
    small = statements_for(client, "/curriculum/courses")
    for _ in range(18):
        make_course(lessons=(10, 10, 10))
    assert statements_for(client, "/curriculum/courses") == small


def test_course_detail_costs_the_same_statements_for_1_or_12_lessons(app, as_user):
    make_instructor()
    client = as_user("jiaoguan")
    short, long = make_course(lessons=(10,)), make_course(lessons=(10,) * 12)
    assert statements_for(client, f"/curriculum/courses/{short.id}") == \
        statements_for(client, f"/curriculum/courses/{long.id}")
    assert db.session.scalar(select(Course).where(Course.id == long.id)).lessons
