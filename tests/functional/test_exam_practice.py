"""Practice: starting from a practice exam, a 知识点 or a 题库分类 (N questions, least seen first, timed or
not), the 核对 of a slot through the API (practice only; a formal attempt reveals nothing; a checked
answer is final), and hidden practice exams kept out of every list of exams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AttemptItem, AuditEntry, Exam, PracticeSource
from tests.factories import make_exam
from tests.functional.practice_world import (
    EXPLANATION,
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


def test_the_practice_page_offers_the_trainees_sources_only(app, world):
    page = client_for(app, "T1").get("/exams/practice").get_data(as_text=True)
    assert "道路交通安全法（12 题）" in page and "一大队题库（40 题）" in page
    assert "网格管理" not in page and "二大队题库" not in page  # another workforce's 知识点, another brigade's bank
    assert "还没有练习记录" in page
    outsider = client_for(app, "T3").get("/exams/practice").get_data(as_text=True)
    assert "一大队题库" not in outsider and "二大队题库（5 题）" in outsider


def test_a_category_practice_draws_n_questions_least_seen_first_untimed(app, world):
    client = client_for(app, "T1")
    now = clock.now()
    first = start(client, f"category:{world['cat_a'].id}", 10)
    assert first.status_code == 302
    attempt = attempt_of(first)
    exam = db.session.get(Exam, attempt.exam_id)
    assert exam.hidden and exam.kind == "practice" and exam.blueprint.hidden
    assert attempt.deadline >= now + timedelta(days=6)  # untimed: open for a week
    source = db.session.scalar(select(PracticeSource).where(PracticeSource.exam_id == exam.id))
    assert (source.person_id, source.source_kind, source.source_id, source.question_count, source.timed) == \
        (world["t1"].id, "category", world["cat_a"].id, 10, False)
    first_questions = {item.question_id for item in items(attempt.id)}
    assert len(first_questions) == 10 and first_questions <= set(world["singles"] + world["tfs"])
    # the page shows no countdown for an untimed practice, and the 核对 script
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    assert 'data-untimed="1"' in page and 'data-practice="1"' in page and "exam-practice.js" in page
    # the next practices take the questions never seen before the ones already seen
    second = {item.question_id for item in items(attempt_of(start(client, f"category:{world['cat_a'].id}", 20)).id)}
    assert len(second) == 20 and not second & first_questions
    third = {item.question_id for item in items(attempt_of(start(client, f"category:{world['cat_a'].id}", 20)).id)}
    assert len(third) == 20 and set(world["singles"] + world["tfs"]) - first_questions - second <= third
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "practice_start")) is not None


def test_a_timed_competency_practice_has_a_minute_a_question_and_at_most_the_pool(app, world):
    client = client_for(app, "T1")
    now = clock.now()
    attempt = attempt_of(start(client, f"competency:{world['competency'].id}", 20, timed="1"))
    chosen = [item.question_id for item in items(attempt.id)]
    assert sorted(chosen) == sorted(world["singles"][:12])  # 20 asked, 12 there
    assert now + timedelta(minutes=11) < attempt.deadline <= now + timedelta(minutes=12, seconds=5)
    assert 'data-untimed' not in client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)


def test_a_practice_exams_questions_can_be_practised(app, world):
    exam = make_exam(category=world["cat_a"], kind="practice", audience_units=[world["a"]], title="路面执勤练习卷",
                     rules=(("一、单选题", "single", 5, 200),))
    client = client_for(app, "T1")
    assert "路面执勤练习卷（30 题）" in client.get("/exams/practice").get_data(as_text=True)
    attempt = attempt_of(start(client, f"exam:{exam.id}", 10))
    assert {item.question_id for item in items(attempt.id)} <= set(world["singles"])
    # a practice exam outside the audience is not found
    assert start(client_for(app, "T3"), f"exam:{exam.id}", 10).status_code == 404


def test_sources_outside_the_scope_are_404_and_bad_choices_change_nothing(app, world):
    client = client_for(app, "T1")
    assert start(client, f"category:{world['cat_b'].id}").status_code == 404
    assert start(client, f"competency:{world['foreign'].id}").status_code == 404
    assert start(client, "category:999999").status_code == 404
    for data in ({"source": f"category:{world['cat_a'].id}", "count": "7", "timed": "0"},
                 {"source": "nonsense", "count": "10", "timed": "0"},
                 {"source": "category:²", "count": "10", "timed": "0"}):
        response = client.post("/exams/practice/start", data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith("/exams/practice")
    assert db.session.scalar(select(PracticeSource.id)) is None and db.session.scalar(select(Exam.id)) is None


def test_an_empty_wrong_book_offers_nothing_to_practise(app, world):
    client = client_for(app, "T1")
    response = client.post("/exams/practice/start", data={"source": "wrong_book:0", "count": "10", "timed": "0"},
                           follow_redirects=True)
    assert "「我的错题」现在没有可以练习的题目。" in response.get_data(as_text=True)


def test_hidden_practice_exams_stay_out_of_exam_lists_and_results(app, world):
    client = client_for(app, "T1")
    attempt = attempt_of(start(client, f"category:{world['cat_a'].id}", 10))
    exam_id = attempt.exam_id
    assert "练习：一大队题库" not in client.get("/exams/mine").get_data(as_text=True)
    assert all(e["id"] != exam_id for e in client.get("/api/v1/me/exams").get_json()["items"])
    admin = client_for(app, "admin-all")
    assert "练习：一大队题库" not in admin.get("/exams/manage").get_data(as_text=True)
    assert "练习：一大队题库" not in admin.get("/exams/blueprints").get_data(as_text=True)
    for path in (f"/exams/manage/{exam_id}", f"/exams/manage/{exam_id}/results", f"/exams/manage/{exam_id}/live",
                 f"/exams/manage/{exam_id}/analysis", f"/exams/manage/attempts/{attempt.id}"):
        assert admin.get(path).status_code == 404, path
    history = client.get("/exams/practice").get_data(as_text=True)
    assert "一大队题库" in history and "继续练习" in history


def test_check_grades_the_saved_answer_and_locks_it(app, world):
    client = client_for(app, "T1")
    attempt = attempt_of(start(client, f"category:{world['cat_a'].id}", 10))
    first, second = items(attempt.id)[:2]
    assert check(client, attempt.id, first.slot).status_code == 422  # nothing saved yet
    assert save(client, attempt.id, first.slot, correct_letters(first)).status_code == 200
    response = check(client, attempt.id, first.slot)
    assert response.status_code == 200
    body = response.get_json()
    assert body["correct"] is True and body["status"] == "correct" and body["score"] == body["max"] == 1
    assert body["correct_response"] == correct_letters(first) and EXPLANATION in body["explanation_html"]
    db.session.expire_all()
    stored = db.session.get(AttemptItem, first.id)
    assert stored.checked_at is not None and stored.status == "correct" and stored.score == 100
    # the answer is final now: a save is refused with a Chinese message, and nothing changes
    refused = save(client, attempt.id, first.slot, wrong_letters(first), seq=2)
    assert refused.status_code == 409 and refused.get_json() == {
        "error": "这道题已经核对过答案，不能再修改。", "status": 409, "checked": True}
    db.session.expire_all()
    assert db.session.get(AttemptItem, first.id).seq == 1
    # a wrong answer checked; a second check answers the same without grading again
    save(client, attempt.id, second.slot, wrong_letters(second))
    wrong = check(client, attempt.id, second.slot).get_json()
    assert wrong["correct"] is False and wrong["score"] == 0 and wrong["response"] == wrong_letters(second)
    assert check(client, attempt.id, second.slot).get_json() == wrong
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "attempt_check")) is not None
    listed = client.get(f"/api/v1/attempts/{attempt.id}/checks").get_json()["items"]
    assert [entry["slot"] for entry in listed] == [first.slot, second.slot]
    # others: 404, and nothing is graded for them
    other = client_for(app, "T2")
    assert check(other, attempt.id, first.slot).status_code == 404
    assert other.get(f"/api/v1/attempts/{attempt.id}/checks").status_code == 404
    assert check(client, attempt.id, 999).status_code == 404


def test_a_formal_attempt_refuses_checks_and_reveals_nothing(app, world):
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], review_answers=True,
                     review_explanations=True)
    client = client_for(app, "T1")
    attempt_id = client.post(f"/api/v1/exams/{exam.id}/attempts").get_json()["id"]
    item = items(attempt_id)[0]
    save(client, attempt_id, item.slot, wrong_letters(item))
    for response in (check(client, attempt_id, item.slot), client.get(f"/api/v1/attempts/{attempt_id}/checks")):
        assert response.status_code == 403
        assert response.get_json() == {"error": "正式考试不提供核对答案。", "status": 403}
        assert EXPLANATION not in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(AttemptItem, item.id)
    assert stored.checked_at is None and stored.score is None and stored.status == ""
    assert 'data-practice' not in client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    assert save(client, attempt_id, item.slot, correct_letters(item), seq=2).status_code == 200
    assert check(client_for(app, "T2"), attempt_id, item.slot).status_code == 404


def test_the_openapi_document_describes_the_check_endpoints(app, world):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/attempts/{attempt_id}/slots/{slot}/check"]
    assert "get" in paths["/api/v1/attempts/{attempt_id}/checks"]
