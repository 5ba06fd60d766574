"""培训完成情况 gains 学时 against the annual requirement (study/credits.py): by unit row, post and course
against a hand-computed fixture (two posts with different targets; course, quiz, offline, carry-over
and reversal lines), each number linking to its people; scope; an empty state; the page's statements
do not grow with the people."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app import clock
from app.auth.scope import Scope
from app.extensions import db
from app.models import CreditEntry, Syllabus
from app.org.people import PersonData, update_person
from app.study import credit_state, ledger
from tests.factories import make_course, make_person, make_syllabus, make_world
from tests.functional.test_needs_completion import table, text
from tests.sql_budget import statements_for

YEAR = clock.today().year


def line(person, source_type, source_id, tenths, kind="elective", year=YEAR):
    entry = CreditEntry(person_id=person.id, year=year, kind=kind, tenths=tenths, source_type=source_type,
                        source_id=source_id, created_at=clock.now())
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def world(app):
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-window", "窗口服务"))}, people={
        "ta": {"unit": "a1", "staff_no": "T-A", "name": "甲学员", "post": 0},
        "tb": {"unit": "a1", "staff_no": "T-B", "name": "乙学员", "post": 0},
        "tc": {"unit": "a", "staff_no": "T-C", "name": "丙学员", "post": 1},
        "td": {"unit": "a", "staff_no": "T-D", "name": "丁学员", "post": 1},
        "te": {"unit": "a1", "staff_no": "T-E", "name": "戊学员"},
        "tf": {"unit": "b1", "staff_no": "T-F", "name": "己学员", "post": 0},
        "tg": {"unit": "a1", "staff_no": "T-G", "name": "庚学员", "post": 0, "status": "left"}})
    road, window = world["posts"]
    world["road"] = make_syllabus(road, annual_tenths=100, annual_required_tenths=60)
    world["window"] = make_syllabus(window, annual_tenths=50, annual_required_tenths=20)
    world["law"] = make_course(title="道路交通法规", lessons=(15, 15))
    world["safety"] = make_course(title="执勤安全")
    return world


def fill(world):
    """ta: course 4.0 + quiz 2.0 (必修) + offline 5.0 = 11.0 (必修 6.0), met; tb: course 4.0 + offline
    7.0 reversed = 4.0, not met; tc: carry-over 3.2 + course 3.0 (必修) = 6.2, met; td: nothing; te
    (no post): offline 2.0; tf (二大队) and tg (离岗): course 10.0."""
    law, safety = world["law"], world["safety"]
    ta, tb, tc = world["ta"], world["tb"], world["tc"]
    ledger.add_entry(person_id=ta.id, year=YEAR, kind="required", tenths=40, source_type="course",
                     source_id=law.id, created_at=clock.now())
    ledger.add_entry(person_id=ta.id, year=YEAR, kind="required", tenths=20, source_type="quiz",
                     source_id=law.lessons[1].id, created_at=clock.now())
    db.session.commit()
    line(ta, "offline", 1, 50)
    line(tb, "course", law.id, 40, kind="required")
    offline = line(tb, "offline", 2, 70)
    ledger.add_reversal(offline, actor_id=None, reason="重复登记", now=clock.now())
    db.session.commit()
    line(tc, "carry_over", YEAR - 1, 32)
    line(tc, "course", safety.id, 30, kind="required")
    line(world["te"], "offline", 3, 20)
    line(world["tf"], "course", law.id, 100, kind="required")
    line(world["tg"], "course", law.id, 100, kind="required")
    line(ta, "offline", 4, 500, year=YEAR - 1)  # another year: not counted in this one


def snapshot():
    return {model.__tablename__: sorted(tuple(row) for row in db.session.execute(select(*model.__table__.c)))
            for model in credit_state.TABLES}


def people_on(client, url) -> list[str]:
    names = re.findall(r'id="credit-people".*?</table>', client.get(url).data.decode(), re.S)
    return re.findall(r'/credits[^"]*">([^<]+)</a>', names[0]) if names else []


def test_credits_by_unit_post_and_course(world, as_user):
    fill(world)
    client = as_user("admin-a")
    page = client.get(f"/study/admin/compliance?year={YEAR}")
    assert page.status_code == 200
    assert table(page, "credits-by-unit") == {
        "一大队（本级）": ["2", "1", "1", "50%", "3.1 / 5.0", "6.2"],
        "一中队": ["2", "1", "1", "50%", "7.5 / 10.0", "15.0"]}
    assert "合计 4 2 2 50% 5.3 / 7.5 21.2" in text(page)  # the 合计 row: 21.2 ÷ 4 people
    assert table(page, "credits-by-post") == {
        "路面执勤": ["10.0（6.0）", "2", "1", "1", "50%", "7.5 / 10.0", "15.0"],
        "窗口服务": ["5.0（2.0）", "2", "1", "1", "50%", "3.1 / 5.0", "6.2"]}
    assert table(page, "credits-by-source") == {
        "道路交通法规": ["2", "10.0"], "执勤安全": ["1", "3.0"], "线下培训": ["2", "7.0"], "上年结转": ["1", "3.2"]}
    body = unescape(page.data.decode())
    links = re.findall(r'href="(/study/admin/credits/people\?[^"]*)"', body)
    assert people_on(client, next(h for h in links if "met=0" in h and "post_id" not in h and "direct" not in h
                                  and f"unit_id={world['a'].id}" in h)) == ["丁学员", "乙学员"]  # by unit, then staff number
    assert people_on(client, next(h for h in links if "met=1" in h and "direct=1" in h)) == ["丙学员"]
    law_link = next(h for h in links if f"ref={world['law'].id}" in h)
    assert people_on(client, law_link) == ["甲学员", "乙学员"]  # not 己 (二大队) nor 庚 (离岗)
    assert "6.0" in text(client.get(law_link))  # ta's 4.0 course + 2.0 quiz
    # The people link to their 学时 page.
    assert f'/study/admin/people/{world["ta"].id}/credits?year={YEAR}' in client.get(law_link).data.decode()
    # Another brigade's admin sees only their own; a unit outside the scope is 404.
    other = as_user("admin-b")
    assert table(other.get(f"/study/admin/compliance?year={YEAR}"), "credits-by-unit") == {
        "一中队": ["1", "1", "0", "100%", "10.0 / 10.0", "10.0"]}
    assert people_on(other, f"/study/admin/credits/people?year={YEAR}") == ["己学员"]
    assert other.get(f"/study/admin/credits/people?year={YEAR}&unit_id={world['a'].id}").status_code == 404
    # Moving tb to 二大队 and td to 路面执勤 moves their figures; a recount agrees.
    tb, td = world["tb"], world["td"]
    update_person(world["admin_a"].id, Scope(None), tb.id, PersonData(tb.staff_no, tb.name, world["b1"].id, "",
                                                                     tb.post_id, None, None, "active"))
    update_person(world["admin_a"].id, Scope(None), td.id, PersonData(td.staff_no, td.name, world["a"].id, "",
                                                                     world["posts"][0].id, None, None, "active"))
    page = client.get(f"/study/admin/compliance?year={YEAR}")
    assert table(page, "credits-by-post") == {
        "路面执勤": ["10.0（6.0）", "2", "1", "1", "50%", "5.5 / 10.0", "11.0"],
        "窗口服务": ["5.0（2.0）", "1", "1", "0", "100%", "6.2 / 5.0", "6.2"]}
    kept = snapshot()
    credit_state.recount()
    assert snapshot() == kept


def test_a_syllabus_target_change_recounts_its_post(world, as_user):
    fill(world)
    world["road"].annual_tenths = 40  # tb's 4.0 is enough now; 必修 still 6.0: tb has 4.0
    world["road"].annual_required_tenths = 40
    db.session.commit()
    page = as_user("admin-a").get(f"/study/admin/compliance?year={YEAR}")
    assert table(page, "credits-by-post")["路面执勤"][:5] == ["4.0（4.0）", "2", "2", "0", "100%"]
    kept = snapshot()
    credit_state.recount()
    assert snapshot() == kept


def test_no_requirement_set_shows_the_empty_state(world, as_user):
    fill(world)
    for syllabus in db.session.scalars(select(Syllabus)):
        syllabus.annual_tenths = syllabus.annual_required_tenths = 0
    db.session.commit()
    page = as_user("admin-a").get(f"/study/admin/compliance?year={YEAR}")
    assert "还没有岗位的培训大纲设定年度学时要求" in text(page) and 'id="credits-by-unit"' not in page.data.decode()
    assert table(page, "credits-by-source")["道路交通法规"] == ["2", "10.0"]


def test_the_section_costs_the_same_statements_for_more_people(world, as_user):
    fill(world)
    client = as_user("admin-a")
    url = f"/study/admin/compliance?year={YEAR}"
    before = statements_for(client, url)
    for n in range(15):
        person = make_person(unit=world["a1"] if n % 2 else world["a"], staff_no=f"X{n:02d}",
                             post_id=world["posts"][n % 2].id)
        line(person, "course", world["law"].id if n % 3 else world["safety"].id, 10 * n, kind="required")
    assert table(client.get(url), "credits-by-unit")["一中队"][0] == "9"
    assert statements_for(client, url) == before
