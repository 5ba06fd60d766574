"""The 错题本: entries from practice (checked or submitted), from formal exams by their review policy (at
submit, or after the window closes through the release job), none when the policy hides answers;
two correct answers in a row take a question out (a wrong one in between starts again); 练习我的错题;
only the trainee sees their book."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Attempt, AuditEntry, WrongBookEntry
from app.scheduler import PERIODIC_JOBS
from tests.factories import make_exam
from tests.functional.practice_world import (
    attempt_of,
    build_world,
    check,
    client_for,
    correct_letters,
    items,
    save,
    start,
    wrong_letters,
)


@pytest.fixture
def world(app):
    return build_world()


def entries(person) -> dict[int, WrongBookEntry]:
    db.session.expire_all()
    return {e.question_id: e for e in db.session.scalars(
        select(WrongBookEntry).where(WrongBookEntry.person_id == person.id))}


def submit(client, attempt_id: int):
    response = client.post(f"/api/v1/attempts/{attempt_id}/submit")
    assert response.status_code == 200
    return response.get_json()


def test_a_checked_wrong_answer_enters_the_book_at_once_and_only_its_owner_sees_it(app, world):
    client = client_for(app, "T1")
    attempt = attempt_of(start(client, f"category:{world['cat_a'].id}", 10))
    first, second = items(attempt.id)[:2]
    save(client, attempt.id, first.slot, wrong_letters(first))
    save(client, attempt.id, second.slot, correct_letters(second))
    check(client, attempt.id, first.slot)
    check(client, attempt.id, second.slot)
    book = entries(world["t1"])
    assert set(book) == {first.question_id}
    entry = book[first.question_id]
    assert (entry.wrong_count, entry.correct_streak, entry.mastered_at, entry.status) == (1, 0, None, "wrong")
    page = client.get("/exams/wrong-book").get_data(as_text=True)
    stem = db.session.get(type(entry.version), entry.question_version_id).data["stem"]
    assert stem in page and "正确答案" in page and "您的选择" in page and "解析" in page
    assert ("道路交通安全法 · " in page or "未关联知识点 · " in page) and "练习我的错题" in page
    # submitting does not enter the checked slot again; unanswered practice slots are no wrong answers
    submit(client, attempt.id)
    book = entries(world["t1"])
    assert set(book) == {first.question_id} and book[first.question_id].wrong_count == 1
    assert db.session.get(Attempt, attempt.id).wrong_book_applied
    other = client_for(app, "T2").get("/exams/wrong-book").get_data(as_text=True)
    assert stem not in other and "错题本里还没有题目" in other and "/exams/practice" in other


def test_submitted_wrong_practice_answers_enter_grouped_by_competency(app, world):
    client = client_for(app, "T1")
    attempt = attempt_of(start(client, f"competency:{world['competency'].id}", 10))
    slots = items(attempt.id)
    for item in slots[:3]:
        save(client, attempt.id, item.slot, wrong_letters(item))
    save(client, attempt.id, slots[3].slot, correct_letters(slots[3]))
    submit(client, attempt.id)
    assert set(entries(world["t1"])) == {item.question_id for item in slots[:3]}
    page = client.get("/exams/wrong-book").get_data(as_text=True)
    assert "道路交通安全法 · 单选题" in page and page.count('class="card mb-2 wrong-book-entry"') == 3
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "wrong_book_apply"))["added"] == 3


def _formal(world, **review):
    return make_exam(category=world["cat_a"], audience_units=[world["a"]], title="正式考试",
                     rules=(("一、单选题", "single", 4, 200), ("二、判断题", "truefalse", 2, 100)), **review)


def _sit(client, exam_id: int, *, wrong: int, blank: int = 0) -> list:
    attempt_id = client.post(f"/api/v1/exams/{exam_id}/attempts").get_json()["id"]
    slots = items(attempt_id)
    for index, item in enumerate(slots):
        if index < blank:
            continue
        answer = wrong_letters(item) if index < blank + wrong else correct_letters(item)
        save(client, attempt_id, item.slot, answer)
    submit(client, attempt_id)
    return slots


def test_a_formal_exam_showing_answers_at_submit_enters_wrong_and_unanswered_ones(app, world):
    exam = _formal(world, review_answers=True)
    client = client_for(app, "T1")
    slots = _sit(client, exam.id, wrong=2, blank=1)
    book = entries(world["t1"])
    assert set(book) == {item.question_id for item in slots[:3]}
    assert book[slots[0].question_id].status == "unanswered" and book[slots[0].question_id].response is None
    assert "未作答" in client.get("/exams/wrong-book").get_data(as_text=True)


def test_after_close_answers_enter_only_through_the_release_job_once_the_window_closed(app, world, monkeypatch):
    exam = _formal(world, review_answers=True, review_timing="after_close", closes_at=clock.now() + timedelta(days=2))
    client = client_for(app, "T1")
    slots = _sit(client, exam.id, wrong=2)
    assert entries(world["t1"]) == {}
    runner = app.test_cli_runner()
    assert "已将 0 份答卷" in runner.invoke(args=["exams", "wrong-book-release"]).output
    assert entries(world["t1"]) == {}
    later = clock.now() + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "已将 1 份答卷" in runner.invoke(args=["exams", "wrong-book-release"]).output
    assert set(entries(world["t1"])) == {item.question_id for item in slots[:2]}
    assert "已将 0 份答卷" in runner.invoke(args=["exams", "wrong-book-release"]).output  # idempotent
    assert sum(e.wrong_count for e in entries(world["t1"]).values()) == 2
    assert any(job.name == "wrong-book-release" and job.task == "app.exams.tasks.wrong_book_release_task"
               for job in PERIODIC_JOBS)


def test_no_entry_when_the_policy_hides_the_answers(app, world, monkeypatch):
    hidden = _formal(world, review_answers=False, review_explanations=True)
    never = _formal(world, review_answers=True, review_timing="never")
    client = client_for(app, "T1")
    _sit(client, hidden.id, wrong=3)
    _sit(client, never.id, wrong=3)
    later = clock.now() + timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    app.test_cli_runner().invoke(args=["exams", "wrong-book-release"])
    assert entries(world["t1"]) == {}
    assert not any(db.session.scalars(select(Attempt.wrong_book_applied)))


def _practise_book(client, world, answers: dict[int, bool]) -> int:
    """Practise 我的错题, checking each slot: right (True) or wrong (False) per question id."""
    response = client.post("/exams/practice/start", data={"source": "wrong_book:0", "count": "10", "timed": "0"})
    attempt = attempt_of(response)
    for item in items(attempt.id):
        right = answers.get(item.question_id, True)
        save(client, attempt.id, item.slot, correct_letters(item) if right else wrong_letters(item))
        assert check(client, attempt.id, item.slot).get_json()["correct"] is right
    submit(client, attempt.id)
    return attempt.id


def test_two_correct_answers_in_a_row_master_a_question_and_a_wrong_one_between_resets(app, world):
    client = client_for(app, "T1")
    slots = _sit(client, _formal(world, review_answers=True).id, wrong=2)
    kept, learnt = slots[0].question_id, slots[1].question_id
    # 练习我的错题 draws exactly the book's questions
    first = _practise_book(client, world, {kept: True, learnt: True})
    assert {item.question_id for item in items(first)} == {kept, learnt}
    book = entries(world["t1"])
    assert book[kept].correct_streak == 1 and book[kept].mastered_at is None
    _practise_book(client, world, {kept: False, learnt: True})  # kept: wrong again, the streak restarts
    book = entries(world["t1"])
    assert book[learnt].mastered_at is not None and book[learnt].correct_streak == 2
    assert book[kept].mastered_at is None and (book[kept].correct_streak, book[kept].wrong_count) == (0, 2)
    only_kept = _practise_book(client, world, {kept: True})
    assert {item.question_id for item in items(only_kept)} == {kept}  # a mastered question is not drawn
    assert entries(world["t1"])[kept].mastered_at is None
    _practise_book(client, world, {kept: True})
    assert entries(world["t1"])[kept].mastered_at is not None
    page = client.get("/exams/wrong-book?tab=mastered").get_data(as_text=True)
    assert page.count('class="card mb-2 wrong-book-entry"') == 2 and "已掌握" in page
    assert "错题本里还没有题目" in client.get("/exams/wrong-book").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WrongBookEntry)) == 2  # kept as history


def test_a_long_book_is_paged_newest_first(app, world):
    from app.exams.wrong_book_page import PER_PAGE

    client = client_for(app, "T1")
    attempt = attempt_of(start(client, f"category:{world['cat_a'].id}", 50))
    for item in items(attempt.id):
        save(client, attempt.id, item.slot, wrong_letters(item))
    submit(client, attempt.id)
    total = len(entries(world["t1"]))
    assert total > PER_PAGE
    first = client.get("/exams/wrong-book").get_data(as_text=True)
    second = client.get("/exams/wrong-book?page=2").get_data(as_text=True)
    assert first.count('class="card mb-2 wrong-book-entry"') == PER_PAGE
    assert second.count('class="card mb-2 wrong-book-entry"') == total - PER_PAGE
    assert re.search(r'href="\s*/exams/wrong-book\?[^"]*page=2', first)
    beyond = client.get("/exams/wrong-book?page=9")
    assert beyond.status_code == 200 and beyond.get_data(as_text=True).count("wrong-book-entry\"") == 0
