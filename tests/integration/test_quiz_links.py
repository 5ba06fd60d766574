"""A lesson's quiz entries are resolved once to bank questions and kept (curriculum/quiz_links.py)."""

from pathlib import Path

from sqlalchemy import select

from app.bank.starter import load_starter_banks
from app.curriculum.quiz_links import link_quiz_questions, quiz_question_ids
from app.curriculum.sync import sync_content
from app.extensions import db
from app.models import Lesson, LessonQuizQuestion, Question
from tests.factories import make_bank_category, make_course, make_curriculum_posts, make_question

ROOT = Path(__file__).resolve().parents[2] / "course_content"


def _entries(lesson) -> list[tuple[int, str, int | None]]:
    db.session.expire_all()
    return [(row.position, row.external_id, row.question_id) for row in db.session.scalars(
        select(LessonQuizQuestion).filter_by(lesson_id=lesson.id).order_by(LessonQuizQuestion.position))]


def test_entries_are_resolved_once_and_kept_when_a_question_is_renumbered(app):
    category = make_bank_category()
    first = make_question(category, external_id="Q-1")
    lesson = make_course().lessons[0]
    lesson.quiz = ["Q-1", "Q-2"]
    link_quiz_questions([lesson])
    db.session.commit()
    assert _entries(lesson) == [(0, "Q-1", first.id), (1, "Q-2", None)]
    second = make_question(category, external_id="Q-2")
    assert quiz_question_ids(lesson) == [first.id, second.id]  # found on read, not yet stored
    assert _entries(lesson)[1] == (1, "Q-2", None)
    link_quiz_questions([lesson])
    first.external_id = "Q-1-OLD"
    db.session.commit()
    assert _entries(lesson) == [(0, "Q-1", first.id), (1, "Q-2", second.id)]
    assert quiz_question_ids(lesson) == [first.id, second.id]


def test_a_changed_quiz_list_moves_the_entries_and_keeps_what_was_resolved(app):
    category = make_bank_category()
    first, second = make_question(category, external_id="Q-1"), make_question(category, external_id="Q-2")
    lesson = make_course().lessons[0]
    lesson.quiz = ["Q-1", "Q-2"]
    link_quiz_questions([lesson])
    first.external_id = "Q-1-OLD"
    lesson.quiz = ["Q-2", "Q-1"]
    link_quiz_questions([lesson])
    db.session.commit()
    assert _entries(lesson) == [(0, "Q-2", second.id), (1, "Q-1", first.id)]
    lesson.quiz = ["Q-2"]
    link_quiz_questions([lesson])
    db.session.commit()
    assert _entries(lesson) == [(0, "Q-2", second.id)]


def test_the_content_sync_stores_every_lessons_quiz_and_resolves_it_once_the_bank_is_loaded(app):
    make_curriculum_posts()
    sync_content(ROOT)
    lessons = [lesson for lesson in db.session.scalars(select(Lesson)) if lesson.quiz]
    stored = db.session.scalars(select(LessonQuizQuestion)).all()
    assert len(stored) == sum(len(lesson.quiz) for lesson in lessons) > 0
    assert all(row.question_id is None for row in stored)  # the bank is loaded after the content
    load_starter_banks(ROOT / "banks")
    sync_content(ROOT)
    db.session.expire_all()
    ids = dict(db.session.execute(select(Question.external_id, Question.id)).all())
    assert all(row.question_id == ids[row.external_id] for row in db.session.scalars(select(LessonQuizQuestion)))
