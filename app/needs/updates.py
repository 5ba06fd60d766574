"""Keeping mastery in step: after an exam attempt or a lesson quiz is graded (events), and the rebuild.

Each function commits. An update is one transaction of a fixed number of statements whatever the
person's history (`evidence.apply`), run inside `writing()` so it takes SQLite's write lock even
when the request that announced the event reads in deferred transactions (the exam start under
`@reads_first` may close an overdue attempt). The rebuild commits once per person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, union

from app.audit import record
from app.extensions import db, writing
from app.models import Attempt, CompetencyMastery, MasteryEvidence, QuizAttempt
from app.needs import exam_outcomes, ledger_tallies
from app.needs.evidence import (
    Change,
    apply,
    evidence_of,
    exam_attempt_answers,
    lock_person,
    person_answers,
    quiz_attempt_answers,
    save_states,
    settings,
)
from question_bank import mastery


def _update(read: Callable[[], tuple[int | None, list]], now: datetime, exam_attempt_id: int | None = None) -> Change:
    with writing():
        person_id, answers = read()
        change = apply(person_id, answers, now=now) if person_id is not None else Change()
        if person_id is not None:
            ledger_tallies.refresh([person_id])  # the 三本台账 in the same transaction
        if exam_attempt_id is not None:  # 培训完成情况's pass rates
            attempt = db.session.execute(select(Attempt.person_id, Attempt.exam_id)
                                         .where(Attempt.id == exam_attempt_id)).first()
            if attempt is not None:
                exam_outcomes.refresh(*attempt)
        db.session.commit()
    return change


def update_from_exam_attempt(attempt_id: int, *, now: datetime) -> Change:
    """Take an exam attempt's graded answers into its person's mastery (finished, regraded or marked),
    and its counted result into the pass rates."""
    return _update(lambda: exam_attempt_answers(attempt_id), now, attempt_id)


def update_from_quiz_attempt(quiz_attempt_id: int, *, now: datetime) -> Change:
    """Take a lesson quiz attempt's graded answers into its person's mastery."""
    return _update(lambda: quiz_attempt_answers(quiz_attempt_id), now)


def rebuild_person(person_id: int, *, now: datetime, rescan: bool = False) -> int:
    """Recompute every state of the person from their stored evidence (`build_all`); with `rescan`,
    first collect the evidence of every graded answer they gave (answers from before mastery was
    kept, or after a restore). Returns the number of competencies with evidence; commits."""
    with writing():
        if rescan:
            apply(person_id, person_answers(person_id), now=now)
        else:
            lock_person(person_id)
        config = settings()
        states = mastery.build_all(evidence_of(person_id), config)
        rows = {row.competency_id: row for row in db.session.scalars(
            select(CompetencyMastery).where(CompetencyMastery.person_id == person_id))}
        gone = [row.id for cid, row in rows.items() if cid not in states]
        if gone:
            db.session.execute(delete(CompetencyMastery).where(CompetencyMastery.id.in_(gone)))
        save_states(person_id, states, {cid: row for cid, row in rows.items() if cid in states}, config, now=now)
        ledger_tallies.refresh([person_id])
        db.session.commit()
    return len(states)


@dataclass(frozen=True)
class Rebuilt:
    people: int
    states: int


def rebuild(*, now: datetime, person_id: int | None = None, rescan: bool = False) -> Rebuilt:
    """`flask needs rebuild`: every person with evidence or a state (with `rescan`, everyone who
    answered), one commit each, then one audit entry for the run."""
    if person_id is not None:
        people = [person_id]
    else:
        sources = [select(MasteryEvidence.person_id), select(CompetencyMastery.person_id)]
        if rescan:
            sources += [select(Attempt.person_id), select(QuizAttempt.person_id)]
        people = sorted(db.session.scalars(union(*sources)))
    states = sum(rebuild_person(pid, now=now, rescan=rescan) for pid in people)
    record("mastery_rebuild", None, actor_id=None, people=len(people), states=states, rescan=rescan or None,
           person_id=person_id)
    db.session.commit()
    return Rebuilt(len(people), states)
