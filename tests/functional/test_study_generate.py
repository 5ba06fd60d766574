"""An admin generates the year's training tasks from the post syllabi with a button (issue 9):
a background job per scope, with a progress page and a result."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app import clock
from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment, AssignmentGenerateJob, AuditEntry
from app.study import generate
from app.study.tasks import generate_assignments_task
from tests.factories import login, make_course, make_person, make_syllabus, make_world

URL = "/study/admin/assignments/generate"
NOW = datetime(2026, 5, 10, 2, 0)  # 10:00 in Shanghai


@pytest.fixture
def world(app, monkeypatch):
    """In 一大队's 一中队: one person whose post has a syllabus, one whose post has none, and ones the
    button must not count (left, no post); one person with the syllabus post in 二大队's 一中队."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-window", "窗口服务"))}, admin_all=True)
    road, window = world["posts"]
    world["law"] = make_course("law", title="法律法规")
    world["duty"] = make_course("duty", title="执勤规范")
    make_syllabus(road, required=[{"course": "law", "within_days_of_joining": 30},
                                  {"course": "duty", "by_date_each_year": "11-30"}])
    people = {"a1": ("A-1", "a1", "active", road.id, "张一"), "b1": ("B-1", "b1", "active", road.id, "李一"),
              "window": ("A-4", "a1", "active", window.id, "王窗口"), "left": ("A-2", "a1", "left", road.id, "赵离"),
              "no_post": ("A-3", "a1", "active", None, "钱无岗")}
    for key, (staff_no, unit, status, post_id, name) in people.items():
        world[key] = make_person(unit=world[unit], staff_no=staff_no, status=status, post_id=post_id, name=name,
                                 joined_on=date(2026, 5, 1))
    return world


def _tasks(person) -> list[tuple[str, date]]:
    return sorted((a.course.slug, a.due_on) for a in db.session.scalars(
        select(Assignment).where(Assignment.person_id == person.id)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _jobs() -> list[AssignmentGenerateJob]:
    db.session.expire_all()
    return list(db.session.scalars(select(AssignmentGenerateJob).order_by(AssignmentGenerateJob.id)))


def _queued(world, unit: str | None = "a") -> int:
    """A job created as the button creates it (一大队's admin's, or with None the global admin's),
    whose task has not run yet."""
    admin, scope = (world["admin_a"], Scope((world[unit].path,))) if unit else (world["admin_all"], Scope(None))
    job, started = generate.start(admin.id, scope, now=NOW)
    assert started
    return job.id


def _task(job_id: int, *, retrying: bool = False) -> None:
    """Run the task as a worker would: in its own app context (the test's transaction must not
    hold SQLite's write lock: outside a request every transaction takes it)."""
    db.session.commit()
    if retrying:
        generate_assignments_task.apply(args=(job_id,))
    else:
        generate_assignments_task(job_id)


# --- start and result -------------------------------------------------------------------------------
def test_the_button_starts_a_job_whose_page_shows_the_result(world, as_user):
    client = as_user("admin-a")
    response = client.post(URL, data={"back": "home"})
    (job,) = _jobs()
    assert response.status_code == 302 and response.location == f"{URL}/{job.id}?back=home"
    assert (job.status, job.running_key, job.total, job.done, job.created, job.people_with_tasks) == (
        "finished", None, 2, 2, 2, 1)  # the task ran inline (tests); in the embedded mode a thread runs it
    assert job.skipped == {"no_syllabus": 1} and job.skipped_people == [[world["window"].id, "no_syllabus"]]
    assert _tasks(world["a1"]) == [("duty", date(2026, 11, 30)), ("law", date(2026, 5, 31))]
    assert _tasks(world["b1"]) == [] and _tasks(world["left"]) == [] and _tasks(world["window"]) == []
    page = client.get(response.location).data.decode()
    assert "已按岗位培训大纲核对 2 名在岗人员，为其中 1 人新生成 2 项培训任务" in page
    assert "hx-trigger" not in page and "甲管理员" in page and "2026-05-10 10:00" in page
    assert "所在岗位没有启用的培训大纲：1 人" in page and "王窗口" in page and "A-4" in page and "窗口服务" in page
    assert "no_syllabus" not in page and "返回首页" in page
    progress = client.get(f"{URL}/{job.id}/progress?back=home")
    assert progress.headers["HX-Redirect"] == f"{URL}/{job.id}?back=home"
    (start,) = _audit("assignment_generate_start")
    assert start.actor_id == world["admin_a"].id and start.object_id == job.id and start.detail["people"] == 2
    (run,) = _audit("assignment_generate")
    assert run.actor_id == world["admin_a"].id and run.object_id == job.id
    assert (run.detail["people"], run.detail["created"], run.detail["skipped"]) == (2, 2, {"no_syllabus": 1})
    (synced,) = _audit("assignment_sync")
    assert synced.actor_id == world["admin_a"].id and synced.object_id == world["a1"].id


def test_a_second_run_creates_nothing_and_says_so(world, as_user):
    client = as_user("admin-a")
    client.post(URL)
    page = client.post(URL, data={"back": "compliance"}, follow_redirects=True).data.decode()
    assert "没有新生成培训任务" in page and "返回培训完成情况" not in page  # the page links there anyway
    assert "查看培训完成情况" in page and "所在岗位没有启用的培训大纲：1 人" in page
    assert _count(Assignment) == 2 and [job.created for job in _jobs()] == [2, 0]
    assert [entry.detail["created"] for entry in _audit("assignment_generate")] == [2, 0]


def test_everyone_up_to_date_is_said_in_words(world, as_user):
    db.session.delete(world["window"])
    db.session.commit()
    client = as_user("admin-a")
    client.post(URL)
    page = client.post(URL, follow_redirects=True).data.decode()
    assert "培训任务都已生成，没有需要新增的任务" in page and "未能生成任务的人员" not in page


def test_a_global_admin_generates_for_everyone_and_an_unknown_back_is_dropped(world, as_user):
    response = as_user("admin-all").post(URL, data={"back": "https://evil.example/"})
    (job,) = _jobs()
    assert response.status_code == 302 and response.location == f"{URL}/{job.id}"
    assert job.scope_paths is None and job.total == 3 and job.created == 4
    assert len(_tasks(world["a1"])) == 2 and len(_tasks(world["b1"])) == 2 and _tasks(world["left"]) == []


def test_an_admin_without_people_with_posts_is_told_what_to_do(world, as_user):
    db.session.delete(world["b1"])
    db.session.commit()
    page = as_user("admin-b").post(URL, follow_redirects=True).data.decode()
    assert "没有设置了岗位的在岗人员" in page and "为人员设置岗位" in page and 'href="/org/people"' in page
    assert _count(Assignment) == 0 and _jobs()[0].status == "finished"


def test_a_syllabus_whose_courses_are_all_inactive_is_named_as_the_reason(world, as_user):
    for course in (world["law"], world["duty"]):
        course.active = False
    db.session.commit()
    page = as_user("admin-a").post(URL, follow_redirects=True).data.decode()
    assert "培训大纲中的必修课程都不存在或已停用：1 人" in page and "所在岗位没有启用的培训大纲：1 人" in page
    assert _jobs()[0].skipped == {"no_courses": 1, "no_syllabus": 1} and _count(Assignment) == 0


# --- progress ---------------------------------------------------------------------------------------
def test_a_waiting_job_shows_its_progress_and_the_task_finishes_it(world, as_user):
    job_id = _queued(world)
    client = as_user("admin-a")
    page = client.get(f"{URL}/{job_id}").data.decode()
    assert 'hx-trigger="every 1s"' in page and f'hx-get="{URL}/{job_id}/progress"' in page
    assert "排队等待开始……共 2 名在岗人员待核对" in page and "已完成 0%" in page
    job = db.session.get(AssignmentGenerateJob, job_id)
    job.status, job.done, job.total, job.created = "running", 30, 120, 45
    db.session.commit()
    progress = client.get(f"{URL}/{job_id}/progress")
    assert "HX-Redirect" not in progress.headers
    assert "正在核对岗位培训大纲：30 / 120 人，已新生成 45 项培训任务。已完成 25%" in progress.data.decode()
    job.status, job.done, job.total, job.created = "queued", 0, 2, 0
    _task(job_id)
    assert (_jobs()[0].status, _jobs()[0].created) == ("finished", 2)
    assert client.get(f"{URL}/{job_id}/progress").headers["HX-Redirect"] == f"{URL}/{job_id}"


def test_the_job_commits_each_person_with_its_counters(world, monkeypatch):
    """What the progress page would read at each commit of the task: one person more each time."""
    job_id = _queued(world, None)
    job = db.session.get(AssignmentGenerateJob, job_id)
    seen, commit = [], db.session.commit

    def spy():
        seen.append((job.status, job.done, job.created, _count(Assignment)))
        commit()

    monkeypatch.setattr(db.session, "commit", spy)
    generate.run(job_id, today=date(2026, 5, 10), now=lambda: NOW)
    a1, b1, window = sorted((world[k].id, k) for k in ("a1", "b1", "window"))
    assert [k for _, k in (a1, b1, window)] == ["a1", "b1", "window"]  # people are walked in id order
    assert seen == [("running", 0, 0, 0), ("running", 1, 2, 2), ("running", 2, 4, 4), ("running", 3, 4, 4),
                    ("finished", 3, 4, 4)]


# --- one job per scope ------------------------------------------------------------------------------
def test_a_second_click_shows_the_running_job_instead_of_starting_another(world, as_user):
    job_id = _queued(world)
    client = as_user("admin-a")
    first = client.post(URL, data={"back": "assignments"})
    second = client.post(URL)
    assert first.location == f"{URL}/{job_id}?back=assignments" and second.location == f"{URL}/{job_id}"
    assert len(_jobs()) == 1 and _jobs()[0].status == "queued" and _count(Assignment) == 0  # nothing enqueued
    assert "已有一次生成正在进行" in client.get(second.location).data.decode()
    assert len(_audit("assignment_generate_start")) == 1
    other = as_user("admin-b").post(URL)  # another scope runs on its own
    assert other.status_code == 302 and len(_jobs()) == 2 and _tasks(world["b1"]) != []
    _task(job_id)
    third = client.post(URL)
    assert third.location != f"{URL}/{job_id}" and len(_jobs()) == 3 and _jobs()[2].created == 0


def test_a_job_silent_for_long_is_shown_as_stopped_and_a_click_starts_anew(world, as_user, monkeypatch):
    job_id = _queued(world)
    later = NOW + generate.STALLED_AFTER + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    client = as_user("admin-a")
    page = client.get(f"{URL}/{job_id}").data.decode()
    assert "没有进展" in page and "hx-trigger" not in page and f'action="{URL}"' in page
    assert client.get(f"{URL}/{job_id}/progress").headers["HX-Redirect"] == f"{URL}/{job_id}"
    response = client.post(URL)
    old, new = _jobs()
    assert (old.status, old.running_key, old.error) == ("failed", None, generate.STALLED)
    assert response.location == f"{URL}/{new.id}" and new.status == "finished" and new.created == 2
    assert [e.object_id for e in _audit("assignment_generate_failed")] == [old.id]
    _task(old.id)  # the old task, run late, leaves its stopped job alone
    assert _jobs()[0].status == "failed" and _count(Assignment) == 2


# --- failures and retries ---------------------------------------------------------------------------
def test_a_transient_error_is_retried_and_the_job_resumes_after_the_last_person(world, monkeypatch):
    job_id = _queued(world, None)
    real, calls = generate.add_missing_or_why, []

    def flaky(person_id, **kwargs):
        calls.append(person_id)
        if len(calls) == 2:
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return real(person_id, **kwargs)

    monkeypatch.setattr(generate, "add_missing_or_why", flaky)
    _task(job_id, retrying=True)
    job = _jobs()[0]
    assert (job.status, job.done, job.total, job.created) == ("finished", 3, 3, 4)
    first = min(world[k].id for k in ("a1", "b1", "window"))
    assert calls.count(first) == 1 and len(calls) == 4  # the first person was not checked again
    assert len(_audit("assignment_sync")) == 2 and _count(Assignment) == 4


def test_an_unexpected_error_stops_the_job_keeps_what_was_done_and_frees_the_scope(world, as_user, monkeypatch):
    job_id = _queued(world, None)
    real, calls = generate.add_missing_or_why, []

    def broken(person_id, **kwargs):
        calls.append(person_id)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real(person_id, **kwargs)

    monkeypatch.setattr(generate, "add_missing_or_why", broken)
    with pytest.raises(RuntimeError):
        _task(job_id)
    job = _jobs()[0]
    assert (job.status, job.running_key, job.done, job.created, job.error) == ("failed", None, 1, 2, generate.FAILED)
    assert _count(Assignment) == 2 and len(_audit("assignment_generate_failed")) == 1
    page = as_user("admin-all").get(f"{URL}/{job_id}").data.decode()
    assert "生成过程中出错" in page and "已核对 1 / 3 人，新生成 2 项培训任务" in page and f'action="{URL}"' in page


# --- who may --------------------------------------------------------------------------------------
def test_another_units_admin_cannot_see_the_job(world, as_user):
    job_id = _queued(world)
    for staff_no in ("admin-b", "A-1"):
        client = as_user(staff_no)
        expected = 404 if staff_no == "admin-b" else 403
        assert client.get(f"{URL}/{job_id}").status_code == expected
        assert client.get(f"{URL}/{job_id}/progress").status_code == expected
    assert as_user("admin-all").get(f"{URL}/{job_id}").status_code == 200  # the 支队's global admin covers 一大队
    global_job = _queued(world, None)
    assert as_user("admin-a").get(f"{URL}/{global_job}").status_code == 404  # a wider job is not a brigade's
    assert as_user("admin-a").get(f"{URL}/999999").status_code == 404


def test_a_trainee_may_not_generate_and_a_get_does_nothing(world, as_user):
    assert as_user("A-1").post(URL).status_code == 403
    assert as_user("admin-a").get(URL).status_code == 405
    assert _count(Assignment) == 0 and _jobs() == []
    assert _audit("assignment_generate_start") == []


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
        assert _count(Assignment) == 0 and _count(AssignmentGenerateJob) == 0
    home = client.get("/").data.decode()
    form = re.search(r'<form method="post" action="/study/admin/assignments/generate".*?</form>', home, re.S)[0]
    assert "data-confirm=" in form  # the browser asks before it posts
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    assert client.post(URL, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert _count(Assignment) == 1 and _count(AssignmentGenerateJob) == 1


def test_the_task_pages_offer_the_button_instead_of_a_command(world, as_user):
    client = as_user("admin-a")
    for url in ("/", "/study/admin/assignments", "/study/admin/compliance"):
        page = client.get(url).data.decode()
        assert f'action="{URL}"' in page and "按培训大纲生成培训任务" in page, url
        assert "flask" not in page and "study assign" not in page, url
