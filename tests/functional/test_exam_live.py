"""The live view (监考): each person's state in the JSON the page polls, adding time, closing an attempt
now, and a statement count that does not grow with the audience."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.events import attempt_finished, subscribe
from app.exams import attempts
from app.extensions import db
from app.models import Attempt, AuditEntry, ExamOverride
from tests.factories import make_exam, make_exam_questions, make_person, make_world
from tests.sql_budget import statements_for


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, people={
        "t1": {"unit": "a1", "staff_no": "T1", "name": "学员甲"},
        "t2": {"unit": "a1", "staff_no": "T2", "name": "学员乙"}})
    make_exam_questions(world["cat_a"], single=12, difficulty=3)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a1"]], duration_minutes=30, switch_limit=2,
                     rules=(("一、单选题", "single", 4, 500),))
    exam.owner_unit_id = exam.blueprint.owner_unit_id = world["a"].id
    db.session.commit()
    world["exam"] = exam
    return world


FINISHED: list[int] = []


def _on_finished(_app, **payload):  # module level: the signal keeps only a weak reference
    FINISHED.append(payload["attempt_id"])


def _right(item) -> str:
    return "ABC"[item.option_order.index("A")]


def test_the_live_json_shows_who_has_not_started_is_answering_or_has_finished(app, as_user, world):
    exam, now = world["exam"], clock.now()
    running, _ = attempts.start(exam.id, world["t1"].id, now=now - timedelta(minutes=5))
    attempts.save_answer(running.id, world["t1"].id, 1, 1, _right(running.items[0]), now=now - timedelta(minutes=2))
    attempts.record_events(running.id, world["t1"].id, [{"type": "hidden"}, {"type": "visible"}], now=now)
    done, _ = attempts.start(exam.id, world["t2"].id, now=now - timedelta(minutes=20))
    for item in done.items[:3]:
        attempts.save_answer(done.id, world["t2"].id, item.slot, 1, _right(item), now=now - timedelta(minutes=15))
    attempts.submit(done.id, world["t2"].id, now=now - timedelta(minutes=10))
    data = as_user("inst-a").get(f"/exams/manage/{exam.id}/live.json").json
    rows = {row["staff_no"]: row for row in data["rows"]}
    assert set(rows) == {"T1", "T2", "trainee-a"}
    assert data["counts"] == {"not_started": 1, "in_progress": 1, "overdue": 0, "finished": 1}
    t1, t2 = rows["T1"], rows["T2"]
    assert (t1["state"], t1["state_label"], t1["switches"], t1["flagged"]) == ("in_progress", "作答中", 1, False)
    assert t1["saved"] == clock.format_local_dt(now - timedelta(minutes=2))
    assert 24 * 60 <= t1["seconds_left"] <= 25 * 60
    assert (t2["state"], t2["score"], t2["passed"]) == ("finished", "15 / 20", True)
    assert rows["trainee-a"]["state"] == "not_started" and rows["trainee-a"]["unit"] == "交警支队/一大队/一中队"
    page = as_user("inst-a").get(f"/exams/manage/{exam.id}/live").data.decode()
    assert "exam-live.js" in page and f'data-person="{world["t1"].id}"' in page and "立即收卷" in page


def test_adding_time_moves_the_running_deadline_and_records_an_override(app, as_user, world):
    exam, now = world["exam"], clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    deadline = attempt.deadline
    client, url = as_user("inst-a"), f"/exams/manage/{exam.id}/live/{world['t1'].id}/time"
    assert client.post(url, data={"minutes": "10"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ExamOverride)) == 0
    assert client.post(url, data={"minutes": "10", "reason": "电脑死机重启"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == deadline + timedelta(minutes=10)
    override = db.session.scalar(select(ExamOverride))
    assert (override.person_id, override.extra_minutes, override.reason) == (world["t1"].id, 10, "电脑死机重启")
    (entry,) = _audits("exam_add_time")
    assert entry.detail["minutes"] == 10 and entry.detail["attempt_id"] == attempt.id
    assert client.post(url, data={"minutes": "5", "reason": "再加五分钟"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline == deadline + timedelta(minutes=15)
    assert db.session.scalar(select(ExamOverride)).extra_minutes == 15


def test_time_added_near_the_close_moves_the_persons_own_close(app, as_user, world):
    exam, now = world["exam"], clock.now()
    exam.closes_at = now + timedelta(minutes=10)
    db.session.commit()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    assert attempt.deadline == exam.closes_at
    assert as_user("inst-a").post(f"/exams/manage/{exam.id}/live/{world['t1'].id}/time",
                                  data={"minutes": "20", "reason": "停电"}).status_code == 302
    db.session.expire_all()
    override = db.session.scalar(select(ExamOverride))
    assert db.session.get(Attempt, attempt.id).deadline == exam.closes_at + timedelta(minutes=20) == override.closes_at


def test_closing_an_attempt_now_grades_it_audits_and_announces(app, as_user, world):
    finished = FINISHED
    finished.clear()
    subscribe(app, attempt_finished, _on_finished)
    exam, now = world["exam"], clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    attempts.save_answer(attempt.id, world["t1"].id, 1, 1, _right(attempt.items[0]), now=now)
    client, url = as_user("inst-a"), f"/exams/manage/{exam.id}/live/{world['t1'].id}/close"
    assert client.post(url, data={}).status_code == 400
    assert client.post(f"/exams/manage/{exam.id}/live/{world['t2'].id}/close",
                       data={"reason": "没有在作答"}).status_code == 409
    assert not _audits("exam_close_attempt") and finished == []
    assert client.post(url, data={"reason": "发现作弊"}).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.state, attempt.submitted_by, attempt.score, attempt.passed) == ("finished", "proctor", 500, False)
    (entry,) = _audits("exam_close_attempt")
    assert entry.detail == {"person_id": world["t1"].id, "attempt_id": attempt.id, "reason": "发现作弊"}
    assert finished == [attempt.id]
    assert client.post(url, data={"reason": "再收一次"}).status_code == 409


def test_the_live_view_costs_the_same_statements_for_three_or_twelve_people(app, as_user, world):
    exam, now = world["exam"], clock.now()
    client = as_user("inst-a")
    attempts.start(exam.id, world["t1"].id, now=now)
    few = statements_for(client, f"/exams/manage/{exam.id}/live.json")
    page_few = statements_for(client, f"/exams/manage/{exam.id}/live")
    for number in range(9):
        person = make_person(unit=world["a1"], staff_no=f"X{number}")
        attempt, _ = attempts.start(exam.id, person.id, now=now)
        attempts.save_answer(attempt.id, person.id, 1, 1, "A", now=now)
        if number % 2:
            attempts.submit(attempt.id, person.id, now=now)
    assert len(client.get(f"/exams/manage/{exam.id}/live.json").json["rows"]) == 12
    assert statements_for(client, f"/exams/manage/{exam.id}/live.json") == few
    assert statements_for(client, f"/exams/manage/{exam.id}/live") == page_few
