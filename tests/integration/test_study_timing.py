"""Server-side study time: what each heartbeat earns, and lesson and course completion."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import NotFound
from app.extensions import db
from app.models import CreditEntry, LessonProgress
from app.study import progress, timing
from tests.factories import make_course, make_person, make_syllabus, make_unit, make_workforce

T0 = datetime(2026, 3, 2, 1, 0, 0)
CAP = 60


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _seconds(person, lesson) -> int:
    db.session.expire_all()
    row = db.session.scalar(select(LessonProgress).filter_by(person_id=person.id, lesson_id=lesson.id))
    return row.seconds if row else 0


@pytest.fixture
def learner(app):
    person = make_person(unit=make_unit())
    course = make_course(lessons=(2, 1))
    return person, course, course.lessons[0]


def _beat(person, lesson, token, at):
    return timing.heartbeat(person.id, lesson.id, token, now=_at(at), cap=CAP)


def test_the_first_heartbeat_credits_nothing(learner):
    person, _course, lesson = learner
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    assert _beat(person, lesson, token, 0).credited == 0
    assert _seconds(person, lesson) == 0


def test_a_heartbeat_thirty_seconds_later_credits_thirty_seconds(learner):
    person, _course, lesson = learner
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    beat = _beat(person, lesson, token, 30)
    assert (beat.active, beat.credited, beat.seconds) == (True, 30, 30)
    assert _seconds(person, lesson) == 30


def test_forged_early_heartbeats_earn_only_the_real_elapsed_time(learner):
    person, _course, lesson = learner
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    credits = [_beat(person, lesson, token, at).credited for at in (1, 2, 3, 5, 30)]
    assert credits == [1, 1, 1, 2, 25]
    assert _seconds(person, lesson) == 30


def test_a_gap_longer_than_the_cap_credits_nothing_and_restarts_the_interval(learner):
    person, _course, lesson = learner
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    assert _beat(person, lesson, token, 30).credited == 30
    assert _beat(person, lesson, token, 30 + CAP + 1).credited == 0
    assert _beat(person, lesson, token, 30 + CAP + 1 + 30).credited == 30
    assert _seconds(person, lesson) == 60


def test_a_second_tab_takes_over_and_the_first_tab_earns_nothing(learner):
    person, _course, lesson = learner
    first = timing.start_lesson(person.id, lesson.id, now=_at(0))
    second = timing.start_lesson(person.id, lesson.id, now=_at(1))
    old = _beat(person, lesson, first, 30)
    assert (old.active, old.credited) == (False, 0)
    assert _beat(person, lesson, second, 31).credited == 30
    assert _seconds(person, lesson) == 30


def test_studying_another_lesson_stops_the_clock_of_the_first(learner):
    person, course, lesson = learner
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    timing.start_lesson(person.id, course.lessons[1].id, now=_at(10))
    assert _beat(person, lesson, token, 30).active is False
    assert _beat(person, course.lessons[1], token, 30).active is False
    assert _seconds(person, lesson) == 0


def test_a_lesson_outside_any_assignment_is_studied_normally(learner):
    person, _course, _lesson = learner
    other = make_course(lessons=(5,)).lessons[0]
    token = timing.start_lesson(person.id, other.id, now=_at(0))
    assert _beat(person, other, token, 30).credited == 30


def test_a_missing_lesson_is_not_found(learner):
    person, _course, lesson = learner
    with pytest.raises(NotFound):
        timing.start_lesson(person.id, 9999, now=_at(0))
    with pytest.raises(NotFound):
        timing.heartbeat(person.id, 9999, "whatever", now=_at(0), cap=CAP)


def test_a_lesson_completes_when_its_minimum_minutes_are_credited(learner):
    person, course, _lesson = learner
    lesson = course.lessons[1]  # 1 minute
    token = timing.start_lesson(person.id, lesson.id, now=_at(0))
    assert _beat(person, lesson, token, 30).completed is False
    beat = _beat(person, lesson, token, 60)
    assert beat.completed is True
    row = db.session.scalar(select(LessonProgress).filter_by(person_id=person.id, lesson_id=lesson.id))
    assert row.completed_at == _at(60)
    assert _beat(person, lesson, token, 90).completed is True
    db.session.expire_all()
    assert db.session.get(LessonProgress, row.id).completed_at == _at(60)


def _study(person, lesson, start: int, minutes: int) -> int:
    token = timing.start_lesson(person.id, lesson.id, now=_at(start))
    for i in range(1, minutes * 2 + 1):
        _beat(person, lesson, token, start + 30 * i)
    return start + 30 * minutes * 2 + 100


def _credit_entries(person) -> list[CreditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(CreditEntry).filter_by(person_id=person.id)))


def test_finishing_every_lesson_credits_the_course_exactly_once(app):
    workforce = make_workforce()
    person = make_person(unit=make_unit(), post_id=workforce.posts[0].id)
    course = make_course(lessons=(2, 1), credit_tenths=15)
    make_syllabus(workforce.posts[0], required=[{"course": course.slug, "within_days_of_joining": 30}])
    at = _study(person, course.lessons[0], 0, 2)
    assert _credit_entries(person) == []
    _study(person, course.lessons[1], at, 2)
    entries = _credit_entries(person)
    assert [(e.kind, e.tenths, e.source_type, e.source_id, e.year) for e in entries] == [
        ("required", 15, "course", course.id, 2026)]
    assert progress.complete_course(person.id, course.id, now=_at(9999)) is None
    db.session.commit()
    assert len(_credit_entries(person)) == 1


def test_a_course_outside_the_syllabus_credits_elective_hours(app):
    person = make_person(unit=make_unit())
    course = make_course(lessons=(1,), credit_tenths=5)
    _study(person, course.lessons[0], 0, 1)
    assert [(e.kind, e.tenths) for e in _credit_entries(person)] == [("elective", 5)]


@pytest.mark.parametrize(("minutes", "tenths"), [(0, 0), (14, 0), (15, 5), (29, 5), (30, 10), (50, 15), (95, 30)])
def test_studied_minutes_convert_to_tenths_by_the_tiers(minutes, tenths):
    assert progress.tenths_for_minutes(minutes, [(30, 10), (15, 5)]) == tenths


def test_a_course_without_fixed_credit_converts_its_studied_minutes(make_app):
    app = make_app(CREDIT_TIERS=[(10, 3)])
    with app.app_context():
        person = make_person(unit=make_unit())
        course = make_course(lessons=(12, 9), credit_tenths=0)
        at = _study(person, course.lessons[0], 0, 12)
        _study(person, course.lessons[1], at, 9)
        assert [e.tenths for e in _credit_entries(person)] == [6]  # 21 minutes → two 10-minute tiers


def test_the_course_entry_lands_in_the_local_year(app):
    person = make_person(unit=make_unit())
    lesson = make_course(lessons=(1,)).lessons[0]
    start = datetime(2026, 12, 31, 16, 30)  # already 2027-01-01 in Beijing
    token = timing.start_lesson(person.id, lesson.id, now=start)
    for i in (1, 2):
        timing.heartbeat(person.id, lesson.id, token, now=start + timedelta(seconds=30 * i), cap=CAP)
    assert db.session.scalar(select(func.max(CreditEntry.year))) == 2027
