"""The person ledger (人员台账): the 个人培训计划 column (page and xlsx, one query per page), totals from
the counters equal to counting the people, both reading plans giving the same rows in the same
order, paging, and 超过 N 人 when the total cannot come from the counters."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import NeedGap, OrgUnit, Person, PlanItem, TrainingPlan
from app.needs import ledger_updates, person_ledger
from app.needs.person_ledger import PersonFilter
from tests.factories import make_course, make_person
from tests.functional import test_needs_ledgers
from tests.functional.test_needs_ledgers import LAW, SAFE, admin_scope, set_mastery, text
from tests.sql_budget import statements_for

EVERYWHERE = Scope(None)
world = test_needs_ledgers.world  # the hand-computed fixture, as a fixture here too


def give_plan(person: Person, course, done: int, items: int) -> None:
    plan = TrainingPlan(person_id=person.id, post_id=person.post_id)
    plan.items = [PlanItem(kind="course", course_id=course.id, reason="岗位必修", due_on=date(2026, 12, 31),
                           position=n, done_at=datetime(2026, 11, 1) if n < done else None) for n in range(items)]
    db.session.add(plan)


@pytest.fixture
def plans(world):
    """p1: 1 of 3 items done; p3: an empty plan; p2: no plan."""
    course = make_course()
    give_plan(world["p1"], course, 1, 3)
    give_plan(world["p3"], course, 0, 0)
    db.session.commit()
    return world


def ledger_rows(response) -> list[tuple[str, str]]:
    """(name, the 培训计划 cell) of each row of the page, in the page's order."""
    found = re.findall(r'<tr>\s*<td class="text-nowrap"><a [^>]*>([^<]+)</a>.*?'
                       r'<td class="text-end text-nowrap plan-progress">(.*?)</td>', response.data.decode(), re.S)
    return [(name, re.sub(r"<[^>]+>", "", cell).strip()) for name, cell in found]


def test_the_page_shows_each_persons_plan_progress(plans, as_user):
    client = as_user("admin-a")
    response = client.get("/needs/ledgers/people")
    assert response.status_code == 200
    assert ledger_rows(response) == [("张三", "0/0"), ("张一", "1/3"), ("张二", "无计划")]
    assert f"/needs/people/{plans['p1'].id}/plan" in response.data.decode()
    stored = db.session.execute(select(TrainingPlan.person_id, func.count(PlanItem.id), func.count(PlanItem.done_at))
                                .outerjoin(PlanItem).group_by(TrainingPlan.person_id)).all()
    assert sorted(stored) == sorted([(plans["p1"].id, 3, 1), (plans["p3"].id, 0, 0)])


def test_the_export_has_the_plan_column(plans, as_user):
    client = as_user("admin-a")
    rows = list(load_workbook(io.BytesIO(client.get("/needs/ledgers/people.xlsx").data)).active.iter_rows(
        values_only=True))
    assert rows[0][-1] == "培训计划（已完成/项数）"
    assert {row[1]: row[-1] for row in rows[1:]} == {"张一": "1/3", "张二": "无计划", "张三": "0/0"}


def test_plan_progress_costs_one_query_per_page_not_per_person(plans, as_user):
    client = as_user("admin-a")
    before = statements_for(client, "/needs/ledgers/people")
    course = make_course()
    for n in range(8):
        person = make_person(unit=plans["a1"], staff_no=f"Y{n:03d}", post_id=plans["posts"][0].id)
        set_mastery(person.id, plans["c"][LAW], n % 3, 3)
        give_plan(person, course, n % 2, 2)
    db.session.commit()
    ledger_updates.recount()
    response = client.get("/needs/ledgers/people")
    assert len(ledger_rows(response)) == 11
    assert statements_for(client, "/needs/ledgers/people") == before


def counted(scope: Scope, filters: PersonFilter) -> int:
    """The people in the filter counted from `NeedGap` rows (what the page's total stands for)."""
    query = (select(func.count(distinct(NeedGap.person_id))).join(Person, Person.id == NeedGap.person_id)
             .join(OrgUnit, OrgUnit.id == Person.unit_id)
             .where(scope.clause(OrgUnit.path), *person_ledger._gap_conditions(filters)))
    if filters.unit_id:
        path = db.session.get(OrgUnit, filters.unit_id).path
        query = query.where(OrgUnit.path.startswith(path))
    return db.session.scalar(query)


def every_filter(w) -> list[PersonFilter]:
    law, safe, road = w["c"][LAW], w["c"][SAFE], w["posts"][0].id
    return [PersonFilter(unit, competency, post, which)
            for unit in (None, w["a"].id, w["a1"].id, w["b"].id)
            for competency in (None, law, safe)
            for post in (None, road)
            for which in ("", "below", "unknown")]


def test_totals_from_the_counters_equal_counting_the_people(world):
    for filters in every_filter(world):
        page = person_ledger.person_ledger(EVERYWHERE, filters)
        assert (page.total, page.more) == (counted(EVERYWHERE, filters), False), filters
        assert len(page.rows) == page.total  # all on one page here


@pytest.fixture
def crowd(world):
    """30 more people of 路面执勤 in 一大队/一中队 and 一大队, mixed standings in 法规 and 安全防护."""
    road = world["posts"][0].id
    for n in range(30):
        person = make_person(unit=world["a1"] if n % 3 else world["a"], staff_no=f"Z{n:03d}", post_id=road)
        set_mastery(person.id, world["c"][LAW], *((n % 4, n % 4 + 1) if n % 5 else (None, None)))
        set_mastery(person.id, world["c"][SAFE], 3 - n % 4, 4 - n % 4 if n % 4 else None)
    db.session.commit()
    ledger_updates.recount()
    return world


def pages(filters: PersonFilter, per_page: int = 4) -> list[str]:
    staff, page = [], 1
    while True:
        found = person_ledger.person_ledger(EVERYWHERE, filters, page=page, per_page=per_page)
        assert found.total == counted(EVERYWHERE, filters)
        staff += [row.person.staff_no for row in found.rows]
        if not found.has_next:
            return staff
        page += 1


def test_both_reading_plans_give_the_same_rows_in_the_ledgers_order(crowd, monkeypatch):
    for filters in every_filter(crowd):
        monkeypatch.setattr(person_ledger, "SMALL", 10_000)  # the gap rows, sorted
        by_gaps = pages(filters)
        monkeypatch.setattr(person_ledger, "SMALL", 0)
        monkeypatch.setattr(person_ledger, "_by_gaps", lambda *_args: False)  # unit by unit, in order
        in_order = pages(filters)
        monkeypatch.undo()
        assert by_gaps == in_order, filters
        people = db.session.scalars(select(Person).where(Person.staff_no.in_(in_order))).all()
        paths = {p.id: db.session.get(OrgUnit, p.unit_id).path for p in people}
        assert in_order == [p.staff_no for p in sorted(people, key=lambda p: (paths[p.id], p.staff_no))]
        assert len(in_order) == counted(EVERYWHERE, filters)


def test_a_total_the_counters_cannot_give_is_counted_a_little_past_the_page(crowd, as_user, monkeypatch):
    below = PersonFilter(None, None, None, "below")
    assert counted(EVERYWHERE, below) > 11
    monkeypatch.setattr(person_ledger, "LOOKAHEAD", 3)
    first = person_ledger.person_ledger(EVERYWHERE, below, per_page=4)
    assert (first.total, first.more, first.pages, len(first.rows)) == (7, True, 2, 4)
    second = person_ledger.person_ledger(EVERYWHERE, below, page=2, per_page=4)
    assert (second.total, second.more, second.has_next) == (11, True, True)
    client = as_user("admin-a")
    post = crowd["posts"][0].id
    in_a = counted(admin_scope(crowd, "admin_a"), PersonFilter(None, None, post, "below"))
    assert in_a > 20  # more than the page (PER_PAGE 20)
    monkeypatch.setattr(person_ledger, "LOOKAHEAD", 0)
    shown = text(client.get(f"/needs/ledgers/people?which=below&post_id={post}"))
    assert "未达标：超过 20 人" in shown and "张一" in shown
    monkeypatch.undo()
    shown = text(client.get(f"/needs/ledgers/people?which=below&post_id={post}"))
    assert f"未达标：共 {in_a} 人" in shown
