"""The demo's diagnostics: a few trainees have taken it through the services (their levels the rule's,
their answers evidence of source diagnostic), fj001 has not and can start one as a new user, and
sq001's unit is required to take it by a date a few days away, which their home page shows."""

from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app import clock
from app.demo import DEMO_PASSWORD
from app.exams.demo import LOGINS
from app.extensions import db
from app.models import Diagnostic, DiagnosticRequirement, MasteryEvidence, Person
from tests.factories import login

NOW = datetime(2026, 12, 2, 2, 30)  # UTC: 10:30 in Beijing, as the exams' demo test


@pytest.fixture
def app(make_demo_app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = make_demo_app(clock.local_date(NOW))
    with app.app_context():
        yield app


def test_the_demo_diagnostics(app):
    taken = db.session.scalars(select(Diagnostic).where(Diagnostic.finished_at.is_not(None))).all()
    assert len(taken) >= 3
    takers = {p.id: p.staff_no for p in db.session.scalars(select(Person).where(
        Person.id.in_([d.person_id for d in taken])))}
    assert not set(takers.values()) & LOGINS
    assert all(sum(v is not None for v in d.levels.values()) > len(d.levels) // 2 for d in taken)
    assert db.session.scalar(select(func.count()).select_from(MasteryEvidence).where(
        MasteryEvidence.source == "diagnostic")) > 0
    requirement = db.session.scalar(select(DiagnosticRequirement))
    assert NOW.date() < requirement.due_on <= NOW.date() + timedelta(days=7)

    client = app.test_client()
    login(client, "sq001", DEMO_PASSWORD)
    home = unescape(client.get("/").data.decode())
    assert 'id="home-diagnostic"' in home and requirement.due_on.strftime("%Y年%m月%d日") in home

    client = app.test_client()
    login(client, "fj001", DEMO_PASSWORD)
    assert "开始摸底测试" in unescape(client.get("/").data.decode())
    response = client.post("/needs/diagnostic/start")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "已完成 0 / 预计最多" in page.data.decode()
