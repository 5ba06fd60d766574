"""The demo's plan: fj001 has a plan of a few items built from the gaps the demo exams gave them,
one of them done, and their mentor (教官 jiaoguan) has written a note the admin can read too."""

from datetime import datetime

import pytest
from sqlalchemy import select

from app import clock
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import MentorNote, Person, PlanItem, TrainingPlan
from tests.factories import login

NOW = datetime(2026, 12, 2, 2, 30)  # UTC: 10:30 in Beijing, as the exam demo test


@pytest.fixture
def app(make_demo_app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = make_demo_app(clock.local_date(NOW))
    with app.app_context():
        yield app


def test_fj001_has_a_plan_with_one_item_done_and_a_mentors_note(app):
    fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.person_id == fj001.id))
    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()
    assert len(items) >= 3
    assert any(i.kind == "lesson" for i in items) and any(i.kind == "course" for i in items)
    assert sum(i.done_at is not None for i in items) >= 1
    note = db.session.scalar(select(MentorNote).where(MentorNote.person_id == fj001.id))
    assert note.author.staff_no == "jiaoguan"
    client = app.test_client()
    assert login(client, "fj001", DEMO_PASSWORD).status_code == 302
    page = client.get("/needs/plan").data.decode()
    assert "岗位要求「" in page and "已完成" in page
    assert client.get(f"/needs/people/{fj001.id}/notes").status_code == 404  # not for the person
    for staff_no in ("jiaoguan", "fj-admin"):
        other = app.test_client()
        assert login(other, staff_no, DEMO_PASSWORD).status_code == 302
        assert "近期考试中法规类题目失分较多" in other.get(f"/needs/people/{fj001.id}/notes").data.decode()
        assert other.get(f"/needs/people/{fj001.id}/plan").status_code == 200
