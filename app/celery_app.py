"""Celery bound to the Flask app, following Flask's Celery pattern."""

import threading

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

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
