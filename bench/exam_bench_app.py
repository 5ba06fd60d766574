"""The app as gunicorn serves it, plus the bare references the exam benchmarks compare against.

The bare endpoints do only the unavoidable work on the same server settings (SQLite, WAL,
IMMEDIATE transactions, synchronous=FULL for answers): a start draws a paper from the frozen pool
and inserts it, holding the write lock for the inserts only (`@reads_first`, as the product's start
does); a save is one UPDATE. No authentication, audience, window or shape checks, and no paper in
the answer.
"""

import secrets

from flask import jsonify, request
from sqlalchemy import update

from app import clock, create_app
from app.exams import pools
from app.extensions import csrf, db, durable_writes, reads_first, writing
from app.models import Attempt, AttemptItem, Exam
from question_bank.assembly import draw

app = create_app()


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


def ready():
    return "ok"


app.add_url_rule("/bench/ready", view_func=ready)
app.add_url_rule("/bench/bare/start/<int:exam_id>/<int:person_id>", view_func=csrf.exempt(bare_start),
                 methods=["POST"])
app.add_url_rule("/bench/bare/save/<int:attempt_id>/<int:slot>", view_func=csrf.exempt(bare_save), methods=["PUT"])
