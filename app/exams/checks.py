"""核对: immediate feedback on one answer of a practice, and the checks of an attempt so far.

Only a practice (`ExamKind.PRACTICE`) is checked: for a formal exam both answer 403 and reveal
nothing, and anyone else's attempt is 404. A check grades the slot's saved answer through the engine
(`question_bank.marking.mark`, the exam's grading policy), stores the score with `checked_at` and
answers with the slot's QuestionResult (views.question_result: right or wrong, the score, the
correct answer and the explanation). From then on the answer is final: a save of a checked slot is
refused (attempts.save_answer, 409), so feedback cannot be used to fix answers. A wrong checked
answer enters the 错题本 in the same transaction (wrong_book.record_answer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.audit import record
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.exams import attempts as taking
from app.exams import wrong_book
from app.exams.questions import question_of, version_text
from app.exams.views import question_result
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, QuestionVersion
from app.models.exams import ExamKind
from question_bank.assembly import to_display_letters
from question_bank.marking import mark
from question_bank.scoring import GradingPolicy

NOT_PRACTICE = "正式考试不提供核对答案。"
SHOWN = {"score": True, "correctness": True, "answers": True, "explanations": True}


def _practice_attempt(attempt_id: int, person_id: int) -> tuple[Attempt, Exam]:
    attempt = taking.own_attempt(attempt_id, person_id)
    exam = db.session.get(Exam, attempt.exam_id)
    if exam.kind != ExamKind.PRACTICE:
        raise Forbidden(NOT_PRACTICE)
    return attempt, exam


def feedback(item: AttemptItem, text: str) -> dict:
    """A checked slot as the API gives it: its QuestionResult, its score status and the answer checked."""
    return question_result(item, text, SHOWN) | {
        "status": item.status, "response": to_display_letters(item.response, item.option_order)}


def check_slot(attempt_id: int, person_id: int, slot: int, *, now: datetime) -> dict:
    """Grade and store the slot's saved answer once, and answer with the feedback (commits).

    A second check of the slot answers the stored feedback again; 409 once the attempt is closed,
    422 when the slot has no saved answer.
    """
    attempt, exam = _practice_attempt(attempt_id, person_id)
    # PostgreSQL: wait for a save in flight (it holds the attempt FOR SHARE); SQLite's IMMEDIATE does it.
    db.session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    row = db.session.execute(
        select(AttemptItem, version_text).join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.slot == slot)).one_or_none()
    if row is None:
        raise NotFound("题目不存在。")
    item, text = row
    if item.checked_at is not None:
        db.session.rollback()
        return feedback(item, text)
    if taking.is_closed(attempt, exam, now):
        raise Conflict(taking.CLOSED)
    if not item.seq or item.response is None:
        raise Unprocessable("请先作答并保存，再核对。")
    score = mark(question_of(text), item.response, item.points, GradingPolicy(multi=exam.multi_policy))
    item.score, item.status, item.checked_at = score.earned, score.status, now
    wrong_book.record_answer(person_id, item.question_id, item.question_version_id, item.response, score.status,
                             score.earned, score.possible, attempt_id=attempt.id, at=now)
    record("attempt_check", attempt, actor_id=person_id, slot=slot, status=score.status)
    db.session.commit()
    return feedback(item, text)


def checks(attempt_id: int, person_id: int) -> list[dict]:
    """Every checked slot of the person's practice attempt, in slot order (a reload shows them again)."""
    attempt, _exam = _practice_attempt(attempt_id, person_id)
    rows = db.session.execute(
        select(AttemptItem, version_text).join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.checked_at.is_not(None))
        .order_by(AttemptItem.slot)).all()
    return [feedback(item, text) for item, text in rows]
