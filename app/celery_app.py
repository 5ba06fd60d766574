"""Celery bound to the Flask app, following Flask's Celery pattern."""

import threading

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

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def run_in_background(task, *args) -> None:
    """Enqueue a task; in the embedded mode (eager Celery, no broker) run it on a thread.

    Without a worker, `delay` would run the task inside the request; a thread lets the request
    return at once and the page show the task's progress. Tests keep tasks inline.
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
    threading.Thread(target=task.apply, args=(args,), daemon=True, name=f"task-{task.name}").start()
