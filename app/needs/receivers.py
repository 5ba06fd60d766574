"""What needs does when other areas announce events: take an exam attempt's graded answers into
mastery, then bring the person's training plan in line and settle a re-test (in the background);
take a lesson quiz's answers in at once; keep the 三本台账 in step with people and syllabi.

An exam attempt's events — `attempt_finished`, `attempt_graded` (the last essay marked) and
`attempt_regraded` — enqueue `tasks.follow_exam_attempt_task` (mastery, ledgers, exam outcome, then
the plan, then the re-test, in one task so the order holds; `updates.follow_exam_attempt`). It used to
run in the announcing request: at a submit storm it took two thirds of every submit
(bench/RESULTS.md), so the submit answers first and the update follows, within seconds (the
embedded mode: the `needs` lane's thread in the same process; production: a Celery worker; tests:
inline). Every run reads the attempt again, so one receiver serves every event whose payload names it.
A lesson quiz (`quiz_finished`, one trainee's form, never a storm) is updated in its request.
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
from app.celery_app import run_in_background
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
from app.models import QuizAttempt
from app.needs import plans
from app.needs.ledger_updates import person_changed, refresh_people, refresh_posts
from app.needs.offers import offer_on_new_post, offer_to_new_people
from app.needs.tasks import follow_exam_attempt_task
from app.needs.updates import update_from_quiz_attempt


def exam_attempt_changed(_app: Flask, *, attempt_id: int, **_payload) -> None:
    """An attempt was finished, regraded or marked: its evidence, plan and re-test follow in the background."""
    run_in_background(follow_exam_attempt_task, attempt_id)


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
