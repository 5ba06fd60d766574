"""What the 重新评分 pages show: the exam's questions with their fixes, and the preview of a fix.

The preview recomputes every attempt holding the question (in batches of reads) with the proposed
fix in place of the question's current one, and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from app.exams.access import Viewer, exam_to_change
from app.exams.regrade import (
    FixInput,
    Outcome,
    Target,
    build_fix,
    fixes_of,
    holding,
    recompute,
    target,
)
from app.extensions import db
from app.models import Attempt, AttemptItem, ExamQuestionAdjustment, Person, QuestionVersion
from app.models.exams import AttemptState
from question_bank import regrade as engine
from question_bank.regrade import Adjustment

READ_BATCH = 500  # attempts read per statement pair by a preview
PREVIEW_ROWS = 500  # changed attempts listed by a preview (all are counted)


def exam_questions(viewer: Viewer, exam_id: int) -> dict:
    """The 重新评分 page: the exam's questions (as its finished papers hold them) and their fixes."""
    exam = exam_to_change(viewer, exam_id)
    rows = db.session.execute(
        select(AttemptItem.question_id, func.min(AttemptItem.rule), func.min(AttemptItem.question_version_id),
               func.count(func.distinct(AttemptItem.attempt_id)))
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.exam_id == exam.id, Attempt.state == AttemptState.FINISHED)
        .group_by(AttemptItem.question_id).order_by(func.min(AttemptItem.rule), AttemptItem.question_id)).all()
    datas = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.data)
                                    .where(QuestionVersion.id.in_([row[2] for row in rows]))).all()) if rows else {}
    fixes = {f.question_id: f for f in db.session.scalars(
        select(ExamQuestionAdjustment).where(ExamQuestionAdjustment.exam_id == exam.id))}
    return {"exam": exam, "kinds": engine.KINDS,
            "questions": [{"question_id": qid, "rule": rule, "data": datas[vid], "attempts": count, "fix": fixes.get(qid)}
                          for qid, rule, vid, count in rows]}


# --- preview --------------------------------------------------------------------------------------


@dataclass
class Preview:
    target: Target
    adjustment: Adjustment
    reason: str
    total: int  # attempts recomputed
    changed: int
    up: int  # people 不及格→及格
    down: int  # people 及格→不及格
    rows: list[tuple[Outcome, Person]]  # the first PREVIEW_ROWS changed attempts, pass changes first


def preview(viewer: Viewer, exam_id: int, question_id: int, given: FixInput) -> Preview:
    """What the fix would change, computed without writing anything."""
    found = target(viewer, exam_id, question_id)
    adjustment, _data = build_fix(found, given)
    fixes = fixes_of(found.exam.id) | {question_id: adjustment}
    ids = list(db.session.scalars(select(Attempt.id).where(holding(found.exam.id, question_id)).order_by(Attempt.id)))
    changed: list[Outcome] = []
    for start in range(0, len(ids), READ_BATCH):
        changed += [o for o in recompute(found.exam, ids[start:start + READ_BATCH], fixes) if o.changed]
    moves = Counter(kind for kind, _person in {(o.pass_change, o.person_id) for o in changed if o.pass_change})
    shown = sorted(changed, key=lambda o: (o.pass_change is None, o.attempt_id))[:PREVIEW_ROWS]
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_({o.person_id for o in shown})))}
    return Preview(found, adjustment, " ".join(given.reason.split()), len(ids), len(changed), moves["up"],
                   moves["down"], [(o, people[o.person_id]) for o in shown])
