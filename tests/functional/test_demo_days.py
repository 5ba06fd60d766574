"""`flask demo load` on any day (issue 9): loaded on four days of the year, the default views of
培训完成情况 (fj-admin), 我的学习 (fj001) and fj001's 学时 page are not empty and show every state of
task, and what the demo wrote through the services adds up (counters, ledger, audit)."""

import re
from datetime import date, datetime, time
from html import unescape

import pytest
from sqlalchemy import func, select

from app import clock
from app.demo import ACCOUNTS, DEMO_PASSWORD
from app.extensions import db
from app.models import (
    Assignment,
    AssignmentTally,
    Attendance,
    AuditEntry,
    CreditEntry,
    Evaluation,
    MentorLink,
    Person,
    QuizAttempt,
    RosterImport,
    TrainingClass,
)
from app.models.classes import ClassStatus
from app.study import tallies
from tests.factories import login

DAYS = [date(2026, 1, 2), date(2026, 6, 30), date(2026, 12, 2), date(2027, 3, 1)]
STATES = ("已完成", "学习中", "未开始", "已逾期")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _client(app, staff_no: str):
    client = app.test_client()
    assert login(client, staff_no, DEMO_PASSWORD).status_code == 302
    return client


def _chosen_year(page: str) -> int:
    select_box = re.search(r'<select[^>]*name="year"[^>]*>(.*?)</select>', page, re.S).group(1)
    return int(re.search(r'<option value="(\d+)" selected', select_box).group(1))


def _counters() -> list:
    columns = (AssignmentTally.unit_id, AssignmentTally.year, AssignmentTally.course_id, AssignmentTally.due_on,
               AssignmentTally.total, AssignmentTally.done, AssignmentTally.started)
    return sorted(db.session.execute(select(*columns).where(AssignmentTally.total > 0)).all())


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_the_demo_shows_the_product_in_use_on_any_day(make_demo_app, monkeypatch, day):
    moment = clock.to_utc(datetime.combine(day, time(10, 30)))  # as test_exam_demo's NOW
    monkeypatch.setattr(clock, "now", lambda: moment)
    app = make_demo_app(day)
    with app.app_context():
        fj001 = db.session.scalar(select(Person).where(Person.staff_no == "fj001"))
        admin = _client(app, "fj-admin")

        # 培训完成情况 opens on this year, with tasks in every state.
        page = admin.get("/study/admin/compliance").get_data(as_text=True)
        assert _chosen_year(page) == day.year, day
        foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
        cells = [int(n) for n in re.findall(r'<td class="text-end">(\d+)</td>', foot)]
        people, total, *states = cells
        assert people > 20 and total > 40 and len(states) == 4 and all(states), (day, cells)

        # 我的学习 opens on the same year: fj001 has a task in each state.
        mine = _client(app, "fj001").get("/study/").get_data(as_text=True)
        assert _chosen_year(mine) == day.year
        badges = re.findall(r'<span class="badge text-bg-\w+">(\S+)</span>', mine)
        assert set(STATES) <= set(badges), (day, badges)
        assert f"{day.year} 年学时（总计）" in mine and "还没有学时记录" not in mine

        # 催学: fj001, with an overdue task, finds its reminder in the message centre; fj-admin the digest.
        messages = _text(_client(app, "fj001").get("/messages/").get_data(as_text=True))
        assert re.search(r"培训任务《[^》]+》已逾期 \d+ 天，请尽快完成", messages), (day, messages[:500])
        assert "培训任务催办：管辖范围内" in _text(admin.get("/messages/").get_data(as_text=True))

        # fj001's 学时 page: last year's hours carried over into this year, this year's tasks.
        credits = admin.get(f"/study/admin/people/{fj001.id}/credits").get_data(as_text=True)
        assert _chosen_year(credits) == day.year
        text = _text(credits)
        assert f"{day.year - 1} 年超出年度要求的学时结转" in text and "上年结转" in text
        assert f"{day.year} 年没有培训任务" not in text and "没有学时记录" not in text
        for state in STATES:
            assert state in text, (day, state)
        last_year = _text(admin.get(f"/study/admin/people/{fj001.id}/credits?year={day.year - 1}").get_data(as_text=True))
        assert "课程学习" in last_year and "线下培训" in last_year and "已完成" in last_year

        # What the services wrote adds up: the counters are a recount of the rows, every task done
        # has its course's 学时, every carry-over its year-end audit entry.
        counted = _counters()
        tallies.recount()
        assert _counters() == counted
        done = db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.completed_at.is_not(None)))
        credited = db.session.scalar(select(func.count()).select_from(CreditEntry).where(CreditEntry.source_type == "course"))
        carried = db.session.scalar(select(func.count()).select_from(CreditEntry).where(CreditEntry.source_type == "carry_over"))
        audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "credit_carry_over"))
        assert done > 100 and credited > 100 and carried == audited > 5
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) > credited
        assert db.session.scalar(select(func.max(CreditEntry.created_at))) <= moment  # nothing after the moment of loading

        # A class that was held (attendance, evaluations) and one coming up; newcomers with mentors.
        classes = {c.title: c for c in db.session.scalars(select(TrainingClass))}
        held = classes[f"{day.year - 1}年度辅警集中轮训"]
        assert held.status == ClassStatus.CLOSED
        assert db.session.scalar(select(func.count()).select_from(Evaluation).where(Evaluation.class_id == held.id)) > 10
        assert db.session.scalar(select(func.count()).select_from(Attendance)) > 200
        coming = classes["事故现场先期处置实训班"]
        assert coming.status == ClassStatus.PUBLISHED and min(s.starts_at for s in coming.sessions) > moment
        home = _text(_client(app, "fj001").get("/").get_data(as_text=True))
        assert "事故现场先期处置实训班" in home
        imported = db.session.scalars(select(RosterImport)).all()
        assert {batch.status for batch in imported} == {"imported"} and len(imported) == 2
        newcomers = db.session.scalars(select(Person).where(Person.staff_no.like("%200_"))).all()
        assert len(newcomers) == 8 and all(p.must_change_password for p in newcomers)
        mentored = set(db.session.scalars(select(MentorLink.mentee_id)))
        assert {p.id for p in newcomers} <= mentored


def test_loading_again_changes_nothing_and_an_occupied_database_is_refused(make_demo_app, make_app, tmp_path):
    app = make_demo_app()
    with app.app_context():
        runner = app.test_cli_runner()
        before = [db.session.scalar(select(func.count()).select_from(model))
                  for model in (Person, Assignment, CreditEntry, AuditEntry)]
        again = runner.invoke(args=["demo", "load"])
        assert again.exit_code == 0, again.output
        assert f"示例数据已在 {clock.today()} 载入，本次没有改动。" in again.output
        for staff_no, *_ in ACCOUNTS:
            assert f"  {staff_no} " in again.output
        assert "Demo2026" in again.output
        after = [db.session.scalar(select(func.count()).select_from(model))
                 for model in (Person, Assignment, CreditEntry, AuditEntry)]
        assert after == before
        db.session.remove()
    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.app_context():
        from tests.factories import make_person, make_unit

        make_person(unit=make_unit("本单位"), staff_no="boss")
        refused = other.test_cli_runner().invoke(args=["demo", "load"])
        assert refused.exit_code != 0 and "示例数据只能载入没有人员的数据库" in refused.output
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1
