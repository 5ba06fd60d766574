"""Training class pages: admin scope, editing, enrolment, roster corrections, check-in, evaluation."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Attendance,
    AuditEntry,
    ClassSession,
    CreditEntry,
    Enrollment,
    Evaluation,
    TrainingClass,
)
from tests.factories import class_running_now, make_person, make_training_class, make_world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _admin_routes(w) -> list[tuple[str, str, dict]]:
    cid, sid, pid = w["klass"].id, w["session"].id, w["trainee"].id
    return [
        ("get", f"/classes/{cid}", {}), ("get", f"/classes/{cid}/roster", {}),
        ("get", f"/classes/{cid}/evaluations", {}), ("get", f"/classes/sessions/{sid}/code", {}),
        ("post", f"/classes/{cid}", {"title": "改名", "unit_id": w["a"].id, "kind": "required", "credit_hours": "1"}),
        ("post", f"/classes/{cid}/sessions", {"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T10:00"}),
        ("post", f"/classes/sessions/{sid}/delete", {}),
        ("post", f"/classes/{cid}/enrol", {"enrol-target": "staff", "enrol-staff_nos": "admin-b"}),
        ("post", f"/classes/{cid}/status", {"status": "closed"}),
        ("post", f"/classes/{cid}/attendance", {"session_id": sid, "person_id": pid, "present": "1"}),
        ("post", f"/classes/sessions/{sid}/code", {}),
        ("post", f"/classes/{cid}/enrolments/{pid}/delete", {}),
    ]


def test_an_admin_of_another_brigade_gets_404_on_every_class_route(app, as_user):
    w = class_running_now()
    client = as_user("admin-b")
    for method, url, data in _admin_routes(w):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    klass = db.session.get(TrainingClass, w["klass"].id)
    assert klass.title == "路面执勤实训班" and klass.status == "published" and len(klass.sessions) == 1
    assert klass.sessions[0].code == "123456"
    assert _count(Enrollment) == 1 and _count(Attendance) == 0
    assert _count(AuditEntry, AuditEntry.action.startswith("class")) == 0


def test_the_class_list_shows_only_classes_in_scope(app, as_user):
    w = class_running_now()
    make_training_class(w["b"], title="二大队专属班")
    page = as_user("admin-a").get("/classes/").data.decode()
    assert "路面执勤实训班" in page and "二大队专属班" not in page


def test_an_admin_with_no_classes_sees_what_to_do_next(app, as_user):
    make_world()
    page = as_user("admin-a").get("/classes/").data.decode()
    assert "还没有培训班" in page and "新建培训班" in page


def test_trainees_cannot_open_admin_pages(app, as_user):
    w = class_running_now()
    assert as_user("t-1").get("/classes/").status_code == 403
    assert as_user("t-1").get(f"/classes/{w['klass'].id}").status_code == 403


def test_admin_creates_a_class_adds_a_session_enrols_and_publishes(app, as_user):
    w = make_world()
    make_person(unit=w["a1"], staff_no="t-1")
    client = as_user("admin-a")
    response = client.post("/classes/new", data={"title": "窗口服务培训班", "unit_id": w["a1"].id, "kind": "elective",
                                                 "credit_hours": "1.5", "description": "**要点**"})
    assert response.status_code == 302
    klass = db.session.scalar(select(TrainingClass))
    assert (klass.title, klass.credit_tenths, klass.kind, klass.status) == ("窗口服务培训班", 15, "elective", "draft")
    client.post(f"/classes/{klass.id}/sessions", data={"starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:30",
                                                       "place": "支队三楼", "trainer": "王教官"})
    session = db.session.scalar(select(ClassSession))
    assert session.starts_at == datetime(2026, 12, 1, 1, 0) and session.place == "支队三楼"
    enrol = {"enrol-target": "staff", "enrol-staff_nos": "t-1 admin-b nobody"}
    response = client.post(f"/classes/{klass.id}/enrol", data=enrol, follow_redirects=True)
    page = response.data.decode()
    assert "新报名 1 人" in page and "2 个工号不存在或不在您的管理范围内" in page
    assert client.post(f"/classes/{klass.id}/status", data={"status": "published"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingClass, klass.id).status == "published" and _count(Enrollment) == 1
    detail = client.get(f"/classes/{klass.id}").data.decode()
    assert "2026-12-01 09:00" in detail and "<strong>要点</strong>" in detail


def test_creating_a_class_with_bad_hours_rerenders_with_an_error(app, as_user):
    w = make_world()
    response = as_user("admin-a").post("/classes/new", data={"title": "班", "unit_id": w["a"].id, "kind": "required",
                                                             "credit_hours": "0.25"})
    assert response.status_code == 400 and "最多一位小数" in response.data.decode()
    assert _count(TrainingClass) == 0


BAD_HOURS = ["sNaN", "NaN", "-NaN", "Infinity", "-Infinity", "-0", "-1", "1e9", "1e1", "１．５", "٣", "²", "1,5",
             " ", "", "0x10", "1_0", "100.1", "9" * 400]


@pytest.mark.parametrize("hours", BAD_HOURS)
def test_bad_hours_on_the_class_form_rerender_with_a_chinese_error_and_save_nothing(app, as_user, hours):
    w = make_world()
    client = as_user("admin-a")
    data = {"title": "班", "unit_id": w["a"].id, "kind": "required", "credit_hours": hours}
    response = client.post("/classes/new", data=data)
    assert response.status_code == 400 and "学时" in response.get_data(as_text=True)
    assert _count(TrainingClass) == 0
    klass = make_training_class(w["a"], status="draft")
    response = client.post(f"/classes/{klass.id}", data=data | {"title": "改名"})
    assert response.status_code == 400 and "学时" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingClass, klass.id).title == "路面执勤实训班"
    assert _count(AuditEntry, AuditEntry.action.startswith("class")) == 0


def test_creating_a_class_for_a_unit_outside_scope_is_404(app, as_user):
    w = make_world()
    response = as_user("admin-a").post("/classes/new", data={"title": "班", "unit_id": w["b"].id, "kind": "required",
                                                             "credit_hours": "1"})
    assert response.status_code == 404 and _count(TrainingClass) == 0


def test_a_draft_without_sessions_cannot_be_published(app, as_user):
    w = make_world()
    klass = make_training_class(w["a"], status="draft")
    response = as_user("admin-a").post(f"/classes/{klass.id}/status", data={"status": "published"})
    assert response.status_code == 400 and "至少一次课" in response.data.decode()
    db.session.expire_all()
    assert db.session.get(TrainingClass, klass.id).status == "draft"


def test_the_trainer_page_shows_the_code_big(app, as_user):
    w = class_running_now()
    page = as_user("admin-a").get(f"/classes/sessions/{w['session'].id}/code").data.decode()
    assert "123456" in page and "现在可以签到" in page


def test_trainee_checks_in_on_my_classes_and_earns_credit(app, as_user):
    w = class_running_now()
    client = as_user("t-1")
    page = client.post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "签到成功" in page and "已签到" in page
    page = client.post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "您已签到过" in page
    entry = db.session.scalar(select(CreditEntry))
    assert _count(Attendance) == 1 and entry.source_type == "offline" and entry.tenths == 20
    assert entry.person_id == w["trainee"].id


def test_a_wrong_code_shows_an_error_and_writes_nothing(app, as_user):
    class_running_now()
    page = as_user("t-1").post("/classes/checkin", data={"code": "000000"}, follow_redirects=True).data.decode()
    assert "签到码不正确" in page and _count(Attendance) == 0 and _count(CreditEntry) == 0


def test_a_code_before_the_window_is_refused(app, as_user):
    class_running_now(starts_in=timedelta(minutes=30))
    page = as_user("t-1").post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "不在签到时间内" in page and _count(Attendance) == 0


def test_someone_not_enrolled_cannot_check_in(app, as_user):
    w = class_running_now()
    make_person(unit=w["a1"], staff_no="t-2")
    page = as_user("t-2").post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "没有报名" in page and _count(Attendance) == 0


def test_code_attempts_are_rate_limited_per_person(app, as_user):
    class_running_now()
    client = as_user("t-1")
    statuses = [client.post("/classes/checkin", data={"code": f"{i:06d}"}).status_code for i in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert client.post("/classes/checkin", data={"code": "123456"}).status_code == 429
    assert _count(Attendance) == 0


def test_my_classes_lists_only_published_classes_i_am_enrolled_in(app, as_user):
    w = class_running_now()
    make_training_class(w["a"], title="草稿班", status="draft", enrolled=[w["trainee"]])
    make_training_class(w["a"], title="别人的班")
    page = as_user("t-1").get("/classes/mine").data.decode()
    assert "路面执勤实训班" in page and "草稿班" not in page and "别人的班" not in page


def test_admin_corrects_attendance_on_the_roster(app, as_user):
    w = class_running_now()
    client = as_user("admin-a")
    data = {"session_id": w["session"].id, "person_id": w["trainee"].id, "present": "1"}
    assert client.post(f"/classes/{w['klass'].id}/attendance", data=data).status_code == 302
    assert _count(Attendance) == 1 and _count(CreditEntry) == 1
    assert "管理员补录" in client.get(f"/classes/{w['klass'].id}/roster").data.decode()
    assert client.post(f"/classes/{w['klass'].id}/attendance", data=data | {"present": "0"}).status_code == 302
    assert _count(Attendance) == 0
    assert db.session.scalar(select(func.sum(CreditEntry.tenths))) == 0
    assert _count(AuditEntry, AuditEntry.action.in_(("class_attendance_add", "class_attendance_remove"))) == 2


def test_a_closed_class_refuses_check_in_and_corrections(app, as_user):
    w = class_running_now()
    client = as_user("admin-a")
    assert client.post(f"/classes/{w['klass'].id}/status", data={"status": "closed"}).status_code == 302
    data = {"session_id": w["session"].id, "person_id": w["trainee"].id, "present": "1"}
    assert client.post(f"/classes/{w['klass'].id}/attendance", data=data).status_code == 409
    page = as_user("t-1").post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "签到码不正确" in page and _count(Attendance) == 0


def test_trainee_evaluates_once_after_attending_and_the_admin_sees_the_summary(app, as_user):
    w = class_running_now()
    client = as_user("t-1")
    assert "至少参加一次课" in client.get(f"/classes/{w['klass'].id}/evaluate").data.decode()
    client.post("/classes/checkin", data={"code": "123456"})
    ratings = {"content_rating": "5", "trainer_rating": "4", "organisation_rating": "3", "comment": "案例很实用"}
    assert client.post(f"/classes/{w['klass'].id}/evaluate", data=ratings).status_code == 302
    assert client.post(f"/classes/{w['klass'].id}/evaluate", data=ratings).status_code == 409
    assert _count(Evaluation) == 1
    page = as_user("admin-a").get(f"/classes/{w['klass'].id}/evaluations").data.decode()
    assert "共收到 <strong>1</strong> 份评估" in page and "5.00" in page and "案例很实用" in page


def test_a_trainee_cannot_evaluate_a_class_they_are_not_enrolled_in(app, as_user):
    w = class_running_now()
    make_person(unit=w["a1"], staff_no="t-2")
    client = as_user("t-2")
    assert client.get(f"/classes/{w['klass'].id}/evaluate").status_code == 404
    data = {"content_rating": "5", "trainer_rating": "5", "organisation_rating": "5"}
    assert client.post(f"/classes/{w['klass'].id}/evaluate", data=data).status_code == 404
    assert _count(Evaluation) == 0


@pytest.mark.parametrize("url", ["/classes/", "/classes/new", "/classes/mine"])
def test_pages_render_for_the_right_people(app, as_user, url):
    class_running_now()
    who = "t-1" if url.endswith("mine") else "admin-a"
    assert as_user(who).get(url).status_code == 200


def test_admin_regenerates_a_code_and_the_old_one_stops_working(app, as_user):
    w = class_running_now()
    page = as_user("admin-a").post(f"/classes/sessions/{w['session'].id}/code", follow_redirects=True).data.decode()
    db.session.expire_all()
    code = db.session.get(ClassSession, w["session"].id).code
    assert code != "123456" and code in page and "已更换签到码" in page
    trainee = as_user("t-1")
    assert "签到码不正确" in trainee.post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "签到成功" in trainee.post("/classes/checkin", data={"code": code}, follow_redirects=True).data.decode()
    assert _count(AuditEntry, AuditEntry.action == "class_code_regenerate") == 1


def test_admin_withdraws_an_enrolment_only_before_any_attendance(app, as_user):
    w = class_running_now()
    other = make_person(unit=w["a1"], staff_no="t-2", name="学员二")
    admin = as_user("admin-a")
    admin.post(f"/classes/{w['klass'].id}/enrol", data={"enrol-target": "staff", "enrol-staff_nos": "t-2"})
    as_user("t-1").post("/classes/checkin", data={"code": "123456"})
    refused = admin.post(f"/classes/{w['klass'].id}/enrolments/{w['trainee'].id}/delete")
    assert refused.status_code == 409 and "请先在签到名单中撤销签到" in refused.data.decode()
    roster = admin.get(f"/classes/{w['klass'].id}/roster").data.decode()
    assert roster.count("取消报名") == 1
    assert admin.post(f"/classes/{w['klass'].id}/enrolments/{other.id}/delete").status_code == 302
    assert _count(Enrollment) == 1 and _count(Enrollment, Enrollment.person_id == other.id) == 0
    assert _count(AuditEntry, AuditEntry.action == "class_withdraw") == 1
