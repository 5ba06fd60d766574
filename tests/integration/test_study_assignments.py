"""Assignments from post syllabi (both deadline kinds) and by admins within their scope."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import Assignment, AuditEntry, CreditEntry
from app.study import assignments
from app.study.tasks import sync_assignments_task
from tests.factories import make_course, make_person, make_syllabus, make_world

TODAY = date(2026, 5, 10)


@pytest.fixture
def world(app):
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-desk", "窗口服务"))}, people={
        "trainee": {"unit": "a1", "staff_no": "T-A", "post": 0, "joined_on": date(2026, 5, 1)}})
    world["post"], world["other_post"] = world["posts"]
    world["newcomer"] = make_course("newcomer", lessons=(1,))
    world["annual"] = make_course("annual", lessons=(1,))
    world["extra"] = make_course("extra", lessons=(1,))
    make_syllabus(world["post"], required=[
        {"course": "newcomer", "within_days_of_joining": 30},
        {"course": "annual", "by_date_each_year": "03-31"},
        {"course": "not-synced-yet", "within_days_of_joining": 10},
    ])
    return world


def _mine(person) -> dict[str, tuple]:
    rows = db.session.scalars(select(Assignment).filter_by(person_id=person.id))
    return {a.course.slug: (a.due_on, a.year, a.origin) for a in rows}


def test_syllabus_assignments_get_both_kinds_of_due_date(world):
    assert assignments.sync_assignments(world["trainee"].id, today=TODAY) == 2
    assert _mine(world["trainee"]) == {
        "newcomer": (date(2026, 5, 31), 2026, "syllabus"),
        "annual": (date(2027, 3, 31), 2027, "syllabus"),  # this year's 03-31 has passed
    }
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment_sync"))


def test_syncing_again_creates_nothing_new(world):
    assignments.sync_assignments(world["trainee"].id, today=TODAY)
    assert assignments.sync_assignments(world["trainee"].id, today=TODAY) == 0
    assert len(_mine(world["trainee"])) == 2


def test_a_given_year_sets_the_annual_due_date_in_that_year(world):
    assignments.sync_assignments(world["trainee"].id, today=TODAY, year=2026)
    assert _mine(world["trainee"])["annual"][:2] == (date(2026, 3, 31), 2026)


@pytest.mark.parametrize(("rule", "due"), [
    ({"course": "x", "within_days_of_joining": 10, "by_date_each_year": None}, date(2026, 5, 11)),
    ({"course": "x", "within_days_of_joining": None, "by_date_each_year": "05-10"}, date(2026, 5, 10)),
    ({"course": "x", "within_days_of_joining": None, "by_date_each_year": "02-29"}, date(2027, 2, 28)),
    ({"course": "x"}, None),
])
def test_synced_rules_with_both_keys_give_the_right_due_date(rule, due):
    assert assignments.due_date(rule, joined_on=date(2026, 5, 1), today=TODAY) == due


def test_an_unknown_join_date_counts_from_today(world):
    person = make_person(unit=world["a1"], post_id=world["post"].id)
    assignments.sync_assignments(person.id, today=TODAY)
    assert _mine(person)["newcomer"][0] == date(2026, 6, 9)


def test_a_course_already_completed_gives_a_completed_assignment(world):
    done_at = datetime(2026, 1, 2, 3, 4)
    db.session.add(CreditEntry(person_id=world["trainee"].id, year=2026, kind="required", tenths=10,
                               source_type="course", source_id=world["newcomer"].id, created_at=done_at))
    db.session.commit()
    assignments.sync_assignments(world["trainee"].id, today=TODAY)
    row = db.session.scalar(select(Assignment).filter_by(course_id=world["newcomer"].id))
    assert row.completed_at == done_at and row.status(TODAY) == "completed"


def test_the_task_syncs_the_given_people(world):
    other = make_person(unit=world["b1"], post_id=world["post"].id)
    make_person(unit=world["b1"], post_id=world["other_post"].id)
    ids = [world["trainee"].id, other.id]
    db.session.commit()  # the task runs in its own app context and session
    assert sync_assignments_task(ids) == 4


@pytest.mark.parametrize(("started", "completed", "due", "status"), [
    (None, None, date(2026, 6, 1), "not_started"),
    (datetime(2026, 5, 1), None, date(2026, 6, 1), "in_progress"),
    (datetime(2026, 5, 1), None, date(2026, 5, 9), "overdue"),
    (None, datetime(2026, 5, 1), date(2026, 5, 9), "completed"),
])
def test_assignment_status_follows_progress_and_dates(started, completed, due, status):
    assignment = Assignment(due_on=due, started_at=started, completed_at=completed)
    assert assignment.status(TODAY) == status


def test_an_admin_assigns_a_course_to_their_unit_subtree(world):
    make_person(unit=world["a"], staff_no="A-TOP")
    make_person(unit=world["b1"], staff_no="B-1")
    created, skipped = assignments.assign_course(
        world["admin_a"].id, Scope((world["a"].path,)), course_id=world["extra"].id, due_on=date(2026, 6, 30),
        today=TODAY, unit_id=world["a"].id)
    staff = set(db.session.scalars(select(Assignment.person_id).filter_by(course_id=world["extra"].id)))
    assert (created, skipped) == (3, 0)  # admin-a, A-TOP, T-A; nobody from brigade B
    assert world["trainee"].id in staff and world["admin_b"].id not in staff
    again = assignments.assign_course(
        world["admin_a"].id, Scope((world["a"].path,)), course_id=world["extra"].id, due_on=date(2026, 7, 30),
        today=TODAY, staff_nos=["T-A"])
    assert again == (0, 1)


def test_an_admin_assigns_by_post_only_inside_their_scope(world):
    make_person(unit=world["b1"], staff_no="B-1", post_id=world["post"].id)
    created, _ = assignments.assign_course(
        world["admin_a"].id, Scope((world["a"].path,)), course_id=world["extra"].id, due_on=date(2026, 6, 30),
        today=TODAY, post_id=world["post"].id)
    assert created == 1


@pytest.mark.parametrize("target", [{"unit_id": "b"}, {"staff_nos": ["T-A", "admin-b"]}, {"staff_nos": ["nobody"]}])
def test_targets_outside_the_scope_are_not_found_and_nothing_is_written(world, target):
    if "unit_id" in target:
        target = {"unit_id": world["b"].id}
    with pytest.raises(NotFound):
        assignments.assign_course(world["admin_a"].id, Scope((world["a"].path,)), course_id=world["extra"].id,
                                  due_on=date(2026, 6, 30), today=TODAY, **target)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


@pytest.mark.parametrize("bad", [
    {"due_on": date(2026, 5, 9), "staff_nos": ["T-A"]},
    {"due_on": date(2026, 6, 9)},
    {"due_on": date(2026, 6, 9), "staff_nos": ["T-A"], "post_id": 1},
])
def test_bad_assignment_requests_are_refused(world, bad):
    with pytest.raises(DomainError):
        assignments.assign_course(world["admin_a"].id, Scope((world["a"].path,)), course_id=world["extra"].id,
                                  today=TODAY, **bad)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
