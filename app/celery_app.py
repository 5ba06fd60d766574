"""Celery bound to the Flask app, following Flask's Celery pattern."""

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from celery import Celery, Task
from flask import Flask
from sqlalchemy.exc import OperationalError

# What a task may retry: errors that pass by themselves (SQLite's "database is locked" after the
# busy timeout, a PostgreSQL connection dropped or a failover). Tasks that declare these must be
# idempotent: a retry runs the whole task again. Backoff 1, 2, 4, ... s (jittered), at most 5 tries.
RETRY_TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 300,
                   "retry_jitter": True, "max_retries": 5}


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

        def apply(self, args=None, kwargs=None, throw=None, **options):
            """Run eagerly, retrying as a worker would (without the countdown).

            When eager exceptions propagate, Celery re-raises a task's first Retry instead of
            running the retry; so trace without propagating and raise the final error here.
            """
            throw = self.app.conf.task_eager_propagates if throw is None else throw
            result = super().apply(args, kwargs, throw=False, **options)
            if throw:
                result.maybe_throw()
            return result

    app.before_request(_request_began)
    app.teardown_request(_request_ended)
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


_lanes: dict[tuple[int, str], ThreadPoolExecutor] = {}
_lanes_lock = threading.Lock()
_log = logging.getLogger(__name__)

# A lane's task waits while this process serves requests: until none is in flight and none began
# for QUIET seconds, at most MAX_DEFER seconds (then it runs beside them). A storm of submits is
# answered first and the lane catches up after it (bench/RESULTS.md, "Submit storm").
QUIET, MAX_DEFER = 0.3, 30.0
_traffic = {"in_flight": 0, "last": 0.0}


def _request_began() -> None:
    with _lanes_lock:
        _traffic["in_flight"] += 1
        _traffic["last"] = time.monotonic()


def _request_ended(_error=None) -> None:
    with _lanes_lock:
        _traffic["in_flight"] = max(0, _traffic["in_flight"] - 1)
        _traffic["last"] = time.monotonic()


def _wait_for_quiet() -> None:
    until = time.monotonic() + MAX_DEFER
    while time.monotonic() < until:
        with _lanes_lock:
            busy = _traffic["in_flight"] or time.monotonic() - _traffic["last"] < QUIET
        if not busy:
            return
        time.sleep(QUIET / 3)


def _lane(name: str) -> ThreadPoolExecutor:
    """The process's one thread for a lane (made after gunicorn's fork, in the worker that uses it)."""
    with _lanes_lock:
        key = (os.getpid(), name)
        if key not in _lanes:
            _lanes[key] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{name}")
        return _lanes[key]


def _run_logged(task, args) -> None:
    _wait_for_quiet()
    try:
        task.apply(args)
    except Exception:  # a thread of its own: nobody else would see it
        _log.exception("后台任务 %s%r 失败", task.name, args)


def wait_for_background(timeout: float | None = None) -> None:
    """Wait until the lanes of this process have run what was queued so far (embedded mode; the demo
    loader waits so, before it reads what the tasks write). Tasks on plain threads are not waited for."""
    with _lanes_lock:
        pools = [pool for (pid, _name), pool in _lanes.items() if pid == os.getpid()]
    for pool in pools:
        pool.submit(lambda: None).result(timeout)


def run_in_background(task, *args) -> None:
    """Enqueue a task; in the embedded mode (eager Celery, no broker) run it on a thread.

    Without a worker, `delay` would run the task inside the request; a thread lets the request
    return at once and the page show the task's progress. Tests keep tasks inline.
    A task declared with a lane (`@shared_task(lane="needs", …)`) runs, in the embedded mode, on
    that lane's one thread per process, in the order enqueued, once the process has served no
    request for `QUIET` seconds (at most `MAX_DEFER` later): a storm of small tasks (every handed-in
    attempt's mastery update) waits behind the storm's requests instead of starting hundreds of
    threads that fight them for the interpreter and SQLite's write lock.
    """
    from flask import current_app

    from app.extensions import db

    # Callers enqueue after their commit. Refuse loudly if they did not (ending the transaction
    # would drop their changes), then end the read transaction the commit may have left open (a
    # read of an expired attribute begins one), or an inline task would wait on SQLite's write lock.
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("run_in_background needs the caller's changes committed first")
    db.session.rollback()
    if not task.app.conf.task_always_eager or current_app.testing:
        task.delay(*args)
        return
    lane = getattr(task, "lane", None)
    if lane:
        _lane(lane).submit(_run_logged, task, args)
        return
    threading.Thread(target=task.apply, args=(args,), daemon=True, name=f"task-{task.name}").start()
