"""The lesson quiz (课后小测): recorded attempts at the lesson's usable bank questions.

- Questions: the lesson's quiz entries resolved to bank questions once (curriculum/quiz_links.py),
  usable by the bank's rule (ready, not awaiting review) and graded automatically; a lesson with
  none has no quiz.
- Starting (a POST) opens one attempt per person, lesson and cycle holding the current version of
  each question; the quiz page shows that open attempt (a reload shows the same one) and
  submitting grades exactly those versions, through each type's web adapter (app/qtypes).
- Every submission is kept; failures in a row lock the quiz for a while (quiz_limits.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.audit import record
from app.bank.questions import usable
from app.curriculum.quiz_links import link_quiz_questions, quiz_question_ids
from app.errors import NotFound
from app.events import announce, quiz_finished
from app.extensions import db
from app.models import (
    Lesson,
    LessonProgress,
    Question,
    QuestionVersion,
    QuizAttempt,
    QuizAttemptItem,
)
from app.models.curriculum import CreditKind
from app.qtypes import TypeAdapter, adapter_for
from app.study import progress
from app.study.cycles import current_cycle
from app.study.ledger import add_entry
from app.study.quiz_limits import (
    Lock,
    check_unlocked,
    current_lock,
    lock_if_too_many,
    studied_seconds,
)
from app.study.settings import setting
from question_bank import Question as BankQuestion
from question_bank import QuestionBankError, Score, question_from_dict
from question_bank.types import all_types


@dataclass(frozen=True)
class QuizItem:
    """One question of a quiz: the version's content, the answer to show, and its score once graded."""

    position: int
    version_id: int
    data: dict
    given: list[str] = field(default_factory=list)  # input values: filled in, or the graded answer
    score: Score | None = None
    last_status: str = ""  # how the same version scored in the person's previous try

    @property
    def question(self) -> BankQuestion:
        return question_from_dict(self.data)

    @property
    def adapter(self) -> TypeAdapter:
        return adapter_for(self.data["type"])

    @property
    def public(self) -> dict:
        return self.question.public_dict()

    @property
    def field(self) -> str:
        return f"q{self.position}"


@dataclass(frozen=True)
class QuizPage:
    """The quiz page: the open attempt's questions, else the number of questions and any lock."""

    lesson: Lesson
    count: int
    attempt_id: int | None = None
    items: tuple[QuizItem, ...] = ()
    lock: Lock | None = None


@dataclass(frozen=True)
class QuizResult:
    lesson: Lesson
    attempt_id: int
    earned: int
    possible: int
    passed: bool
    items: tuple[QuizItem, ...]
    lesson_completed: bool
    lock: Lock | None = None

    @property
    def percent(self) -> int:
        return self.earned * 100 // self.possible if self.possible else 0

    @property
    def reveal(self) -> bool:
        """Correct answers and explanations are shown once the quiz is passed."""
        return self.passed


def _auto_graded() -> list[str]:
    """Return the codes of the types the engine grades without a person."""
    return [cls.code for cls in all_types() if cls.auto_graded]


def _lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not lesson.active or not lesson.course.active or not lesson.quiz:
        raise NotFound("该课时没有课后小测。")
    return lesson


def quiz_items(lesson: Lesson) -> list[QuizItem]:
    """Return the current versions of the lesson's usable, automatically graded quiz questions."""
    ids = quiz_question_ids(lesson) if lesson.quiz else []
    if not ids:
        return []
    current = and_(QuestionVersion.question_id == Question.id, QuestionVersion.number == Question.current_number)
    rows = {qid: (vid, data) for qid, vid, data in db.session.execute(
        select(Question.id, QuestionVersion.id, QuestionVersion.data).join(QuestionVersion, current)
        .where(Question.id.in_(ids), usable(), Question.qtype.in_(_auto_graded())))}
    items = []
    for qid in ids:
        if qid in rows:
            try:
                question_from_dict(rows[qid][1])
            except QuestionBankError:
                continue
            items.append(QuizItem(len(items), *rows[qid]))
    return items


def _open_attempt(person_id: int, lesson_id: int, cycle: int) -> QuizAttempt | None:
    return db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.person_id == person_id, QuizAttempt.lesson_id == lesson_id, QuizAttempt.cycle == cycle,
        QuizAttempt.submitted_at.is_(None)).order_by(QuizAttempt.id.desc()).limit(1)).first()


def _items(attempt: QuizAttempt, *, graded: bool) -> tuple[QuizItem, ...]:
    """Return an attempt's items: graded with their answers, or open with the previous try's filled in."""
    rows = db.session.scalars(select(QuizAttemptItem).where(QuizAttemptItem.attempt_id == attempt.id)
                              .options(selectinload(QuizAttemptItem.version))
                              .order_by(QuizAttemptItem.position)).all()
    if graded:
        return tuple(QuizItem(row.position, row.question_version_id, row.version.data,
                              adapter_for(row.version.data["type"]).form_values(row.response),
                              Score(row.earned, row.possible, row.status)) for row in rows)
    last = db.session.scalars(select(QuizAttempt.id).where(
        QuizAttempt.person_id == attempt.person_id, QuizAttempt.lesson_id == attempt.lesson_id,
        QuizAttempt.cycle == attempt.cycle, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.id.desc()).limit(1)).first()
    before = {row.question_version_id: row for row in db.session.scalars(
        select(QuizAttemptItem).where(QuizAttemptItem.attempt_id == last))} if last else {}
    items = []
    for row in rows:
        previous = before.get(row.question_version_id)
        given = adapter_for(row.version.data["type"]).form_values(previous.response) if previous else []
        items.append(QuizItem(row.position, row.question_version_id, row.version.data, given,
                              last_status=previous.status if previous else ""))
    return tuple(items)


def quiz_page(person_id: int, lesson_id: int, *, now: datetime) -> QuizPage:
    """Return the person's open attempt at a lesson quiz, else what starting one needs (reads only)."""
    lesson = _lesson(lesson_id)
    cycle = current_cycle(person_id, lesson.course_id)
    attempt = _open_attempt(person_id, lesson.id, cycle)
    if attempt is not None:
        items = _items(attempt, graded=False)
        return QuizPage(lesson, len(items), attempt.id, items)
    count = len(quiz_items(lesson))
    if not count:
        raise NotFound("该课时没有课后小测。")
    return QuizPage(lesson, count, lock=current_lock(person_id, lesson.id, cycle, now=now))


def start_quiz(person_id: int, lesson_id: int, *, now: datetime) -> int:
    """Open an attempt with the current version of each quiz question (or return the open one)."""
    lesson = _lesson(lesson_id)
    cycle = current_cycle(person_id, lesson.course_id)
    attempt = _open_attempt(person_id, lesson.id, cycle)
    if attempt is None:
        check_unlocked(person_id, lesson.id, cycle, now=now)
        link_quiz_questions([lesson])
        items = quiz_items(lesson)
        if not items:
            raise NotFound("该课时没有课后小测。")
        attempt = QuizAttempt(person_id=person_id, lesson_id=lesson.id, cycle=cycle, started_at=now, items=[
            QuizAttemptItem(position=item.position, question_version_id=item.version_id,
                            possible=item.question.points) for item in items])
        db.session.add(attempt)
    db.session.commit()
    return attempt.id


def submit_quiz(person_id: int, lesson_id: int, attempt_id: int | None, answers: dict[str, list[str]], *,
                now: datetime) -> QuizResult:
    """Grade an open attempt on the versions it showed; a pass marks the lesson's quiz passed.

    Submitting an attempt again shows its result without grading it again.
    """
    lesson = _lesson(lesson_id)
    attempt = db.session.get(QuizAttempt, attempt_id) if attempt_id else None
    if attempt is None or attempt.person_id != person_id or attempt.lesson_id != lesson.id:
        raise NotFound("没有找到这次小测，请重新开始。")
    graded = attempt.submitted_at is None
    if graded:
        check_unlocked(person_id, lesson.id, attempt.cycle, now=now)
        _grade(attempt, answers, now=now)
        if attempt.passed:
            _record_pass(person_id, lesson, attempt.cycle, now=now)
        else:
            lock_if_too_many(attempt, now=now)
        db.session.commit()
        announce(quiz_finished, quiz_attempt_id=attempt.id)
    done = db.session.scalar(select(LessonProgress.completed_at).filter_by(
        person_id=person_id, lesson_id=lesson.id, cycle=attempt.cycle)) is not None
    return QuizResult(lesson, attempt.id, attempt.earned, attempt.possible, attempt.passed,
                      _items(attempt, graded=True), done,
                      None if attempt.passed else current_lock(person_id, lesson.id, attempt.cycle, now=now))


def _grade(attempt: QuizAttempt, answers: dict[str, list[str]], *, now: datetime) -> None:
    """Score every item of the attempt on its stored version and close the attempt (flushed)."""
    rows = db.session.scalars(select(QuizAttemptItem).where(QuizAttemptItem.attempt_id == attempt.id)
                              .options(selectinload(QuizAttemptItem.version))).all()
    for row in rows:
        response = adapter_for(row.version.data["type"]).response(answers.get(f"q{row.position}", []))
        score = question_from_dict(row.version.data).grade(response)
        row.response, row.earned, row.possible, row.status = response, score.earned, score.possible, score.status
    attempt.earned, attempt.possible = sum(row.earned for row in rows), sum(row.possible for row in rows)
    attempt.passed = attempt.possible > 0 and (
        attempt.earned * 100 >= attempt.possible * setting("STUDY_QUIZ_PASS_PERCENT"))
    attempt.submitted_at = now
    attempt.studied_seconds = studied_seconds(attempt.person_id, attempt.lesson_id, attempt.cycle)
    db.session.flush()


def _record_pass(person_id: int, lesson: Lesson, cycle: int, *, now: datetime) -> None:
    """Mark the lesson's quiz passed in the cycle; complete the lesson when its time is reached too."""
    row = db.session.scalar(select(LessonProgress).filter_by(person_id=person_id, lesson_id=lesson.id, cycle=cycle))
    if row is None:
        row = LessonProgress(person_id=person_id, lesson_id=lesson.id, cycle=cycle, seconds=0)
        db.session.add(row)
    just_completed = row.completed_at is None and row.seconds >= lesson.min_minutes * 60
    if not row.quiz_passed:
        row.quiz_passed = True
        record("lesson_quiz_passed", row, actor_id=person_id, lesson_id=lesson.id, cycle=cycle)
        _bonus(person_id, lesson, cycle, now=now)
    if just_completed:
        row.completed_at = now
        db.session.flush()
        progress.lesson_completed(person_id, lesson.id, cycle, now=now)


def _bonus(person_id: int, lesson: Lesson, cycle: int, *, now: datetime) -> None:
    """Credit the configured 学时 bonus for a first pass of this lesson's quiz (once per lesson and cycle)."""
    tenths = setting("QUIZ_PASS_BONUS_TENTHS")
    if tenths > 0:
        add_entry(person_id=person_id, source_type="quiz", source_id=lesson.id, cycle=cycle,
                  year=clock.local_date(now).year,
                  kind=CreditKind.ELECTIVE, tenths=tenths, note=f"课后小测通过：{lesson.title[:80]}", created_at=now)
