"""What a trainee may practise: practice exams, 知识点, 题库分类 and their own 错题, each with its questions.

A trainee practises ready questions (`bank.questions.usable`) their scope may see: questions in bank
categories owned by a unit on their own unit's path (their 中队, 大队, 支队…) or by nobody (the shared
bank); a 知识点 of their workforces (`curriculum.services.person_workforces`) draws those questions
linked to it; a practice exam (not hidden, open, with them in its audience) its frozen pools.
Anything else answers 404, so a source outside the scope is not even named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, or_, select

from app.bank.questions import usable
from app.curriculum.services import person_workforces
from app.errors import NotFound
from app.exams.audience import exams_for
from app.extensions import db
from app.models import (
    Competency,
    Exam,
    ExamPoolEntry,
    Person,
    Question,
    QuestionCategory,
    WrongBookEntry,
    question_competency,
)
from app.models.exams import ExamKind
from app.models.practice import PracticeSourceKind
from app.trees import ancestor_ids, full_names

SOURCE_NOT_FOUND = "练习内容不存在，或不在您可以练习的范围内。"


@dataclass(frozen=True)
class Source:
    """One thing to practise: its kind, id (None for 我的错题), name and usable questions now."""

    kind: str
    source_id: int | None
    name: str
    questions: int

    @property
    def value(self) -> str:
        """The form's value for it: `kind:id` (`wrong_book:0`)."""
        return f"{self.kind}:{self.source_id or 0}"


def categories_clause(person: Person):
    """SQL condition on `Question`: in a category the person's scope may practise."""
    units = ancestor_ids(person.unit.path)
    return Question.category_id.in_(select(QuestionCategory.id).where(
        or_(QuestionCategory.owner_unit_id.is_(None), QuestionCategory.owner_unit_id.in_(units))))


def _categories(person: Person) -> list[QuestionCategory]:
    units = ancestor_ids(person.unit.path)
    return list(db.session.scalars(select(QuestionCategory).where(
        or_(QuestionCategory.owner_unit_id.is_(None), QuestionCategory.owner_unit_id.in_(units)))
        .order_by(QuestionCategory.path)))


def _competencies(person: Person) -> list[Competency]:
    codes = person_workforces(person)
    rows = db.session.scalars(select(Competency).where(Competency.active.is_(True))
                              .order_by(Competency.position, Competency.id))
    return [c for c in rows if codes.intersection(c.workforces or ())]


def _practice_exams(person: Person, now: datetime) -> list[Exam]:
    return [exam for exam in exams_for(person)
            if exam.kind == ExamKind.PRACTICE and exam.opens_at <= now < exam.closes_at]


def sources(person_id: int, *, now: datetime) -> list[Source]:
    """Every source the person may practise now that has usable questions (a fixed number of queries)."""
    person = db.session.get(Person, person_id)
    found = []
    exams = _practice_exams(person, now)
    if exams:
        counts = dict(db.session.execute(
            select(ExamPoolEntry.exam_id, func.count(distinct(ExamPoolEntry.question_id)))
            .join(Question, Question.id == ExamPoolEntry.question_id)
            .where(ExamPoolEntry.exam_id.in_([e.id for e in exams]), usable())
            .group_by(ExamPoolEntry.exam_id)).all())
        found += [Source(PracticeSourceKind.EXAM, e.id, e.title, counts.get(e.id, 0)) for e in exams]
    competencies = _competencies(person)
    if competencies:
        counts = dict(db.session.execute(
            select(question_competency.c.competency_id, func.count())
            .join(Question, Question.id == question_competency.c.question_id)
            .where(question_competency.c.competency_id.in_([c.id for c in competencies]), usable(),
                   categories_clause(person))
            .group_by(question_competency.c.competency_id)).all())
        found += [Source(PracticeSourceKind.COMPETENCY, c.id, c.name, counts.get(c.id, 0)) for c in competencies]
    categories = _categories(person)
    if categories:
        direct = dict(db.session.execute(
            select(Question.category_id, func.count()).where(usable(), categories_clause(person))
            .group_by(Question.category_id)).all())
        names = full_names(QuestionCategory, categories)
        for category in categories:  # a category with its subcategories
            total = sum(direct.get(c.id, 0) for c in categories if c.path.startswith(category.path))
            found.append(Source(PracticeSourceKind.CATEGORY, category.id, names[category.id], total))
    wrong = len(wrong_book_questions(person_id))
    found.append(Source(PracticeSourceKind.WRONG_BOOK, None, "我的错题", wrong))
    return [source for source in found if source.questions]


def wrong_book_questions(person_id: int) -> list[int]:
    """The usable questions of the person's open 错题本 entries."""
    return list(db.session.scalars(
        select(WrongBookEntry.question_id).join(Question, Question.id == WrongBookEntry.question_id)
        .where(WrongBookEntry.person_id == person_id, WrongBookEntry.mastered_at.is_(None), usable())
        .order_by(WrongBookEntry.last_wrong_at.desc(), WrongBookEntry.id)))


def pool(person_id: int, kind: str, source_id: int | None, *, now: datetime) -> tuple[str, Sequence[int]]:
    """(the source's name, the usable question ids it offers the person now); 404 outside the scope."""
    person = db.session.get(Person, person_id)
    if kind == PracticeSourceKind.WRONG_BOOK:
        return "我的错题", wrong_book_questions(person_id)
    if kind == PracticeSourceKind.EXAM:
        exam = db.session.get(Exam, source_id) if source_id else None
        if exam is None or exam not in _practice_exams(person, now):
            raise NotFound(SOURCE_NOT_FOUND)
        return exam.title, list(db.session.scalars(
            select(ExamPoolEntry.question_id).join(Question, Question.id == ExamPoolEntry.question_id)
            .where(ExamPoolEntry.exam_id == exam.id, usable()).distinct().order_by(ExamPoolEntry.question_id)))
    query = select(Question.id).where(usable(), categories_clause(person)).order_by(Question.id)
    if kind == PracticeSourceKind.COMPETENCY:
        competency = next((c for c in _competencies(person) if c.id == source_id), None)
        if competency is None:
            raise NotFound(SOURCE_NOT_FOUND)
        query = query.join(question_competency, question_competency.c.question_id == Question.id).where(
            question_competency.c.competency_id == competency.id)
        return competency.name, list(db.session.scalars(query))
    if kind == PracticeSourceKind.CATEGORY:
        category = next((c for c in _categories(person) if c.id == source_id), None)
        if category is None:
            raise NotFound(SOURCE_NOT_FOUND)
        query = query.join(QuestionCategory, QuestionCategory.id == Question.category_id).where(
            QuestionCategory.path.startswith(category.path, autoescape=True))
        return full_names(QuestionCategory, [category])[category.id], list(db.session.scalars(query))
    raise NotFound(SOURCE_NOT_FOUND)
