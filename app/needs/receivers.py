"""What needs does when other areas announce events: take graded answers into mastery at once.

The update is a fixed handful of statements whatever the person's history (`evidence.apply`), so
it runs in the announcing request, after its commit, rather than as a task: a thread per handed-in
attempt would cost more than the work. Every receiver reads the attempt again, so one receiver serves
every event whose payload names it: `attempt_finished`, `attempt_graded` (the last essay marked)
and `attempt_regraded`. New people and people given a new post are offered the diagnostic
(`offers.py`: a message, once).
"""

from flask import Flask

from app import clock
from app.events import (
    attempt_finished,
    attempt_graded,
    attempt_regraded,
    person_joined,
    person_post_changed,
    quiz_finished,
    subscribe,
)
from app.needs.offers import offer_on_new_post, offer_to_new_people
from app.needs.updates import update_from_exam_attempt, update_from_quiz_attempt


def exam_attempt_changed(_app: Flask, *, attempt_id: int, **_payload) -> None:
    """An attempt was finished, regraded or marked: add, regrade or remove its answers' evidence."""
    update_from_exam_attempt(attempt_id, now=clock.now())


def quiz_attempt_graded(_app: Flask, *, quiz_attempt_id: int, **_payload) -> None:
    update_from_quiz_attempt(quiz_attempt_id, now=clock.now())


def offer_on_joining(_app: Flask, *, person_ids: list[int], **_payload) -> None:
    offer_to_new_people(person_ids, now=clock.now())


def offer_on_post_change(_app: Flask, *, person_id: int, new_post_id: int | None = None, **_payload) -> None:
    if new_post_id is not None:
        offer_on_new_post(person_id, new_post_id, now=clock.now())


def init_app(app: Flask) -> None:
    subscribe(app, person_joined, offer_on_joining)
    subscribe(app, person_post_changed, offer_on_post_change)
    subscribe(app, attempt_finished, exam_attempt_changed)
    subscribe(app, attempt_graded, exam_attempt_changed)
    subscribe(app, attempt_regraded, exam_attempt_changed)
    subscribe(app, quiz_finished, quiz_attempt_graded)
