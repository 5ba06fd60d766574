"""What exams does when attempts are announced: the answers enter the trainee's 错题本, and a late
attempt is graded with the exam's regrade fixes."""

from flask import Flask
from sqlalchemy import exists, select

from app.celery_app import run_in_background
from app.events import attempt_finished, subscribe
from app.exams.tasks import regrade_finished_task, wrong_book_task
from app.extensions import db
from app.models import Attempt, ExamQuestionAdjustment


def enter_wrong_book(_app: Flask, *, attempt_id: int) -> None:
    """A finished attempt's wrong answers enter the book when its review policy shows answers
    (practice always; a formal exam at submit, or later through the `wrong-book-release` job)."""
    run_in_background(wrong_book_task, attempt_id)


def regrade_late_attempt(_app: Flask, *, attempt_id: int) -> None:
    """An attempt finished after a question of its exam was fixed: it is graded with the fix too.

    One indexed query decides; exams without fixes (nearly all) enqueue nothing.
    """
    fixed = db.session.scalar(select(exists().where(ExamQuestionAdjustment.exam_id == Attempt.exam_id,
                                                    Attempt.id == attempt_id)))
    if fixed:
        run_in_background(regrade_finished_task, attempt_id)


def init_app(app: Flask) -> None:
    subscribe(app, attempt_finished, regrade_late_attempt)
    subscribe(app, attempt_finished, enter_wrong_book)
