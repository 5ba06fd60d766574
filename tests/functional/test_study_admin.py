"""Admin pages: assignments in scope, handing out courses, a person's 学时 ledger and reversals."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Assignment, AuditEntry, CreditEntry
from tests.factories import make_course, make_person, make_syllabus, make_workforce, make_world

FUTURE = (clock.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def world(app):
    world = make_world(people={"ta": {"unit": "a1", "staff_no": "T-A", "name": "甲学员"},
                               "tb": {"unit": "b1", "staff_no": "T-B", "name": "乙学员"}})
    world["course"] = make_course("extra", title="心理疏导")
    return world


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_admin_assigns_a_course_to_listed_staff_numbers(world, as_user):
    client = as_user("admin-a")
    response = client.post("/study/admin/assignments", data={
        "course_id": world["course"].id, "target": "staff", "unit_id": 0, "post_id": 0,
        "staff_nos": "T-A，admin-a", "due_on": FUTURE}, follow_redirects=True)
    assert "已下达 2 项培训任务" in response.data.decode()
    rows = list(db.session.scalars(select(Assignment)))
    assert {r.person_id for r in rows} == {world["ta"].id, world["admin_a"].id}
    assert all(r.origin == "admin" and r.created_by_id == world["admin_a"].id for r in rows)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment_create"))


def test_assigning_to_a_unit_outside_the_scope_is_404_and_writes_nothing(world, as_user):
    response = as_user("admin-a").post("/study/admin/assignments", data={
        "course_id": world["course"].id, "target": "unit", "unit_id": world["b"].id, "post_id": 0,
        "due_on": FUTURE})
    assert response.status_code == 404 and _count(Assignment) == 0


def test_assigning_staff_outside_the_scope_is_404_and_writes_nothing(world, as_user):
    response = as_user("admin-a").post("/study/admin/assignments", data={
        "course_id": world["course"].id, "target": "staff", "unit_id": 0, "post_id": 0,
        "staff_nos": "T-A T-B", "due_on": FUTURE})
    assert response.status_code == 404 and "T-B" in response.data.decode() and _count(Assignment) == 0


def test_an_assignment_form_without_a_date_is_refused_in_chinese(world, as_user):
    response = as_user("admin-a").post("/study/admin/assignments", data={
        "course_id": world["course"].id, "target": "unit", "unit_id": world["a"].id, "post_id": 0},
        follow_redirects=True)
    assert "请填写截止日期" in response.data.decode() and _count(Assignment) == 0


def test_the_assignment_list_shows_only_the_scope_and_filters_by_status(world, as_user):
    for person, due in ((world["ta"], date(2000, 1, 1)), (world["tb"], date(2099, 1, 1)),
                        (world["admin_a"], date(2099, 1, 1))):
        db.session.add(Assignment(person_id=person.id, course_id=world["course"].id, year=due.year, due_on=due))
    db.session.commit()
    client = as_user("admin-a")
    page = client.get("/study/admin/assignments").data.decode()
    assert "甲学员" in page and "乙学员" not in page and "共 2 项" in page
    overdue = client.get("/study/admin/assignments?status=overdue").data.decode()
    assert "甲学员" in overdue and "admin-a</td>" not in overdue and "共 1 项" in overdue
    assert "没有符合条件" in client.get("/study/admin/assignments?status=completed").data.decode()


def test_the_assignment_list_is_paginated(world, as_user):
    for i in range(25):
        person = make_person(unit=world["a1"], staff_no=f"P{i:02d}")
        db.session.add(Assignment(person_id=person.id, course_id=world["course"].id, year=2099,
                                  due_on=date(2099, 1, 1)))
    db.session.commit()
    client = as_user("admin-a")
    assert "共 25 项" in client.get("/study/admin/assignments").data.decode()
    assert client.get("/study/admin/assignments?page=2").data.decode().count("<tr>") == 6


def test_an_admin_withdraws_an_assignment_only_in_scope(world, as_user):
    mine = Assignment(person_id=world["ta"].id, course_id=world["course"].id, year=2099, due_on=date(2099, 1, 1))
    theirs = Assignment(person_id=world["tb"].id, course_id=world["course"].id, year=2099, due_on=date(2099, 1, 1))
    db.session.add_all([mine, theirs])
    db.session.commit()
    mine_id, theirs_id = mine.id, theirs.id
    client = as_user("admin-a")
    assert client.post(f"/study/admin/assignments/{theirs_id}/delete").status_code == 404
    assert client.post(f"/study/admin/assignments/{mine_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, mine_id) is None and db.session.get(Assignment, theirs_id) is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment_delete"))


def test_trainees_cannot_open_the_admin_pages(world, as_user):
    client = as_user("T-A")
    assert client.get("/study/admin/assignments").status_code == 403
    assert client.get(f"/study/admin/people/{world['ta'].id}/credits").status_code == 403


def _entry(person, tenths=15) -> int:
    entry = CreditEntry(person_id=person.id, year=clock.today().year, kind="required", tenths=tenths,
                        source_type="course", source_id=world_course_id(person), note="某课程")
    db.session.add(entry)
    db.session.commit()
    return entry.id


def world_course_id(person) -> int:
    return 1000 + person.id


def test_an_admin_reverses_a_ledger_entry_of_a_person_in_scope(world, as_user):
    entry_id = _entry(world["ta"])
    client = as_user("admin-a")
    page = client.get(f"/study/admin/people/{world['ta'].id}/credits").data.decode()
    assert "某课程" in page and "冲正" in page
    response = client.post(f"/study/admin/credits/{entry_id}/reverse", data={"reason": "重复记入"},
                           follow_redirects=True)
    assert "已冲正" in response.data.decode()
    reversal = db.session.scalar(select(CreditEntry).filter_by(reversal_of_id=entry_id))
    assert reversal.tenths == -15 and reversal.created_by_id == world["admin_a"].id


def test_a_reversal_without_a_reason_is_refused(world, as_user):
    entry_id = _entry(world["ta"])
    response = as_user("admin-a").post(f"/study/admin/credits/{entry_id}/reverse", data={"reason": ""})
    assert response.status_code == 400 and "冲正原因" in response.data.decode()
    assert _count(CreditEntry) == 1


def test_ledgers_outside_the_scope_are_not_found(world, as_user):
    entry_id = _entry(world["tb"])
    client = as_user("admin-a")
    assert client.get(f"/study/admin/people/{world['tb'].id}/credits").status_code == 404
    assert client.post(f"/study/admin/credits/{entry_id}/reverse", data={"reason": "x"}).status_code == 404
    assert _count(CreditEntry) == 1


def test_the_assign_command_syncs_everyone_from_their_syllabus(world, runner):
    workforce = make_workforce()
    make_syllabus(workforce.posts[0], required=[{"course": "extra", "by_date_each_year": "12-31"}])
    for person in (world["ta"], world["tb"]):
        person.post_id = workforce.posts[0].id
    db.session.commit()
    result = runner.invoke(args=["study", "assign", "--year", "2030"])
    assert "已新增 2 项培训任务" in result.output
    assert set(db.session.scalars(select(Assignment.due_on))) == {date(2030, 12, 31)}


def test_the_carry_over_command_is_idempotent(world, runner):
    workforce = make_workforce()
    make_syllabus(workforce.posts[0], annual_tenths=10)
    world["ta"].post_id = workforce.posts[0].id
    db.session.add(CreditEntry(person_id=world["ta"].id, year=2025, kind="required", tenths=25,
                               source_type="offline", source_id=1))
    db.session.commit()
    assert "新增 1 条" in runner.invoke(args=["study", "carry-over", "--year", "2025"]).output
    assert "新增 0 条" in runner.invoke(args=["study", "carry-over", "--year", "2025"]).output
    assert db.session.scalar(select(CreditEntry.tenths).filter_by(source_type="carry_over")) == 15


def test_a_persons_page_links_to_their_hours_and_tasks_of_the_year(world, as_user):
    this_year = clock.today().year
    db.session.add_all([
        Assignment(person_id=world["ta"].id, course_id=world["course"].id, year=this_year, cycle=this_year,
                   due_on=date(this_year, 12, 31), origin="admin"),
        Assignment(person_id=world["ta"].id, course_id=make_course("old", title="往年课程").id, year=this_year - 1,
                   due_on=date(this_year - 1, 12, 31)),
    ])
    db.session.commit()
    client = as_user("admin-a")
    detail = client.get(f"/org/people/{world['ta'].id}").data.decode()
    assert f"/study/admin/people/{world['ta'].id}/credits" in detail and "学时与培训任务" in detail
    page = client.get(f"/study/admin/people/{world['ta'].id}/credits").data.decode()
    assert "心理疏导" in page and f"{this_year} 年度重学" in page and "往年课程" not in page
    last_year = client.get(f"/study/admin/people/{world['ta'].id}/credits?year={this_year - 1}").data.decode()
    assert "往年课程" in last_year and "已逾期" in last_year and "心理疏导" not in last_year
