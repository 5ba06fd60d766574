"""What exams does when attempts are announced: grade a late attempt with the exam's regrade fixes."""

from flask import Flask
from sqlalchemy import exists, select

from app.celery_app import run_in_background
from app.events import attempt_finished, subscribe
from app.exams.tasks import regrade_finished_task
from app.extensions import db
from app.models import Attempt, ExamQuestionAdjustment


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
