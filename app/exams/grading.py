"""阅卷: the essay queue by question across an exam's attempts, and claims, so several markers share
a question without scoring the same answer twice.

Who may mark: whoever may change the exam marks every answer; an admin who watches it marks the
answers of the people in their scope (as 答卷详情); anyone else gets 404. A watching admin who also
sits the exam marks nothing until it closes for them (the page shows reference answers).

A claim is two columns on the answer (`claimed_by_id`, `claimed_until`): opening an answer claims it
with a conditional UPDATE (free, already theirs, or the other marker's claim expired), so two markers
racing for the next answer get different ones; a claim lapses after `CLAIM_MINUTES` and a marker's
other claims are released when they open another answer. Saving a score needs the claim
(`grading_marks.save_mark`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import and_, case, func, or_, select, update

from app.errors import Forbidden, NotFound
from app.exams.access import Viewer, exam_to_watch, may_change, people_scope
from app.exams.attempt_detail import may_reveal
from app.exams.questions import public_of, question_of, version_text
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, OrgUnit, Person, QuestionVersion
from app.models.exams import AttemptState
from app.rendering import render_markdown
from question_bank import units_to_points

CLAIM_MINUTES = 15
NOT_FOUND = "答卷不存在或不在您的阅卷范围内。"
IN_AUDIENCE = "您本人也是这场考试的考生，考试结束前不能阅卷。"
STEM_CHARS = 60


@dataclass(frozen=True)
class Grader:
    """The marker and the exam: `whole` when they mark every answer, else only their scope's people."""

    viewer: Viewer
    exam: Exam
    whole: bool

    @property
    def person_id(self) -> int:
        return self.viewer.person_id

    def reach(self, select_):
        """Narrow a select over `AttemptItem` to this exam's finished attempts the marker may mark."""
        select_ = select_.join(Attempt, Attempt.id == AttemptItem.attempt_id).where(
            Attempt.exam_id == self.exam.id, Attempt.state == AttemptState.FINISHED)
        if not self.whole:
            select_ = (select_.join(Person, Person.id == Attempt.person_id).join(OrgUnit, OrgUnit.id == Person.unit_id)
                       .where(people_scope(self.viewer).clause(OrgUnit.path)))
        return select_


def grader_for(viewer: Viewer, exam_id: int, *, now: datetime) -> Grader:
    """The viewer as a marker of the exam; NotFound outside their reach."""
    exam = exam_to_watch(viewer, exam_id)
    if not may_reveal(viewer, exam, now=now):
        raise Forbidden(IN_AUDIENCE)
    return Grader(viewer, exam, may_change(viewer, exam))


def queue_page(viewer: Viewer, exam_id: int, *, now: datetime) -> dict:
    """The queue page's data; a watching admin who sits the open exam reads why it is empty."""
    exam = exam_to_watch(viewer, exam_id)
    if not may_reveal(viewer, exam, now=now):
        return {"exam": exam, "whole": False, "rows": [], "blocked": IN_AUDIENCE}
    grader = Grader(viewer, exam, may_change(viewer, exam))
    return {"exam": exam, "whole": grader.whole, "rows": queue(grader, now=now), "blocked": ""}


# Answers a person marks: waiting for a marker, or marked by one (a blank essay scored 0 at once is not).
MANUAL = or_(AttemptItem.status == "pending", AttemptItem.marked_at.is_not(None))


@dataclass(frozen=True)
class QueueRow:
    question_id: int
    stem: str  # plain text, shortened
    points: str
    pending: int
    marked: int
    claimed: int  # pending answers others hold now
    first_id: int  # the question's first answer (to look through marked ones)


def queue(grader: Grader, *, now: datetime) -> list[QueueRow]:
    """Every question of the exam with answers for a marker: pending and marked counts (2 statements)."""
    held_by_others = and_(AttemptItem.status == "pending", AttemptItem.claimed_by_id.is_not(None),
                          AttemptItem.claimed_by_id != grader.person_id, AttemptItem.claimed_until >= now)
    rows = db.session.execute(grader.reach(select(
        AttemptItem.question_id, func.max(AttemptItem.question_version_id), func.max(AttemptItem.points),
        func.sum(case((AttemptItem.status == "pending", 1), else_=0)),
        func.sum(case((AttemptItem.marked_at.is_not(None), 1), else_=0)),
        func.sum(case((held_by_others, 1), else_=0)), func.min(AttemptItem.slot), func.min(AttemptItem.id))
        .where(MANUAL)).group_by(AttemptItem.question_id)).all()
    texts = dict(db.session.execute(select(QuestionVersion.id, version_text)
                                    .where(QuestionVersion.id.in_([row[1] for row in rows]))).all()) if rows else {}
    found = []
    for question_id, version_id, points, pending, marked, claimed, _slot, first in sorted(rows, key=lambda r: (r[6], r[0])):
        stem = " ".join(public_of(texts[version_id])["stem"].split())
        found.append(QueueRow(question_id, stem if len(stem) <= STEM_CHARS else stem[:STEM_CHARS] + "…",
                              units_to_points(points), int(pending or 0), int(marked or 0), int(claimed or 0), first))
    return found


def _claim(item_id: int, person_id: int, *, now: datetime) -> bool:
    """Claim one answer for the marker (flushes); False when another marker holds it."""
    taken = db.session.execute(
        update(AttemptItem).where(AttemptItem.id == item_id, or_(
            AttemptItem.claimed_by_id.is_(None), AttemptItem.claimed_by_id == person_id,
            AttemptItem.claimed_until < now))
        .values(claimed_by_id=person_id, claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)).rowcount
    if taken:  # moving on releases what they held before
        db.session.execute(update(AttemptItem).where(AttemptItem.claimed_by_id == person_id, AttemptItem.id != item_id)
                           .values(claimed_by_id=None, claimed_until=None).execution_options(synchronize_session=False))
    return bool(taken)


def claim(grader: Grader, item_id: int, *, now: datetime) -> bool:
    """Claim one answer the marker may mark (commits); False when another marker holds it."""
    item = item_to_grade(grader, item_id)
    taken = _claim(item.id, grader.person_id, now=now)
    db.session.commit()
    return taken


def claim_next(grader: Grader, question_id: int, *, now: datetime, after: int | None = None) -> int | None:
    """Claim the next pending answer of the question nobody else holds (after `after`, then from the
    start); its id, or None when none is left (commits)."""
    free = or_(AttemptItem.claimed_by_id.is_(None), AttemptItem.claimed_by_id == grader.person_id,
               AttemptItem.claimed_until < now)
    order = [case((AttemptItem.id <= after, 1), else_=0), AttemptItem.id] if after else [AttemptItem.id]
    candidates = db.session.scalars(grader.reach(select(AttemptItem.id)).where(
        AttemptItem.question_id == question_id, AttemptItem.status == "pending", free).order_by(*order).limit(20))
    for item_id in candidates:
        if _claim(item_id, grader.person_id, now=now):
            db.session.commit()
            return item_id
    db.session.rollback()
    return None


def item_to_grade(grader: Grader, item_id: int) -> AttemptItem:
    """One answer the marker may mark in this exam; NotFound otherwise."""
    item = db.session.scalar(grader.reach(select(AttemptItem)).where(AttemptItem.id == item_id, MANUAL))
    if item is None:
        raise NotFound(NOT_FOUND)
    return item


@dataclass(frozen=True)
class AnswerPage:
    """What the grading page shows of one answer."""

    exam: Exam
    item: AttemptItem
    attempt: Attempt
    stem_html: Markup
    rubric_html: Markup | None
    reference_html: Markup | None
    answer: str
    points: str
    score: str  # "" while pending
    mine: bool  # the marker holds the claim (may save)
    holder: str  # who holds it when someone else does
    position: int  # 1-based among the question's answers
    count: int
    previous_id: int | None
    next_id: int | None
    pending: int  # of the question's answers
    person: Person | None  # only when names are shown
    unit: OrgUnit | None


def open_answer(grader: Grader, item_id: int, *, now: datetime, names: bool = False,
                claim: bool = True) -> AnswerPage:
    """The answer with its question, rubric and reference; claims it when it is free (commits).

    With `claim=False` (the page shown again after a refused save) nothing is written: the answer is
    the marker's only if they still hold it.
    """
    item = item_to_grade(grader, item_id)
    if claim:
        mine = _claim(item.id, grader.person_id, now=now)
        db.session.commit()
        db.session.refresh(item)
    else:
        mine = item.claimed_by_id == grader.person_id and item.claimed_until is not None and item.claimed_until >= now
    order = db.session.execute(grader.reach(select(AttemptItem.id, AttemptItem.status))
                               .where(AttemptItem.question_id == item.question_id, MANUAL)
                               .order_by(AttemptItem.id)).all()
    ids = [row.id for row in order]
    at = ids.index(item.id)
    text = db.session.scalar(select(version_text).where(QuestionVersion.id == item.question_version_id))
    question, public = question_of(text), public_of(text)
    attempt = db.session.get(Attempt, item.attempt_id)
    person = db.session.get(Person, attempt.person_id) if names else None
    holder = "" if mine or item.claimed_by_id is None else db.session.get(Person, item.claimed_by_id).name
    return AnswerPage(
        exam=grader.exam, item=item, attempt=attempt, stem_html=render_markdown(public["stem"]),
        rubric_html=render_markdown(question.rubric) if getattr(question, "rubric", "") else None,
        reference_html=render_markdown(question.reference_answer) if getattr(question, "reference_answer", "")
        else None,
        answer=item.response if isinstance(item.response, str) else "", points=units_to_points(item.points),
        score="" if item.status == "pending" else units_to_points(item.score or 0), mine=mine, holder=holder,
        position=at + 1, count=len(ids), previous_id=ids[at - 1] if at else None,
        next_id=ids[at + 1] if at + 1 < len(ids) else None,
        pending=sum(1 for row in order if row.status == "pending"),
        person=person, unit=person.unit if person else None)
