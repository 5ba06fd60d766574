"""The 错题本: every question a trainee answered wrongly, until they answer it correctly twice in a row.

What enters, and when (each graded answer is applied once, in the order it is applied):
- practice (any `ExamKind.PRACTICE` attempt): a slot's answer when it is checked (核对, `checks.py`,
  in the check's transaction), the other answered slots when the attempt is finished; a practice
  slot left unanswered is not a wrong answer (a practice may be stopped halfway);
- a formal exam: once its review policy shows the correct answers (`review_answers`) to the
  trainee — at submit for 交卷后立即, when the window closes for 考试结束后 (the `wrong-book-release`
  job), never for 不公布; there an unanswered question counts as wrong (a point lost is a question
  to learn), shown as 未作答;
- answers awaiting a marker (`pending`) are left out; a later regrade does not change the book.

The `attempt_finished` receiver (`receivers.py`) applies a finished attempt through a task; the
release job catches what the policy shows later (and anything a lost task missed). Each attempt is
claimed with a conditional update of `Attempt.wrong_book_applied`, so it is applied once.

An entry is one (person, question) with the latest wrong answer and its version; a correct answer
of a question in the book adds to `correct_streak`, and at `MASTERED_AFTER` the entry moves to
已掌握 (`mastered_at`); a wrong one sets the streak back to 0 and opens it again. Correct answers of
questions not in the book change nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update

from app.audit import record
from app.exams.views import review_flags
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, WrongBookEntry
from app.models.exams import AttemptState, ExamKind, ReviewTiming

MASTERED_AFTER = 2  # correct answers in a row that take a question out of the book
UNANSWERED = "unanswered"  # shown as 未作答; graded as wrong


def record_answer(person_id: int, question_id: int, version_id: int, response: object, status: str,
                  earned: int, possible: int, *, attempt_id: int | None, at: datetime,
                  entry: WrongBookEntry | None = None, known: bool = False) -> str | None:
    """Apply one graded answer to the person's book (flushes nothing; the caller commits).

    `entry` with `known=True` is the caller's prefetched row (None: not in the book). Returns what
    happened: "added", "wrong" (again), "correct", "mastered" or None (nothing).
    """
    if status == "pending":
        return None
    if not known:
        entry = db.session.scalar(select(WrongBookEntry).filter_by(person_id=person_id, question_id=question_id))
    if status == "correct":
        if entry is None:
            return None
        entry.correct_streak += 1
        entry.last_answered_at = at
        if entry.mastered_at is None and entry.correct_streak >= MASTERED_AFTER:
            entry.mastered_at = at
            return "mastered"
        return "correct"
    if entry is None:
        db.session.add(WrongBookEntry(
            person_id=person_id, question_id=question_id, question_version_id=version_id, response=response,
            status=status, earned=earned, possible=possible, wrong_count=1, correct_streak=0,
            first_wrong_at=at, last_wrong_at=at, last_answered_at=at, attempt_id=attempt_id))
        return "added"
    entry.question_version_id, entry.response, entry.status = version_id, response, status
    entry.earned, entry.possible, entry.attempt_id = earned, possible, attempt_id
    entry.wrong_count += 1
    entry.correct_streak = 0
    entry.mastered_at = None
    entry.last_wrong_at = entry.last_answered_at = at
    return "wrong"


def shows_answers(exam: Exam, attempt: Attempt, *, now: datetime) -> bool:
    """Whether the attempt's answers may enter the book now (see the module's rules)."""
    if attempt.state != AttemptState.FINISHED:
        return False
    if exam.kind == ExamKind.PRACTICE:
        return True
    flags = review_flags(exam, attempt, now=now)
    return bool(flags and flags["answers"])


def apply_attempt(attempt_id: int, *, now: datetime) -> bool:
    """Enter a finished attempt's graded answers into its person's book, once (commits).

    False when the policy does not show its answers yet (or never) or it was applied already.
    """
    attempt = db.session.get(Attempt, attempt_id)
    exam = db.session.get(Exam, attempt.exam_id) if attempt else None
    if attempt is None or attempt.wrong_book_applied or not shows_answers(exam, attempt, now=now):
        db.session.rollback()
        return False
    claimed = db.session.execute(update(Attempt).where(Attempt.id == attempt_id, Attempt.wrong_book_applied.is_(False))
                                 .values(wrong_book_applied=True)).rowcount
    if not claimed:  # another worker applied it meanwhile
        db.session.rollback()
        return False
    practice = exam.kind == ExamKind.PRACTICE
    items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                               .order_by(AttemptItem.slot)).all()
    entries = {e.question_id: e for e in db.session.scalars(select(WrongBookEntry).where(
        WrongBookEntry.person_id == attempt.person_id,
        WrongBookEntry.question_id.in_([item.question_id for item in items])))}
    at = attempt.submitted_at or now
    counts: dict[str, int] = {}
    for item in items:
        answered = item.response is not None and item.seq > 0
        if practice and (item.checked_at is not None or not answered):
            continue  # a checked slot entered at its check; an unanswered practice slot is no wrong answer
        status = item.status if answered or item.status == "pending" else UNANSWERED
        happened = record_answer(attempt.person_id, item.question_id, item.question_version_id,
                                 item.response if answered else None, status, item.score or 0, item.points,
                                 attempt_id=attempt_id, at=at, entry=entries.get(item.question_id), known=True)
        if happened:
            counts[happened] = counts.get(happened, 0) + 1
    record("wrong_book_apply", attempt, actor_id=None, exam_id=exam.id, **counts)
    db.session.commit()
    return True


def release_due(*, now: datetime, limit: int = 500) -> list[int]:
    """The `wrong-book-release` job: apply every finished attempt whose policy shows answers by now
    and that is not applied yet (after-close exams whose window closed, and any attempt a lost task
    missed); one commit each. An attempt whose person has a later close (override) waits for it."""
    shown = or_(Exam.kind == ExamKind.PRACTICE,
                and_(Exam.review_answers.is_(True),
                     or_(Exam.review_timing == ReviewTiming.ON_SUBMIT,
                         and_(Exam.review_timing == ReviewTiming.AFTER_CLOSE, Exam.closes_at <= now))))
    candidates = db.session.scalars(
        select(Attempt.id).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.state == AttemptState.FINISHED, Attempt.wrong_book_applied.is_(False), shown)
        .order_by(Attempt.id).limit(limit)).all()
    return [attempt_id for attempt_id in candidates if apply_attempt(attempt_id, now=now)]
