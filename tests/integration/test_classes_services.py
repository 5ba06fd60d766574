"""Class services: enrolment, check-in rules, the 学时 each attendance earns, evaluations."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.classes import attendance, enrolment, evaluation, services
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import Attendance, AuditEntry, CreditEntry, Enrollment, Evaluation, class_competency
from tests.factories import (
    make_competency,
    make_person,
    make_training_class,
    make_workforce,
    make_world,
)

START = datetime(2026, 12, 31, 15, 30)  # 23:30 in Shanghai: still 2026 locally
END = START + timedelta(hours=2)


def _world(**class_args):
    world = make_world(people={"trainee": {"unit": "a1", "staff_no": "t-1", "name": "学员一"}})
    world["scope_a"] = Scope((world["a"].path,))
    args = dict(sessions=[(START, END)], enrolled=[world["trainee"]], code="123456") | class_args
    world["klass"] = make_training_class(world["a"], **args)
    world["session"] = world["klass"].sessions[0]
    return world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_check_in_inside_the_window_records_attendance_and_one_credit_entry(app):
    w = _world()
    session, new = attendance.check_in(w["trainee"].id, "123456", now=START - timedelta(minutes=15))
    assert new and session.id == w["session"].id
    entry = db.session.scalar(select(CreditEntry))
    record = db.session.scalar(select(Attendance))
    assert (entry.source_type, entry.source_id, entry.tenths, entry.kind) == ("offline", record.id, 20, "required")
    assert entry.year == 2026 and record.method == "code"
    assert _count(AuditEntry, AuditEntry.action == "class_attendance_add") == 1


def test_the_credit_year_is_the_local_year_of_the_session(app):
    start = datetime(2026, 12, 31, 16, 30)  # 00:30 on 1 January 2027 in Shanghai
    w = _world(sessions=[(start, start + timedelta(hours=1))])
    attendance.check_in(w["trainee"].id, "123456", now=start)
    entry = db.session.scalar(select(CreditEntry))
    assert entry.year == 2027 and entry.note.endswith("（2027-01-01）")  # the local date, not UTC's 12-31


def test_checking_in_twice_is_idempotent(app):
    w = _world()
    attendance.check_in(w["trainee"].id, "123456", now=START)
    _session, new = attendance.check_in(w["trainee"].id, "123456", now=START + timedelta(minutes=5))
    assert not new and _count(Attendance) == 1 and _count(CreditEntry) == 1


def test_a_code_typed_in_full_width_digits_checks_in(app):
    w = _world()
    _session, new = attendance.check_in(w["trainee"].id, " １２３４５６ ", now=START)
    assert new and _count(Attendance) == 1


@pytest.mark.parametrize(("code", "now", "message"), [
    ("654321", START, "签到码不正确"),
    ("12345", START, "6 位数字"),
    ("١٢٣٤٥٦", START, "6 位数字"),  # other scripts' digits are not a code
    ("123456", START - timedelta(minutes=16), "不在签到时间内"),
    ("123456", END + timedelta(seconds=1), "不在签到时间内"),
])
def test_bad_codes_and_times_outside_the_window_are_refused_and_write_nothing(app, code, now, message):
    w = _world()
    with pytest.raises(DomainError, match=message):
        attendance.check_in(w["trainee"].id, code, now=now)
    assert _count(Attendance) == 0 and _count(CreditEntry) == 0


def test_a_person_not_enrolled_cannot_check_in(app):
    w = _world()
    stranger = make_person(unit=w["a1"], staff_no="t-2")
    with pytest.raises(DomainError, match="没有报名"):
        attendance.check_in(stranger.id, "123456", now=START)
    assert _count(Attendance) == 0


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_check_in_only_works_while_the_class_is_published(app, status):
    w = _world(status=status)
    with pytest.raises(DomainError):
        attendance.check_in(w["trainee"].id, "123456", now=START)
    assert _count(Attendance) == 0


def test_manual_correction_adds_and_removes_attendance_with_a_reversal(app):
    w = _world()
    admin_id, sid, pid = w["admin_a"].id, w["session"].id, w["trainee"].id
    assert attendance.correct(admin_id, w["scope_a"], w["klass"].id, sid, pid, present=True, now=START)
    first = db.session.scalar(select(Attendance))
    assert first.method == "manual" and _count(CreditEntry, CreditEntry.source_type == "offline") == 1
    first_id = first.id
    assert attendance.correct(admin_id, w["scope_a"], w["klass"].id, sid, pid, present=False, now=START)
    reversal = db.session.scalar(select(CreditEntry).where(CreditEntry.source_type == "reversal"))
    assert _count(Attendance) == 0 and reversal.tenths == -20 and reversal.reversal_of_id is not None
    assert _count(AuditEntry, AuditEntry.action == "class_attendance_remove") == 1
    # Recording again earns a new line under a new attendance id (ids are never reused).
    attendance.correct(admin_id, w["scope_a"], w["klass"].id, sid, pid, present=True, now=START)
    again = db.session.scalar(select(Attendance))
    assert again.id != first_id
    total = db.session.scalar(select(func.sum(CreditEntry.tenths)).where(CreditEntry.person_id == pid))
    assert total == 20 and _count(CreditEntry, CreditEntry.source_type == "offline") == 2


def test_correction_without_change_writes_nothing(app):
    w = _world()
    assert not attendance.correct(w["admin_a"].id, w["scope_a"], w["klass"].id, w["session"].id,
                                  w["trainee"].id, present=False, now=START)
    assert _count(AuditEntry) == 0


def test_correction_refuses_people_who_are_not_enrolled(app):
    w = _world()
    other = make_person(unit=w["a1"], staff_no="t-9")
    with pytest.raises(NotFound):
        attendance.correct(w["admin_a"].id, w["scope_a"], w["klass"].id, w["session"].id, other.id,
                           present=True, now=START)
    assert _count(Attendance) == 0


def test_a_class_without_credit_records_attendance_but_no_ledger_line(app):
    w = _world(credit_tenths=0)
    attendance.check_in(w["trainee"].id, "123456", now=START)
    assert _count(Attendance) == 1 and _count(CreditEntry) == 0


def test_enrolment_by_unit_subtree_counts_added_and_already_enrolled(app):
    w = _world()
    make_person(unit=w["a1"], staff_no="t-3")
    make_person(unit=w["a"], staff_no="t-4")
    make_person(unit=w["b1"], staff_no="t-5")  # another brigade: outside the subtree
    result = enrolment.enrol(w["admin_a"].id, w["scope_a"], w["klass"].id, unit_id=w["a"].id)
    assert (result.added, result.already, result.not_found) == (3, 1, [])  # admin-a, t-3, t-4; t-1 already
    assert _count(Enrollment) == 4


def test_enrolment_by_post_only_takes_people_in_scope(app):
    w = _world()
    post = make_workforce().posts[0]
    make_person(unit=w["a1"], staff_no="p-a", post_id=post.id)
    make_person(unit=w["b1"], staff_no="p-b", post_id=post.id)
    result = enrolment.enrol(w["admin_a"].id, w["scope_a"], w["klass"].id, post_id=post.id)
    assert (result.added, result.already) == (1, 0)


def test_enrolment_by_staff_numbers_reports_unknown_and_out_of_scope_numbers(app):
    w = _world()
    make_person(unit=w["a1"], staff_no="t-6")
    make_person(unit=w["b1"], staff_no="t-7")
    result = enrolment.enrol(w["admin_a"].id, w["scope_a"], w["klass"].id,
                             staff_nos=enrolment.split_staff_nos("t-6，t-1\nt-7 nobody t-6"))
    assert (result.added, result.already, result.not_found) == (1, 1, ["t-7", "nobody"])


def test_enrolment_into_an_out_of_scope_unit_is_not_found(app):
    w = _world()
    with pytest.raises(NotFound):
        enrolment.enrol(w["admin_a"].id, w["scope_a"], w["klass"].id, unit_id=w["b"].id)
    assert _count(Enrollment) == 1


def test_evaluation_needs_a_started_class_and_an_attendance(app):
    w = _world()
    pid, cid = w["trainee"].id, w["klass"].id
    ratings = dict(content_rating=5, trainer_rating=4, organisation_rating=3)
    with pytest.raises(DomainError, match="开始后"):
        evaluation.submit(pid, cid, ratings=ratings, comment="", now=START - timedelta(minutes=1))
    with pytest.raises(DomainError, match="至少参加一次"):
        evaluation.submit(pid, cid, ratings=ratings, comment="", now=START)
    attendance.check_in(pid, "123456", now=START)
    evaluation.submit(pid, cid, ratings=ratings, comment="很实用", now=START + timedelta(hours=1))
    with pytest.raises(Conflict):
        evaluation.submit(pid, cid, ratings=ratings, comment="再来一次", now=START + timedelta(hours=1))
    assert _count(Evaluation) == 1


def test_ratings_outside_one_to_five_are_refused(app):
    w = _world()
    attendance.check_in(w["trainee"].id, "123456", now=START)
    with pytest.raises(DomainError, match="1 到 5"):
        evaluation.submit(w["trainee"].id, w["klass"].id, now=START,
                          ratings=dict(content_rating=6, trainer_rating=4, organisation_rating=3), comment="")
    assert _count(Evaluation) == 0


def test_evaluation_summary_averages_each_rating_and_lists_comments(app):
    w = _world()
    second = make_person(unit=w["a1"], staff_no="t-8")
    enrolment.enrol(w["admin_a"].id, w["scope_a"], w["klass"].id, staff_nos=["t-8"])
    for person, scores, comment in ((w["trainee"], (5, 4, 3), "很实用"), (second, (4, 4, 4), "")):
        attendance.check_in(person.id, "123456", now=START)
        evaluation.submit(person.id, w["klass"].id, now=START, comment=comment,
                          ratings=dict(zip(evaluation.RATINGS, scores, strict=True)))
    _klass, summary = evaluation.summary(w["scope_a"], w["klass"].id)
    assert summary.count == 2
    assert summary.averages == {"content_rating": 4.5, "trainer_rating": 4.0, "organisation_rating": 3.5}
    assert [e.comment for e in summary.comments] == ["很实用"]


def test_class_credit_is_frozen_once_someone_attended(app):
    w = _world()
    attendance.check_in(w["trainee"].id, "123456", now=START)
    data = services.ClassData(title="新名称", unit_id=w["a"].id, kind="elective", credit_hours="2")
    with pytest.raises(Conflict):
        services.update_class(w["admin_a"].id, w["scope_a"], w["klass"].id, data)
    renamed = services.update_class(w["admin_a"].id, w["scope_a"], w["klass"].id,
                                    services.ClassData(title="新名称", unit_id=w["a"].id, kind="required", credit_hours="2"))
    assert renamed.title == "新名称"


def test_a_retired_competency_stays_on_a_class_citing_it_but_cannot_be_added(app):
    w = make_world()
    make_competency("FJ-LAW")
    old = make_competency("OLD-CODE")
    scope = Scope((w["a"].path,))
    data = dict(title="班", unit_id=w["a"].id, kind="required", credit_hours="1", competencies="FJ-LAW,OLD-CODE")
    klass = services.create_class(w["admin_a"].id, scope, services.ClassData(**data))
    old.active = False
    db.session.commit()
    renamed = services.update_class(w["admin_a"].id, scope, klass.id, services.ClassData(**data | {"title": "新班"}))
    assert (renamed.title, [c.code for c in renamed.competencies]) == ("新班", ["FJ-LAW", "OLD-CODE"])
    linked = db.session.scalars(select(class_competency.c.competency_id)
                                .where(class_competency.c.class_id == klass.id)).all()
    assert sorted(linked) == sorted(c.id for c in renamed.competencies)
    with pytest.raises(DomainError, match="不存在或已停用：OLD-CODE"):
        services.create_class(w["admin_a"].id, scope, services.ClassData(**data))


def test_editing_a_class_replaces_its_competency_rows_and_audits_the_codes(app):
    w = make_world()
    law, sec = make_competency("FJ-LAW"), make_competency("GEN-SEC")
    scope = Scope((w["a"].path,))
    data = dict(title="班", unit_id=w["a"].id, kind="required", credit_hours="1", competencies="FJ-LAW，GEN-SEC")
    klass = services.create_class(w["admin_a"].id, scope, services.ClassData(**data))
    services.update_class(w["admin_a"].id, scope, klass.id, services.ClassData(**data | {"competencies": "GEN-SEC"}))
    rows = db.session.execute(select(class_competency.c.class_id, class_competency.c.competency_id)).all()
    assert rows == [(klass.id, sec.id)] and law.id != sec.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "class_update"))
    assert entry.detail["competencies"] == ["GEN-SEC"]


def test_creating_a_class_validates_competency_codes_and_half_hours(app):
    w = make_world()
    make_competency("FJ-LAW")
    scope = Scope((w["a"].path,))
    with pytest.raises(DomainError, match="能力项编码不存在"):
        services.create_class(w["admin_a"].id, scope, services.ClassData(
            title="班", unit_id=w["a"].id, kind="required", credit_hours="1", competencies="FJ-LAW, NOPE"))
    klass = services.create_class(w["admin_a"].id, scope, services.ClassData(
        title="班", unit_id=w["a"].id, kind="required", credit_hours="1.5", competencies="FJ-LAW"))
    assert (klass.credit_tenths, [c.code for c in klass.competencies], klass.status) == (15, ["FJ-LAW"], "draft")


def test_sessions_are_stored_in_utc_with_a_six_digit_code(app):
    w = _world(status="draft")
    session = services.add_session(w["admin_a"].id, w["scope_a"], w["klass"].id,
                                   starts_local=datetime(2026, 12, 1, 9, 0), ends_local=datetime(2026, 12, 1, 11, 0))
    assert session.starts_at == datetime(2026, 12, 1, 1, 0) and len(session.code) == 6 and session.code.isdigit()
    with pytest.raises(DomainError, match="结束时间应晚于开始时间"):
        services.add_session(w["admin_a"].id, w["scope_a"], w["klass"].id,
                             starts_local=datetime(2026, 12, 1, 9, 0), ends_local=datetime(2026, 12, 1, 8, 0))


def test_a_session_someone_attended_cannot_be_deleted(app):
    w = _world()
    attendance.check_in(w["trainee"].id, "123456", now=START)
    with pytest.raises(Conflict, match="已有签到记录"):
        services.delete_session(w["admin_a"].id, w["scope_a"], w["session"].id)
    assert _count(Attendance) == 1


def test_a_session_of_another_class_cannot_be_corrected_through_this_class(app):
    w = _world()
    other = make_training_class(w["a"], sessions=[(START, END)], enrolled=[w["trainee"]])
    with pytest.raises(NotFound):
        attendance.correct(w["admin_a"].id, w["scope_a"], other.id, w["session"].id, w["trainee"].id,
                           present=True, now=START)
    assert _count(Attendance) == 0
