"""The lesson quiz (课后小测): the lesson's bank questions, graded by the exam engine.

Only automatically graded types count (单选, 多选, 判断, 填空); questions that are missing from
the bank, retired or essays are left out, and a lesson whose quiz has none left has no quiz.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import clock
from app.audit import record
from app.errors import NotFound
from app.extensions import db
from app.models import Lesson, LessonProgress, Question
from app.models.curriculum import CreditKind
from app.study import progress
from app.study.cycles import current_cycle
from app.study.ledger import add_entry
from app.study.settings import setting
from question_bank import QuestionBankError, question_from_dict

AUTO_GRADED = ("single", "multiple", "truefalse", "fill")


@dataclass(frozen=True)
class QuizItem:
    row_id: int
    question: object  # a question_bank Question

    @property
    def public(self) -> dict:
        return self.question.public_dict()

    @property
    def field(self) -> str:
        return f"q{self.row_id}"


@dataclass(frozen=True)
class QuizResult:
    earned: int
    possible: int
    passed: bool
    wrong: tuple[int, ...]  # row ids of questions not fully correct
    lesson_completed: bool

    @property
    def percent(self) -> int:
        return self.earned * 100 // self.possible if self.possible else 0


def quiz_items(lesson: Lesson) -> list[QuizItem]:
    """Return the lesson's gradable quiz questions in the lesson's order."""
    if not lesson.quiz:
        return []
    rows = {q.external_id: q for q in db.session.scalars(
        select(Question).where(Question.external_id.in_(lesson.quiz), Question.status != "retired"))}
    items = []
    for external_id in lesson.quiz:
        row = rows.get(external_id)
        try:
            question = question_from_dict(row.data) if row else None
        except QuestionBankError:
            question = None
        if question is not None and question.code in AUTO_GRADED:
            items.append(QuizItem(row.id, question))
    return items


def open_quiz(lesson_id: int) -> tuple[Lesson, list[QuizItem]]:
    """Return an active lesson that has a quiz and its questions, else raise NotFound."""
    lesson = db.session.get(Lesson, lesson_id)
    items = quiz_items(lesson) if lesson and lesson.active and lesson.course.active else []
    if not items:
        raise NotFound("该课时没有课后小测。")
    return lesson, items


def _response(code: str, values: list[str]) -> object:
    """Turn submitted form values into the response shape the engine grades."""
    if code == "multiple":
        return list(values)
    if code == "truefalse":
        return {"true": True, "false": False}.get(values[0] if values else "")
    if code == "fill":
        return list(values)
    return values[0] if values else None


def submit_quiz(person_id: int, lesson_id: int, answers: dict[str, list[str]], *, now: datetime) -> QuizResult:
    """Grade a quiz attempt; a pass marks the lesson's quiz passed and may complete the lesson."""
    lesson, items = open_quiz(lesson_id)
    scores = [(item, item.question.grade(_response(item.question.code, answers.get(item.field, []))))
              for item in items]
    earned, possible = sum(s.earned for _, s in scores), sum(s.possible for _, s in scores)
    passed = possible > 0 and earned * 100 >= possible * setting("STUDY_QUIZ_PASS_PERCENT")
    wrong = tuple(item.row_id for item, s in scores if s.status != "correct")
    completed = _record_pass(person_id, lesson, now=now) if passed else False
    return QuizResult(earned, possible, passed, wrong, completed)


def _record_pass(person_id: int, lesson: Lesson, *, now: datetime) -> bool:
    cycle = current_cycle(person_id, lesson.course_id)
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
    db.session.commit()
    return row.completed_at is not None


def _bonus(person_id: int, lesson: Lesson, cycle: int, *, now: datetime) -> None:
    """Credit the configured 学时 bonus for a first pass of this lesson's quiz (once per lesson and cycle)."""
    tenths = setting("QUIZ_PASS_BONUS_TENTHS")
    if tenths > 0:
        add_entry(person_id=person_id, source_type="quiz", source_id=lesson.id, cycle=cycle,
                  year=clock.local_date(now).year,
                  kind=CreditKind.ELECTIVE, tenths=tenths, note=f"课后小测通过：{lesson.title[:80]}", created_at=now)
