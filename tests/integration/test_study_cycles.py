"""Yearly re-study: a course required "by a date each year" is studied, completed and credited
again every year, while courses required once stay completed."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment, CreditEntry, LessonProgress, StudyClock
from app.study import assignments, cycles, pages, timing
from tests.factories import make_course, make_person, make_syllabus, make_unit, make_workforce

# 2026-05-10 10:00 and 2027-01-05 10:00 in Asia/Shanghai, as naive UTC.
MAY_2026 = datetime(2026, 5, 10, 2, 0)
JAN_2027 = datetime(2027, 1, 5, 2, 0)


@pytest.fixture
def world(app):
    post = make_workforce().posts[0]
    annual = make_course("annual", title="年度安全教育", lessons=(1, 1), credit_tenths=10)
    newcomer = make_course("newcomer", title="入职须知", lessons=(1,), credit_tenths=5)
    make_syllabus(post, required=[{"course": "annual", "within_days_of_joining": None, "by_date_each_year": "12-31"},
                                  {"course": "newcomer", "within_days_of_joining": 30, "by_date_each_year": None}])
    unit = make_unit()
    person = make_person(unit=unit, staff_no="T1", post_id=post.id, joined_on=date(2026, 5, 1))
    return {"post": post, "annual": annual, "newcomer": newcomer, "person": person, "unit": unit}


def _study(person, lesson, start: datetime, minutes: int = 1) -> None:
    """Study a lesson for `minutes` through the real clock, one heartbeat every 30 s."""
    token = timing.start_lesson(person.id, lesson.id, now=start)
    for beat in range(1, minutes * 2 + 1):
        timing.heartbeat(person.id, lesson.id, token, now=start + timedelta(seconds=30 * beat), cap=60)


def _finish(person, course, start: datetime) -> None:
    for i, lesson in enumerate(course.lessons):
        _study(person, lesson, start + timedelta(minutes=5 * i))


def _assignment(person, course, year) -> Assignment:
    db.session.expire_all()
    return db.session.scalar(select(Assignment).filter_by(person_id=person.id, course_id=course.id, year=year))


def _course_entries(person, course) -> list[tuple]:
    return [(e.year, e.cycle, e.tenths, e.kind) for e in db.session.scalars(
        select(CreditEntry).filter_by(person_id=person.id, source_type="course", source_id=course.id)
        .order_by(CreditEntry.id))]


@pytest.mark.parametrize(("rows", "cycle"), [
    ([], 0),
    ([(2026, date(2026, 12, 31), datetime(2026, 6, 1))], 2026),
    ([(2026, date(2026, 12, 31), datetime(2026, 6, 1)), (2027, date(2027, 12, 31), None)], 2027),
    ([(2027, date(2027, 12, 31), None), (2026, date(2026, 12, 31), None)], 2026),  # overdue first
    ([(0, date(2026, 7, 1), None)], 0),
])
def test_the_current_cycle_is_the_earliest_open_yearly_one_else_the_latest(rows, cycle):
    assert cycles.pick_cycle(rows) == cycle


def test_a_yearly_rule_gives_an_assignment_with_that_years_cycle(world):
    assignments.sync_assignments(world["person"].id, today=date(2026, 5, 10), year=2026)
    assert _assignment(world["person"], world["annual"], 2026).cycle == 2026
    assert _assignment(world["person"], world["newcomer"], 2026).cycle == 0


def test_last_years_completion_does_not_complete_this_years_assignment(world):
    person, annual = world["person"], world["annual"]
    assignments.sync_assignments(person.id, today=date(2026, 5, 10), year=2026)
    _finish(person, annual, MAY_2026)
    assert _assignment(person, annual, 2026).completed_at is not None

    assert assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027) == 1
    new = _assignment(person, annual, 2027)
    assert (new.cycle, new.completed_at, new.status(date(2027, 1, 1))) == (2027, None, "not_started")
    course = pages.course_view(person.id, annual.id, today=date(2027, 1, 1))
    assert (course.cycle, course.done, course.status) == (2027, 0, "not_started")


def test_studying_again_the_next_year_credits_the_course_again_and_keeps_last_years_record(world):
    person, annual = world["person"], world["annual"]
    assignments.sync_assignments(person.id, today=date(2026, 5, 10), year=2026)
    _finish(person, annual, MAY_2026)
    assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027)
    _finish(person, annual, JAN_2027)

    assert _course_entries(person, annual) == [(2026, 2026, 10, "required"), (2027, 2027, 10, "required")]
    assert _assignment(person, annual, 2027).completed_at == JAN_2027 + timedelta(minutes=5, seconds=60)
    assert _assignment(person, annual, 2026).completed_at == MAY_2026 + timedelta(minutes=5, seconds=60)
    rows = db.session.execute(select(LessonProgress.cycle, func.count(), func.sum(LessonProgress.seconds))
                              .where(LessonProgress.person_id == person.id).group_by(LessonProgress.cycle)).all()
    assert sorted(rows) == [(2026, 2, 120), (2027, 2, 120)]


def test_the_clock_keeps_the_cycle_it_started_in(world):
    person, annual = world["person"], world["annual"]
    assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027)
    timing.start_lesson(person.id, annual.lessons[0].id, now=JAN_2027)
    assert db.session.get(StudyClock, person.id).cycle == 2027


def test_a_course_required_once_stays_completed_across_the_year_turn(world):
    person, newcomer = world["person"], world["newcomer"]
    assignments.sync_assignments(person.id, today=date(2026, 5, 10), year=2026)
    _finish(person, newcomer, MAY_2026)
    assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027)
    mine = db.session.scalars(select(Assignment).filter_by(person_id=person.id, course_id=newcomer.id)).all()
    assert [(a.year, a.cycle, a.completed_at is not None) for a in mine] == [(2026, 0, True)]
    assert _course_entries(person, newcomer) == [(2026, 0, 5, "required")]


def test_an_unfinished_course_required_once_is_not_assigned_again_at_the_year_turn(world):
    person, newcomer = world["person"], world["newcomer"]
    assignments.sync_assignments(person.id, today=date(2026, 5, 10), year=2026)
    assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027)
    assert db.session.scalar(select(func.count()).select_from(Assignment)
                             .filter_by(person_id=person.id, course_id=newcomer.id)) == 1


def test_my_learning_shows_each_assignment_with_its_own_years_progress(world):
    person, annual = world["person"], world["annual"]
    assignments.sync_assignments(person.id, today=date(2026, 5, 10), year=2026)
    _finish(person, annual, MAY_2026)
    assignments.sync_assignments(person.id, today=date(2027, 1, 1), year=2027)
    _study(person, annual.lessons[0], JAN_2027)
    overview = pages.my_learning(person.id, today=date(2027, 1, 5))
    shown = {(item.course.slug, item.cycle): (item.done, item.status) for item in overview.assigned}
    assert shown[("annual", 2027)] == (1, "in_progress")
    lesson = pages.lesson_view(person.id, annual.lessons[1].id)
    assert (lesson.row.seconds, lesson.row.completed) == (0, False)


def test_an_admin_can_ask_for_restudy_of_a_finished_course(world):
    person, newcomer = world["person"], world["newcomer"]
    _finish(person, newcomer, MAY_2026)
    admin_scope = Scope((world["unit"].path,))
    assignments.assign_course(person.id, admin_scope, course_id=newcomer.id, due_on=date(2026, 9, 30),
                              today=date(2026, 5, 10), staff_nos=["T1"], restudy=True)
    again = _assignment(person, newcomer, 2026)
    assert (again.cycle, again.completed_at) == (2026, None)
    _finish(person, newcomer, MAY_2026 + timedelta(days=1))
    assert _assignment(person, newcomer, 2026).completed_at is not None
    assert [c for _, c, _, _ in _course_entries(person, newcomer)] == [0, 2026]


def test_an_admin_assignment_of_a_finished_course_starts_completed_without_restudy(world):
    person, newcomer = world["person"], world["newcomer"]
    _finish(person, newcomer, MAY_2026)
    assignments.assign_course(person.id, Scope((world["unit"].path,)), course_id=newcomer.id,
                              due_on=date(2026, 9, 30), today=date(2026, 5, 10), staff_nos=["T1"])
    assignment = _assignment(person, newcomer, 2026)
    assert (assignment.cycle, assignment.completed_at) == (0, MAY_2026 + timedelta(seconds=60))


def test_heartbeat_times_are_whole_seconds_so_intervals_add_up(world):
    person, lesson = world["person"], world["annual"].lessons[0]
    start = MAY_2026 + timedelta(microseconds=900_000)
    token = timing.start_lesson(person.id, lesson.id, now=start)
    credited = [timing.heartbeat(person.id, lesson.id, token, now=start + timedelta(seconds=s, microseconds=m),
                                cap=60).credited for s, m in ((29, 500_000), (59, 200_000), (89, 0))]
    # The page ran from 10:00:00.9 to 10:01:29.9: 89 whole seconds, none lost between beats.
    assert sum(credited) == 89
