"""Periodic jobs: one list builds beat's schedule, the in-process tick runs a due job once, and
`flask jobs` lists and runs them."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from sqlalchemy import select

from app import scheduler
from app.extensions import db
from app.models import Assignment, ScheduledRun
from app.scheduler import PERIODIC_JOBS, PeriodicJob, beat_schedule, latest_due, tick
from tests.factories import (
    make_course,
    make_syllabus,
    make_world,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _utc(*args) -> datetime:
    """A Beijing wall-clock time as the naive UTC datetime the app stores."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


YEAR_TURN_DUE = _utc(2027, 1, 1, 0, 10)
YEAR_TURN_ONLY = (scheduler.find_job("year-turn"),)  # the frequent exam sweep is tested on its own


@pytest.fixture
def ran(monkeypatch):
    """Replace running a job's task by recording its name."""
    names = []
    monkeypatch.setattr(scheduler, "run_job", lambda job: names.append(job.name))
    return names


def test_the_job_list_builds_celery_beats_schedule(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule == beat_schedule() == {
        job.name: {"task": job.task, "schedule": job.schedule} for job in PERIODIC_JOBS}
    year_turn = schedule["year-turn"]
    assert year_turn["task"] == "app.study.tasks.year_turn_task"
    assert year_turn["schedule"] == crontab(minute=10, hour=0, day_of_month=1, month_of_year=1)
    assert app.extensions["celery"].conf.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("beijing", "due"), [
    ((2027, 1, 1, 0, 10), YEAR_TURN_DUE),
    ((2027, 1, 1, 9, 0), YEAR_TURN_DUE),
    ((2027, 1, 2, 0, 9), YEAR_TURN_DUE),  # still within the day of grace
    ((2027, 1, 2, 0, 10), None),  # a day late: run it by hand
    ((2027, 1, 1, 0, 9), None),
    ((2026, 12, 31, 23, 59), None),
])
def test_the_latest_due_time_follows_beijing_time_within_the_grace_period(beijing, due):
    assert latest_due(scheduler.find_job("year-turn"), _utc(*beijing), SHANGHAI) == due


def test_a_frequent_job_is_due_at_its_latest_slot_only():
    every_five = PeriodicJob("sweep", "x", crontab(minute="*/5"), "扫描", grace=timedelta(minutes=10))
    assert latest_due(every_five, _utc(2027, 3, 1, 8, 14, 59), SHANGHAI) == _utc(2027, 3, 1, 8, 10)


def test_the_tick_runs_a_due_job_once_and_not_twice_for_the_same_due_time(app, ran):
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE + timedelta(minutes=1)) == ["year-turn"]
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE + timedelta(minutes=2)) == []  # another worker, or the next tick
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE + timedelta(hours=5)) == []
    assert ran == ["year-turn"]
    run = db.session.scalar(select(ScheduledRun))
    assert (run.job, run.due_at, run.error) == ("year-turn", YEAR_TURN_DUE, None)
    assert run.finished_at is not None


def test_the_tick_runs_nothing_when_nothing_is_due(app, ran):
    assert tick(jobs=YEAR_TURN_ONLY, now=_utc(2027, 6, 1, 12, 0)) == []
    assert ran == [] and db.session.scalar(select(ScheduledRun)) is None


def test_a_worker_that_loses_the_claim_does_not_run_the_job(app, ran):
    db.session.add(ScheduledRun(job="year-turn", due_at=YEAR_TURN_DUE, started_at=YEAR_TURN_DUE))
    db.session.commit()
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE) == [] and ran == []


def test_the_next_year_is_a_new_due_time(app, ran):
    tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE)
    tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE.replace(year=2028))
    assert ran == ["year-turn", "year-turn"]


def test_a_failing_job_is_recorded_and_not_retried_for_the_same_due_time(app, monkeypatch):
    def fail(job):
        raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "run_job", fail)
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE) == ["year-turn"]
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE + timedelta(minutes=1)) == []
    assert "boom" in db.session.scalar(select(ScheduledRun.error))


@pytest.fixture
def newcomer(app):
    world = make_world(workforce=True, people={
        "newcomer": {"unit": "a1", "staff_no": "Y-1", "post": 0, "joined_on": date(2020, 1, 1)}})
    make_course("annual", lessons=(1,))
    make_syllabus(world["posts"][0], required=[{"course": "annual", "by_date_each_year": "03-31"}])
    return world["newcomer"]


def test_the_tick_runs_the_real_year_turn_task(app, newcomer):
    assert tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE) == ["year-turn"]  # the task itself works on the real current year
    assert db.session.scalar(select(Assignment.person_id)) == newcomer.id
    assert db.session.scalar(select(ScheduledRun.error)) is None


def test_flask_jobs_run_runs_the_job(app, runner, newcomer):
    result = runner.invoke(args=["jobs", "run", "year-turn"])
    assert result.exit_code == 0, result.output
    assert "year-turn" in result.output and "'assigned': 1" in result.output
    assert db.session.scalar(select(Assignment.person_id)) == newcomer.id


def test_flask_jobs_run_refuses_an_unknown_job(app, runner):
    result = runner.invoke(args=["jobs", "run", "nope"])
    assert result.exit_code != 0 and "year-turn" in result.output


def test_flask_jobs_list_shows_each_job_and_its_last_run(app, runner, ran):
    assert "尚未由应用内调度运行" in runner.invoke(args=["jobs", "list"]).output
    tick(jobs=YEAR_TURN_ONLY, now=YEAR_TURN_DUE)
    output = runner.invoke(args=["jobs", "list"]).output
    assert "year-turn" in output and "10 0 1 1 *" in output and "2026-12-31 16:10 UTC，完成" in output


def test_the_scheduler_thread_is_off_in_tests_and_starts_with_the_first_request_otherwise(make_app, monkeypatch):
    ticked = threading.Event()
    monkeypatch.setattr(scheduler, "tick", lambda **kwargs: ticked.set())
    testing = make_app()
    testing.test_client().get("/auth/login")
    assert testing.extensions["scheduler"]["thread"] is None

    live = make_app(TESTING=False, SCHEDULER_IN_PROCESS=True, SCHEDULER_TICK_SECONDS=0.05)
    assert live.extensions["scheduler"]["thread"] is None  # building the app (as CLI commands do) starts nothing
    live.test_client().get("/auth/login")
    state = live.extensions["scheduler"]
    try:
        assert state["thread"].daemon and ticked.wait(5)
    finally:
        state["stop"].set()
        state["thread"].join(5)


def test_the_exam_sweep_runs_every_five_minutes_and_closes_vanished_attempts(app):
    from app import clock
    from app.exams import attempts
    from app.models import Attempt
    from tests.factories import make_exam, make_exam_questions

    world = make_world(bank=True, people={"t": {"unit": "a1", "staff_no": "T"}})
    make_exam_questions(world["cat_a"], single=5)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], duration_minutes=10)
    started = clock.now() - timedelta(minutes=30)
    attempt, _ = attempts.start(exam.id, world["t"].id, now=started)
    sweep = (scheduler.find_job("exam-sweep"),)
    assert tick(jobs=sweep, now=clock.now()) == ["exam-sweep"]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == "finished"
    assert tick(jobs=sweep, now=clock.now()) == []  # the same five-minute slot runs once
