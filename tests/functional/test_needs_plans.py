"""个人培训计划: only lessons for known gaps at the missing levels (never a competency at its target),
biggest gap first, with reasons and due dates, plus the required courses always; refreshed on the
events — done items kept, items of a closed gap dropped; and the page with its empty states."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEntry, Person, PlanItem, TrainingPlan
from app.needs import plans
from tests.factories import make_person
from tests.functional.plans_world import complete, fail_both, sit_law
from tests.functional.plans_world import plan_world as plan_world  # noqa: F401 - the fixture
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture


def items_of(person_id: int) -> list[PlanItem]:
    db.session.expire_all()
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.person_id == person_id))
    return list(plan.items) if plan else []


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def test_the_plan_holds_the_gap_lessons_biggest_gap_first_and_the_required_course(plan_world):
    w = plan_world
    fail_both(w, w["tb"])
    plans.refresh(w["tb"].id, now=clock.now())
    items = items_of(w["tb"].id)
    lessons = w["lessons"]
    assert [(i.kind, i.lesson_id) for i in items] == [
        ("lesson", lessons[3]), ("lesson", lessons[4]),  # 安全: 差 3 级, first; 中级 and 高级 lessons
        ("lesson", lessons[0]), ("lesson", lessons[1]),  # 法规: 差 2 级; not 第3课 (高级, above the target),
        # nor the 社区工作者's lesson on 法规
        ("course", None)]
    assert items[-1].course_id == w["required"] and items[-1].reason == "岗位必修课程"
    assert items[0].reason == "岗位要求「执勤安全防护」高级，当前未达初级"
    assert items[2].reason == "岗位要求「道路交通安全法规」中级，当前未达初级"
    today = clock.today()
    assert [i.due_on - today for i in items[:4]] == [timedelta(days=30)] * 2 + [timedelta(days=60)] * 2
    assert items[-1].due_on == today + timedelta(days=30)  # within 30 days of joining
    assert [i.gap for i in items[:4]] == [3, 3, 2, 2]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan_update")).detail["added"] == 5


def test_a_mastered_competency_is_never_in_the_plan_and_required_courses_always_are(plan_world):
    w = plan_world
    sit_law(w, w["ta"], 5)  # 法规 中级 held: at its target
    fail_both(w, w["ta"])  # … though practice later goes badly, not enough to undo the formal exam
    plans.refresh(w["ta"].id, now=clock.now())
    items = items_of(w["ta"].id)
    assert all(i.competency_id != w["law"] for i in items)
    assert [i.course_id for i in items if i.kind == "course"] == [w["required"]]
    nobody = make_person(unit=w["a1"], staff_no="T-C")  # no evidence at all: gaps unknown, required courses only
    nobody.post_id = w["posts"][0].id
    db.session.commit()
    plans.refresh(nobody.id, now=clock.now())
    assert [(i.kind, i.course_id) for i in items_of(nobody.id)] == [("course", w["required"])]


def test_the_events_refresh_the_plan_keeping_done_items_and_dropping_closed_gaps(plan_world):
    w = plan_world
    tb = w["tb"]
    fail_both(w, tb)
    plans.refresh(tb.id, now=clock.now())
    complete(tb.id, [w["lessons"][0]])  # 法规 第1课 studied
    sit_law(w, tb, 5)  # the event: 法规 中级 now held, the gap closed
    items = items_of(tb.id)
    law = [i for i in items if i.competency_id == w["law"]]
    assert [(i.lesson_id, i.done_at is not None) for i in law] == [(w["lessons"][0], True)]  # done kept, 第2课 dropped
    assert [i.lesson_id for i in items if i.competency_id == w["safe"]] == [w["lessons"][3], w["lessons"][4]]
    assert any(i.kind == "course" for i in items)
    update = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan_update")
                                .order_by(AuditEntry.id)).all()[-1]
    assert update.detail == {"person_id": tb.id, "added": 0, "dropped": 1, "done": 1}


def test_a_plan_is_not_made_on_a_page_view_and_the_page_offers_to_make_it(plan_world, as_user):
    w = plan_world
    fail_both(w, w["tb"])
    client = as_user("T-B")
    page = client.get("/needs/plan")
    assert page.status_code == 200 and "生成我的培训计划" in text(page)
    assert db.session.scalar(select(TrainingPlan)) is None
    made = client.post("/needs/plan", follow_redirects=True)
    body = text(made)
    assert "已按您的能力差距" in body and "岗位要求「执勤安全防护」高级，当前未达初级" in body
    assert "第4课" in body and "第3课" not in body and "辅警职业道德" in body and "0/5 项，0%" in body
    complete(w["tb"].id, [w["lessons"][0], *w["required_lessons"]])
    body = text(client.get("/needs/plan"))
    assert "2/5 项，40%" in body and "已学 2/2 课时" in body  # progress read live


def test_the_empty_states(plan_world, as_user):
    w = plan_world
    drifter = make_person(unit=w["a1"], staff_no="T-D")
    plans.refresh(drifter.id, now=clock.now())
    body = text(as_user("T-D").get("/needs/plan"))
    assert "还没有设置岗位" in body
    plans.refresh(w["ta"].id, now=clock.now())  # no evidence: no known gaps
    body = text(as_user("T-A").get("/needs/plan"))
    assert "暂无差距，保持学习" in body and "辅警职业道德" in body and "还不能判断" in body


def test_a_post_change_makes_the_plan(plan_world):
    from app.events import announce, person_post_changed

    w = plan_world
    person = make_person(unit=w["a1"], staff_no="T-E")
    person.post_id = w["posts"][0].id
    db.session.commit()
    announce(person_post_changed, person_id=person.id, old_post_id=None, new_post_id=w["posts"][0].id)
    assert [i.kind for i in items_of(person.id)] == ["course"]
    assert db.session.get(Person, person.id) is not None


def test_the_cli_makes_plans_for_everyone_with_a_post(plan_world, runner):
    w = plan_world
    fail_both(w, w["tb"])
    result = runner.invoke(args=["needs", "plans"])
    assert result.exit_code == 0 and "已生成或更新 2 人的个人培训计划" in result.output
    assert len(items_of(w["tb"].id)) == 5 and len(items_of(w["ta"].id)) == 1
    assert runner.invoke(args=["needs", "plans"]).exit_code == 0  # again: nothing new
    assert len(items_of(w["tb"].id)) == 5


def test_the_plan_page_costs_the_same_statements_however_many_items(plan_world, as_user):
    from app.models import LessonCompetency
    from tests.factories import make_course
    from tests.sql_budget import statements_for

    w = plan_world
    fail_both(w, w["tb"])
    plans.refresh(w["tb"].id, now=clock.now())
    client = as_user("T-B")
    few = statements_for(client, "/needs/plan")
    more = make_course("more-safety", title="执勤安全进阶", lessons=(15,) * 8)
    more.workforces = ["fj"]
    db.session.add_all(LessonCompetency(lesson_id=lesson.id, competency_id=w["safe"], level=3) for lesson in more.lessons)
    db.session.commit()
    plans.refresh(w["tb"].id, now=clock.now())
    assert len(items_of(w["tb"].id)) == 13
    complete(w["tb"].id, [w["lessons"][0]])
    assert statements_for(client, "/needs/plan") == few
