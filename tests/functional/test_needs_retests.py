"""Re-tests: offered once the plan's lessons for a gap are done; a hidden formal exam of five of the
competency's questions at the target level; passing closes the gap through the mastery event,
failing keeps it open and says what to study; the result reaches the message centre."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Attempt, AuditEntry, Exam, Message, PlanRetest, Question
from app.needs import plans, retests
from app.needs.plans import gaps_of
from question_bank.mastery import level_for
from tests.functional.plans_world import complete, fail_both
from tests.functional.plans_world import plan_world as plan_world  # noqa: F401 - the fixture
from tests.functional.test_needs_mastery import sit
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def law_gap(w, person):
    db.session.expire_all()
    return next((g for g in gaps_of(person, now=clock.now()) if g.competency_id == w["law"]), None)


def ready(w):
    fail_both(w, w["tb"])
    plans.refresh(w["tb"].id, now=clock.now())
    return w["tb"]


def test_the_retest_is_offered_only_once_the_gap_lessons_are_done(plan_world, as_user):
    w = plan_world
    tb = ready(w)
    client = as_user("T-B")
    assert 'data-field="retest"' not in client.get("/needs/plan").data.decode()
    refused = client.post(f"/needs/plan/retests/{w['law']}")
    assert refused.status_code == 409 and db.session.scalar(select(PlanRetest)) is None
    complete(tb.id, [w["lessons"][0], w["lessons"][1]])
    html = client.get("/needs/plan").data.decode()
    law = html[html.index(f'data-competency="{w["law"]}"'):]
    assert 'data-field="retest"' in law[:law.index("</section>")]
    safe = html[html.index(f'data-competency="{w["safe"]}"'):]
    assert 'data-field="retest"' not in safe[:safe.index("</section>")]
    started = client.post(f"/needs/plan/retests/{w['law']}")
    retest = db.session.scalar(select(PlanRetest))
    assert started.status_code == 302 and started.location.endswith(f"/exams/attempts/{retest.attempt_id}")
    exam = db.session.get(Exam, retest.exam_id)
    assert exam.hidden and exam.kind == "formal" and not exam.review_answers and retest.level == 2
    assert exam.pass_percent == 70  # 合格 on the result page = a re-test that supersedes (the mastery threshold)
    attempt = db.session.get(Attempt, retest.attempt_id)
    questions = [db.session.get(Question, item.question_id) for item in attempt.items]
    assert len(questions) == 5 and all(level_for(q.difficulty, 2) == 2 for q in questions)
    assert all(w["law"] in {c.id for c in q.competencies} for q in questions)
    again = client.post(f"/needs/plan/retests/{w['law']}")  # one under way: continued, not a second one
    assert again.location.endswith(f"/exams/attempts/{retest.attempt_id}")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retest_start")) is not None
    assert client.post(f"/needs/plan/retests/{w['safe']}").status_code == 409  # its lessons not done


def test_passing_the_retest_closes_the_gap_through_the_mastery_event(plan_world, as_user):
    w = plan_world
    tb = ready(w)
    complete(tb.id, [w["lessons"][0], w["lessons"][1]])
    assert law_gap(w, tb).size == 2
    attempt = retests.start(tb.id, w["law"], now=clock.now())
    sit(attempt.exam_id, tb.id, 5)
    retest = db.session.scalar(select(PlanRetest))
    assert retest.passed is True and retest.score_percent == 100
    assert law_gap(w, tb) is None  # closed
    message = db.session.scalar(select(Message).where(Message.person_id == tb.id, Message.kind == "retest"))
    assert "复测通过" in message.title and message.link == "/needs/plan"
    body = text(as_user("T-B").get("/needs/plan"))
    assert "差距已消除" in body and "通过" in body
    assert "岗位要求「道路交通安全法规」中级，已达到（列入计划时未达初级）" in body  # not "当前未达初级" any more


def test_failing_the_retest_keeps_the_gap_open_and_says_what_to_study(plan_world, as_user):
    w = plan_world
    tb = ready(w)
    complete(tb.id, [w["lessons"][0], w["lessons"][1]])
    attempt = retests.start(tb.id, w["law"], now=clock.now())
    sit(attempt.exam_id, tb.id, 1)
    retest = db.session.scalar(select(PlanRetest))
    assert retest.passed is False and retest.score_percent == 20
    assert law_gap(w, tb).size == 2
    body = text(as_user("T-B").get("/needs/plan"))
    assert "未通过" in body and "请重新学习本项的课时（第1课、第2课）" in body
    assert 'data-field="retest"' in as_user("T-B").get("/needs/plan").data.decode()  # may try again
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retest_result")).detail["passed"] is False


def test_no_retest_for_a_competency_without_a_gap(plan_world, as_user):
    w = plan_world
    client = as_user("T-A")
    assert client.post(f"/needs/plan/retests/{w['law']}").status_code == 404


def test_a_passed_retest_closes_the_gap_despite_a_record_of_mistakes_and_agrees_with_a_rebuild(plan_world):
    """Three formal exams of 法规 all wrong before the training: five right formal answers alone would
    not hold 中级 against that record, a passed re-test does (answers before it count a quarter); its
    answers are stored as source retest for 法规 only; `flask needs rebuild` gives the same states."""
    from app.models import CompetencyMastery, MasteryEvidence
    from app.needs.updates import rebuild_person
    from question_bank import mastery
    from tests.functional.plans_world import sit_law

    w = plan_world
    tb = ready(w)
    for _ in range(3):
        sit_law(w, tb, 0)
    complete(tb.id, [w["lessons"][0], w["lessons"][1]])
    attempt = retests.start(tb.id, w["law"], now=clock.now())
    sit(attempt.exam_id, tb.id, 5)
    assert db.session.scalar(select(PlanRetest)).passed is True
    assert law_gap(w, tb) is None
    from app.models import ExamOutcome
    assert db.session.get(ExamOutcome, (tb.id, attempt.exam_id)) is None  # one person's 复测: not a unit's exam
    sources = set(db.session.scalars(select(MasteryEvidence.source).join(Attempt, Attempt.exam_id == attempt.exam_id)
                                     .where(MasteryEvidence.exam_item_id.is_not(None))))
    retest_rows = db.session.scalars(select(MasteryEvidence).where(MasteryEvidence.source == "retest")).all()
    assert len(retest_rows) == 5 and {row.competency_id for row in retest_rows} == {w["law"]}
    assert "retest" in sources
    stored = {row.competency_id: mastery.State.from_dict(row.state) for row in db.session.scalars(
        select(CompetencyMastery).where(CompetencyMastery.person_id == tb.id))}
    rebuild_person(tb.id, now=clock.now())
    db.session.expire_all()
    rebuilt = {row.competency_id: mastery.State.from_dict(row.state) for row in db.session.scalars(
        select(CompetencyMastery).where(CompetencyMastery.person_id == tb.id))}
    from app.needs.evidence import settings
    assert stored.keys() == rebuilt.keys()
    assert all(mastery.equivalent(stored[cid], rebuilt[cid], settings()) for cid in stored)


def test_the_update_task_run_again_changes_nothing(plan_world):
    """`follow_exam_attempt_task` may run twice (a retry, a second worker): same evidence, states,
    plan, re-test and messages, and no second `retest_result` audit entry."""
    from app.models import CompetencyMastery, MasteryEvidence, NeedGap, PlanItem
    from app.needs.tasks import follow_exam_attempt_task

    w = plan_world
    tb = ready(w)
    complete(tb.id, [w["lessons"][0], w["lessons"][1]])
    attempt = retests.start(tb.id, w["law"], now=clock.now())
    attempt_id = sit(attempt.exam_id, tb.id, 5)

    def stored():
        db.session.expire_all()
        return ([(r.exam_item_id, r.competency_id, r.earned) for r in db.session.scalars(
                    select(MasteryEvidence).order_by(MasteryEvidence.id))],
                [(r.competency_id, r.state, r.level, r.evidence_count) for r in db.session.scalars(
                    select(CompetencyMastery).order_by(CompetencyMastery.id))],
                sorted((r.person_id, r.competency_id, r.gap) for r in db.session.scalars(select(NeedGap))),
                [(r.id, r.done_at) for r in db.session.scalars(select(PlanItem).order_by(PlanItem.id))],
                [(r.attempt_id, r.passed, r.score_percent) for r in db.session.scalars(select(PlanRetest))],
                db.session.scalar(select(func.count()).select_from(Message)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)))
    before = stored()
    assert before[4] == [(attempt_id, True, 100)] and before[0]
    for _ in range(2):
        db.session.commit()  # the test's reads must not hold SQLite's write lock
        follow_exam_attempt_task.delay(attempt_id)
    assert stored() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "retest_result")) == 1
