"""What needs does when other areas announce events: take graded answers into mastery at once.

The update is a fixed handful of statements whatever the person's history (`evidence.apply`), so
it runs in the announcing request, after its commit, rather than as a task: a thread per handed-in
attempt would cost more than the work. Every receiver reads the attempt again, so one receiver serves
every event whose payload names it: `attempt_finished`, `attempt_graded` (the last essay marked)
and `attempt_regraded`.
"""

from flask import Flask

from app import clock
from app.events import attempt_finished, attempt_graded, attempt_regraded, quiz_finished, subscribe
from app.needs.updates import update_from_exam_attempt, update_from_quiz_attempt


def exam_attempt_changed(_app: Flask, *, attempt_id: int, **_payload) -> None:
    """An attempt was finished, regraded or marked: add, regrade or remove its answers' evidence."""
    update_from_exam_attempt(attempt_id, now=clock.now())


def quiz_attempt_graded(_app: Flask, *, quiz_attempt_id: int, **_payload) -> None:
    update_from_quiz_attempt(quiz_attempt_id, now=clock.now())


def init_app(app: Flask) -> None:
    subscribe(app, attempt_finished, exam_attempt_changed)
    subscribe(app, attempt_graded, exam_attempt_changed)
    subscribe(app, attempt_regraded, exam_attempt_changed)
    subscribe(app, quiz_finished, quiz_attempt_graded)
