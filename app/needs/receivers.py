"""What needs does when other areas announce events: take graded answers into mastery at once, then
bring the person's training plan in line and settle a re-test; keep the 三本台账 in step with people and
syllabi.

The update is a fixed handful of statements whatever the person's history (`evidence.apply`), so
it runs in the announcing request, after its commit, rather than as a task: a thread per handed-in
attempt would cost more than the work. Every receiver reads the attempt again, so one receiver serves
every event whose payload names it: `attempt_finished`, `attempt_graded` (the last essay marked)
and `attempt_regraded`. Mastery first, then the plan (its gaps read the new mastery), then the
re-test (its result is the gap after the mastery update) — in one receiver, so the order holds.
A plan is refreshed only for people who have one (made by the post event, the CLI or the
trainee's button); a changed post makes or refreshes it.
A person who joined or was edited (unit, post, 离岗), or a syllabus whose targets changed, refreshes
the ledgers' rows of those people (`ledger_tallies.refresh`, one commit); an edited person's exam
outcomes move with them (`exam_outcomes.move`).
New people and people given a new post are offered the diagnostic (`offers.py`: a message, once).
"""

from flask import Flask
from sqlalchemy import select

from app import clock
from app.events import (
    attempt_finished,
    attempt_graded,
    attempt_regraded,
    lesson_completed,
    person_joined,
    person_post_changed,
    person_updated,
    quiz_finished,
    subscribe,
    syllabi_changed,
)
from app.extensions import db
from app.models import Attempt, PlanRetest, QuizAttempt
from app.needs import plans, retests
from app.needs.ledger_updates import person_changed, refresh_people, refresh_posts
from app.needs.offers import offer_on_new_post, offer_to_new_people
from app.needs.updates import update_from_exam_attempt, update_from_quiz_attempt


def exam_attempt_changed(_app: Flask, *, attempt_id: int, **_payload) -> None:
    """An attempt was finished, regraded or marked: add, regrade or remove its answers' evidence."""
    now = clock.now()
    change = update_from_exam_attempt(attempt_id, now=now)
    person_id, retest_id = db.session.execute(  # one statement: whose, and whether it is a re-test
        select(Attempt.person_id, PlanRetest.id).outerjoin(PlanRetest, PlanRetest.exam_id == Attempt.exam_id)
        .where(Attempt.id == attempt_id)).first() or (None, None)
    if person_id is not None and change.competencies:
        plans.refresh(person_id, now=now, create=False)
    if retest_id is not None:
        retests.settle(attempt_id, now=now)


def quiz_attempt_graded(_app: Flask, *, quiz_attempt_id: int, **_payload) -> None:
    now = clock.now()
    update_from_quiz_attempt(quiz_attempt_id, now=now)
    person_id = db.session.scalar(select(QuizAttempt.person_id).where(QuizAttempt.id == quiz_attempt_id))
    if person_id is not None:  # a quiz often completes a lesson: its plan item is done
        plans.refresh(person_id, now=now, create=False)


def lesson_done(_app: Flask, *, person_id: int, **_payload) -> None:
    """A lesson completed by study time: its plan item is done (the stored progress mentors and the
    ledgers read; the trainee's own page reads it live)."""
    plans.refresh(person_id, now=clock.now(), create=False)


def post_changed(_app: Flask, *, person_id: int, **_payload) -> None:
    plans.refresh(person_id, now=clock.now())


def people_joined(_app: Flask, *, person_ids: list[int], **_payload) -> None:
    refresh_people(person_ids)


def person_edited(_app: Flask, *, person_id: int, fields: list[str], **_payload) -> None:
    """Only a new unit, post or status moves a person's gaps between ledger rows."""
    if {"unit_id", "post_id", "status"} & set(fields):
        person_changed(person_id)


def syllabi_edited(_app: Flask, *, post_ids: list[int], **_payload) -> None:
    refresh_posts(post_ids)


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
    subscribe(app, lesson_completed, lesson_done)
    subscribe(app, person_joined, people_joined)
    subscribe(app, person_updated, person_edited)
    subscribe(app, syllabi_changed, syllabi_edited)
    subscribe(app, person_post_changed, post_changed)
