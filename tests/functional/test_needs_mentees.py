"""我带的学员 on a mentor's home page (gaps, plan progress, last talk; a fixed number of statements)
and a lesson completed by study time marking its plan item done through `lesson_completed`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import MentorLink, MentorNote, PlanItem
from app.models.people import MentorKind, PersonStatus
from app.needs import plans
from app.study import timing
from tests.factories import make_person
from tests.functional.plans_world import fail_both
from tests.functional.plans_world import plan_world as plan_world  # noqa: F401 - the fixture
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture
from tests.functional.test_needs_plans import text
from tests.sql_budget import statements_for


def test_a_mentor_sees_their_people_on_the_home_page(plan_world, as_user):
    w = plan_world
    mentor = make_person(unit=w["a1"], staff_no="T-M", name="丁导师")
    db.session.add(MentorLink(mentor_id=mentor.id, mentee_id=w["tb"].id, kind=MentorKind.MENTOR))
    db.session.commit()
    client = as_user("T-M")
    assert "我带的学员" not in text(as_user("T-A").get("/"))  # nobody's mentor: no section
    fail_both(w, w["tb"])
    plans.refresh(w["tb"].id, now=clock.now())
    body = text(client.get("/"))
    assert "我带的学员" in body and "乙学员" in body and "指导" in body
    assert "2 项能力未达岗位要求" in body and "培训计划已完成 0/5 项" in body and "还没有谈心谈话记录" in body
    page = client.get("/").data.decode()
    for link in (f"/needs/people/{w['tb'].id}", f"/needs/people/{w['tb'].id}/plan", f"/needs/people/{w['tb'].id}/notes"):
        assert f'href="{link}"' in page
    db.session.add(MentorNote(person_id=w["tb"].id, author_id=mentor.id, talked_on=clock.today() - timedelta(days=2),
                              text="谈了执勤安全。"))
    db.session.commit()
    assert f"上次谈心谈话 {clock.today() - timedelta(days=2)}" in text(client.get("/"))
    few = statements_for(client, "/")
    for n in range(4):  # more mentees, with and without plans: the same statements
        other = make_person(unit=w["a1"], staff_no=f"T-X{n}", name=f"学员{n}", post=w["posts"][0])
        db.session.add(MentorLink(mentor_id=mentor.id, mentee_id=other.id, kind=MentorKind.BAOLIAN))
        db.session.commit()
        plans.refresh(other.id, now=clock.now())
    assert statements_for(client, "/") == few
    gone = db.session.get(type(w["tb"]), w["tb"].id)
    gone.status = PersonStatus.LEFT
    db.session.commit()
    assert "乙学员" not in text(client.get("/")) and "学员0" in text(client.get("/"))  # 离岗: off the list


def test_a_lesson_completed_by_study_time_marks_its_plan_item_done(plan_world, app):
    w = plan_world
    tb = w["tb"]
    fail_both(w, tb)
    plans.refresh(tb.id, now=clock.now())
    lesson = w["lessons"][3]  # 安全 中级, no quiz, 15 minutes
    start = clock.now().replace(microsecond=0) - timedelta(minutes=20)
    token = timing.start_lesson(tb.id, lesson, now=start)
    for minute in range(1, 17):
        beat = timing.heartbeat(tb.id, lesson, token, now=start + timedelta(minutes=minute), cap=120)
    assert beat.completed
    item = db.session.scalar(select(PlanItem).where(PlanItem.lesson_id == lesson))
    db.session.refresh(item)
    assert item.done_at is not None  # stamped by the plan refresh the event ran
