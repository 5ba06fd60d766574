"""The lesson page's study clock over HTTP: start, heartbeats, takeover, 404s and the SQL budget."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import LessonProgress, StudyClock
from tests.factories import make_course, make_person, make_unit
from tests.sql_budget import count_statements


class FakeClock:
    def __init__(self):
        self.now = datetime(2026, 4, 1, 2, 0, 0)

    def __call__(self):
        return self.now

    def advance(self, seconds: int):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def setup(app, as_user, fake_clock):
    person = make_person(unit=make_unit(), staff_no="T1")
    lesson = make_course(lessons=(1, 5)).lessons[0]
    return as_user("T1"), person, lesson


def _start(client, lesson_id) -> str:
    response = client.post(f"/study/lessons/{lesson_id}/start")
    assert response.status_code == 200
    return response.get_json()["token"]


def _beat(client, lesson_id, token):
    return client.post(f"/study/lessons/{lesson_id}/beat", data={"token": token},
                       headers={"Accept": "application/json"})


def _progress(person, lesson) -> LessonProgress | None:
    db.session.expire_all()
    return db.session.scalar(select(LessonProgress).filter_by(person_id=person.id, lesson_id=lesson.id))


def test_heartbeats_over_http_credit_real_time_until_the_lesson_completes(setup, fake_clock):
    client, person, lesson = setup
    token = _start(client, lesson.id)
    assert db.session.get(StudyClock, person.id).token == token
    assert _beat(client, lesson.id, token).get_json()["credited"] == 0
    fake_clock.advance(30)
    assert _beat(client, lesson.id, token).get_json() == {"active": True, "credited": 30, "seconds": 30,
                                                          "completed": False}
    fake_clock.advance(30)
    assert _beat(client, lesson.id, token).get_json()["completed"] is True
    row = _progress(person, lesson)
    assert row.seconds == 60 and row.completed_at == fake_clock.now


def test_a_client_sent_duration_is_ignored(setup, fake_clock):
    client, person, lesson = setup
    token = _start(client, lesson.id)
    fake_clock.advance(5)
    response = client.post(f"/study/lessons/{lesson.id}/beat", data={"token": token, "seconds": 3600})
    assert response.get_json()["credited"] == 5
    assert _progress(person, lesson).seconds == 5


def test_a_second_tab_takes_over_the_clock(setup, fake_clock, as_user):
    client, person, lesson = setup
    first = _start(client, lesson.id)
    other_device = as_user("T1")
    second = _start(other_device, lesson.id)
    fake_clock.advance(30)
    assert _beat(client, lesson.id, first).get_json() == {"active": False, "credited": 0, "seconds": None,
                                                          "completed": False}
    assert _beat(other_device, lesson.id, second).get_json()["credited"] == 30
    assert _progress(person, lesson).seconds == 30


def test_another_persons_token_earns_nothing(setup, fake_clock, as_user):
    client, person, lesson = setup
    token = _start(client, lesson.id)
    make_person(unit=make_unit(), staff_no="T2")
    thief = as_user("T2")
    fake_clock.advance(30)
    assert _beat(thief, lesson.id, token).get_json()["active"] is False
    assert _progress(person, lesson) is None


def test_a_missing_lesson_answers_404_in_json(setup):
    client, _person, _lesson = setup
    response = _beat(client, 9999, "x")
    assert response.status_code == 404 and "课时不存在" in response.get_json()["error"]
    assert client.post("/study/lessons/9999/start").status_code == 404
    assert db.session.scalars(select(StudyClock)).all() == [] and db.session.scalars(select(LessonProgress)).all() == []


def test_heartbeats_need_a_login(app, client):
    lesson = make_course().lessons[0]
    assert client.post(f"/study/lessons/{lesson.id}/beat", data={"token": "x"}).status_code == 302
    assert client.post(f"/study/lessons/{lesson.id}/start").status_code == 302
    assert db.session.scalars(select(StudyClock)).all() == []


@pytest.mark.parametrize("owner", [True, False])
def test_a_heartbeat_costs_at_most_three_sql_statements_including_the_login(setup, fake_clock, owner):
    client, _person, lesson = setup
    token = _start(client, lesson.id)
    _beat(client, lesson.id, token)
    fake_clock.advance(20)
    lesson_id = lesson.id
    db.session.commit()
    with count_statements() as statements:
        response = _beat(client, lesson_id, token if owner else "stale")
    assert response.status_code == 200 and response.get_json()["active"] is owner
    assert len(statements) <= 3, statements
