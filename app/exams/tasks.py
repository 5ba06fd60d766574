"""Celery tasks of the exams area."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.exams import attempts


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def close_overdue_task() -> int:
    """The sweep: grade every attempt whose browser vanished once its deadline and grace passed.

    Idempotent: each attempt is closed by a conditional update of its state, so a retry or a
    second worker skips the attempts already closed.
    """
    return len(attempts.close_overdue(now=clock.now()))
