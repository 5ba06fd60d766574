"""Re-tests (复测): proof that a gap is closed once its lessons are studied.

A re-test is offered for a competency with a known gap when every lesson the plan gives it is done
(or the plan has none to give). It is a hidden exam of `NEEDS_RETEST_QUESTIONS` (5) of the
competency's questions at the target level (`exams.practice.start_retest`), of kind *formal*: it
is timed, offers no 核对 and shows no answers afterwards, so its answers weigh as formal evidence
(1.0, `question_bank.mastery`). Five right at the target level outweigh the usual earlier evidence
against it (up to about two wrong formal answers, less as they age), so a pass closes the gap.
The result is the estimator's, never a second rule: when the attempt is graded the mastery
update runs first (`receivers.py`), then `settle` reads the gap — closed is 通过, open is 未通过
and the page lists that competency's plan items to study again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.audit import record
from app.errors import Conflict, NotFound
from app.exams.practice import start_retest as start_retest_exam
from app.extensions import db
from app.messages.services import send
from app.models import Attempt, Person, PlanRetest
from app.models.curriculum import Level
from app.models.exams import AttemptState
from app.needs.evidence import settings
from app.needs.plans import completed_lessons, gaps_of, plan_of

DEFAULT_QUESTIONS = 5


def question_count() -> int:
    return int(current_app.config.get("NEEDS_RETEST_QUESTIONS", DEFAULT_QUESTIONS))


@dataclass(frozen=True)
class RetestState:
    """A gap competency's re-test on the plan page: offered now, one under way, the latest result."""

    competency_id: int
    offered: bool
    open_attempt_id: int | None
    last: PlanRetest | None


def latest_retests(person_id: int, competency_ids) -> dict[int, tuple[PlanRetest, Attempt | None]]:
    """Each competency's latest re-test with its attempt (one statement)."""
    ids = list(competency_ids)
    if not ids:
        return {}
    found: dict[int, tuple[PlanRetest, Attempt | None]] = {}
    for retest, attempt in db.session.execute(
            select(PlanRetest, Attempt).outerjoin(Attempt, Attempt.id == PlanRetest.attempt_id)
            .where(PlanRetest.person_id == person_id, PlanRetest.competency_id.in_(ids))
            .order_by(PlanRetest.created_at, PlanRetest.id)):
        found[retest.competency_id] = (retest, attempt)
    return found


def states(person_id: int, gap_ids: list[int], items, done_lessons: set[int]) -> dict[int, RetestState]:
    """The re-test state of each gap competency, from the plan's items and the lessons done."""
    latest = latest_retests(person_id, gap_ids)
    found = {}
    for cid in gap_ids:
        lessons = [i.lesson_id for i in items if i.competency_id == cid and i.lesson_id]
        retest, attempt = latest.get(cid, (None, None))
        open_id = attempt.id if attempt is not None and attempt.state == AttemptState.IN_PROGRESS else None
        found[cid] = RetestState(cid, all(lesson in done_lessons for lesson in lessons), open_id, retest)
    return found


def start(person_id: int, competency_id: int, *, now: datetime) -> Attempt:
    """Start (or continue) the person's re-test of a gap competency; commits.

    404 when the competency is not one of their gaps; 409 while the plan's lessons for it are not done.
    """
    person = db.session.get(Person, person_id)
    gap = next((g for g in gaps_of(person, now=now) if g.competency_id == competency_id), None)
    if gap is None:
        raise NotFound("该能力不在您的培训计划差距中。")
    plan = plan_of(person_id)
    lessons = [i.lesson_id for i in (plan.items if plan else []) if i.competency_id == competency_id and i.lesson_id]
    if set(lessons) - completed_lessons(person_id, lessons):
        raise Conflict(f"请先学完培训计划中「{gap.name}」的课时，再参加复测。")
    retest, attempt = latest_retests(person_id, [competency_id]).get(competency_id, (None, None))
    if attempt is not None and attempt.state == AttemptState.IN_PROGRESS:
        return attempt
    made: list[PlanRetest] = []

    def add_retest(exam) -> None:
        made.append(PlanRetest(person_id=person_id, competency_id=competency_id, level=gap.target,
                               exam_id=exam.id, created_at=now))
        db.session.add(made[0])

    attempt = start_retest_exam(person_id, competency_id, gap.target, question_count(), now=now,
                                default_level=current_app.config["MASTERY_DEFAULT_LEVEL"], record_start=add_retest,
                                pass_percent=math.ceil(settings().threshold * 100))  # 合格 = a re-test that supersedes
    made[0].attempt_id = attempt.id
    db.session.commit()
    return attempt


def settle(attempt_id: int, *, now: datetime) -> PlanRetest | None:
    """After a re-test's attempt is graded (mastery already updated): passed = the gap is closed.
    Tells the person in the message centre (once per re-test); commits. None for other attempts.
    Settling it again with the same result changes nothing."""
    row = db.session.execute(select(PlanRetest, Attempt).join(Attempt, Attempt.exam_id == PlanRetest.exam_id)
                             .where(Attempt.id == attempt_id)).first()
    if row is None:
        return None
    retest, attempt = row
    if attempt.state != AttemptState.FINISHED or attempt.pending_manual or attempt.score is None:
        return retest
    person = db.session.get(Person, retest.person_id)
    passed = all(g.competency_id != retest.competency_id for g in gaps_of(person, now=now))
    percent = round(100 * attempt.score / attempt.max_score) if attempt.max_score else 0
    if (retest.attempt_id, retest.finished_at, retest.score_percent, retest.passed) == (
            attempt.id, attempt.submitted_at, percent, passed):
        db.session.rollback()
        return retest  # settled so already (the update ran twice): no second audit entry
    retest.attempt_id = attempt.id
    retest.finished_at = attempt.submitted_at
    retest.score_percent = percent
    retest.passed = passed
    name = retest.competency.name
    record("retest_result", retest, actor_id=None, person_id=person.id, competency_id=retest.competency_id,
           passed=passed, score_percent=retest.score_percent)
    title = (f"复测通过：「{name}」已达到{Level(retest.level).label}" if passed
             else f"复测未通过：「{name}」还需继续学习")
    send(person.id, "retest", title, "打开个人培训计划查看结果和要学习的内容。",
         "/needs/plan", f"retest:{retest.id}:{int(passed)}", now=now)
    db.session.commit()
    return retest
