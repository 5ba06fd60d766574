"""Formal exams' counted results per person and their sums per unit and post, for 培训完成情况's pass
rates (`needs/completion.py`): the page adds up `ExamOutcomeTally` rows, never attempts.

`refresh(person_id, exam_id)` reads the person's attempts of the exam, takes the one that counts
(`exams.counting.counted` under the exam's rule), compares it with the stored `ExamOutcome` and adds
the difference to the tally; a result that can still change (an essay waits) is stored with `passed`
None and not counted. It runs after every attempt event (`receivers`), in the transaction of the
mastery update. `move(person_ids)` re-keys a person's outcomes when their unit or post changes.
Practice exams are not counted, nor hidden formal ones (a person's re-test, 复测: one person's proof
of a gap closed, not an exam of the unit). Flush only; the callers commit.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select, update

from app import clock
from app.exams.counting import counted
from app.extensions import db, upsertable_insert
from app.models import Attempt, Exam, ExamOutcome, ExamOutcomeTally, Person
from app.models.exams import ExamKind

_KEY = ("unit_id", "post_id", "exam_id")


def _year(exam: Exam) -> int:
    return clock.local_date(exam.closes_at).year


class Delta:
    def __init__(self) -> None:
        self.counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # year, people, passed

    def add(self, unit_id: int, post_id: int, exam_id: int, year: int, passed: bool | None, sign: int) -> None:
        if passed is None:  # not final: not counted yet
            return
        counts = self.counts[unit_id, post_id, exam_id]
        counts[0] = year
        counts[1] += sign
        counts[2] += sign * bool(passed)

    def apply(self) -> None:
        rows = [dict(unit_id=k[0], post_id=k[1], exam_id=k[2], year=c[0], people=c[1], passed=c[2])
                for k, c in sorted(self.counts.items()) if c[1] or c[2]]
        if not rows:
            return
        table = ExamOutcomeTally.__table__
        into = upsertable_insert(table, db.session.get_bind().dialect.name)
        db.session.execute(into.on_conflict_do_update(
            index_elements=list(_KEY), set_={name: table.c[name] + into.excluded[name] for name in ("people", "passed")}),
            rows)
        if emptied := {row["unit_id"] for row in rows if row["people"] < 0}:
            db.session.execute(delete(ExamOutcomeTally).where(ExamOutcomeTally.unit_id.in_(emptied),
                                                              ExamOutcomeTally.people == 0))


def refresh(person_id: int, exam_id: int) -> None:
    """Bring the person's outcome of the exam and the tally in step with their attempts (flushes)."""
    exam = db.session.get(Exam, exam_id)
    stored = db.session.get(ExamOutcome, (person_id, exam_id))
    now = None
    if exam is not None and exam.kind == ExamKind.FORMAL and not exam.hidden:
        attempts = db.session.execute(select(Attempt.state, Attempt.number, Attempt.score, Attempt.pending_manual,
                                             Attempt.passed).where(Attempt.person_id == person_id,
                                                                   Attempt.exam_id == exam_id)).all()
        result = counted(attempts, exam.counting)
        if result is not None:
            unit_id, post_id = db.session.execute(select(Person.unit_id, Person.post_id)
                                                  .where(Person.id == person_id)).one()
            now = (unit_id, post_id or 0, _year(exam), None if result.pending else bool(result.attempt.passed))
    before = (stored.unit_id, stored.post_id, stored.year, stored.passed) if stored is not None else None
    if before == now:
        return
    delta = Delta()
    if before is not None:
        delta.add(before[0], before[1], exam_id, before[2], before[3], -1)
    if now is not None:
        delta.add(now[0], now[1], exam_id, now[2], now[3], +1)
    if stored is not None and now is None:
        db.session.delete(stored)
    elif stored is None:
        db.session.add(ExamOutcome(person_id=person_id, exam_id=exam_id, unit_id=now[0], post_id=now[1],
                                   year=now[2], passed=now[3]))
    else:
        stored.unit_id, stored.post_id, stored.year, stored.passed = now
    db.session.flush()
    delta.apply()


def move(person_ids) -> None:
    """The people's unit or post changed: move their counted outcomes to the new keys (flushes)."""
    person_ids = list(person_ids)
    delta, changed = Delta(), []
    for pid, exam_id, unit_id, post_id, year, passed, new_unit, new_post in db.session.execute(
            select(ExamOutcome.person_id, ExamOutcome.exam_id, ExamOutcome.unit_id, ExamOutcome.post_id,
                   ExamOutcome.year, ExamOutcome.passed, Person.unit_id, Person.post_id)
            .join(Person, Person.id == ExamOutcome.person_id).where(ExamOutcome.person_id.in_(person_ids))):
        if (unit_id, post_id) != (new_unit, new_post or 0):
            delta.add(unit_id, post_id, exam_id, year, passed, -1)
            delta.add(new_unit, new_post or 0, exam_id, year, passed, +1)
            changed.append(dict(person_id=pid, exam_id=exam_id, unit_id=new_unit, post_id=new_post or 0))
    if changed:
        db.session.execute(update(ExamOutcome), changed)
    delta.apply()


def recount() -> int:
    """Rebuild both tables from the finished attempts of formal exams (flushes; the caller commits)."""
    db.session.execute(delete(ExamOutcomeTally))
    db.session.execute(delete(ExamOutcome))
    pairs = db.session.execute(select(Attempt.person_id, Attempt.exam_id).distinct()
                               .join(Exam, Exam.id == Attempt.exam_id)
                               .where(Exam.kind == ExamKind.FORMAL, Exam.hidden.is_(False))).all()
    for person_id, exam_id in pairs:
        refresh(person_id, exam_id)
    return len(pairs)
