"""Celery tasks of the needs area."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.needs import reminders, updates


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def send_reminders_task() -> dict:
    """The `reminders` job (催学): today's reminders to trainees and the admins' digests.

    Idempotent: every message carries a dedupe key of its thing and the local date, kept unique per
    person, so a retry or a second run on the same day sends nothing twice.
    """
    return reminders.send_reminders(now=clock.now()).as_dict()


@shared_task(ignore_result=True, lane="needs", **RETRY_TRANSIENT)
def follow_exam_attempt_task(attempt_id: int) -> None:
    """An exam attempt was finished, marked or regraded: its answers into mastery, the 三本台账 and
    the pass rates, then the plan and a re-test (`updates.follow_exam_attempt`).

    Idempotent: every step compares what the attempt says now with what is stored and writes the
    difference, so a retry, a second run or a run after a later event of the same attempt changes
    nothing more (see `follow_exam_attempt`). In the embedded mode it runs on the `needs` lane: one
    thread per process, in the order announced.
    """
    updates.follow_exam_attempt(attempt_id, now=clock.now())
