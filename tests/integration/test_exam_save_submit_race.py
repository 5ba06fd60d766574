"""A save and a submit at the same moment: the grade never misses an acknowledged answer.

From its check that the attempt is open to its commit a save holds the attempt: on SQLite the write
lock of its IMMEDIATE transaction, on PostgreSQL a FOR SHARE lock on the attempt's row. A submit's
claim waits for it and then grades the saved answer (and a save after a claim finds it finished).
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from app import clock
from app.exams import attempts
from app.extensions import db
from app.models import Attempt, AttemptItem
from tests.factories import make_exam, make_exam_questions, make_world


def test_a_submit_waits_for_a_save_in_flight_and_grades_its_answer(app, monkeypatch):
    world = make_world(bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"}})
    make_exam_questions(world["cat_a"], truefalse=5)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]],
                     rules=(("一、判断题", "truefalse", 5, 100),))
    person_id = world["t1"].id
    attempt_id = attempts.start(exam.id, person_id, now=clock.now())[0].id
    db.session.commit()

    checked, release, submitted = threading.Event(), threading.Event(), threading.Event()
    real = attempts.to_own_keys

    def paused(response, order):  # the save has checked the attempt is open, and waits here
        checked.set()
        release.wait(20)
        return real(response, order)

    monkeypatch.setattr(attempts, "to_own_keys", paused)
    errors: list[Exception] = []

    def in_context(work, done=None):
        def run():
            with app.app_context():
                try:
                    work()
                except Exception as error:  # noqa: BLE001 - collected for the assertion
                    errors.append(error)
                finally:
                    db.session.remove()
                    if done:
                        done.set()
        return threading.Thread(target=run)

    saver = in_context(lambda: attempts.save_answer(attempt_id, person_id, 1, 1, True, now=clock.now()))
    submitter = in_context(lambda: attempts.submit(attempt_id, person_id, now=clock.now()), submitted)
    saver.start()
    assert checked.wait(20)
    submitter.start()
    waited = not submitted.wait(0.5)  # the claim waits for the save in flight
    release.set()
    saver.join(30)
    submitter.join(30)
    assert errors == []
    assert waited, "the submit graded while a save was in flight"
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    first = db.session.scalar(select(AttemptItem).filter_by(attempt_id=attempt_id, slot=1))
    assert (attempt.state, first.response, first.seq) == ("finished", True, 1)
    assert first.score == first.points and attempt.score == first.points  # the saved answer was graded
