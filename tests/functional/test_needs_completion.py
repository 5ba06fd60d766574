"""培训完成情况 gains formal-exam pass rates (needs/completion.py through study.compliance_sections):
by unit row, post and exam against a fixture, each number linking to its people; the counted attempt
follows the exam's rule; a move re-keys the results; practice exams are left out; a recount agrees;
the page's statements do not grow with the people."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from app import clock
from app.auth.scope import Scope
from app.extensions import db
from app.models import ExamOutcome, ExamOutcomeTally
from app.needs import ledger_updates
from app.org.people import PersonData, update_person
from tests.factories import make_exam, make_person
from tests.functional.test_needs_mastery import sit
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture
from tests.sql_budget import statements_for


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def table(response, table_id: str) -> dict[str, list[str]]:
    html = response.data.decode()
    part = html[html.index(f'id="{table_id}"'):]
    part = part[:part.index("</table>")]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", part, re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            found[cells[0]] = cells[1:]
    return found


def exam(world, title, **fields):
    return make_exam(category=world["cat_a"], audience_units=[world["root"]], rules=(("一、单选题", "single", 4, 100),),
                     opens_at=clock.now() - timedelta(days=1), closes_at=clock.now() + timedelta(days=1), title=title,
                     **fields)


def snapshot():
    return (sorted(db.session.execute(select(ExamOutcome.person_id, ExamOutcome.exam_id, ExamOutcome.unit_id,
                                             ExamOutcome.post_id, ExamOutcome.year, ExamOutcome.passed)).all()),
            sorted(db.session.execute(select(ExamOutcomeTally.unit_id, ExamOutcomeTally.post_id, ExamOutcomeTally.exam_id,
                                             ExamOutcomeTally.year, ExamOutcomeTally.people,
                                             ExamOutcomeTally.passed)).all()))


def test_pass_rates_by_unit_post_and_exam(world, as_user):
    tc = make_person(unit=world["b1"], staff_no="T-C", name="丙学员", post_id=world["posts"][0].id)
    td = make_person(unit=world["a"], staff_no="T-D", name="丁学员")  # no post
    first = exam(world, "法规考试", attempts_allowed=2, counting="highest")
    second = exam(world, "安全考试")
    practice = exam(world, "练习卷", kind="practice")
    sit(first.id, world["ta"].id, 1)  # fails, then passes: the highest counts
    sit(first.id, world["ta"].id, 4)
    sit(first.id, world["tb"].id, 1)
    sit(first.id, tc.id, 4)
    sit(second.id, world["ta"].id, 4)
    sit(second.id, td.id, 0)
    sit(practice.id, world["tb"].id, 4)  # practice: not counted
    client = as_user("admin-a")
    page = client.get(f"/study/admin/compliance?year={clock.today().year}")
    assert page.status_code == 200
    # 一大队's admin: ta passed twice, tb failed once (一中队); td failed (一大队 本级); tc is 二大队's.
    assert table(page, "pass-by-unit") == {"一大队（本级）": ["1", "0", "1", "0%"], "一中队": ["3", "2", "1", "66%"]}
    assert table(page, "pass-by-post") == {"路面执勤": ["3", "2", "1", "66%"], "未设置岗位": ["1", "0", "1", "0%"]}
    assert table(page, "pass-by-exam") == {"法规考试": ["2", "1", "1", "50%"], "安全考试": ["2", "1", "1", "50%"]}
    assert "练习卷" not in text(page)
    body = page.data.decode()
    links = [unescape(href) for href in re.findall(r'href="(/needs/exam-outcomes\?[^"]*)"', body)]
    link = next(href for href in links if f"exam_id={first.id}" in href and "passed=0" in href)
    people = text(client.get(link))
    assert "乙学员" in people and "甲学员" not in people and "丙学员" not in people
    other = as_user("admin-b")
    assert "甲学员" not in text(other.get(f"/needs/exam-outcomes?year={clock.today().year}"))
    assert other.get(f"/needs/exam-outcomes?year={clock.today().year}&unit_id={world['a'].id}").status_code == 404
    # A move to 二大队 takes tb's result along; a recount agrees with the counters kept so far.
    tb = world["tb"]
    update_person(world["admin_a"].id, Scope(None), tb.id, PersonData(tb.staff_no, tb.name, world["b1"].id, "",
                                                                     tb.post_id, None, None, "active"))
    page = client.get(f"/study/admin/compliance?year={clock.today().year}")
    assert table(page, "pass-by-exam")["法规考试"] == ["1", "1", "0", "100%"]
    kept = snapshot()
    ledger_updates.recount()
    assert snapshot() == kept


def test_the_section_costs_the_same_statements_for_more_people(world, as_user):
    first = exam(world, "法规考试", attempts_allowed=1)
    sit(first.id, world["ta"].id, 4)
    client = as_user("admin-a")
    url = f"/study/admin/compliance?year={clock.today().year}"
    before = statements_for(client, url)
    for n in range(12):
        person = make_person(unit=world["a1"], staff_no=f"X{n:02d}", post_id=world["posts"][0].id)
        sit(first.id, person.id, n % 5)
    assert table(client.get(url), "pass-by-exam")["法规考试"][0] == "13"
    assert statements_for(client, url) == before
