"""重新评分: fix one question of an exam and recompute the attempts that hold it from their stored answers.

The fix is the engine's (`question_bank.regrade`): another version of the question, accepted
answers, full marks, or out of the total. Each attempt is recomputed whole from its stored
responses, the version each slot showed and every fix of the exam; an essay a person has marked
keeps its mark. `regrade_pages.preview` computes the changes and writes nothing; `regrade_jobs.apply` stores the
fix and writes them (in batches, in the background for large exams). Attempts finished after a
fix are recomputed with it as they finish (`receivers.py`).

Reads are set-based: a batch of attempts costs a fixed number of statements (the attempts, all their
items with the version texts; the fixes and their new versions once per run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, exists, func, select, update

from app.audit import record_many
from app.bank.questions import usable
from app.errors import DomainError, NotFound
from app.exams.access import Viewer, exam_to_change
from app.exams.questions import question_of, version_text
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Exam,
    ExamQuestionAdjustment,
    Question,
    QuestionVersion,
)
from app.models.exams import AttemptState
from question_bank import question_from_dict
from question_bank import regrade as engine
from question_bank.regrade import Adjustment, Slot
from question_bank.scoring import GradingPolicy, Score

QUESTION_NOT_IN_EXAM = "本场考试的答卷中没有这道题。"
NO_REASON = "请填写重新评分的原因（会记录在每份答卷的变更记录中）。"
REASON_MAX = 300
_SEPARATORS = re.compile(r"[|｜;；\n]")


@dataclass(frozen=True)
class FixInput:
    """What the instructor chose on the form (the web layer's translation)."""

    kind: str
    reason: str
    keys: tuple[str, ...] = ()  # 另认答案, 单选/多选
    blank_texts: tuple[str, ...] = ()  # 另认答案, 填空: per blank, texts separated by | or ；


@dataclass(frozen=True)
class Totals:
    score: int | None
    max_score: int
    passed: bool | None
    pending: bool


@dataclass
class Outcome:
    """One attempt recomputed: its totals before and after, and the slots whose score changed."""

    attempt_id: int
    person_id: int
    before: Totals
    after: Totals
    items: list[tuple] = field(default_factory=list)  # (score, status, item id) of the changed slots

    @property
    def changed(self) -> bool:
        return self.before != self.after or bool(self.items)

    @property
    def pass_change(self) -> str | None:
        """"up" 不及格→及格, "down" 及格→不及格, or None."""
        if self.before.passed is False and self.after.passed is True:
            return "up"
        if self.before.passed is True and self.after.passed is False:
            return "down"
        return None


@dataclass(frozen=True)
class Target:
    """The question being fixed, as the exam's attempts showed it."""

    exam: Exam
    question_id: int
    version_id: int  # the version most attempts showed
    data: dict  # that version's content
    attempts: int  # finished attempts holding it
    fix: ExamQuestionAdjustment | None  # its current fix


# --- reading --------------------------------------------------------------------------------------


def holding(exam_id: int, question_id: int):
    """SQL condition on `Attempt`: the exam's finished attempts whose paper holds the question."""
    return (Attempt.exam_id == exam_id) & (Attempt.state == AttemptState.FINISHED) & exists().where(
        AttemptItem.attempt_id == Attempt.id, AttemptItem.question_id == question_id)


def target(viewer: Viewer, exam_id: int, question_id: int) -> Target:
    """The exam (the viewer may change it: 404/403 otherwise) and the question of its papers."""
    exam = exam_to_change(viewer, exam_id)
    rows = db.session.execute(
        select(AttemptItem.question_version_id, func.count(func.distinct(AttemptItem.attempt_id)))
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.exam_id == exam.id, Attempt.state == AttemptState.FINISHED,
               AttemptItem.question_id == question_id)
        .group_by(AttemptItem.question_version_id)).all()
    if not rows:
        raise NotFound(QUESTION_NOT_IN_EXAM)
    version_id = max(rows, key=lambda row: (row[1], row[0]))[0]
    data = db.session.get(QuestionVersion, version_id).data
    fix = db.session.scalar(select(ExamQuestionAdjustment).filter_by(exam_id=exam.id, question_id=question_id))
    return Target(exam, question_id, version_id, data, sum(row[1] for row in rows), fix)


def fixes_of(exam_id: int) -> dict[int, Adjustment]:
    """The exam's fixes by question id, as engine adjustments (two statements at most)."""
    rows = db.session.execute(select(ExamQuestionAdjustment.question_id, ExamQuestionAdjustment.kind,
                                     ExamQuestionAdjustment.data)
                              .where(ExamQuestionAdjustment.exam_id == exam_id)).all()
    wanted = [data.get("version_id") for _qid, kind, data in rows if kind == engine.NEW_VERSION]
    texts = dict(db.session.execute(select(QuestionVersion.id, version_text)
                                    .where(QuestionVersion.id.in_([v for v in wanted if v]))).all()) if wanted else {}
    return {qid: Adjustment.from_data(kind, data, question_of(texts[data["version_id"]])
                                      if kind == engine.NEW_VERSION and data.get("version_id") in texts else None)
            for qid, kind, data in rows}


def recompute(exam: Exam, attempt_ids: list[int], fixes: dict[int, Adjustment]) -> list[Outcome]:
    """Each attempt recomputed with the fixes, in id order (three statements whatever the batch's size).

    The slots come as column tuples with their responses as JSON text, parsed once per distinct text
    (answers repeat a few dozen shapes); the versions' texts once per batch, not once per slot.
    """
    if not attempt_ids:
        return []
    heads = db.session.execute(
        select(Attempt.id, Attempt.person_id, Attempt.score, Attempt.max_score, Attempt.passed, Attempt.pending_manual)
        .where(Attempt.id.in_(attempt_ids)).order_by(Attempt.id)).all()
    in_batch = AttemptItem.attempt_id.in_(attempt_ids)
    questions = {vid: question_of(text) for vid, text in db.session.execute(
        select(QuestionVersion.id, version_text).where(QuestionVersion.id.in_(
            select(AttemptItem.question_version_id).where(in_batch).distinct())))}
    slots: dict[int, list] = {row[0]: [] for row in heads}
    parsed: dict[str | None, object] = {None: None}
    for attempt_id, item_id, question_id, version_id, text, points, stored, status in db.session.connection().execute(
            select(AttemptItem.attempt_id, AttemptItem.id, AttemptItem.question_id, AttemptItem.question_version_id,
                   cast(AttemptItem.response, String), AttemptItem.points, AttemptItem.score, AttemptItem.status)
            .where(in_batch).order_by(AttemptItem.attempt_id, AttemptItem.slot)):
        if text not in parsed:
            parsed[text] = json.loads(text)
        slots[attempt_id].append((item_id, question_id, questions[version_id], parsed[text], points, stored, status))
    policy = GradingPolicy(multi=exam.multi_policy)
    return [_outcome(head, slots[head[0]], fixes, exam.pass_percent, policy) for head in heads]


def _stored(score: int | None, points: int, status: str) -> Score | None:
    if status not in engine.GRADED_BY_PEOPLE or score is None:
        return None
    return Score(min(score, points), points, status)


def _outcome(head, items, fixes: dict[int, Adjustment], pass_percent: int, policy: GradingPolicy) -> Outcome:
    attempt_id, person_id, score, max_score, passed, pending = head
    result = engine.mark_paper((Slot(question, response, points, fixes.get(question_id), _stored(stored, points, status))
                                for _i, question_id, question, response, points, stored, status in items),
                               pass_percent, policy)
    changed = [(new.earned, new.status, item[0])
               for item, new in zip(items, result.scores, strict=True) if (item[5], item[6]) != (new.earned, new.status)]
    return Outcome(attempt_id, person_id, Totals(score, max_score, passed, bool(pending)),
                   Totals(result.score, result.max_score, result.passed, result.pending), changed)


# --- the fix the form asks for ---------------------------------------------------------------------


def _latest_version(question_id: int) -> tuple[int, dict] | None:
    """The bank's current version of the question, when the question is usable (ready, not under review)."""
    row = db.session.execute(
        select(QuestionVersion.id, QuestionVersion.data)
        .join(Question, (Question.id == QuestionVersion.question_id) & (Question.current_number == QuestionVersion.number))
        .where(Question.id == question_id, usable())).first()
    return (row[0], row[1]) if row else None


def build_fix(found: Target, given: FixInput) -> tuple[Adjustment, dict]:
    """The engine's adjustment and the data to store, or DomainError (Chinese) when it does not fit."""
    reason = " ".join((given.reason or "").split())
    if not reason:
        raise DomainError(NO_REASON)
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因不能超过 {REASON_MAX} 字。")
    shown = question_from_dict(found.data)
    stored: dict = {}
    try:
        if given.kind == engine.NEW_VERSION:
            latest = _latest_version(found.question_id)
            if latest is None:
                raise DomainError("题库中这道题的最新版本尚未审核或正在复核，审核后才能改用。")
            if latest[0] == found.version_id:
                raise DomainError("题库中这道题没有比考试所用更新的版本。请先在题库中修改试题，再回来改用新版本。")
            adjustment = Adjustment.from_data(given.kind, version=question_from_dict(latest[1]))
            stored = {"version_id": latest[0]}
        elif given.kind == engine.ACCEPT:
            adjustment = Adjustment.from_data(given.kind, _accept_data(shown, given))
            stored = adjustment.to_data()
        else:
            adjustment = Adjustment.from_data(given.kind)
    except engine.RegradeError as error:
        raise DomainError(str(error)) from None
    problem = engine.problem(adjustment, shown)
    if problem:
        raise DomainError(problem)
    return adjustment, stored


def _accept_data(question, given: FixInput) -> dict:
    if question.code == "truefalse":
        return {"answer": not question.answer}  # 判断: the other answer is the only one to accept
    if question.code == "fill":
        return {"blanks": [[t for t in _SEPARATORS.split(text or "") if t.strip()] for text in given.blank_texts]}
    return {"keys": list(given.keys)}


# --- writing --------------------------------------------------------------------------------------

_ITEM_UPDATE = "UPDATE attempt_item SET score = ?, status = ? WHERE id = ?"
_ATTEMPT_UPDATE = (update(Attempt).where(Attempt.id == bindparam("attempt_id"))
                   .values(score=bindparam("score"), max_score=bindparam("max_score"), passed=bindparam("passed"),
                           pending_manual=bindparam("pending"))
                   .execution_options(synchronize_session=False))


def write(exam_id: int, outcomes: Iterable[Outcome], *, actor_id: int | None, why: dict) -> list[Outcome]:
    """Store the changed outcomes with one audit entry per attempt (the caller commits); the changed ones.

    Three statements whatever their number: an executemany UPDATE of the changed slots, one of the
    changed attempts, one INSERT of their audit entries.
    """
    changed = [o for o in outcomes if o.changed]
    if not changed:
        return []
    items = [item for o in changed for item in o.items]
    if items:  # tens of thousands of rows in a large run: straight to the driver's executemany
        connection = db.session.connection()
        style = connection.dialect.paramstyle
        connection.exec_driver_sql(_ITEM_UPDATE if style == "qmark" else _ITEM_UPDATE.replace("?", "%s"), items)
    db.session.connection().execute(_ATTEMPT_UPDATE, [
        {"attempt_id": o.attempt_id, "score": o.after.score, "max_score": o.after.max_score,
         "passed": o.after.passed, "pending": o.after.pending} for o in changed])
    record_many("attempt_regrade", Attempt.__name__, [
        (o.attempt_id, {"exam_id": exam_id, **why, "score_before": o.before.score, "score_after": o.after.score,
                        "max_before": o.before.max_score, "max_after": o.after.max_score,
                        "passed_before": o.before.passed, "passed_after": o.after.passed}) for o in changed],
                actor_id=actor_id)
    return changed
