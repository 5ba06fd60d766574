"""Editing a class through its pages: fields, sessions, enrolment by unit, closing."""

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEntry, ClassSession, Enrollment, TrainingClass
from tests.factories import make_person, make_training_class, make_world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _class(w, **kwargs):
    start = clock.now() + timedelta(days=1)
    return make_training_class(w["a"], sessions=[(start, start + timedelta(hours=2))], **kwargs)


def test_admin_edits_a_class_and_the_change_is_audited(app, as_user):
    w = make_world()
    klass = _class(w)
    client = as_user("admin-a")
    data = {"title": "路面执勤实训班（第二期）", "unit_id": w["a1"].id, "kind": "elective", "credit_hours": "3",
            "description": "新简介"}
    assert client.post(f"/classes/{klass.id}", data=data).status_code == 302
    db.session.expire_all()
    klass = db.session.get(TrainingClass, klass.id)
    assert (klass.title, klass.unit_id, klass.kind, klass.credit_tenths) == ("路面执勤实训班（第二期）", w["a1"].id, "elective", 30)
    assert _count(AuditEntry, AuditEntry.action == "class_update") == 1


def test_the_edit_form_is_prefilled_with_the_class(app, as_user):
    w = make_world()
    klass = _class(w, credit_tenths=15)
    page = as_user("admin-a").get(f"/classes/{klass.id}").data.decode()
    assert 'value="路面执勤实训班"' in page and 'value="1.5"' in page


def test_admin_deletes_a_session_nobody_attended(app, as_user):
    w = make_world()
    klass = _class(w)
    session_id = klass.sessions[0].id
    assert as_user("admin-a").post(f"/classes/sessions/{session_id}/delete").status_code == 302
    assert _count(ClassSession) == 0 and _count(AuditEntry, AuditEntry.action == "class_session_delete") == 1


def test_a_session_with_a_bad_time_range_is_refused(app, as_user):
    w = make_world()
    klass = _class(w)
    response = as_user("admin-a").post(f"/classes/{klass.id}/sessions",
                                       data={"starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T09:00"})
    assert response.status_code == 400 and "结束时间应晚于开始时间" in response.data.decode()
    assert _count(ClassSession) == 1


def test_enrolling_by_unit_takes_the_whole_subtree(app, as_user):
    w = make_world()
    make_person(unit=w["a1"], staff_no="t-1")
    make_person(unit=w["a1"], staff_no="t-2")
    make_person(unit=w["b1"], staff_no="t-3")
    klass = _class(w)
    page = as_user("admin-a").post(f"/classes/{klass.id}/enrol", data={"enrol-target": "unit",
                                                                       "enrol-unit_id": w["a1"].id},
                                   follow_redirects=True).data.decode()
    assert "新报名 2 人，已报名 0 人" in page and _count(Enrollment) == 2


def test_a_closed_class_can_no_longer_be_edited(app, as_user):
    w = make_world()
    klass = _class(w, status="closed")
    client = as_user("admin-a")
    data = {"title": "改名", "unit_id": w["a"].id, "kind": "required", "credit_hours": "1"}
    assert client.post(f"/classes/{klass.id}", data=data).status_code == 409
    assert "修改培训班信息" not in client.get(f"/classes/{klass.id}").data.decode()
    db.session.expire_all()
    assert db.session.get(TrainingClass, klass.id).title == "路面执勤实训班"
