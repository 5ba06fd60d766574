"""Saving a marker's score for an essay, and what follows: the attempt's total, its result once every
answer is marked, the trainee told, the audit entry.

The score is checked by the engine (`question_bank.marking.manual_score`: whole or half points within
the slot's points) and totalled by it (`marking.total`); nothing here computes a score. Saving needs
the marker's claim (`grading`): a conditional UPDATE on `claimed_by_id`, so an answer another marker
holds, or one saved by someone else since, is refused and nothing changes. When the last pending
answer of an attempt is marked, `pending_manual` is cleared by a conditional UPDATE too, so the
result becomes final once: the trainee gets one message and `attempt_graded` is announced once.
Re-marking an answer of a final attempt announces `attempt_regraded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.audit import record
from app.errors import Conflict, Unprocessable
from app.events import announce, attempt_graded, attempt_regraded
from app.exams.grading import Grader, item_to_grade
from app.exams.views import review_flags
from app.extensions import db
from app.messages.services import send
from app.models import Attempt, AttemptItem
from question_bank import Score, units_to_points
from question_bank.marking import manual, manual_score, total

MAX_COMMENT = 1000
HELD = "这份答卷正由其他阅卷人评分，或已被他人改过分，您的评分没有保存。请重新打开这份答卷。"


@dataclass(frozen=True)
class Saved:
    item_id: int
    question_id: int
    attempt_id: int
    final: bool  # this save made the attempt's result final


def save_mark(grader: Grader, item_id: int, score_text: str, comment: str, *, now: datetime) -> Saved:
    """Store the marker's score and comment for one answer (commits); Unprocessable for a bad score,
    Conflict when the marker does not hold the answer."""
    item = item_to_grade(grader, item_id)
    try:
        units = manual_score(score_text, item.points)
    except ValueError as error:
        raise Unprocessable(str(error)) from None
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Unprocessable(f"评语不能超过 {MAX_COMMENT} 字。")
    before = None if item.status == "pending" else units_to_points(item.score or 0)
    changed = db.session.execute(
        update(AttemptItem).where(AttemptItem.id == item.id, AttemptItem.claimed_by_id == grader.person_id)
        .values(score=units, status=manual(units, item.points).status, marked_by_id=grader.person_id,
                marked_at=now, comment=comment, claimed_by_id=None, claimed_until=None)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict(HELD)
    attempt = db.session.get(Attempt, item.attempt_id)
    record("exam_essay_marked" if before is None else "exam_essay_remarked", attempt, actor_id=grader.person_id,
           exam_id=grader.exam.id, slot=item.slot, item_id=item.id, before=before, after=units_to_points(units),
           comment=comment or None)
    was_final = not attempt.pending_manual
    final = _settle(grader, attempt, now=now)
    db.session.commit()
    if final:
        announce(attempt_graded, attempt_id=attempt.id)
    elif was_final:
        announce(attempt_regraded, attempt_id=attempt.id)
    return Saved(item.id, item.question_id, attempt.id, final)


def _settle(grader: Grader, attempt: Attempt, *, now: datetime) -> bool:
    """Total the attempt from its stored scores (flushes); True when its result became final now."""
    stored = db.session.execute(select(AttemptItem.score, AttemptItem.points, AttemptItem.status)
                                .where(AttemptItem.attempt_id == attempt.id)).all()
    result = total((Score.stored(score, points, status) for score, points, status in stored),
                   grader.exam.pass_percent)
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(score=result.score, passed=result.passed)
                       .execution_options(synchronize_session=False))
    became_final = not result.pending and db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.pending_manual.is_(True))
        .values(pending_manual=False).execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(attempt)
    if became_final:
        _tell_the_trainee(grader, attempt, now=now)
    return became_final


def _tell_the_trainee(grader: Grader, attempt: Attempt, *, now: datetime) -> None:
    """One message per attempt (its dedupe key): the score only if the review policy shows it now."""
    exam = grader.exam
    flags = review_flags(exam, attempt, now=now)
    if flags and flags["score"]:
        verdict = "合格" if attempt.passed else "不合格"
        score = f"{units_to_points(attempt.score or 0)} / {units_to_points(attempt.max_score)} 分"
        title = f"《{exam.title}》阅卷完成：得分 {score}，{verdict}"
        body = f"您第 {attempt.number} 次作答的简答题已阅完，最终得分 {score}，{verdict}。"
    else:
        title = f"《{exam.title}》阅卷完成"
        body = f"您第 {attempt.number} 次作答的简答题已阅完，成绩已确定。成绩按考试的公布规则查看。"
    send(attempt.person_id, "attempt_graded", title, body, f"/exams/attempts/{attempt.id}/result",
         dedupe_key=f"attempt-graded:{attempt.id}", now=now)
