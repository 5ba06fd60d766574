"""Every domain event one area announces and others react to, with its payload.

The area that owns a happening calls `announce(event, **payload)` after its commit; an area that
cares connects a receiver in its `init_app` with `subscribe(app, event, receiver)`. The sender
never knows its receivers, so a new consumer never edits the producer.

Payloads are keyword arguments of ids and primitives only (a receiver may run on another thread
or enqueue a task, and must read what it needs from the database itself).

Receivers are connected with the app as sender, and `announce` sends with the current app: an
event reaches only the receivers of the app that sent it. Blinker holds each sender weakly and
drops its receivers when the app is garbage-collected, so the many apps tests build never see
each other's receivers.
"""

from __future__ import annotations

from collections.abc import Callable

from blinker import Namespace, Signal
from flask import Flask, current_app

_events = Namespace()

person_joined = _events.signal("person-joined", doc="""People got an account (admin page or roster import).

Payload: person_ids: list[int]. One event per commit, not per person, so a roster import of a
thousand rows enqueues one task instead of a thousand.""")

person_post_changed = _events.signal("person-post-changed", doc="""A person's post changed.

Payload: person_id: int, old_post_id: int | None, new_post_id: int | None.""")

person_updated = _events.signal("person-updated", doc="""A person's record was edited (sent with
person_post_changed when the post is among the fields).

Payload: person_id: int, fields: list[str] (the PersonData field names that changed).""")

# The exam work: exams/attempts.py sends attempt_finished (exams/receivers.py: the 错题本 and late
# regrades; needs: mastery), exams/grading_marks.py attempt_graded, a regrade or a re-mark attempt_regraded.
attempt_finished = _events.signal("attempt-finished", doc="""An exam attempt was submitted or
closed at its deadline and graded. When essays await a marker the attempt is `pending_manual`:
its score then counts only the automatically graded slots and `passed` is None, until
attempt_graded. Payload: attempt_id: int.""")

attempt_graded = _events.signal("attempt-graded", doc="""The last essay of a finished attempt was
marked (阅卷): its score and `passed` are final now (sent once per attempt, after attempt_finished).
Payload: attempt_id: int.""")

attempt_regraded = _events.signal("attempt-regraded", doc="""A finished attempt's final score changed
(an essay re-marked, a question regraded or an appeal upheld). Payload: attempt_id: int.""")

quiz_finished = _events.signal("quiz-finished", doc="""A lesson quiz attempt was handed in and graded
(study/quiz.py). Payload: quiz_attempt_id: int.""")

lesson_completed = _events.signal("lesson-completed", doc="""A lesson's study time was reached by a
heartbeat and no quiz was outstanding, so it is complete (study/timing.py; a quiz that completes a
lesson announces quiz_finished instead). Payload: person_id: int, lesson_id: int.""")

syllabi_changed = _events.signal("syllabi-changed", doc="""The content sync created, changed or
deactivated post syllabi (their competency targets may differ). Payload: post_ids: list[int].""")

EVENTS: tuple[Signal, ...] = (person_joined, person_post_changed, person_updated,
                              attempt_finished, attempt_graded, attempt_regraded, quiz_finished, lesson_completed,
                              syllabi_changed)


def subscribe(app: Flask, event: Signal, receiver: Callable[..., None]) -> None:
    """Call `receiver(app, **payload)` whenever this app announces the event.

    The receiver must be a module-level function (blinker keeps a weak reference to it).
    """
    event.connect(receiver, sender=app)


def announce(event: Signal, **payload) -> None:
    """Send the event to the current app's receivers; call only after the change is committed."""
    from app.extensions import db

    # A receiver may enqueue work that reads the change from another connection: refuse loudly
    # when the sender has not committed (a rolled-back change must announce nothing).
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError(f"announce({event.name}) needs the sender's changes committed first")
    event.send(current_app._get_current_object(), **payload)
