"""阅卷: the essay queue by question, the grading page (rubric and reference, names hidden), score
checks, claims shared by several markers, the result made final once (score, pass, event, message),
audit entries, re-marking, who may mark; and the links from 成绩 and 答卷详情."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.events import attempt_graded, attempt_regraded
from app.exams import attempts, grading, grading_marks
from app.exams.access import viewer_for
from app.extensions import db
from app.models import Attempt, AttemptItem, AuditEntry, Message, Person, QuestionVersion
from tests.factories import make_exam, make_exam_questions, make_person, make_unit, make_world

RULES = (("一、单选题", "single", 2, 200), ("二、简答题", "essay", 2, 1000))  # 24 points, passed from 14.4
RUBRIC = "要点一：先报告；要点二：做好记录"


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, people={"t1": {"unit": "a1", "staff_no": "T1", "name": "考生甲"},
                                                            "t2": {"unit": "a1", "staff_no": "T2", "name": "考生乙"}})
    world["a2"] = make_unit("二中队", parent=world["a"], kind="中队")
    world["t3"] = make_person(unit=world["a2"], staff_no="T3", name="考生丙")
    world["admin_a1"] = make_person(unit=world["a1"], staff_no="admin-a1", roles=(("admin", world["a1"]),))
    world["inst_a2"] = make_person(unit=world["a"], staff_no="inst-a2", name="第二阅卷人",
                                   roles=(("instructor", world["a"]),))
    make_exam_questions(world["cat_a"], single=2, essay=2)
    for version in db.session.scalars(select(QuestionVersion)):
        if version.data["type"] == "essay":
            version.data = version.data | {"rubric": RUBRIC, "reference_answer": "参考：先报告再记录"}
    db.session.commit()
    world["exam"] = make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES, title="案例考试",
                              owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id)
    return world


def sit(exam, person, *, essays=("答案一", "答案二"), now=None) -> int:
    """Both singles right (4 points); the essays as given (blank: scored 0 at once)."""
    now = now or clock.now() - timedelta(minutes=30)
    attempt, _ = attempts.start(exam.id, person.id, now=now)
    attempt_id, texts = attempt.id, iter(essays)
    for slot, order in db.session.execute(select(AttemptItem.slot, AttemptItem.option_order)
                                          .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)):
        answer = "ABC"[order.index("A")] if order else next(texts)
        attempts.save_answer(attempt_id, person.id, slot, 1, answer, now=now)
    attempts.submit(attempt_id, person.id, now=now + timedelta(minutes=10))
    return attempt_id


def essays_of(attempt_id: int) -> list[AttemptItem]:
    return list(db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                                             AttemptItem.section == "二、简答题").order_by(AttemptItem.slot)))


def grader(world, staff_no="inst-a"):
    person = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
    return grading.grader_for(viewer_for(person.id, person.roles), world["exam"].id, now=clock.now())


def answer_url(world, item_id, **args) -> str:
    query = "".join(f"&{k}={v}" for k, v in args.items()).replace("&", "?", 1)
    return f"/exams/manage/{world['exam'].id}/grading/answers/{item_id}{query}"


def mark(client, world, item_id, score, comment=""):
    return client.post(answer_url(world, item_id), data={"score": score, "comment": comment})


def test_the_queue_lists_each_essay_question_with_pending_and_marked_counts(app, as_user, world):
    first = sit(world["exam"], world["t1"])
    sit(world["exam"], world["t2"], essays=("答案", "  "))  # one essay left blank: scored 0, no marker needed
    client = as_user("inst-a")
    html = client.get(f"/exams/manage/{world['exam'].id}/grading").get_data(as_text=True)
    rows = re.findall(r'<tr data-question="(\d+)">.*?data-field="pending">(\d+).*?data-field="marked">(\d+)', html, re.S)
    assert sorted((p, m) for _q, p, m in rows) == [("1", "0"), ("2", "0")]
    assert "简答题干" in html and "开始阅卷" in html and "10 分" in html
    question_id = essays_of(first)[0].question_id
    location = client.get(f"/exams/manage/{world['exam'].id}/grading/questions/{question_id}").headers["Location"]
    assert mark(client, world, int(location.rsplit("/", 1)[1]), "6").status_code == 302
    html = client.get(f"/exams/manage/{world['exam'].id}/grading").get_data(as_text=True)
    after = {int(q): (int(p), int(m)) for q, p, m in re.findall(
        r'<tr data-question="(\d+)">.*?data-field="pending">(\d+).*?data-field="marked">(\d+)', html, re.S)}
    before = {int(q): int(p) for q, p, _m in rows}
    assert after[question_id] == (before[question_id] - 1, 1)
    assert sum(p for p, _m in after.values()) == 2


def test_the_grading_page_shows_rubric_and_reference_and_hides_names_by_default(app, as_user, world):
    item = essays_of(sit(world["exam"], world["t1"]))[0]
    client = as_user("inst-a")
    html = client.get(answer_url(world, item.id)).get_data(as_text=True)
    assert RUBRIC in html and "参考：先报告再记录" in html and "答案一" in html
    assert "考生甲" not in html and "T1" not in html and "姓名已隐藏" in html
    assert 'accesskey="s"' in html and "grading.js" in html and "满分 10 分" in html
    shown = client.get(answer_url(world, item.id, names=1)).get_data(as_text=True)
    assert "考生甲" in shown and "T1" in shown and "一中队" in shown


@pytest.mark.parametrize(("typed", "reason"), [("10.5", "不能超过本题满分 10 分"), ("-1", "不能为负数"),
                                               ("7.25", "只能是整分或半分"), ("七", "应为数字")])
def test_a_bad_score_is_refused_in_chinese_and_changes_nothing(app, as_user, world, typed, reason):
    attempt_id = sit(world["exam"], world["t1"])
    item = essays_of(attempt_id)[0]
    client = as_user("inst-a")
    client.get(answer_url(world, item.id))  # opening claims it
    response = mark(client, world, item.id, typed)
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    db.session.expire_all()
    item = db.session.get(AttemptItem, item.id)
    assert (item.status, item.score, item.marked_at) == ("pending", 0, None)
    assert db.session.get(Attempt, attempt_id).pending_manual is True
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("exam_essay%"))) == 0


def test_two_markers_get_different_answers_and_cannot_save_each_others(app, as_user, world):
    sit(world["exam"], world["t1"])
    sit(world["exam"], world["t2"])
    one, two = grader(world), grader(world, "inst-a2")
    question_id = essays_of(db.session.scalar(select(Attempt.id).limit(1)))[0].question_id
    now = clock.now()
    mine = grading.claim_next(one, question_id, now=now)
    theirs = grading.claim_next(two, question_id, now=now)
    assert mine and theirs and mine != theirs
    assert grading.claim_next(two, question_id, now=now) == theirs  # asking again keeps their own
    assert grading.claim(two, mine, now=now) is False  # a racing claim of a held answer fails
    # the second marker opens the first one's answer: read only; a save anyway is refused
    client = as_user("inst-a2")
    html = client.get(answer_url(world, mine)).get_data(as_text=True)
    assert 'id="grade-form"' not in html and "正由" in html
    response = mark(client, world, mine, "5")
    assert response.status_code == 409 and "没有保存" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AttemptItem, mine).status == "pending"
    # after the first marker saves, a late save by the other is refused too (no double grading)
    assert mark(as_user("inst-a"), world, mine, "8").status_code == 302
    assert mark(client, world, mine, "3").status_code == 409
    db.session.expire_all()
    assert db.session.get(AttemptItem, mine).score == 800
    # a claim lapses after 15 minutes: then another marker may take the answer
    later = now + timedelta(minutes=grading.CLAIM_MINUTES + 1)
    assert grading.claim(one, theirs, now=later) is True


def test_the_last_essay_makes_the_result_final_once_with_the_event_and_one_message(app, as_user, world, monkeypatch):
    heard = []
    attempt_graded.connect(lambda sender, **kw: heard.append(("graded", kw["attempt_id"])), sender=app, weak=False)
    attempt_regraded.connect(lambda sender, **kw: heard.append(("regraded", kw["attempt_id"])), sender=app, weak=False)
    attempt_id = sit(world["exam"], world["t1"])
    first, second = essays_of(attempt_id)
    client = as_user("inst-a")
    client.get(answer_url(world, first.id))
    assert mark(client, world, first.id, "6", "要点一答到").status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.score, attempt.passed, attempt.pending_manual, heard) == (1000, None, True, [])
    client.get(answer_url(world, second.id))
    response = mark(client, world, second.id, "4.5")
    assert response.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.score, attempt.max_score, attempt.passed, attempt.pending_manual) == (1450, 2400, True, False)
    assert heard == [("graded", attempt_id)]
    messages = list(db.session.scalars(select(Message).where(Message.person_id == world["t1"].id)))
    assert [(m.kind, m.title, m.link) for m in messages] == [
        ("attempt_graded", "《案例考试》阅卷完成：得分 14.5 / 24 分，合格", f"/exams/attempts/{attempt_id}/result")]
    statuses = [item.status for item in essays_of(attempt_id)]
    assert statuses == ["partial", "partial"]
    # re-marking: audited before → after, the result recomputed, regraded announced, no second message
    client.get(answer_url(world, second.id))
    assert mark(client, world, second.id, "2").status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.score, attempt.passed) == (1200, False)
    assert heard == [("graded", attempt_id), ("regraded", attempt_id)]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    entries = [(e.action, e.actor_id, e.object_id, e.detail.get("before"), e.detail["after"], e.detail.get("comment"))
               for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("exam_essay%"))
                                           .order_by(AuditEntry.id))]
    inst = world["inst_a"].id
    assert entries == [("exam_essay_marked", inst, attempt_id, None, "6", "要点一答到"),
                       ("exam_essay_marked", inst, attempt_id, None, "4.5", None),
                       ("exam_essay_remarked", inst, attempt_id, "4.5", "2", None)]
    assert all(e.detail["slot"] in (3, 4) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("exam_essay%"))))
    # the trainee's result page shows the final result
    html = as_user("T1").get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "不合格" in html and "教官阅卷后将给出最终成绩" not in html


def test_a_hidden_score_gives_a_message_without_it(app, as_user, world):
    world["exam"].review_score = False
    db.session.commit()
    attempt_id = sit(world["exam"], world["t1"])
    g = grader(world)
    for item in essays_of(attempt_id):
        grading.open_answer(g, item.id, now=clock.now())
        grading_marks.save_mark(g, item.id, "10", "", now=clock.now())
    message = db.session.scalar(select(Message))
    assert message.title == "《案例考试》阅卷完成" and "得分" not in message.title + message.body
    assert "成绩已确定" in message.body


def test_who_may_mark(app, as_user, world):
    in_a2 = essays_of(sit(world["exam"], world["t3"]))[0]  # 二中队
    in_a1 = essays_of(sit(world["exam"], world["t1"]))[0]
    queue = f"/exams/manage/{world['exam'].id}/grading"
    assert as_user("T1").get(queue).status_code == 403  # no builder role at all
    assert as_user("T1").get(answer_url(world, in_a1.id)).status_code == 403
    assert as_user("admin-b").get(queue).status_code == 404
    assert as_user("inst-b").get(answer_url(world, in_a1.id)).status_code == 404
    assert as_user("admin-b").post(answer_url(world, in_a1.id), data={"score": "1"}).status_code == 404
    # admin-a1 watches (一中队 is in the audience) but also sits it: not before it closes
    blocked = as_user("admin-a1").get(queue)
    assert blocked.status_code == 200 and "考试结束前不能阅卷" in blocked.get_data(as_text=True)
    assert 'data-question' not in blocked.get_data(as_text=True)
    assert as_user("admin-a1").get(answer_url(world, in_a1.id)).status_code == 403
    world["exam"].closes_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    admin = as_user("admin-a1")
    html = admin.get(queue).get_data(as_text=True)
    assert re.findall(r'data-field="pending">(\d+)', html) == ["1", "1"] and "管理范围内" in html
    assert admin.get(answer_url(world, in_a2.id)).status_code == 404  # 二中队 is outside their scope
    assert admin.get(answer_url(world, in_a1.id)).status_code == 200
    assert as_user("admin-a").get(answer_url(world, in_a2.id)).status_code == 200
    db.session.expire_all()
    assert db.session.get(AttemptItem, in_a1.id).status == "pending"


def test_results_and_the_attempt_detail_link_to_the_queue(app, as_user, world):
    attempt_id = sit(world["exam"], world["t1"])
    client = as_user("inst-a")
    queue = f'href="/exams/manage/{world["exam"].id}/grading"'
    assert queue in client.get(f"/exams/manage/{world['exam'].id}/results").get_data(as_text=True)
    detail = client.get(f"/exams/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "去阅卷" in detail
    empty = make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES[:1], title="无简答",
                      owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id)
    html = client.get(f"/exams/manage/{empty.id}/grading").get_data(as_text=True)
    assert 'id="grading-empty"' in html
