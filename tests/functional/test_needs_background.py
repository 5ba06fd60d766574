"""An exam attempt's mastery update runs after the request, in the background: in the embedded mode
(eager Celery, not testing) on the `needs` lane, one thread per process, in the order announced;
`wait_for_background` waits for it (the demo loader does). Tests elsewhere run it inline."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.celery_app import run_in_background, wait_for_background
from app.extensions import db
from app.models import CompetencyMastery, MasteryEvidence
from app.needs import updates
from app.needs.tasks import follow_exam_attempt_task
from tests.functional.test_needs_mastery import formal_exam, sit
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture


def evidence_count() -> int:
    db.session.rollback()  # a fresh read, and no transaction left open for the lane's writes
    count = db.session.scalar(select(func.count()).select_from(MasteryEvidence))
    db.session.rollback()
    return count


def test_a_submit_returns_before_the_update_which_the_lane_then_runs(world, app, monkeypatch):
    exam = formal_exam(world, attempts_allowed=2)
    release, ran = threading.Event(), []
    real = updates.follow_exam_attempt

    def held(attempt_id, *, now):
        assert release.wait(30)
        ran.append((attempt_id, threading.current_thread().name))
        return real(attempt_id, now=now)

    monkeypatch.setattr(updates, "follow_exam_attempt", held)
    monkeypatch.setitem(app.config, "TESTING", False)  # the embedded mode: eager Celery, a server
    first = sit(exam.id, world["ta"].id, 3)
    second = sit(exam.id, world["tb"].id, 1)
    assert evidence_count() == 0 and ran == []  # both submits answered; their updates wait in the lane
    release.set()
    wait_for_background(timeout=30)
    assert [a for a, _ in ran] == [first, second]  # in the order announced
    assert {name for _, name in ran} == {ran[0][1]} and ran[0][1].startswith("lane-needs")
    assert evidence_count() == 2 * 4 * 2  # two attempts of 4 questions, each naming 2 competencies
    people = db.session.scalars(select(CompetencyMastery.person_id).distinct()).all()
    assert sorted(people) == sorted([world["ta"].id, world["tb"].id])


def test_a_failing_update_is_logged_and_the_lane_goes_on(world, app, monkeypatch, caplog):
    calls = []

    def failing(attempt_id, *, now):
        calls.append(attempt_id)
        if attempt_id == 1:
            raise ValueError("boom")

    monkeypatch.setattr(updates, "follow_exam_attempt", failing)
    monkeypatch.setitem(app.config, "TESTING", False)
    db.session.commit()
    run_in_background(follow_exam_attempt_task, 1)
    run_in_background(follow_exam_attempt_task, 2)
    wait_for_background(timeout=30)
    assert calls == [1, 2]
    assert "follow_exam_attempt_task" in caplog.text and "boom" in caplog.text
