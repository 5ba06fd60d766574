"""The demo's exams (issue 10): per workforce a current formal exam, a practice, an upcoming exam,
last month's finished exam with results and a case exam whose essays await marking — relative to
the moment of loading, taken through the services, untouched by the demo logins where it matters."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.demo import DEMO_PASSWORD
from app.exams.demo import LOGINS, load_exams
from app.extensions import db
from app.models import (
    Attempt,
    AttemptEvent,
    AttemptItem,
    AuditEntry,
    Exam,
    Message,
    Person,
    PracticeSource,
    WrongBookEntry,
)
from app.models.exams import AttemptState, ExamKind, ExamStatus
from tests.factories import login

NOW = datetime(2026, 12, 2, 2, 30)  # UTC: 10:30 in Beijing


@pytest.fixture
def app(make_demo_app, monkeypatch):
    """The demo loaded at NOW: its exams come with it (app/demo calls load_exams last)."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = make_demo_app(clock.local_date(NOW))
    with app.app_context():
        yield app


@pytest.fixture
def demo_exams(app):
    return {exam.title: exam for exam in db.session.scalars(select(Exam).where(Exam.hidden.is_(False)))}


def _attempts(exam):
    return db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id)).all()


def _by_kind(exams, word):
    return [exam for title, exam in exams.items() if word in title]


def _check_five_published_exams_placed_around_the_moment_of_loading(demo_exams):
    assert len(demo_exams) == 15
    assert all(exam.status == ExamStatus.PUBLISHED and exam.pool_key for exam in demo_exams.values())
    current = _by_kind(demo_exams, "应知应会考试")
    assert len(current) == 3 and all(e.opens_at <= NOW < e.closes_at and e.closes_at - NOW > timedelta(days=29)
                                     for e in current)
    upcoming = _by_kind(demo_exams, "补考")
    assert len(upcoming) == 3 and all(e.opens_at > NOW for e in upcoming)
    assert all(not _attempts(exam) for exam in upcoming)
    past = _by_kind(demo_exams, "业务知识考试") + _by_kind(demo_exams, "案例分析考试")
    assert len(past) == 6 and all(e.closes_at <= NOW for e in past)
    practice = _by_kind(demo_exams, "练习")
    assert len(practice) == 3 and all(e.kind == ExamKind.PRACTICE and e.opens_at < NOW < e.closes_at
                                      for e in practice)


def _check_current_exam_has_people_sitting_it_and_leaves_the_demo_logins_untouched(demo_exams):
    sitting = finished = 0
    for exam in _by_kind(demo_exams, "应知应会考试"):
        for attempt in _attempts(exam):
            person = db.session.get(Person, attempt.person_id)
            assert person.staff_no not in LOGINS
            assert exam.opens_at <= attempt.started_at <= NOW
            if attempt.state == AttemptState.IN_PROGRESS:
                sitting += 1
                assert attempt.deadline > NOW
                saved = db.session.scalar(select(func.count()).where(
                    AttemptItem.attempt_id == attempt.id, AttemptItem.seq > 0))
                assert saved >= 1
            else:
                finished += 1
                assert attempt.score is not None and attempt.submitted_at <= NOW
    assert sitting >= 1 and finished >= 1


def _check_last_months_results_are_graded_and_the_case_essays_wait_for_marking(demo_exams):
    for exam in _by_kind(demo_exams, "业务知识考试"):
        attempts = _attempts(exam)
        assert len(attempts) >= 10, exam.title
        assert all(a.state == AttemptState.FINISHED and a.score is not None and a.passed is not None
                   and not a.pending_manual for a in attempts)
        assert {a.passed for a in attempts} == {True, False}, exam.title
    timeouts = [a for e in _by_kind(demo_exams, "业务知识考试") + _by_kind(demo_exams, "案例分析考试")
                for a in _attempts(e) if a.submitted_by == "timeout"]
    assert timeouts and all(a.submitted_at == a.deadline for a in timeouts)
    for exam in _by_kind(demo_exams, "案例分析考试"):
        attempts = _attempts(exam)
        assert attempts
        marked = 0
        for attempt in attempts:  # pending exactly when an answered essay (a blank one scores 0) awaits a marker
            essays = db.session.execute(select(AttemptItem.response, AttemptItem.status, AttemptItem.marked_at).where(
                AttemptItem.attempt_id == attempt.id, AttemptItem.section == "五、简答题")).all()
            waiting = any(status == "pending" for _r, status, _m in essays)
            assert all(bool(response) == (status == "pending" or marked_at is not None)
                       for response, status, marked_at in essays)
            assert attempt.pending_manual == waiting and (attempt.passed is None) == waiting
            if any(marked_at for _r, _s, marked_at in essays):
                marked += 1
                assert not waiting and db.session.scalar(select(func.count(Message.id)).where(
                    Message.person_id == attempt.person_id, Message.dedupe_key == f"attempt-graded:{attempt.id}")) == 1
        assert sum(a.pending_manual for a in attempts) > len(attempts) // 2 and marked >= 1


def _check_every_paper_is_whole_and_has_no_question_twice(demo_exams):
    sizes = {exam.id: sum(rule.count for rule in exam.blueprint.rules)  # the trainees' practice too
             for exam in db.session.scalars(select(Exam)) if exam.kind != ExamKind.DIAGNOSTIC}
    rows = db.session.execute(
        select(Attempt.id, Attempt.exam_id, func.count(AttemptItem.id), func.count(AttemptItem.question_id.distinct()))
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id).group_by(Attempt.id, Attempt.exam_id)).all()
    assert len(rows) > 50
    switched = db.session.scalars(select(Attempt).where(Attempt.switches > 0)).all()
    assert switched and all(a.switches == db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == a.id, AttemptEvent.kind == "hidden")) for a in switched)
    assert all(count == distinct == sizes[exam_id] for _id, exam_id, count, distinct in rows if exam_id in sizes)
    assert all(count == distinct for _id, _exam, count, distinct in rows)  # a diagnostic's paper grows, no repeats


def _check_loading_again_adds_nothing(demo_exams):
    before = (db.session.scalar(select(func.count(Exam.id))), db.session.scalar(select(func.count(Attempt.id))),
              db.session.scalar(select(func.count(AuditEntry.id))))
    assert load_exams(now=NOW + timedelta(minutes=5)) == []
    after = (db.session.scalar(select(func.count(Exam.id))), db.session.scalar(select(func.count(Attempt.id))),
             db.session.scalar(select(func.count(AuditEntry.id))))
    assert after == before


def _check_a_demo_trainee_sees_the_exam_to_take_and_last_months_result(app, demo_exams):
    client = app.test_client()
    assert login(client, "fj001", DEMO_PASSWORD).status_code == 302
    page = client.get("/exams/mine").get_data(as_text=True)
    current = next(title for title in demo_exams if "辅警应知应会考试" in title)
    past = next(title for title in demo_exams if "辅警业务知识考试" in title)
    assert current in page and "开始考试" in page and past in page
    fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
    mine = db.session.scalar(select(Attempt).where(Attempt.person_id == fj001.id,
                                                    Attempt.exam_id == demo_exams[past].id))
    assert mine is not None and f"<strong>{mine.score / 100:g}</strong> / 100 分" in page


def _check_the_demo_trainees_have_practice_history_and_wrong_answers(app):
    for staff_no in ("fj001", "sq001", "zg001"):
        person = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
        sources = db.session.scalars(select(PracticeSource).where(PracticeSource.person_id == person.id)).all()
        assert len(sources) == 2 and all(db.session.get(Exam, s.exam_id).hidden for s in sources)
        assert db.session.scalar(select(func.count(AttemptItem.id)).join(Attempt).where(
            Attempt.person_id == person.id, AttemptItem.checked_at.is_not(None))) >= 1
        assert db.session.scalar(select(func.count(WrongBookEntry.id)).where(WrongBookEntry.person_id == person.id)) >= 3
    client = app.test_client()
    assert login(client, "fj001", DEMO_PASSWORD).status_code == 302
    assert "练习我的错题" in client.get("/exams/wrong-book").get_data(as_text=True)
    assert "查看结果" in client.get("/exams/practice").get_data(as_text=True)


def test_the_demo_exams(app, demo_exams):
    """One load of the demo at NOW (shared with the other tests of that day), every check on it."""
    _check_five_published_exams_placed_around_the_moment_of_loading(demo_exams)
    _check_current_exam_has_people_sitting_it_and_leaves_the_demo_logins_untouched(demo_exams)
    _check_last_months_results_are_graded_and_the_case_essays_wait_for_marking(demo_exams)
    _check_every_paper_is_whole_and_has_no_question_twice(demo_exams)
    _check_a_demo_trainee_sees_the_exam_to_take_and_last_months_result(app, demo_exams)
    _check_the_demo_trainees_have_practice_history_and_wrong_answers(app)
    _check_loading_again_adds_nothing(demo_exams)
