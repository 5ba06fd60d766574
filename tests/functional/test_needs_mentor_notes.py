"""谈心谈话记录 and a person's plan for mentors and admins: a mentor or an admin in scope writes and
reads notes (audited, newest talk first, paginated); nobody else — other trainees, the person
themself, an admin elsewhere — sees them (404) and a refused write changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEntry, MentorLink, MentorNote
from app.needs import plans
from tests.factories import make_person
from tests.functional.plans_world import fail_both
from tests.functional.plans_world import plan_world as plan_world  # noqa: F401 - the fixture
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def mentored(w):
    mentor = make_person(unit=w["b1"], staff_no="MENTOR", name="王导师")  # from another brigade
    db.session.add(MentorLink(mentor_id=mentor.id, mentee_id=w["tb"].id, kind="mentor"))
    db.session.commit()
    return mentor


def note(client, person_id: int, talked_on, body: str = "谈了学习安排，法规基础薄弱，约定两周内学完。"):
    return client.post(f"/needs/people/{person_id}/notes", data={"talked_on": talked_on.isoformat(), "text": body})


def notes_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MentorNote))


def test_a_mentor_and_an_admin_in_scope_write_notes_that_are_audited(plan_world, as_user):
    w = plan_world
    mentor = mentored(w)
    tb = w["tb"].id
    today = clock.today()
    response = note(as_user("MENTOR"), tb, today - timedelta(days=2))
    assert response.status_code == 302 and response.location.endswith(f"/needs/people/{tb}/notes")
    row = db.session.scalar(select(MentorNote))
    assert (row.person_id, row.author_id, row.talked_on) == (tb, mentor.id, today - timedelta(days=2))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mentor_note_add"))
    assert entry.actor_id == mentor.id and entry.object_id == row.id and entry.detail["person_id"] == tb
    assert note(as_user("admin-a"), tb, today, "管理员回访：已开始学习。").status_code == 302
    body = text(as_user("MENTOR").get(f"/needs/people/{tb}/notes"))
    assert body.index("管理员回访") < body.index("谈了学习安排") and "记录人：王导师" in body
    assert "甲管理员" in text(as_user("admin-a").get(f"/needs/people/{tb}/notes"))


def test_nobody_else_sees_or_writes_notes(plan_world, as_user):
    w = plan_world
    mentored(w)
    tb = w["tb"].id
    note(as_user("MENTOR"), tb, clock.today())
    for staff_no in ("T-B", "T-A", "admin-b"):  # the person themself, another trainee, an admin elsewhere
        client = as_user(staff_no)
        assert client.get(f"/needs/people/{tb}/notes").status_code == 404, staff_no
        assert note(client, tb, clock.today(), "不该写入").status_code == 404, staff_no
    assert notes_count() == 1
    assert note(as_user("MENTOR"), w["ta"].id, clock.today()).status_code == 404  # not their mentee
    assert as_user("admin-a").get("/needs/people/99999/notes").status_code == 404


def test_bad_notes_are_refused_and_change_nothing(plan_world, as_user):
    w = plan_world
    mentored(w)
    client = as_user("MENTOR")
    tb = w["tb"].id
    assert note(client, tb, clock.today(), "").status_code == 422
    assert note(client, tb, clock.today() + timedelta(days=3)).status_code == 422
    assert note(client, tb, clock.today(), "字" * 2001).status_code == 422
    assert client.post(f"/needs/people/{tb}/notes", data={"talked_on": "昨天", "text": "x"}).status_code == 422
    assert notes_count() == 0
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mentor_note_add")) is None


def test_notes_are_paginated(plan_world, as_user, app):
    w = plan_world
    mentor = mentored(w)
    app.config["PER_PAGE"] = 3
    today = clock.today()
    db.session.add_all(MentorNote(person_id=w["tb"].id, author_id=mentor.id, talked_on=today - timedelta(days=n),
                                  text=f"第{n}次谈话") for n in range(5))
    db.session.commit()
    client = as_user("MENTOR")
    first, second = text(client.get(f"/needs/people/{w['tb'].id}/notes")), text(
        client.get(f"/needs/people/{w['tb'].id}/notes?page=2"))
    assert "第0次谈话" in first and "第2次谈话" in first and "第3次谈话" not in first
    assert "第3次谈话" in second and "第4次谈话" in second


def test_a_mentor_and_an_admin_see_the_persons_plan_but_not_others(plan_world, as_user):
    w = plan_world
    mentored(w)
    tb = w["tb"]
    fail_both(w, tb)
    plans.refresh(tb.id, now=clock.now())
    for staff_no in ("MENTOR", "admin-a"):
        response = as_user(staff_no).get(f"/needs/people/{tb.id}/plan")
        body = text(response)
        assert response.status_code == 200 and "乙学员的培训计划" in body and "第4课" in body
        assert 'data-field="retest"' not in response.data.decode()  # only the person starts a re-test
    profile = as_user("MENTOR").get(f"/needs/people/{tb.id}").data.decode()
    assert f"/needs/people/{tb.id}/plan" in profile and f"/needs/people/{tb.id}/notes" in profile
    for staff_no in ("T-A", "admin-b"):
        assert as_user(staff_no).get(f"/needs/people/{tb.id}/plan").status_code == 404, staff_no
