"""Keeping mastery in step: after an exam attempt or a lesson quiz is graded (events), and the rebuild.

`follow_exam_attempt` is what an exam attempt's events cause (a background task: `tasks.py`): the
mastery update, then the plan, then the re-test. Each function commits. An update is one transaction of a fixed number of statements whatever the
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
from app.models import Attempt, CompetencyMastery, MasteryEvidence, PlanRetest, QuizAttempt
from app.needs import exam_outcomes, ledger_tallies, plans, retests
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


def follow_exam_attempt(attempt_id: int, *, now: datetime) -> Change:
    """An attempt was finished, marked or regraded: add, regrade or remove its answers' evidence (with
    the 三本台账 and the exam outcome), then bring the person's plan in line (its gaps read the new
    mastery; only for people who have a plan), then settle a re-test (its result is the gap after
    the update) — in this order, so each step reads the one before.

    Idempotent, and right whatever order two runs for one person take: every step reads the attempt
    and the person as they are now (the evidence is compared with what is stored, the plan and the
    ledgers with what they hold), the person's row is locked for the mastery update on PostgreSQL,
    and a re-test's message carries a dedupe key. A second run finds nothing to change."""
    change = update_from_exam_attempt(attempt_id, now=now)
    person_id, retest_id = db.session.execute(  # one statement: whose, and whether it is a re-test
        select(Attempt.person_id, PlanRetest.id).outerjoin(PlanRetest, PlanRetest.exam_id == Attempt.exam_id)
        .where(Attempt.id == attempt_id)).first() or (None, None)
    if person_id is not None and change.competencies:
        plans.refresh(person_id, now=now, create=False)
    if retest_id is not None:
        retests.settle(attempt_id, now=now)
    return change


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
