"""What the exams area does when an attempt finishes: its answers enter the trainee's 错题本."""

from flask import Flask

from app.celery_app import run_in_background
from app.events import attempt_finished, subscribe
from app.exams.tasks import wrong_book_task


def enter_wrong_book(_app: Flask, *, attempt_id: int) -> None:
    """A finished attempt's wrong answers enter the book when its review policy shows answers
    (practice always; a formal exam at submit, or later through the `wrong-book-release` job)."""
    run_in_background(wrong_book_task, attempt_id)


def init_app(app: Flask) -> None:
    subscribe(app, attempt_finished, enter_wrong_book)
