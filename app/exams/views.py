"""What a trainee may see of exams and attempts, as plain data for the JSON API and the pages.

Nothing here reveals, during an attempt, what the trainee may not see (API.md): slots carry the
stem and option texts in this attempt's order under re-lettered keys, never question or version
ids, weights, answers, explanations or feedback. Results follow the exam's review policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Row, bindparam, select

from app import clock
from app.exams.attempts import attempts_allowed, closes_at, override_for
from app.exams.audience import exams_for
from app.exams.questions import public_of, question_of, version_text
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, ExamOverride, Person, QuestionVersion
from app.models.exams import AttemptState, ReviewTiming
from app.rendering import render_markdown
from question_bank.assembly import OPTION_LETTERS, to_display_letters


def iso(value: datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with the offset of the platform's zone."""
    return clock.isoformat(value) if value else None


def _status(exam: Exam, attempts: list[Attempt], allowed: int, close: datetime, now: datetime) -> str:
    if any(a.state == AttemptState.IN_PROGRESS and now <= a.deadline for a in attempts):
        return "in_progress"
    if now < exam.opens_at:
        return "upcoming"
    if len(attempts) >= allowed or (now >= close and attempts):
        return "finished"
    return "closed" if now >= close else "open"


@dataclass(frozen=True)
class PersonExam:
    """One of a person's exams with their attempts (by number) and their override, if any."""

    exam: Exam
    attempts: list[Attempt]
    override: ExamOverride | None


def person_exams(person: Person) -> list[PersonExam]:
    """Every published exam whose audience includes the person, with attempts and overrides (3 queries)."""
    exams = exams_for(person)
    if not exams:
        return []
    ids = [exam.id for exam in exams]
    mine: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.person_id == person.id, Attempt.exam_id.in_(ids))
                                      .order_by(Attempt.number)):
        mine.setdefault(attempt.exam_id, []).append(attempt)
    overrides = {o.exam_id: o for o in db.session.scalars(
        select(ExamOverride).where(ExamOverride.person_id == person.id, ExamOverride.exam_id.in_(ids)))}
    return [PersonExam(exam, mine.get(exam.id, []), overrides.get(exam.id)) for exam in exams]


def exam_summaries(person: Person, *, now: datetime) -> list[dict]:
    """The Exam summaries (API.md) of every published exam whose audience includes the person."""
    return [exam_summary(one.exam, one.attempts, one.override, now=now) for one in person_exams(person)]


def exam_summary(exam: Exam, attempts: list[Attempt], override: ExamOverride | None, *, now: datetime) -> dict:
    allowed, close = attempts_allowed(exam, override), closes_at(exam, override)
    return {"id": exam.id, "title": exam.title, "kind": exam.kind, "opens_at": iso(exam.opens_at),
            "closes_at": iso(close), "duration_minutes": exam.duration_minutes,
            "attempts_allowed": allowed, "attempts_used": len(attempts),
            "status": _status(exam, attempts, allowed, close, now),
            "requires_password": bool(exam.password_hash)}


def review_flags(exam: Exam, attempt: Attempt, *, now: datetime,
                 close: datetime | None = None) -> dict[str, bool] | None:
    """What the review policy shows of a finished attempt now; None while nothing is shown.

    `close` is the person's close of the exam when the caller knows it (else it is looked up).
    """
    if attempt.state != AttemptState.FINISHED or exam.review_timing == ReviewTiming.NEVER:
        return None
    if exam.review_timing == ReviewTiming.AFTER_CLOSE and \
            now < (close or closes_at(exam, override_for(exam.id, attempt.person_id))):
        return None
    flags = {"score": exam.review_score, "correctness": exam.review_correctness,
             "answers": exam.review_answers, "explanations": exam.review_explanations}
    return flags if any(flags.values()) else None


@lru_cache(maxsize=20_000)
def _html(text: str) -> str:
    """A question text as sanitised HTML; cached, since every paper shows the same texts again."""
    return str(render_markdown(text))


def _slot(item: Row, text: str) -> dict:
    public = public_of(text)
    slot = {"slot": item.slot, "section": item.section, "type": public["type"],
            "stem_html": _html(public["stem"]), "points": item.points / 100}
    if item.option_order:
        texts = {option["key"]: option["text"] for option in public.get("options", ())}
        slot["options"] = [{"key": OPTION_LETTERS[i], "text_html": _html(texts.get(key, ""))}
                           for i, key in enumerate(item.option_order)]
    if "blank_count" in public:
        slot["blanks"] = public["blank_count"]
    return slot


# Built once (every start and every load of an attempt runs it), and rows, not objects: cheaper.
_ITEMS = (select(AttemptItem.slot, AttemptItem.section, AttemptItem.points, AttemptItem.option_order,
                 AttemptItem.seq, AttemptItem.response, AttemptItem.score, AttemptItem.status,
                 version_text.label("text"))
          .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
          .where(AttemptItem.attempt_id == bindparam("attempt_id")).order_by(AttemptItem.slot))


def _items_with_data(attempt_id: int) -> list[Row]:
    """The attempt's slots as rows (slot, section, points, option_order, seq, response, score,
    status) with their versions' stored JSON `text` (parsed through the cache)."""
    return db.session.execute(_ITEMS, {"attempt_id": attempt_id}).all()


def attempt_view(attempt: Attempt, *, now: datetime) -> dict:
    """The Attempt (API.md): the paper as the trainee sees it, their answers, and the result when allowed."""
    exam = db.session.get(Exam, attempt.exam_id)
    items = _items_with_data(attempt.id)
    return {"id": attempt.id, "exam_id": exam.id, "number": attempt.number, "state": attempt.state,
            "started_at": iso(attempt.started_at), "deadline": iso(attempt.deadline),
            "server_time": iso(now), "title": exam.title,
            "questions": [_slot(item, item.text) for item in items],
            "answers": {str(item.slot): {"seq": item.seq,
                                         "response": to_display_letters(item.response, item.option_order)}
                        for item in items if item.seq},
            "switches": attempt.switches,
            "result": _result(exam, attempt, items, now=now)}


def _result(exam: Exam, attempt: Attempt, items, *, now: datetime) -> dict | None:
    flags = review_flags(exam, attempt, now=now)
    if flags is None:
        return None
    result: dict = {"pending_manual": attempt.pending_manual}
    if flags["score"]:
        result |= {"score": (attempt.score or 0) / 100, "max_score": attempt.max_score / 100,
                   "passed": attempt.passed}
    if flags["correctness"] or flags["answers"] or flags["explanations"]:
        result["questions"] = [question_result(item, item.text, flags) for item in items]
    return result


def question_result(item: Row, text: str, flags: dict[str, bool]) -> dict:
    """A slot's QuestionResult (API.md) with what `flags` show; `item` has slot, points, score,
    status and option_order (a row or an `AttemptItem`). Also the 核对 of a practice (checks.py)."""
    entry: dict = {"slot": item.slot}
    if flags["score"]:
        entry |= {"score": (item.score or 0) / 100, "max": item.points / 100}
    if flags["correctness"]:
        entry["correct"] = None if item.status in ("pending", "dropped", "") else item.status == "correct"
    question = question_of(text)
    if flags["answers"]:
        correct = question.correct_response()
        correct = list(correct) if isinstance(correct, tuple) else correct
        entry["correct_response"] = to_display_letters(correct, item.option_order)
    if flags["explanations"] and question.explanation:
        entry["explanation_html"] = _html(question.explanation)
    return entry
