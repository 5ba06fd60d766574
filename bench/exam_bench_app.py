"""The app as gunicorn serves it, plus the bare references the exam benchmarks compare against.

The bare endpoints do only the unavoidable work on the same server settings (SQLite, WAL,
IMMEDIATE transactions, synchronous=FULL for answers): a start draws a paper from the frozen pool
and inserts it, holding the write lock for the inserts only (`@reads_first`, as the product's start
does); a save is one UPDATE. No authentication, audience, window or shape checks, and no paper in
the answer.

The bare submit is the product's own submit (token, `attempts.submit`, the Attempt's JSON) with the
needs area's receiver of `attempt_finished` skipped (mastery, 三本台账, exam outcomes, plan check): the
receiver is connected through `_needs_unless_bare`, which passes on every request except the bare
submits. The exams area's own receivers (错题本, late regrade) run for both.

Every response carries `X-Statements`: the SQL statements its request's thread ran (background
task threads are not counted).
"""

import secrets
import threading

from flask import abort, g, has_request_context, jsonify, request
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from app import clock, create_app
from app.auth.tokens import bearer_token, person_for_token
from app.events import attempt_finished, subscribe
from app.exams import attempts, pools, views
from app.extensions import csrf, db, durable_writes, reads_first, writing
from app.models import Attempt, AttemptItem, Exam
from app.needs import receivers as needs_receivers
from question_bank.assembly import draw

app = create_app()

_counting = threading.local()


@event.listens_for(Engine, "before_cursor_execute")
def _count(_conn, _cursor, statement, *_args):
    if getattr(_counting, "on", False) and not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
        _counting.n += 1


@app.before_request
def _count_from_here():
    _counting.on, _counting.n = True, 0


@app.after_request
def _send_count(response):
    response.headers["X-Statements"] = str(getattr(_counting, "n", 0))
    _counting.on = False
    return response


def _needs_unless_bare(sender, **payload) -> None:
    if has_request_context() and g.get("bare_submit"):
        return
    needs_receivers.exam_attempt_changed(sender, **payload)


attempt_finished.disconnect(needs_receivers.exam_attempt_changed, sender=app)
subscribe(app, attempt_finished, _needs_unless_bare)


@durable_writes
@reads_first
def bare_start(exam_id: int, person_id: int):
    exam = db.session.get(Exam, exam_id)
    seed = secrets.randbits(62)
    paper = draw(pools.frozen_blueprint(exam), seed)
    now = clock.now()
    attempt = Attempt(exam_id=exam_id, person_id=person_id, number=1, seed=seed, started_at=now,
                      deadline=now, max_score=paper.max_points)
    rows = [{"slot": i.slot, "section": i.section, "rule": i.rule, "question_id": i.question_id,
             "question_version_id": i.version_id, "option_order": list(i.option_order), "points": i.points,
             "seq": 0} for i in paper.items]
    with writing():
        db.session.add(attempt)
        db.session.flush()
        db.session.execute(AttemptItem.__table__.insert(), [row | {"attempt_id": attempt.id} for row in rows])
        db.session.commit()
    return jsonify(id=attempt.id), 201


@durable_writes
def bare_save(attempt_id: int, slot: int):
    body = request.get_json()
    db.session.execute(update(AttemptItem).where(AttemptItem.attempt_id == attempt_id, AttemptItem.slot == slot)
                       .values(seq=body["seq"], response=body["response"], saved_at=clock.now()))
    db.session.commit()
    return jsonify(slot=slot, seq=body["seq"])


@durable_writes
def bare_submit(attempt_id: int):
    """The product's submit, its needs receiver skipped (see the module's docstring)."""
    person = person_for_token(bearer_token() or "", now=clock.now())
    if person is None:
        abort(401)
    g.bare_submit = True
    now = clock.now()
    return jsonify(views.attempt_view(attempts.submit(attempt_id, person.id, now=now), now=now))


def ready():
    return "ok"


app.add_url_rule("/bench/ready", view_func=ready)
app.add_url_rule("/bench/bare/start/<int:exam_id>/<int:person_id>", view_func=csrf.exempt(bare_start),
                 methods=["POST"])
app.add_url_rule("/bench/bare/submit/<int:attempt_id>", view_func=csrf.exempt(bare_submit), methods=["POST"])
app.add_url_rule("/bench/bare/save/<int:attempt_id>/<int:slot>", view_func=csrf.exempt(bare_save), methods=["PUT"])
