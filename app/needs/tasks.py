"""Celery tasks of the needs area."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.needs import reminders


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def send_reminders_task() -> dict:
    """The `reminders` job (催学): today's reminders to trainees and the admins' digests.

    Idempotent: every message carries a dedupe key of its thing and the local date, kept unique per
    person, so a retry or a second run on the same day sends nothing twice.
    """
    return reminders.send_reminders(now=clock.now()).as_dict()
