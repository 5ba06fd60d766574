"""摸底测试 end to end on a fixture syllabus: one question at a time at the rule's level, never the same
question twice, stops early on consistent answers and after at most N per competency, no key in any
page or response while it runs, the levels stored equal the pure rule's, mastery recorded as source
diagnostic, the result page; the offer by message on joining and on a post change (once); an admin's
requirement with a due date (scope, audit, the home page); only one's own diagnostic."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app import clock
from app.bank.storing import prepare, store
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    AuditEntry,
    Competency,
    Diagnostic,
    DiagnosticRequirement,
    MasteryEvidence,
    Message,
    Question,
    SyllabusTarget,
)
from app.models.exams import AttemptState
from app.needs.evidence import settings
from question_bank import diagnostic as rule
from question_bank import question_from_dict
from question_bank.mastery import DIFFICULTY_LEVEL
from tests.factories import make_syllabus, make_world, single_choice_data

LAW, SAFE, DRIVE = "FJ-LAW", "FJ-SAFE", "FJ-DRIVE"
KEY_WORDS = ("这是解析", "weight", "答对", "答错", "正确答案：", "得分")


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def add(category, code: str, difficulty: int, n: int) -> list[int]:
    datas = [single_choice_data(competencies=[code], difficulty=difficulty, explanation="这是解析")
             for _ in range(n)]
    ids = store([prepare(question_from_dict(d)) for d in datas], lambda _p: category, actor_id=None, status="ready",
                note="测试")
    db.session.commit()
    return ids


@pytest.fixture
def world(app):
    world = make_world(bank=True, workforce={"posts": (("fj-road", "路面执勤"), ("fj-desk", "内勤"))}, people={
        "ta": {"unit": "a1", "staff_no": "T-A", "name": "甲学员", "post": 0},
        "tb": {"unit": "a1", "staff_no": "T-B", "name": "乙学员", "post": 0},
        "tc": {"unit": "b1", "staff_no": "T-C", "name": "丙学员", "post": 0}})
    for code, name in ((LAW, "道路交通安全法规"), (SAFE, "执勤安全防护"), (DRIVE, "驾驶技能")):
        db.session.add(Competency(code=code, name=name))
    db.session.commit()
    ids = dict(db.session.execute(select(Competency.code, Competency.id)).all())
    world["ids"] = ids
    for code in (LAW, SAFE):
        for difficulty in (1, 3, 4):
            add(world["cat_a"], code, difficulty, 4)
        add(world["cat_b"], code, 3, 4)  # 二大队's bank: never asked of 一大队's people
    syllabus = make_syllabus(world["posts"][0])
    syllabus.targets = [SyllabusTarget(competency_id=ids[LAW], level=2), SyllabusTarget(competency_id=ids[SAFE], level=1),
                        SyllabusTarget(competency_id=ids[DRIVE], level=1)]  # no questions: skipped
    db.session.commit()
    return world


def current_slot(client, diagnostic_id: int):
    """The question page: (slot, page text) or None once it redirects."""
    response = client.get(f"/needs/diagnostic/{diagnostic_id}")
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    page = response.data.decode()
    for word in KEY_WORDS:
        assert word not in page
    return int(re.search(r'name="slot" value="(\d+)"', page).group(1)), text(response)


def take(client, answer_for) -> Diagnostic:
    """Start and answer until finished; `answer_for(competency id, level)` → "A" (right) or "B"."""
    response = client.post("/needs/diagnostic/start")
    assert response.status_code == 302
    diagnostic_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    for _ in range(50):
        found = current_slot(client, diagnostic_id)
        if found is None:
            break
        slot, _page = found
        diagnostic = db.session.get(Diagnostic, diagnostic_id)
        db.session.refresh(diagnostic)
        _slot, competency_id, level = diagnostic.asked[-1]
        assert _slot == slot
        response = client.post(f"/needs/diagnostic/{diagnostic_id}/answer",
                               data={"slot": slot, "answer": answer_for(competency_id, level)})
        assert response.status_code == 302
        assert "正确" not in response.data.decode() and "错误" not in response.data.decode()
    diagnostic = db.session.get(Diagnostic, diagnostic_id)
    db.session.refresh(diagnostic)
    return diagnostic


def rule_levels(diagnostic: Diagnostic) -> dict[str, int | None]:
    items = {i.slot: i for i in db.session.scalars(select(AttemptItem).join(Attempt).where(
        Attempt.exam_id == diagnostic.exam_id))}
    answers: dict[int, list] = {}
    for slot, cid, level in diagnostic.asked:
        answers.setdefault(cid, []).append(rule.Answer(level, items[slot].score / items[slot].points))
    rules = rule.Rules(max_questions=diagnostic.max_per_competency)
    out = {}
    for cid, target in diagnostic.targets.items():
        if int(cid) in diagnostic.skipped:
            continue
        stop = rule.step(target, answers.get(int(cid), []), rules, settings())
        assert isinstance(stop, rule.Stop)
        out[cid] = stop.level
    return out


def test_all_right_stops_after_two_per_competency_at_the_target(world, as_user):
    client = as_user("T-A")
    diagnostic = take(client, lambda _cid, _level: "A")
    ids = world["ids"]
    assert diagnostic.finished_at is not None and diagnostic.skipped == [ids[DRIVE]]
    asked = diagnostic.asked
    assert len(asked) == 4  # two right at the target decide it held
    assert [level for _s, cid, level in asked if cid == ids[LAW]] == [2, 2]
    assert [level for _s, cid, level in asked if cid == ids[SAFE]] == [1, 1]
    assert [cid for _s, cid, _l in asked[:2]] == [ids[LAW], ids[SAFE]]  # round-robin
    assert diagnostic.levels == {str(ids[LAW]): 2, str(ids[SAFE]): 1} == rule_levels(diagnostic)
    items = list(db.session.scalars(select(AttemptItem).join(Attempt).where(Attempt.exam_id == diagnostic.exam_id)))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_([i.question_id for i in items])))}
    assert len({i.question_id for i in items}) == len(items)  # no repeats
    for item, (_slot, _cid, level) in zip(sorted(items, key=lambda i: i.slot), asked, strict=True):
        assert DIFFICULTY_LEVEL[questions[item.question_id].difficulty] == level  # at the level asked
        assert questions[item.question_id].category_id == world["cat_a"].id  # the person's own banks
    attempt = db.session.scalar(select(Attempt).where(Attempt.exam_id == diagnostic.exam_id))
    assert attempt.state == AttemptState.FINISHED and attempt.submitted_by == "trainee"
    sources = set(db.session.scalars(select(MasteryEvidence.source).where(MasteryEvidence.person_id == world["ta"].id)))
    assert sources == {"diagnostic"}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "diagnostic_finish")) == 1


def test_all_wrong_goes_down_and_stops(world, as_user):
    client = as_user("T-A")
    diagnostic = take(client, lambda _cid, _level: "B")
    ids = world["ids"]
    law = [level for _s, cid, level in diagnostic.asked if cid == ids[LAW]]
    assert law[0] == 2 and law[1] == 1 and len(law) <= 4  # wrong at the target: one level lower
    assert diagnostic.levels == rule_levels(diagnostic)
    assert diagnostic.levels[str(ids[LAW])] == 0 and diagnostic.levels[str(ids[SAFE])] == 0


def test_at_most_n_per_competency(world, as_user, app):
    app.config["DIAGNOSTIC_MAX_PER_COMPETENCY"] = 2
    client = as_user("T-A")
    seen = {}

    def alternate(cid, _level):  # right, wrong, … never consistent
        seen[cid] = seen.get(cid, 0) + 1
        return "A" if seen[cid] % 2 else "B"

    diagnostic = take(client, alternate)
    counts = {}
    for _s, cid, _l in diagnostic.asked:
        counts[cid] = counts.get(cid, 0) + 1
    assert max(counts.values()) <= 2 and diagnostic.max_per_competency == 2
    assert diagnostic.levels == rule_levels(diagnostic)


def test_progress_and_result_page(world, as_user):
    client = as_user("T-A")
    assert "做一次摸底测试" in text(client.get("/needs/me"))
    offer = text(client.get("/needs/diagnostic"))
    assert "3 项能力" in offer and "开始摸底测试" in offer and "12 题以内" in offer
    diagnostic_id = int(client.post("/needs/diagnostic/start").headers["Location"].split("/")[-1])
    _slot, page = current_slot(client, diagnostic_id)
    assert "已完成 0 / 预计最多 8 题" in page  # DRIVE skipped: two competencies × 4
    assert "继续摸底测试" in text(client.get("/needs/diagnostic"))  # an unfinished one is offered to continue
    assert client.post("/needs/diagnostic/start").headers["Location"].endswith(f"/{diagnostic_id}")  # the same one
    diagnostic = take_rest(client, diagnostic_id)
    result = client.get(f"/needs/diagnostic/{diagnostic.id}/result")
    page = text(result)
    assert result.status_code == 200
    assert "道路交通安全法规 中级 中级 已达到" in page and "执勤安全防护 初级 初级 已达到" in page
    assert "驾驶技能" in page and "没有可用的题目" in page
    assert "/needs/me" in result.data.decode()
    profile = text(client.get("/needs/me"))
    assert "最近一次摸底测试" in profile and "做一次摸底测试" not in profile
    assert f"/needs/diagnostic/{diagnostic.id}/result" in client.get("/needs/me").data.decode()
    assert client.get(f"/needs/diagnostic/{diagnostic.id}").headers["Location"].endswith("/result")


def take_rest(client, diagnostic_id):
    while (found := current_slot(client, diagnostic_id)) is not None:
        client.post(f"/needs/diagnostic/{diagnostic_id}/answer", data={"slot": found[0], "answer": "A"})
    return db.session.get(Diagnostic, diagnostic_id)


def test_bad_answers_and_repeats_change_nothing(world, as_user):
    client = as_user("T-A")
    diagnostic_id = int(client.post("/needs/diagnostic/start").headers["Location"].split("/")[-1])
    slot, _page = current_slot(client, diagnostic_id)
    response = client.post(f"/needs/diagnostic/{diagnostic_id}/answer", data={"slot": slot})
    assert response.status_code == 302 and len(db.session.get(Diagnostic, diagnostic_id).asked) == 1
    client.post(f"/needs/diagnostic/{diagnostic_id}/answer", data={"slot": slot, "answer": "A"})
    client.post(f"/needs/diagnostic/{diagnostic_id}/answer", data={"slot": slot, "answer": "B"})  # a resend
    diagnostic = db.session.get(Diagnostic, diagnostic_id)
    db.session.refresh(diagnostic)
    assert len(diagnostic.asked) == 2
    first = db.session.scalar(select(AttemptItem).join(Attempt).where(
        Attempt.exam_id == diagnostic.exam_id, AttemptItem.slot == slot))
    assert first.response == "A" and first.status == "correct"


def test_only_ones_own(world, as_user):
    diagnostic_id = int(as_user("T-A").post("/needs/diagnostic/start").headers["Location"].split("/")[-1])
    other = as_user("T-B")
    assert other.get(f"/needs/diagnostic/{diagnostic_id}").status_code == 404
    assert other.post(f"/needs/diagnostic/{diagnostic_id}/answer", data={"slot": 1, "answer": "A"}).status_code == 404
    assert other.get(f"/needs/diagnostic/{diagnostic_id}/result").status_code == 404
    admin = as_user("admin-a")
    assert admin.get(f"/needs/diagnostic/{diagnostic_id}").status_code == 404
    item = db.session.scalar(select(AttemptItem).join(Attempt).where(Attempt.exam_id == db.session.get(
        Diagnostic, diagnostic_id).exam_id))
    assert item.response is None
    # the hidden exam is nobody's to build or watch
    assert admin.get(f"/exams/manage/{db.session.get(Diagnostic, diagnostic_id).exam_id}").status_code == 404


def test_no_targets_no_questions(world, as_user):
    from tests.factories import make_person

    make_person(unit=world["a1"], staff_no="T-D", post_id=world["posts"][1].id)
    client = as_user("T-D")
    assert "暂时不需要摸底测试" in text(client.get("/needs/diagnostic"))
    response = client.post("/needs/diagnostic/start", follow_redirects=True)
    assert "无需摸底测试" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Diagnostic)) == 0


def test_offered_on_joining_and_on_post_change_once(world, as_user):
    from app.events import announce, person_joined, person_post_changed

    people = [world["ta"].id, world["tb"].id]
    announce(person_joined, person_ids=people)
    announce(person_joined, person_ids=people)  # a replay: no second message
    messages = list(db.session.scalars(select(Message).where(Message.kind == "diagnostic")))
    assert sorted(m.person_id for m in messages) == sorted(people)
    assert all(m.link == "/needs/diagnostic" for m in messages)
    desk = world["posts"][1]
    announce(person_post_changed, person_id=world["ta"].id, old_post_id=world["posts"][0].id, new_post_id=desk.id)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2  # 内勤 has no targets
    road = world["posts"][0]
    for _ in range(2):
        announce(person_post_changed, person_id=world["tc"].id, old_post_id=desk.id, new_post_id=road.id)
    assert db.session.scalar(select(func.count()).select_from(Message).where(
        Message.person_id == world["tc"].id)) == 1


def test_required_with_a_due_date(world, as_user, monkeypatch):
    admin = as_user("admin-a")
    page = admin.get("/needs/diagnostic/requirements")
    assert page.status_code == 200 and "还没有要求" in text(page)
    due = clock.today() + timedelta(days=7)
    response = admin.post("/needs/diagnostic/requirements", data={
        "unit_id": world["a"].id, "post_id": world["posts"][0].id, "due_on": due.isoformat(), "note": "新岗位摸底"})
    assert response.status_code == 302
    requirement = db.session.scalar(select(DiagnosticRequirement))
    assert requirement.unit_id == world["a"].id and requirement.due_on == due
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "diagnostic_require"))
    assert entry.object_id == requirement.id and entry.actor_id == world["admin_a"].id
    # outside the scope: 404 and nothing stored; a past date: refused
    assert admin.post("/needs/diagnostic/requirements", data={
        "unit_id": world["b"].id, "due_on": due.isoformat()}).status_code == 404
    admin.post("/needs/diagnostic/requirements", data={"unit_id": world["a"].id, "due_on": "2001-01-01"})
    assert db.session.scalar(select(func.count()).select_from(DiagnosticRequirement)) == 1
    assert as_user("admin-b").post(f"/needs/diagnostic/requirements/{requirement.id}/withdraw").status_code == 404
    assert as_user("T-A").get("/needs/diagnostic/requirements").status_code == 403
    listing = text(admin.get("/needs/diagnostic/requirements"))
    assert "0 / 2" in listing and "路面执勤" in listing
    # the trainee's home and offer show it; overdue once the date has passed
    trainee = as_user("T-A")
    home = text(trainee.get("/"))
    assert "摸底测试" in home and due.strftime("%Y年%m月%d日") in home and "已逾期" not in home
    assert "一大队要求您在" in text(trainee.get("/needs/diagnostic"))
    assert "要求在" not in text(as_user("T-C").get("/"))  # 二大队: not required
    later = clock.now() + timedelta(days=9)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "已逾期" in text(trainee.get("/"))
    take(trainee, lambda _cid, _level: "A")
    assert "一大队要求您在" not in text(trainee.get("/needs/diagnostic"))
    assert "1 / 2" in text(admin.get("/needs/diagnostic/requirements"))
    admin.post(f"/needs/diagnostic/requirements/{requirement.id}/withdraw")
    assert db.session.scalar(select(func.count()).select_from(DiagnosticRequirement)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "diagnostic_require_withdraw")) == 1


def test_home_offers_it_while_not_taken(world, as_user):
    client = as_user("T-A")
    home = client.get("/").data.decode()
    assert "/needs/diagnostic" in home and "开始摸底测试" in unescape(home)
    take(client, lambda _cid, _level: "A")
    assert "开始摸底测试" not in unescape(client.get("/").data.decode())


def test_an_abandoned_diagnostic_closes_and_a_new_one_starts(world, as_user, monkeypatch):
    client = as_user("T-A")
    first = int(client.post("/needs/diagnostic/start").headers["Location"].split("/")[-1])
    slot, _page = current_slot(client, first)
    later = clock.now() + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get(f"/needs/diagnostic/{first}").headers["Location"].endswith("/needs/diagnostic")
    client.post(f"/needs/diagnostic/{first}/answer", data={"slot": slot, "answer": "A"})
    assert len(db.session.get(Diagnostic, first).asked) == 1  # refused: its time ran out
    offer = text(client.get("/needs/diagnostic"))
    assert "继续摸底测试" not in offer and "开始摸底测试" in offer
    second = int(client.post("/needs/diagnostic/start").headers["Location"].split("/")[-1])
    assert second != first and current_slot(client, second) is not None


def test_when_the_target_level_runs_out_it_stops_without_claiming_a_gap(world, as_user):
    """One 中级 question only: after it, 初级 ones until 初级 is held (here one is enough), then no more (an answer at a decided
    level would tell nothing); the result and the profile say 待评估, not 差 1 级."""
    thin = Competency(code="FJ-THIN", name="执勤执法规范")
    db.session.add(thin)
    db.session.commit()
    add(world["cat_a"], "FJ-THIN", 3, 1)
    add(world["cat_a"], "FJ-THIN", 1, 6)
    syllabus = db.session.scalar(select(SyllabusTarget.syllabus_id).limit(1))
    db.session.add(SyllabusTarget(syllabus_id=syllabus, competency_id=thin.id, level=2))
    db.session.commit()
    diagnostic = take(as_user("T-A"), lambda _cid, _level: "A")
    asked = [level for _s, cid, level in diagnostic.asked if cid == thin.id]
    assert asked == [2, 1] and thin.id in diagnostic.exhausted  # right at 中级 and 初级: 初级 is held
    assert diagnostic.levels[str(thin.id)] == 1
    page = text(as_user("T-A").get(f"/needs/diagnostic/{diagnostic.id}/result"))
    assert "执勤执法规范 中级 初级 待评估 2" in page and "差 1 级" not in page
    assert "待评估：执勤执法规范" in page
