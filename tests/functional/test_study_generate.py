"""An admin generates the year's training tasks from the post syllabi with a button (issue 9)."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Assignment, AuditEntry
from tests.factories import login, make_course, make_person, make_syllabus, make_world

URL = "/study/admin/assignments/generate"
NOW = datetime(2026, 5, 10, 2, 0)  # 10:00 in Shanghai


@pytest.fixture
def world(app, monkeypatch):
    """One person with a post in 一大队's 一中队, one in 二大队's, and ones the button must skip."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    world = make_world(workforce=True, admin_all=True)
    post = world["posts"][0]
    world["law"] = make_course("law", title="法律法规")
    world["duty"] = make_course("duty", title="执勤规范")
    make_syllabus(post, required=[{"course": "law", "within_days_of_joining": 30},
                                  {"course": "duty", "by_date_each_year": "11-30"}])
    people = {"a1": ("A-1", "a1", "active", post.id), "b1": ("B-1", "b1", "active", post.id),
              "left": ("A-2", "a1", "left", post.id), "no_post": ("A-3", "a1", "active", None)}
    for key, (staff_no, unit, status, post_id) in people.items():
        world[key] = make_person(unit=world[unit], staff_no=staff_no, status=status, post_id=post_id,
                                 joined_on=date(2026, 5, 1))
    return world


def _tasks(person) -> list[tuple[str, date]]:
    return sorted((a.course.slug, a.due_on) for a in db.session.scalars(
        select(Assignment).where(Assignment.person_id == person.id)))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_brigade_admin_generates_the_tasks_of_their_own_people_only(world, as_user):
    client = as_user("admin-a")
    response = client.post(URL, data={"back": "home"})
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").data.decode()
    assert "已按岗位培训大纲核对 1 名在岗人员，新生成 2 项培训任务" in page
    assert _tasks(world["a1"]) == [("duty", date(2026, 11, 30)), ("law", date(2026, 5, 31))]
    assert _tasks(world["b1"]) == [] and _tasks(world["left"]) == [] and _tasks(world["no_post"]) == []
    (run,) = _audit("assignment_generate")
    assert run.actor_id == world["admin_a"].id and run.detail["people"] == 1 and run.detail["created"] == 2
    (synced,) = _audit("assignment_sync")
    assert synced.actor_id == world["admin_a"].id and synced.object_id == world["a1"].id


def test_pressing_it_again_creates_nothing_and_says_so(world, as_user):
    client = as_user("admin-a")
    client.post(URL)
    before = db.session.scalar(select(func.count()).select_from(Assignment))
    response = client.post(URL, data={"back": "compliance"}, follow_redirects=True)
    assert response.request.path == "/study/admin/compliance"
    assert "培训任务都已生成，没有需要新增的任务" in response.data.decode()
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == before == 2
    assert [entry.detail["created"] for entry in _audit("assignment_generate")] == [2, 0]


def test_a_global_admin_generates_for_everyone_and_an_unknown_back_goes_to_the_task_list(world, as_user):
    response = as_user("admin-all").post(URL, data={"back": "https://evil.example/"})
    assert response.status_code == 302 and response.location == "/study/admin/assignments"
    assert len(_tasks(world["a1"])) == 2 and len(_tasks(world["b1"])) == 2 and _tasks(world["left"]) == []


def test_an_admin_without_people_with_posts_is_told_what_to_do(world, as_user):
    db.session.delete(world["b1"])
    db.session.commit()
    page = as_user("admin-b").post(URL, follow_redirects=True).data.decode()
    assert "没有设置了岗位的在岗人员" in page and "为人员设置岗位" in page
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_a_trainee_may_not_generate_and_a_get_does_nothing(world, as_user):
    assert as_user("A-1").post(URL).status_code == 403
    assert as_user("admin-a").get(URL).status_code == 405
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    assert _audit("assignment_generate") == []


def test_the_button_needs_the_csrf_token(make_app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        world = make_world(workforce=True)
        make_course("law")
        make_syllabus(world["posts"][0], required=[{"course": "law", "within_days_of_joining": 30}])
        make_person(unit=world["a1"], staff_no="A-1", post_id=world["posts"][0].id)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/auth/login").data.decode())[1]
    assert login(client, "admin-a").status_code == 400  # the login form needs it too
    client.post("/auth/login", data={"username": "admin-a", "password": "Passw0rd", "csrf_token": token})
    assert client.post(URL).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    home = client.get("/").data.decode()
    form = re.search(r'<form method="post" action="/study/admin/assignments/generate".*?</form>', home, re.S)[0]
    assert "data-confirm=" in form  # the browser asks before it posts
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    assert client.post(URL, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


def test_the_task_pages_offer_the_button_instead_of_a_command(world, as_user):
    client = as_user("admin-a")
    for url in ("/", "/study/admin/assignments", "/study/admin/compliance"):
        page = client.get(url).data.decode()
        assert f'action="{URL}"' in page and "按培训大纲生成培训任务" in page, url
        assert "flask" not in page and "study assign" not in page, url
