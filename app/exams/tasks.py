"""Celery tasks of the exams area."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.exams import analysis, attempts, regrade_jobs, wrong_book


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


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def regrade_task(job_id: int) -> None:
    """Run a large regrade (a thread in the embedded mode, a worker in production).

    Idempotent: the run commits once per batch and a retry resumes after the last batch committed;
    an attempt whose recomputed result equals its stored one is not written; a run already finished
    or stopped is left alone.
    """
    regrade_jobs.run(job_id, now=clock.now)


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def regrade_finished_task(attempt_id: int) -> None:
    """Grade an attempt that finished after its exam got fixes with those fixes.

    Idempotent: recomputing an attempt already recomputed changes nothing.
    """
    regrade_jobs.regrade_finished(attempt_id, now=clock.now())


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def wrong_book_task(attempt_id: int) -> bool:
    """Enter a finished attempt's wrong answers into its person's 错题本 (when its policy shows them).

    Idempotent: the attempt is claimed with a conditional update of `wrong_book_applied`, so a
    retry, a second worker or the release job applies it once.
    """
    return wrong_book.apply_attempt(attempt_id, now=clock.now())


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def wrong_book_release_task() -> int:
    """The `wrong-book-release` job: attempts whose answers the policy shows by now (after the window
    closed) enter the 错题本. Idempotent for the same reason as `wrong_book_task`."""
    return len(wrong_book.release_due(now=clock.now()))
