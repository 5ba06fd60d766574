"""The training year a page opens on (issue 9): 培训完成情况, 我的学习, a person's 学时 and the home page
open on the year whose tasks are open or due next, never on an empty year while another has data;
their year selectors offer only years with data and the current one."""

import re
from datetime import date, datetime

import pytest

from app import clock
from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment, CreditEntry
from app.study.cycles import YearFacts, choose_year, default_year, year_choices, years_with_data
from tests.factories import make_course, make_person, make_world
from tests.sql_budget import count_statements

NOW = datetime(2026, 12, 2, 2, 0)  # 10:00 in Shanghai: this year's deadlines have passed
TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def world(app):
    return make_world(workforce=True, people={"me": {"unit": "a1", "staff_no": "T-1", "post": 0}})


def _task(person, course, due: date, *, done: bool = False) -> Assignment:
    task = Assignment(person_id=person.id, course_id=course.id, year=due.year, due_on=due,
                      completed_at=datetime(due.year, 1, 5) if done else None)
    db.session.add(task)
    db.session.commit()
    return task


def _selected(page: str) -> tuple[str, list[str]]:
    """The chosen and the offered years of the page's year selector."""
    select = re.search(r'<select[^>]*name="year"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="(\d+)" selected', select).group(1)
    return chosen, re.findall(r'<option value="(\d+)"', select)


# --- the rule ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("open_due", "with_data", "expected"), [
    ({}, set(), 2026),  # nothing anywhere: this year
    ({2027: date(2027, 6, 30)}, {2027}, 2027),  # only next year has tasks
    ({2026: date(2026, 6, 30), 2027: date(2027, 6, 30)}, {2026, 2027}, 2026),  # this year's overdue lead
    ({2027: date(2027, 6, 30)}, {2026, 2027}, 2027),  # this year all done: next year's open ones lead
    ({2025: date(2025, 6, 30)}, {2025, 2026}, 2026),  # an old straggler does not pull the page back
    ({2025: date(2025, 6, 30)}, {2025}, 2025),  # but an empty year is never shown while 2025 has data
    ({}, {2024, 2025}, 2025),  # the latest earlier year with data
    ({}, {2028}, 2028),  # only a later year has data
    ({2026: date(2026, 12, 20), 2027: date(2027, 1, 10)}, {2026, 2027}, 2026),  # due next
])
def test_default_year(open_due, with_data, expected):
    assert default_year(open_due, with_data, TODAY) == expected


def test_a_year_asked_for_is_kept_and_offered_with_the_years_with_data():
    facts = YearFacts(frozenset({2024, 2027}), {2027: date(2027, 6, 30)})
    assert choose_year(None, facts, TODAY) == 2027 and choose_year(2020, facts, TODAY) == 2020
    assert choose_year(0, facts, TODAY) == choose_year(10_000, facts, TODAY) == 2027
    assert year_choices(facts, TODAY, 2027) == [2027, 2026, 2024]
    assert year_choices(facts, TODAY, 2020) == [2027, 2026, 2024, 2020]


def test_the_years_of_a_scope_come_from_the_counters_in_one_statement(world):
    course = make_course(title="交通法规")
    for i in range(5):
        other = make_person(unit=world["b1"], staff_no=f"B-{i}")
        _task(other, course, date(2025, 6, 30))
    _task(world["me"], course, date(2027, 6, 30))
    _task(world["me"], make_course(title="保密"), date(2026, 3, 31), done=True)
    scope = Scope(paths=(world["a"].path,))
    with count_statements() as statements:
        facts = years_with_data(scope=scope)
    assert len(statements) == 1 and "assignment_tally" in statements[0] and "FROM assignment " not in statements[0]
    assert facts.with_data == {2026, 2027} and facts.open_due == {2027: date(2027, 6, 30)}
    db.session.add(CreditEntry(person_id=world["me"].id, year=2024, kind="elective", tenths=10,
                               source_type="offline", source_id=1))
    db.session.commit()
    me_id = world["me"].id
    with count_statements() as statements:
        mine = years_with_data(person_id=me_id)
    assert len(statements) == 1 and mine.with_data == {2024, 2026, 2027} and mine.open_due == {2027: date(2027, 6, 30)}


# --- the pages: only next year has tasks -----------------------------------------------------------

def test_every_page_opens_on_next_year_when_only_next_year_has_tasks(world, as_user):
    me = world["me"]
    _task(me, make_course(title="政治纪律"), date(2027, 6, 30))
    admin = as_user("admin-a")
    compliance = admin.get("/study/admin/compliance").get_data(as_text=True)
    assert _selected(compliance) == ("2027", ["2027", "2026"])
    assert "2027 年度培训任务按人员所在单位统计" in compliance and "还没有培训任务" not in compliance
    credits = admin.get(f"/study/admin/people/{me.id}/credits").get_data(as_text=True)
    assert _selected(credits) == ("2027", ["2027", "2026"]) and "政治纪律" in credits
    assert "2027 年没有培训任务" not in credits
    trainee = as_user("T-1")
    mine = trainee.get("/study/").get_data(as_text=True)
    assert _selected(mine) == ("2027", ["2027", "2026"]) and "2027 年学时" in mine and "政治纪律" in mine
    home = trainee.get("/").get_data(as_text=True)
    assert "2027 年学时" in home
    assert "管理工作" in admin.get("/").get_data(as_text=True) and "2027 年度" in admin.get("/").get_data(as_text=True)


# --- the pages: both years have tasks ------------------------------------------------------------

def test_with_both_years_the_pages_open_on_this_year_while_its_tasks_are_open(world, as_user):
    me = world["me"]
    overdue = _task(me, make_course(title="今年逾期"), date(2026, 6, 30))
    _task(me, make_course(title="今年已学"), date(2026, 3, 31), done=True)
    _task(me, make_course(title="明年任务"), date(2027, 6, 30))
    admin, trainee = as_user("admin-a"), as_user("T-1")
    assert _selected(admin.get("/study/admin/compliance").get_data(as_text=True)) == ("2026", ["2027", "2026"])
    credits = admin.get(f"/study/admin/people/{me.id}/credits").get_data(as_text=True)
    assert _selected(credits)[0] == "2026" and "今年逾期" in credits and "明年任务" not in credits
    mine = trainee.get("/study/").get_data(as_text=True)
    assert _selected(mine)[0] == "2026" and "今年已学" in mine and "今年逾期" in mine and "明年任务" in mine
    assert "2026 年学时" in trainee.get("/").get_data(as_text=True)
    # Once this year's tasks are done, next year's open ones are the year that matters.
    overdue = db.session.get(Assignment, overdue.id)
    overdue.completed_at = datetime(2026, 11, 1)
    db.session.commit()
    assert _selected(admin.get("/study/admin/compliance").get_data(as_text=True))[0] == "2027"
    assert _selected(admin.get(f"/study/admin/people/{me.id}/credits").get_data(as_text=True))[0] == "2027"
    mine = trainee.get("/study/").get_data(as_text=True)
    assert _selected(mine)[0] == "2027" and "今年已学" not in mine and "明年任务" in mine
    assert "2027 年学时" in trainee.get("/").get_data(as_text=True)
    # A year asked for is shown, and the others stay one click away.
    asked = admin.get("/study/admin/compliance?year=2026").get_data(as_text=True)
    assert _selected(asked) == ("2026", ["2027", "2026"]) and "2026 年度培训任务按人员所在单位统计" in asked


def test_a_person_whose_only_data_is_last_years_hours_opens_on_last_year(world, as_user):
    me = world["me"]
    db.session.add(CreditEntry(person_id=me.id, year=2025, kind="elective", tenths=35, source_type="offline",
                               source_id=7, note="培训班：夜间执勤实训", created_at=datetime(2025, 5, 1)))
    db.session.commit()
    mine = as_user("T-1").get("/study/").get_data(as_text=True)
    assert _selected(mine) == ("2025", ["2026", "2025"]) and "培训班：夜间执勤实训" in mine
    credits = as_user("admin-a").get(f"/study/admin/people/{me.id}/credits").get_data(as_text=True)
    assert _selected(credits)[0] == "2025" and "3.5" in credits
