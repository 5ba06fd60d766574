"""What needs does when other areas announce events: take graded answers into mastery at once, and
keep the 三本台账 in step with people and syllabi.

The update is a fixed handful of statements whatever the person's history (`evidence.apply`), so
it runs in the announcing request, after its commit, rather than as a task: a thread per handed-in
attempt would cost more than the work. Every receiver reads the attempt again, so one receiver serves
every event whose payload names it: `attempt_finished`, `attempt_graded` (the last essay marked)
and `attempt_regraded`. A person who joined or was edited (unit, post, 离岗), or a syllabus whose
targets changed, refreshes the ledgers' rows of those people (`ledger_tallies.refresh`, one commit);
an edited person's exam outcomes move with them (`exam_outcomes.move`).
"""

from flask import Flask

from app import clock
from app.events import (
    attempt_finished,
    attempt_graded,
    attempt_regraded,
    person_joined,
    person_updated,
    quiz_finished,
    subscribe,
    syllabi_changed,
)
from app.needs.ledger_updates import person_changed, refresh_people, refresh_posts
from app.needs.updates import update_from_exam_attempt, update_from_quiz_attempt


def exam_attempt_changed(_app: Flask, *, attempt_id: int, **_payload) -> None:
    """An attempt was finished, regraded or marked: add, regrade or remove its answers' evidence."""
    update_from_exam_attempt(attempt_id, now=clock.now())


def quiz_attempt_graded(_app: Flask, *, quiz_attempt_id: int, **_payload) -> None:
    update_from_quiz_attempt(quiz_attempt_id, now=clock.now())


def people_joined(_app: Flask, *, person_ids: list[int], **_payload) -> None:
    refresh_people(person_ids)


def person_edited(_app: Flask, *, person_id: int, fields: list[str], **_payload) -> None:
    """Only a new unit, post or status moves a person's gaps between ledger rows."""
    if {"unit_id", "post_id", "status"} & set(fields):
        person_changed(person_id)


def syllabi_edited(_app: Flask, *, post_ids: list[int], **_payload) -> None:
    refresh_posts(post_ids)


def init_app(app: Flask) -> None:
    subscribe(app, attempt_finished, exam_attempt_changed)
    subscribe(app, attempt_graded, exam_attempt_changed)
    subscribe(app, attempt_regraded, exam_attempt_changed)
    subscribe(app, quiz_finished, quiz_attempt_graded)
    subscribe(app, person_joined, people_joined)
    subscribe(app, person_updated, person_edited)
    subscribe(app, syllabi_changed, syllabi_edited)
