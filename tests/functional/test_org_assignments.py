"""Joining, changing post and roster import create the syllabus's required-course assignments."""

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Person, RosterImport
from tests.factories import make_course, make_syllabus, make_world


def _world():
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-window", "窗口服务"))})
    road, window = world["posts"]
    make_course("law", title="法规基础")
    make_course("window", title="窗口服务规范")
    make_syllabus(road, required=[{"course": "law", "within_days_of_joining": 30}])
    make_syllabus(window, required=[{"course": "window", "by_date_each_year": "12-31"}])
    return world, road, window


def _courses_of(staff_no: str) -> set[str]:
    db.session.expire_all()
    person = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
    rows = db.session.scalars(select(Assignment).where(Assignment.person_id == person.id)).all()
    return {row.course.slug for row in rows}


def test_a_new_person_gets_their_posts_required_courses(app, as_user):
    world, road, _window = _world()
    as_user("admin-a").post("/org/people/new", data={
        "staff_no": "N1", "name": "新人", "unit_id": world["a1"].id, "post_id": road.id, "grade_id": 0,
        "joined_on": "2026-11-01", "status": "active"})
    assert _courses_of("N1") == {"law"}


def test_changing_post_adds_the_new_posts_required_courses(app, as_user):
    world, road, window = _world()
    client = as_user("admin-a")
    form = {"staff_no": "N2", "name": "调岗", "unit_id": world["a1"].id, "post_id": road.id, "grade_id": 0,
            "joined_on": "2026-11-01", "status": "active"}
    client.post("/org/people/new", data=form)
    person_id = db.session.scalar(select(Person.id).where(Person.staff_no == "N2"))
    client.post(f"/org/people/{person_id}/edit", data=form | {"post_id": window.id})
    assert _courses_of("N2") == {"law", "window"}


def test_an_imported_roster_gets_assignments(app, as_user):
    _world()
    client = as_user("admin-a")
    csv = "工号,姓名,单位,岗位,入职日期\nR1,甲,一大队,窗口服务,2026-10-01\n".encode("utf-8-sig")
    client.post("/org/import", data={"file": (io.BytesIO(csv), "r.csv")}, content_type="multipart/form-data")
    batch = db.session.scalar(select(RosterImport))
    client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert _courses_of("R1") == {"window"}
