"""Periodic jobs: one list, run by Celery beat in production and by a thread in the embedded mode.

`PERIODIC_JOBS` names each job, its Celery task and a crontab schedule in the configured zone
(`TIMEZONE`, see app/clock.py). With Redis, `celery beat` reads `beat_schedule()` (built into the config).
Without Redis (the embedded mode) `init_app` starts a daemon thread at the app's first request
that calls `tick()` every `SCHEDULER_TICK_SECONDS`. `tick` runs a job when a due time lies within
the job's grace period and its process wins the claim: an insert of (job, due time) into
`scheduled_run` that a unique key lets only one gunicorn worker make. A due time missed for longer
than the grace period is not caught up; run the job by hand with `flask jobs run NAME`. The run's
row keeps what the task returned (`result`, as JSON: e.g. the reminder job's counts).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from flask import Flask
from sqlalchemy import select
from werkzeug.utils import import_string

from app import clock
from app.extensions import db, upsertable_insert
from app.models import ScheduledRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A task run on a crontab schedule; `grace` is how late a missed due time may still run."""

    name: str
    task: str  # dotted path of a Celery task taking no arguments
    schedule: crontab
    help: str
    grace: timedelta = timedelta(days=1)


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("year-turn", "app.study.tasks.year_turn_task",
                crontab(minute=10, hour=0, day_of_month=1, month_of_year=1),
                "每年 1 月 1 日 0:10：结转上一年超出的学时，按新年度下达培训任务。"),
    PeriodicJob("exam-sweep", "app.exams.tasks.close_overdue_task", crontab(minute="*/5"),
                "每 5 分钟：为浏览器已离开、时间已到的考试作答收卷并评分。", grace=timedelta(minutes=5)),
    PeriodicJob("exam-item-stats", "app.exams.tasks.refresh_item_stats_task", crontab(minute="*/15"),
                "每 15 分钟：有新交卷或新阅卷的考试，重新统计各题的实测得分率，供以后组卷平衡难度。",
                grace=timedelta(minutes=15)),
    PeriodicJob("wrong-book-release", "app.exams.tasks.wrong_book_release_task", crontab(minute="*/30"),
                "每 30 分钟：考试结束后公布答案的考试，把学员答错的题记入各自的错题本。",
                grace=timedelta(minutes=30)),
    PeriodicJob("reminders", "app.needs.tasks.send_reminders_task", crontab(minute=0, hour=8),
                "每天 8:00：催学提醒——7 天内到期和已逾期的培训任务、一天内开考的考试发给本人，"
                "各单位管理员收到所辖范围的逾期汇总（每人每天同一提醒只发一次；配置了邮件服务器时同时发邮件）。"),
)


def find_job(name: str, jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS) -> PeriodicJob | None:
    return next((job for job in jobs if job.name == name), None)


def beat_schedule(jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS) -> dict:
    """Return Celery beat's schedule for the jobs."""
    return {job.name: {"task": job.task, "schedule": job.schedule} for job in jobs}


def _matches(schedule: crontab, at: datetime) -> bool:
    return (at.minute in schedule.minute and at.hour in schedule.hour
            and at.day in schedule.day_of_month and at.month in schedule.month_of_year
            and (at.weekday() + 1) % 7 in schedule.day_of_week)  # crontab counts Sunday as 0


def latest_due(job: PeriodicJob, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the job's latest due time in (now - grace, now] as naive UTC, or None."""
    local = now.replace(tzinfo=UTC).astimezone(zone).replace(second=0, microsecond=0)
    for minutes in range(int(job.grace.total_seconds() // 60)):
        at = local - timedelta(minutes=minutes)
        if _matches(job.schedule, at):
            return at.astimezone(UTC).replace(tzinfo=None)
    return None


def _claim(job: PeriodicJob, due: datetime, now: datetime) -> int | None:
    """Insert the (job, due) row and commit; return its id, or None when another process has it."""
    run_id = db.session.scalar(
        upsertable_insert(ScheduledRun).values(job=job.name, due_at=due, started_at=now)
        .on_conflict_do_nothing().returning(ScheduledRun.id))
    db.session.commit()
    return run_id


def run_job(job: PeriodicJob):
    """Run the job's task here and now (through Celery's eager apply, so its retries apply)."""
    return import_string(job.task).apply(throw=True).get()


def tick(*, now: datetime, jobs: tuple[PeriodicJob, ...] = PERIODIC_JOBS) -> list[str]:
    """Run every job that is due at `now` (naive UTC) and not yet claimed; return their names."""
    zone = clock.zone()
    ran = []
    for job in jobs:
        due = latest_due(job, now, zone)
        run_id = _claim(job, due, now) if due is not None else None
        if run_id is None:
            continue
        error = result = None
        try:
            result = run_job(job)
        except Exception as exc:  # recorded on the run; the next due time runs again
            db.session.rollback()
            log.exception("periodic job %s failed", job.name)
            error = repr(exc)[:2000]
        run = db.session.get(ScheduledRun, run_id)
        run.finished_at, run.error = clock.now(), error
        run.result = None if result is None else json.dumps(result, ensure_ascii=False, default=str)[:2000]
        db.session.commit()
        ran.append(job.name)
    return ran


def last_runs() -> dict[str, ScheduledRun]:
    """Return each job's latest in-process run."""
    rows = db.session.scalars(select(ScheduledRun).order_by(ScheduledRun.due_at))
    return {row.job: row for row in rows}


def _loop(app: Flask, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            with app.app_context():
                tick(now=clock.now())
        except Exception:  # a broken tick (say, an unmigrated database) must not end the thread
            log.exception("periodic job scheduler tick failed")


def start_thread(app: Flask) -> threading.Thread:
    """Start the daemon thread that ticks every SCHEDULER_TICK_SECONDS (once per app)."""
    state = app.extensions["scheduler"]
    with state["lock"]:
        if state["thread"] is None:
            state["thread"] = threading.Thread(
                target=_loop, args=(app, app.config["SCHEDULER_TICK_SECONDS"], state["stop"]),
                daemon=True, name="periodic-jobs")
            state["thread"].start()
    return state["thread"]


def init_app(app: Flask) -> None:
    """In the embedded mode, start the scheduler thread with the first request (not in tests or
    CLI commands, which also build the app)."""
    app.extensions["scheduler"] = {"lock": threading.Lock(), "thread": None, "stop": threading.Event()}
    if not app.config["SCHEDULER_IN_PROCESS"] or app.testing:
        return

    @app.before_request
    def _start_scheduler():
        if app.extensions["scheduler"]["thread"] is None:
            start_thread(app)
