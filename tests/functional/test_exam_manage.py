"""Exam pages (考试管理): the form, the audience in scope, publishing's refusal, edits after the first
attempt, withdrawing, per-person overrides, and who may see what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.passwords import verify_password
from app.exams import attempts
from app.exams.audience import in_audience
from app.extensions import db
from app.models import (
    Attempt,
    AuditEntry,
    Blueprint,
    BlueprintRule,
    Exam,
    ExamAudience,
    ExamOverride,
)
from tests.factories import make_exam_questions, make_world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _audits(prefix: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix))
                                   .order_by(AuditEntry.id)))


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, workforce=True, people={
        "t1": {"unit": "a1", "staff_no": "T1", "name": "学员甲", "post": 0},
        "t2": {"unit": "a1", "staff_no": "T2", "name": "学员乙"},
        "tb": {"unit": "b1", "staff_no": "TB", "name": "学员丙", "post": 0}})
    make_exam_questions(world["cat_a"], single=12, difficulty=3)
    make_exam_questions(world["cat_a"], truefalse=6)
    world["blueprint"] = Blueprint(title="一大队组卷", owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id,
                                   rules=[BlueprintRule(position=1, section="一、单选题", source_kind="category",
                                                        category_id=world["cat_a"].id, qtype="single", count=20,
                                                        points=500)])
    db.session.add(world["blueprint"])
    db.session.commit()
    return world


LOCAL_OPEN, LOCAL_CLOSE = datetime(2026, 6, 1, 9, 0), datetime(2026, 6, 1, 17, 0)


def exam_form(world, **fields) -> dict:
    data = {"title": "上半年执勤规范考试", "kind": "formal", "blueprint_id": world["blueprint"].id,
            "opens_at": LOCAL_OPEN.strftime("%Y-%m-%dT%H:%M"), "closes_at": LOCAL_CLOSE.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45", "attempts_allowed": "2", "counting": "latest", "pass_percent": "80",
            "multi_policy": "partial", "shuffle_questions": "y", "layout": "one", "review_timing": "after_close",
            "review_score": "y", "review_answers": "y", "password": "kaoshi-2026", "switch_limit": "3",
            "unit_ids": [world["a1"].id], "post_ids": [world["posts"][0].id], "staff_nos": "admin-a"}
    return data | fields


def create(client, world, **fields) -> Exam:
    response = client.post("/exams/manage/new", data=exam_form(world, **fields))
    assert response.status_code == 302, response.data.decode()[:3000]
    return db.session.scalar(select(Exam).order_by(Exam.id.desc()))


def test_an_instructor_creates_a_draft_exam_with_every_setting(app, as_user, world):
    exam = create(as_user("inst-a"), world)
    assert (exam.title, exam.status, exam.kind, exam.owner_unit_id, exam.created_by_id) == \
        ("上半年执勤规范考试", "draft", "formal", world["a"].id, world["inst_a"].id)
    assert (exam.opens_at, exam.closes_at) == (clock.to_utc(LOCAL_OPEN), clock.to_utc(LOCAL_CLOSE))
    assert (exam.duration_minutes, exam.attempts_allowed, exam.counting, exam.pass_percent, exam.multi_policy) == \
        (45, 2, "latest", 80, "partial")
    assert (exam.shuffle_questions, exam.shuffle_options, exam.one_per_page, exam.switch_limit) == (True, False, True, 3)
    assert (exam.review_timing, exam.review_score, exam.review_correctness, exam.review_answers,
            exam.review_explanations) == ("after_close", True, False, True, False)
    assert exam.password_hash != "kaoshi-2026" and verify_password(exam.password_hash, "kaoshi-2026")
    assert sorted(((r.unit_id, r.post_id, r.person_id) for r in exam.audience), key=str) == sorted(
        [(world["a1"].id, None, None), (world["a"].id, world["posts"][0].id, None), (None, None, world["admin_a"].id)],
        key=str)
    # The post stays inside the exam's unit: 学员丙 holds it in the other brigade.
    assert in_audience(exam, world["t1"]) and in_audience(exam, world["admin_a"])
    assert not in_audience(exam, world["tb"])
    (entry,) = _audits("exam_")
    assert entry.action == "exam_create" and "password_hash" not in entry.detail and entry.detail["password"] is True
    page = as_user("inst-a").get(f"/exams/manage/{exam.id}").data.decode()
    assert "交警支队/一大队/一中队（含下级单位）" in page and "岗位「路面执勤」（交警支队/一大队范围内）" in page
    assert "甲管理员（工号 admin-a）" in page and "需要考试密码" in page


def test_the_form_refuses_an_audience_outside_the_authors_scope_and_saves_nothing(app, as_user, world):
    client = as_user("inst-a")
    response = client.post("/exams/manage/new", data=exam_form(
        world, unit_ids=[world["b1"].id], staff_nos="TB nobody", duration_minutes="0",
        closes_at=LOCAL_OPEN.strftime("%Y-%m-%dT%H:%M")))
    page = response.data.decode()
    assert response.status_code == 400
    assert "所选单位不存在或不在本场考试的范围内" in page and "以下工号不存在、已离岗或不在本场考试的范围内：TB、nobody" in page
    assert "结束时间应晚于开始时间" in page
    assert _count(Exam) == 0 and _count(ExamAudience) == 0
    other = as_user("inst-b").post("/exams/manage/new", data=exam_form(world, unit_ids=[], post_ids=[], staff_nos="TB"))
    assert other.status_code == 400 and "请选择组卷规则" in other.data.decode()  # 一大队's blueprint is out of reach


def test_publishing_names_the_short_rule_and_publishes_once_fixed(app, as_user, world):
    client = as_user("inst-a")
    exam = create(client, world)
    refused = client.post(f"/exams/manage/{exam.id}/publish")
    assert refused.status_code == 409
    assert "第1条规则：分类「一大队题库」及其子分类的单选题仅有 12 道，需要 20 道" in refused.data.decode()
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).status == "draft" and not _audits("exam_publish")
    world["blueprint"].rules[0].count = 10
    db.session.commit()
    assert client.post(f"/exams/manage/{exam.id}/publish").status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.status, exam.version) == ("published", 1) and len(_audits("exam_publish")) == 1


def _published(client, world, **fields) -> Exam:
    world["blueprint"].rules[0].count = 10
    db.session.commit()
    now = clock.now()
    local = clock.to_local(now)
    exam = create(client, world, opens_at=(local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                  closes_at=(local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), password="", **fields)
    assert client.post(f"/exams/manage/{exam.id}/publish").status_code == 302
    db.session.expire_all()
    return db.session.get(Exam, exam.id)


def test_edits_after_the_first_attempt_may_not_touch_the_paper_or_scoring(app, as_user, world):
    client = as_user("inst-a")
    exam = _published(client, world)
    attempts.start(exam.id, world["t1"].id, now=clock.now())
    before = {c: getattr(exam, c) for c in ("title", "pass_percent", "shuffle_questions", "closes_at", "version",
                                            "opens_at", "kind", "pool_key")}
    form = exam_form(world, opens_at=clock.to_local(exam.opens_at).strftime("%Y-%m-%dT%H:%M"),
                     closes_at=clock.to_local(exam.closes_at).strftime("%Y-%m-%dT%H:%M"), password="")
    for change, reason in (({"pass_percent": "60"}, "不能再修改及格线"), ({"shuffle_questions": ""}, "不能再修改题目乱序"),
                           ({"kind": "practice", "counting": "highest"}, "不能再修改计分方式、考试类型"),
                           ({"closes_at": clock.to_local(exam.closes_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
                            "结束时间只能推迟")):
        response = client.post(f"/exams/manage/{exam.id}/edit", data=form | change | {"title": "改过的名字"})
        assert response.status_code == 409 and reason in response.data.decode(), change
        db.session.expire_all()
        exam = db.session.get(Exam, exam.id)
        assert {c: getattr(exam, c) for c in before} == before
    assert not _audits("exam_update")
    later = clock.to_local(exam.closes_at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    allowed = client.post(f"/exams/manage/{exam.id}/edit", data=form | {
        "title": "改过的名字", "closes_at": later, "review_timing": "on_submit", "review_explanations": "y"})
    assert allowed.status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.title, exam.review_timing, exam.review_explanations, exam.version) == \
        ("改过的名字", "on_submit", True, 1)
    (entry,) = _audits("exam_update")
    assert set(entry.detail) == {"title", "closes_at", "review_timing", "review_explanations"}


def test_changing_the_paper_before_anyone_started_republishes_a_new_version(app, as_user, world):
    client = as_user("inst-a")
    exam = _published(client, world)
    key = exam.pool_key
    form = exam_form(world, opens_at=clock.to_local(exam.opens_at).strftime("%Y-%m-%dT%H:%M"),
                     closes_at=clock.to_local(exam.closes_at).strftime("%Y-%m-%dT%H:%M"), password="",
                     shuffle_questions="")
    assert client.post(f"/exams/manage/{exam.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.version, exam.shuffle_questions, exam.status) == (2, False, "published") and exam.pool_key != key


def test_withdrawing_stops_new_starts_and_reopening_keeps_the_frozen_paper(app, as_user, world):
    client = as_user("inst-a")
    exam = _published(client, world)
    attempts.start(exam.id, world["t1"].id, now=clock.now())
    key = exam.pool_key
    assert client.post(f"/exams/manage/{exam.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).status == "withdrawn"
    assert client.post(f"/exams/manage/{exam.id}/withdraw").status_code == 409
    assert client.post(f"/exams/manage/{exam.id}/publish").status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.status, exam.version, exam.pool_key) == ("published", 1, key)
    assert [e.action for e in _audits("exam_")][-2:] == ["exam_withdraw", "exam_reopen"]


def exam_routes(exam_id: int, world) -> list[tuple[str, str, dict]]:
    return [("get", f"/exams/manage/{exam_id}", {}), ("get", f"/exams/manage/{exam_id}/live", {}),
            ("get", f"/exams/manage/{exam_id}/live.json", {}), ("get", f"/exams/manage/{exam_id}/edit", {}),
            ("get", f"/exams/manage/{exam_id}/preview", {}),
            ("post", f"/exams/manage/{exam_id}/edit", exam_form(world, title="别人的")),
            ("post", f"/exams/manage/{exam_id}/publish", {}), ("post", f"/exams/manage/{exam_id}/withdraw", {}),
            ("post", f"/exams/manage/{exam_id}/overrides", {"staff_no": "T1", "extra_minutes": "5", "reason": "x"}),
            ("post", f"/exams/manage/{exam_id}/overrides/1/delete", {}),
            ("post", f"/exams/manage/{exam_id}/live/1/time", {"minutes": "5", "reason": "x"}),
            ("post", f"/exams/manage/{exam_id}/live/1/close", {"reason": "x"})]


def test_outside_the_scope_every_exam_route_answers_404_and_trainees_get_403(app, as_user, world):
    exam = _published(as_user("inst-a"), world)
    for staff_no, status in (("inst-b", 404), ("admin-b", 404), ("T1", 403)):
        client = as_user(staff_no)
        for method, url, data in exam_routes(exam.id, world):
            assert getattr(client, method)(url, data=data).status_code == status, (staff_no, method, url)
        assert "上半年执勤规范考试" not in client.get("/exams/manage").data.decode()
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.title, exam.status) == ("上半年执勤规范考试", "published")
    assert _count(ExamOverride) == 0 and _count(Attempt) == 0


def test_an_admin_of_the_audience_watches_but_may_not_change_the_exam(app, as_user, world):
    global_blueprint = Blueprint(title="全局组卷", rules=[BlueprintRule(
        position=1, section="一、判断题", source_kind="category", category_id=world["cat_a"].id, qtype="truefalse",
        count=5, points=100)])
    db.session.add(global_blueprint)
    db.session.commit()
    exam = _published(as_user("inst-all"), world, blueprint_id=global_blueprint.id, post_ids=[], staff_nos="",
                      unit_ids=[world["a1"].id, world["b1"].id])
    assert exam.owner_unit_id is None
    watcher = as_user("admin-a")
    assert watcher.get(f"/exams/manage/{exam.id}").status_code == 200
    assert "上半年执勤规范考试" in watcher.get("/exams/manage").data.decode()
    for method, url, data in exam_routes(exam.id, world)[3:8]:
        assert getattr(watcher, method)(url, data=data).status_code == 403, (method, url)
    names = [row["name"] for row in watcher.get(f"/exams/manage/{exam.id}/live.json").json["rows"]]
    assert sorted(names) == ["学员乙", "学员甲", "测试人员"]  # the three people of 一中队 in 一大队
    ok = watcher.post(f"/exams/manage/{exam.id}/overrides", data={"staff_no": "T2", "extra_minutes": "10",
                                                                  "reason": "病假补考"})
    assert ok.status_code == 302
    refused = watcher.post(f"/exams/manage/{exam.id}/overrides", data={"staff_no": "TB", "extra_minutes": "10",
                                                                       "reason": "不在我的范围"})
    assert refused.status_code == 404
    assert [o.person_id for o in db.session.scalars(select(ExamOverride))] == [world["t2"].id]
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).title == "上半年执勤规范考试"


def test_overrides_need_a_reason_stay_in_scope_extend_a_running_attempt_and_are_audited(app, as_user, world):
    client = as_user("inst-a")
    exam = _published(client, world)
    now = clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    deadline = attempt.deadline
    url = f"/exams/manage/{exam.id}/overrides"
    assert client.post(url, data={"staff_no": "T1", "extra_minutes": "15"}).status_code == 400
    assert client.post(url, data={"staff_no": "T1", "reason": "网络故障"}).status_code == 400  # nothing asked
    assert client.post(url, data={"staff_no": "TB", "extra_minutes": "15", "reason": "不在范围"}).status_code == 404
    assert _count(ExamOverride) == 0 and not _audits("exam_override")
    assert client.post(url, data={"staff_no": "T1", "extra_minutes": "15", "extra_attempts": "1",
                                  "reason": "网络故障"}).status_code == 302
    override = db.session.scalar(select(ExamOverride))
    assert (override.person_id, override.extra_minutes, override.extra_attempts, override.reason,
            override.created_by_id) == (world["t1"].id, 15, 1, "网络故障", world["inst_a"].id)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == deadline + timedelta(minutes=15)
    (entry,) = _audits("exam_override")
    assert entry.detail["after"]["extra_minutes"] == 15 and entry.detail.get("before") is None
    page = client.get(f"/exams/manage/{exam.id}").data.decode()
    assert "学员甲（T1）" in page and "网络故障" in page
    assert client.post(f"{url}/{override.id}/delete").status_code == 302
    assert _count(ExamOverride) == 0 and _audits("exam_override")[-1].action == "exam_override_remove"
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == deadline + timedelta(minutes=15)


def test_the_exam_list_and_nav_show_exams_in_reach(app, as_user, world):
    exam = _published(as_user("inst-a"), world)
    page = as_user("admin-a").get("/exams/manage").data.decode()
    assert "上半年执勤规范考试" in page and 'href="/exams/manage"' in page and "考试管理" in page
    assert "考试管理" not in as_user("T2").get("/").data.decode()
    sample = as_user("inst-a").get(f"/exams/manage/{exam.id}/preview").data.decode()
    assert sample.count("测试题干") == 10


def test_an_exam_keeps_a_blueprint_its_editor_may_not_change(app, as_user, world):
    client = as_user("inst-a")
    exam = create(client, world)
    world["blueprint"].owner_unit_id, world["blueprint"].created_by_id = world["root"].id, world["inst_all"].id
    db.session.commit()
    form = client.get(f"/exams/manage/{exam.id}/edit").data.decode()
    assert f'<option selected value="{world["blueprint"].id}">一大队组卷</option>' in form
    assert client.post(f"/exams/manage/{exam.id}/edit", data=exam_form(world, title="新名字")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).title == "新名字"
    assert client.get(f"/exams/blueprints/{world['blueprint'].id}").status_code == 404


def test_an_exam_that_is_over_and_was_sat_cannot_be_withdrawn(app, as_user, world, monkeypatch):
    client = as_user("inst-a")
    exam = _published(client, world)
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=clock.now())
    attempts.submit(attempt.id, world["t1"].id, now=clock.now())
    override_close = exam.closes_at + timedelta(days=1)
    db.session.add(ExamOverride(exam_id=exam.id, person_id=world["t2"].id, closes_at=override_close, reason="病假"))
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: exam.closes_at + timedelta(hours=1))  # t2 may still sit it
    assert "撤回</button>" in client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    monkeypatch.setattr(clock, "now", lambda: override_close + timedelta(minutes=1))
    assert "撤回</button>" not in client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    response = client.post(f"/exams/manage/{exam.id}/withdraw")
    assert response.status_code == 409 and "看不到自己的成绩" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Exam, exam.id).status == "published"
    assert not _audits("exam_withdraw")
