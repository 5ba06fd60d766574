"""Taking an exam through the services: publishing's dry run, idempotent start, saves, submit, sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.events import attempt_finished, subscribe
from app.exams import attempts, publishing
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    AuditEntry,
    Exam,
    ExamOverride,
    ExamPoolEntry,
    QuestionVersion,
)
from tests.factories import make_exam, make_exam_questions, make_person, make_world
from tests.sql_budget import count_statements


@pytest.fixture
def world(app):
    world = make_world(bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"},
                                          "t2": {"unit": "a1", "staff_no": "T2"},
                                          "outsider": {"unit": "b1", "staff_no": "T3"}})
    world["singles"] = make_exam_questions(world["cat_a"], single=30, difficulty=3)
    world["tfs"] = make_exam_questions(world["cat_a"], truefalse=10)
    return world


def exam_for(world, **fields):
    fields.setdefault("rules", (("一、单选题", "single", 10, 200), ("二、判断题", "truefalse", 5, 100)))
    return make_exam(category=world["cat_a"], audience_units=[world["a"]], **fields)


ANNOUNCED: list[int] = []


def _on_finished(_app, **payload):
    ANNOUNCED.append(payload["attempt_id"])


def finished_ids(app):
    ANNOUNCED.clear()
    subscribe(app, attempt_finished, _on_finished)
    return ANNOUNCED


def test_publishing_refuses_a_short_pool_naming_the_rule_and_changes_nothing(world):
    exam = make_exam(category=world["cat_a"], rules=(("一、单选题", "single", 10, 200),
                                                      ("二、多选题", "multiple", 3, 200)), publish=False)
    with pytest.raises(publishing.BlueprintShort) as raised:
        publishing.publish(exam.id, actor_id=None, now=clock.now())
    assert raised.value.problems == ["第2条规则：分类「一大队题库」及其子分类的多选题仅有 0 道，需要 3 道"]
    db.session.rollback()
    assert db.session.get(Exam, exam.id).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(ExamPoolEntry)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="exam_publish")) == 0


def test_publishing_freezes_the_pools_and_audits(world):
    exam = exam_for(world)
    assert exam.status == "published" and exam.pool_key
    entries = db.session.scalars(select(ExamPoolEntry).filter_by(exam_id=exam.id)).all()
    assert {(e.rule, e.question_id) for e in entries} == \
        {(1, q) for q in world["singles"]} | {(2, q) for q in world["tfs"]}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="exam_publish")) == 1


def test_start_draws_and_stores_the_paper_and_is_idempotent(world):
    exam = exam_for(world)
    now = clock.now()
    attempt, created = attempts.start(exam.id, world["t1"].id, now=now)
    assert created and attempt.number == 1 and attempt.state == "in_progress"
    assert attempt.deadline == now + timedelta(minutes=60)
    items = attempt.items
    assert [i.slot for i in items] == list(range(1, 16))
    assert [i.section for i in items] == ["一、单选题"] * 10 + ["二、判断题"] * 5
    assert len({i.question_id for i in items}) == 15
    assert attempt.max_score == 10 * 200 + 5 * 100
    for item in items:
        version = db.session.get(QuestionVersion, item.question_version_id)
        assert version.question_id == item.question_id
    assert all(sorted(i.option_order) == ["A", "B", "C"] for i in items[:10])
    again, created_again = attempts.start(exam.id, world["t1"].id, now=now + timedelta(minutes=5))
    assert again.id == attempt.id and not created_again
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_papers_differ_between_trainees_and_the_seed_reproduces_them(world):
    from app.exams import pools
    from question_bank.assembly import draw

    exam = exam_for(world)
    first, _ = attempts.start(exam.id, world["t1"].id, now=clock.now())
    second, _ = attempts.start(exam.id, world["t2"].id, now=clock.now())
    assert [i.question_id for i in first.items] != [i.question_id for i in second.items]
    redrawn = draw(pools.frozen_blueprint(exam), first.seed)
    assert [(i.question_id, list(i.option_order)) for i in redrawn.items] == \
        [(i.question_id, i.option_order) for i in first.items]


def test_editing_the_bank_never_changes_a_started_paper(world):
    from app.auth.scope import Scope
    from app.bank.questions import update_question

    exam = exam_for(world)
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=clock.now())
    before = [(i.question_version_id, i.option_order) for i in attempt.items]
    first = attempt.items[0]
    data = db.session.get(QuestionVersion, first.question_version_id).data
    options = [option | {"text": option["text"] + "（改）"} for option in data["options"]]
    update_question(world["admin_a"].id, Scope(paths=None), first.question_id,
                    data | {"stem": "改过的题干", "options": options})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)
                             .filter_by(question_id=first.question_id)) == 2
    assert [(i.question_version_id, i.option_order) for i in db.session.get(Attempt, attempt.id).items] == before


def test_outsiders_drafts_window_attempts_and_password(world):
    exam = exam_for(world, attempts_allowed=1)
    now = clock.now()
    with pytest.raises(NotFound):
        attempts.start(exam.id, world["outsider"].id, now=now)
    draft = exam_for(world, publish=False)
    with pytest.raises(NotFound):
        attempts.start(draft.id, world["t1"].id, now=now)
    with pytest.raises(Forbidden, match="尚未开始"):
        attempts.start(exam.id, world["t1"].id, now=exam.opens_at - timedelta(minutes=1))
    with pytest.raises(Forbidden, match="已经结束"):
        attempts.start(exam.id, world["t1"].id, now=exam.closes_at)
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    attempts.submit(attempt.id, world["t1"].id, now=now)
    with pytest.raises(Forbidden, match="作答次数"):
        attempts.start(exam.id, world["t1"].id, now=now)
    db.session.add(ExamOverride(exam_id=exam.id, person_id=world["t1"].id, extra_attempts=1,
                                extra_minutes=15, reason="网络故障补考"))
    db.session.commit()
    second, created = attempts.start(exam.id, world["t1"].id, now=now)
    assert created and second.number == 2 and second.deadline == now + timedelta(minutes=75)

    from app.auth.passwords import hash_password
    locked = exam_for(world, password_hash=hash_password("kaoshi"))
    with pytest.raises(Forbidden, match="密码"):
        attempts.start(locked.id, world["t2"].id, now=now, password="wrong")
    assert attempts.start(locked.id, world["t2"].id, now=now, password="kaoshi")[1]


def test_a_named_person_and_a_post_are_in_the_audience(world):
    from app.models import ExamAudience
    exam = make_exam(category=world["cat_a"], audience_people=[world["outsider"]])
    assert attempts.start(exam.id, world["outsider"].id, now=clock.now())[1]
    with pytest.raises(NotFound):
        attempts.start(exam.id, world["t1"].id, now=clock.now())
    from tests.factories import make_workforce
    workforce = make_workforce(code="zz", name="测试队伍", posts=(("zz-post", "测试岗位"),))
    post = workforce.posts[0]
    holder = make_person(unit=world["b"], staff_no="P1", post_id=post.id)
    by_post = make_exam(category=world["cat_a"], publish=False)
    by_post.audience = [ExamAudience(post_id=post.id)]
    db.session.commit()
    publishing.publish(by_post.id, actor_id=None, now=clock.now())
    assert attempts.start(by_post.id, holder.id, now=clock.now())[1]


def test_the_deadline_is_capped_by_the_window(world):
    now = clock.now()
    exam = exam_for(world, closes_at=now + timedelta(minutes=20), duration_minutes=60)
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    assert attempt.deadline == now + timedelta(minutes=20)


def test_saves_apply_only_newer_sequence_numbers_in_the_trainees_letters(world):
    exam = exam_for(world)
    now = clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    item = attempt.items[0]
    letter_of_a = "ABC"[item.option_order.index("A")]
    saved = attempts.save_answer(attempt.id, world["t1"].id, 1, 2, letter_of_a, now=now)
    assert saved["seq"] == 2 and saved["deadline"] == attempt.deadline
    db.session.refresh(item)
    assert (item.seq, item.response, item.saved_at) == (2, "A", now)
    with pytest.raises(Conflict) as stale:
        attempts.save_answer(attempt.id, world["t1"].id, 1, 1, "B", now=now)
    assert stale.value.extra == {"seq": 2}
    with pytest.raises(Conflict):
        attempts.save_answer(attempt.id, world["t1"].id, 1, 2, "C", now=now)
    db.session.refresh(item)
    assert (item.seq, item.response) == (2, "A")
    for bad in ("D", ["A"], True):
        with pytest.raises(Unprocessable):
            attempts.save_answer(attempt.id, world["t1"].id, 1, 3, bad, now=now)
    with pytest.raises(Unprocessable):
        attempts.save_answer(attempt.id, world["t1"].id, 1, "3", "A", now=now)
    with pytest.raises(NotFound):
        attempts.save_answer(attempt.id, world["t1"].id, 99, 3, "A", now=now)
    with pytest.raises(NotFound):
        attempts.save_answer(attempt.id, world["t2"].id, 1, 3, "A", now=now)
    tf_slot = next(i.slot for i in attempt.items if i.section == "二、判断题")
    attempts.save_answer(attempt.id, world["t1"].id, tf_slot, 1, False, now=now)
    attempts.save_answer(attempt.id, world["t1"].id, 1, 3, None, now=now)  # clearing is a save
    db.session.refresh(item)
    assert (item.seq, item.response) == (3, None)


def test_saves_close_after_the_deadline_plus_grace(world):
    exam = exam_for(world, duration_minutes=30)
    now = clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    in_grace = attempt.deadline + timedelta(seconds=exam.grace_seconds)
    attempts.save_answer(attempt.id, world["t1"].id, 1, 1, "A", now=in_grace)
    with pytest.raises(Conflict, match="已结束"):
        attempts.save_answer(attempt.id, world["t1"].id, 1, 2, "B", now=in_grace + timedelta(seconds=1))


def _answer_all(attempt, person_id, *, right: bool, now):
    for item in attempt.items:
        if item.option_order:
            wanted = "A" if right else "B"
            response = "ABC"[item.option_order.index(wanted)]
        else:
            response = right
        attempts.save_answer(attempt.id, person_id, item.slot, 1, response, now=now)


def test_submit_grades_once_and_announces_once(app, world):
    announced = finished_ids(app)
    exam = exam_for(world, pass_percent=60)
    now = clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    _answer_all(attempt, world["t1"].id, right=True, now=now)
    done = attempts.submit(attempt.id, world["t1"].id, now=now + timedelta(minutes=10))
    assert (done.state, done.score, done.max_score, done.passed, done.pending_manual) == \
        ("finished", 2500, 2500, True, False)
    assert done.submitted_by == "trainee"
    assert all(i.score == i.points and i.status == "correct" for i in done.items)
    again = attempts.submit(attempt.id, world["t1"].id, now=now + timedelta(minutes=11))
    assert again.submitted_at == now + timedelta(minutes=10)
    assert announced == [attempt.id]
    with pytest.raises(Conflict):
        attempts.save_answer(attempt.id, world["t1"].id, 1, 5, "A", now=now)


def test_wrong_answers_fail_and_the_sweep_closes_vanished_attempts(app, world):
    announced = finished_ids(app)
    exam = exam_for(world, duration_minutes=30)
    now = clock.now()
    gone, _ = attempts.start(exam.id, world["t1"].id, now=now)
    _answer_all(gone, world["t1"].id, right=False, now=now)
    attempts.save_answer(gone.id, world["t1"].id, gone.items[0].slot, 2,
                         "ABC"[gone.items[0].option_order.index("A")], now=now)
    active, _ = attempts.start(exam.id, world["t2"].id, now=now + timedelta(minutes=20))
    assert attempts.close_overdue(now=now + timedelta(minutes=31)) == []  # still within the grace
    assert attempts.close_overdue(now=now + timedelta(minutes=32)) == [gone.id]
    db.session.expire_all()
    closed = db.session.get(Attempt, gone.id)
    assert (closed.state, closed.submitted_by, closed.submitted_at) == ("finished", "timeout", gone.deadline)
    assert closed.score == 200 and closed.passed is False
    assert db.session.get(Attempt, active.id).state == "in_progress"
    assert announced == [gone.id]


def test_starting_again_after_time_ran_out_closes_the_old_attempt_first(world):
    exam = exam_for(world, duration_minutes=10, attempts_allowed=2)
    now = clock.now()
    first, _ = attempts.start(exam.id, world["t1"].id, now=now)
    second, created = attempts.start(exam.id, world["t1"].id, now=now + timedelta(minutes=30))
    assert created and second.number == 2
    assert db.session.get(Attempt, first.id).state == "finished"


def test_least_seen_first_across_attempts(world):
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], attempts_allowed=3,
                     rules=(("一、单选题", "single", 10, 100),))
    now = clock.now()
    drawn = []
    for _ in range(3):
        attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
        drawn.append({i.question_id for i in attempt.items})
        attempts.submit(attempt.id, world["t1"].id, now=now)
    assert set().union(*drawn) == set(world["singles"])  # 30 questions, 3 × 10, none twice


def test_integrity_events_count_switches_and_submit_past_the_limit(world):
    exam = exam_for(world, switch_limit=2)
    now = clock.now()
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
    leave_and_return = [{"type": "blur"}, {"type": "hidden"}, {"type": "visible"}, {"type": "focus"}]
    assert attempts.record_events(attempt.id, world["t1"].id, leave_and_return, now=now).switches == 1
    assert attempts.record_events(attempt.id, world["t1"].id, [{"type": "paste"}] + leave_and_return,
                                  now=now).switches == 2
    with pytest.raises(Unprocessable):
        attempts.record_events(attempt.id, world["t1"].id, [{"type": "reboot"}], now=now)
    result = attempts.record_events(attempt.id, world["t1"].id, [{"type": "hidden"}], now=now)
    assert (result.switches, result.flagged, result.state, result.submitted_by) == (3, True, "finished", "switches")


@pytest.mark.parametrize("bank_size", [40, 400])
def test_start_and_save_cost_a_constant_number_of_statements(app, world, bank_size):
    category = world["cat_b"]
    make_exam_questions(category, single=bank_size)
    exam = make_exam(category=category, audience_units=[world["a"]], attempts_allowed=50,
                     rules=(("一、单选题", "single", 20, 100),))
    now = clock.now()
    warm, _ = attempts.start(exam.id, world["t2"].id, now=now)  # fills the frozen-pool cache
    for _ in range(3):  # earlier attempts of this person
        attempt, _ = attempts.start(exam.id, world["t1"].id, now=now)
        attempts.submit(attempt.id, world["t1"].id, now=now)
    exam_id, person_id = exam.id, world["t1"].id
    db.session.expire_all()
    with count_statements() as started:
        attempt, created = attempts.start(exam_id, person_id, now=now)
        attempt_id = attempt.id
    assert created
    assert len(started) <= 10, started
    with count_statements() as saved:
        attempts.save_answer(attempt_id, person_id, 1, 1, "A", now=now)
    assert len(saved) <= 3, saved
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)
                             .filter_by(attempt_id=attempt.id)) == 20


def test_flask_exams_close_overdue(app, world, runner):
    exam = exam_for(world, duration_minutes=5)
    attempt, _ = attempts.start(exam.id, world["t1"].id, now=clock.now() - timedelta(minutes=20))
    result = runner.invoke(args=["exams", "close-overdue"])
    assert result.exit_code == 0 and "已收卷 1 份" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_by == "timeout"


def _in_threads(app, count, work):
    """Run `work()` in `count` threads at once, each in its own app context and session."""
    import threading

    barrier, results, errors = threading.Barrier(count), [], []
    db.session.commit()  # the test's own session must not hold SQLite's write lock meanwhile

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(work())
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_simultaneous_starts_give_one_attempt_and_simultaneous_submits_grade_once(app, world):
    announced = finished_ids(app)
    exam = exam_for(world)
    exam_id, person_id = exam.id, world["t1"].id
    results, errors = _in_threads(app, 4, lambda: attempts.start(exam_id, person_id, now=clock.now())[0].id)
    assert errors == [] and len(set(results)) == 1
    attempt_id = results[0]
    results, errors = _in_threads(app, 4, lambda: attempts.submit(attempt_id, person_id, now=clock.now()).state)
    assert errors == [] and results == ["finished"] * 4
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert announced == [attempt_id]
