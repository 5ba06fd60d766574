"""Celery tasks of the exams area."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.exams import analysis, attempts


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def close_overdue_task() -> int:
    """The sweep: grade every attempt whose browser vanished once its deadline and grace passed.

    Idempotent: each attempt is closed by a conditional update of its state, so a retry or a
    second worker skips the attempts already closed.
    """
    return len(attempts.close_overdue(now=clock.now()))


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def refresh_item_stats_task() -> int:
    """Store the measured facility of the questions of every exam with new or newly marked attempts.

    Idempotent: each exam's statistics are rebuilt whole from its attempts, and an exam whose
    attempts did not change since it was last stored is skipped.
    """
    return len(analysis.refresh_changed(now=clock.now()))
