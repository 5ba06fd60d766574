"""能力画像: gaps against the post syllabus's targets, the reason when there are none, the page's
content and who may read it (the person, admins in scope, mentors; 404 for anyone else), and the
evidence list, which shows right or wrong only as far as the exam's review policy does."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Competency, MentorLink, SyllabusTarget
from app.models.exams import ReviewTiming
from app.needs.profile import profile
from tests.factories import make_exam, make_person, make_syllabus
from tests.functional.test_needs_mastery import LAW, SAFE, sit
from tests.functional.test_needs_mastery import world as world  # noqa: F401 - the fixture
from tests.sql_budget import statements_for

DRIVE = "FJ-DRIVE"


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def rows(response) -> dict[str, list[str]]:
    """The competency table: name → its cells."""
    html = response.data.decode()
    table = html[html.index('id="competencies"'):]
    table = table[:table.index("</table>")]
    found = {}
    for row in re.findall(r"<tr data-competency.*?</tr>", table, re.S):
        cells = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found[cells[0]] = cells[1:]
    return found


@pytest.fixture
def targets(world):
    """路面执勤's syllabus: 道路交通安全法规 中级, 执勤安全防护 高级, 驾驶技能 初级 (no questions)."""
    db.session.add(Competency(code=DRIVE, name="驾驶技能"))
    syllabus = make_syllabus(world["posts"][0])
    ids = dict(db.session.execute(select(Competency.code, Competency.id)).all())
    syllabus.targets = [SyllabusTarget(competency_id=ids[LAW], level=2), SyllabusTarget(competency_id=ids[SAFE], level=3),
                        SyllabusTarget(competency_id=ids[DRIVE], level=1)]
    db.session.commit()
    return world


def sit_well(world, person, *, right=4, **fields):
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=(("一、单选题", "single", 4, 100),),
                     **fields)
    return sit(exam.id, person.id, right)


def test_gaps_are_the_targets_minus_mastery(targets):
    world = targets
    sit_well(world, world["ta"])  # 4 of 4 中级 questions on both competencies
    found = {row.name: row for row in profile(world["ta"], now=clock.now(), own=True).rows}
    assert [found[n].target for n in ("道路交通安全法规", "执勤安全防护", "驾驶技能")] == [2, 3, 1]
    law, safe, drive = found["道路交通安全法规"], found["执勤安全防护"], found["驾驶技能"]
    assert law.level == 2 and law.gap == 0  # 中级 held: met
    assert safe.level == 2 and safe.gap is None  # 高级 never asked: unknown, not a gap
    assert drive.level is None and drive.gap is None and drive.evidence == 0
    sit_well(world, world["tb"], right=0)
    tb = {row.name: row for row in profile(world["tb"], now=clock.now(), own=True).rows}
    assert tb["道路交通安全法规"].level == 0 and tb["道路交通安全法规"].gap == 2  # nothing held, 中级 not held
    assert tb["执勤安全防护"].gap == 3


def test_the_page_shows_levels_gaps_and_the_chart(targets, as_user):
    world = targets
    sit_well(world, world["tb"], right=0)
    response = as_user("T-B").get("/needs/me")
    assert response.status_code == 200
    table = rows(response)
    assert table["道路交通安全法规"][:2] == ["中级", "未达初级"] and table["道路交通安全法规"][4] == "差 2 级"
    assert table["驾驶技能"][:2] == ["初级", "未评估"] and table["驾驶技能"][4] == "待评估"
    assert table["执勤安全防护"][5] == "4 次作答" and table["驾驶技能"][5] == "暂无作答"
    html = response.data.decode()
    assert 'data-chart="radar"' in html and "vendor/echarts.min.js" in html
    chart = {name: json.loads(unescape(value)) for name, value in re.findall(
        r"data-(labels|values|targets)='([^']*)'", html)}
    # In the competencies' order (position, then code: FJ-DRIVE, FJ-LAW, FJ-SAFE).
    assert chart["labels"] == ["驾驶技能", "道路交通安全法规", "执勤安全防护"] and chart["targets"] == [1, 2, 3]
    assert chart["values"] == [0, 0, 0]  # 未评估 draws as 0; all wrong holds nothing
    assert "no-gaps" not in html and "no-evidence" not in html


def test_fewer_than_three_competencies_draw_bars_and_no_evidence_says_what_to_do(world, as_user):
    page = as_user("T-A").get("/needs/me")
    body = text(page)
    assert "还没有能计入能力画像的作答" in body and "去参加考试或练习" in body
    assert "岗位「路面执勤」还没有规定能力要求的培训大纲" in body and "data-chart" not in page.data.decode()
    sit_well(world, world["ta"], right=2)
    html = as_user("T-A").get("/needs/me").data.decode()
    assert 'data-chart="compare"' in html  # two competencies with evidence, no targets


def test_a_person_without_a_post_has_no_gaps_and_is_told_why(targets, as_user):
    world = targets
    make_person(unit=world["a1"], staff_no="T-NOPOST")
    body = text(as_user("T-NOPOST").get("/needs/me"))
    assert "您还没有设置岗位，没有岗位培训大纲规定的能力要求，所以不计算能力差距" in body
    assert "差 " not in body


def test_who_may_read_a_profile(targets, as_user):
    world = targets
    sit_well(world, world["ta"])
    ta = world["ta"].id
    mentor = make_person(unit=world["b1"], staff_no="MENTOR")  # a mentor from another brigade
    db.session.add(MentorLink(mentor_id=mentor.id, mentee_id=ta, kind="mentor"))
    db.session.commit()
    url = f"/needs/people/{ta}"
    law = db.session.scalar(select(Competency.id).where(Competency.code == LAW))
    for staff_no in ("admin-a", "MENTOR", "T-A"):
        client = as_user(staff_no)
        response = client.get(url)
        assert response.status_code == 200, staff_no
        assert "甲学员的能力画像" in text(response) or staff_no == "T-A"
        assert client.get(f"{url}/competencies/{law}").status_code == 200
    for staff_no in ("admin-b", "T-B"):
        client = as_user(staff_no)
        assert client.get(url).status_code == 404, staff_no
        assert client.get(f"{url}/competencies/{law}").status_code == 404
    assert as_user("admin-a").get("/needs/people/99999").status_code == 404
    assert as_user("T-A").get("/needs/me/competencies/99999").status_code == 404


def test_the_evidence_list_shows_right_or_wrong_only_as_the_review_policy_does(targets, as_user, monkeypatch):
    world = targets
    now = clock.now()
    sit_well(world, world["ta"], right=3, title="公开对错的考试")
    sit_well(world, world["ta"], right=1, title="不公布对错的考试", review_correctness=False)
    sit_well(world, world["ta"], right=2, title="结束后公布的考试", review_timing=ReviewTiming.AFTER_CLOSE,
             closes_at=now + timedelta(days=2))
    law = db.session.scalar(select(Competency.id).where(Competency.code == LAW))
    client = as_user("T-A")
    html = client.get(f"/needs/me/competencies/{law}").data.decode()
    lines = re.findall(r"<tr><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>\s*<td>([^<]*)</td>.*?data-field=\"result\">([^<]*)<",
                       html, re.S)
    results = {}
    for source, title, result in lines:
        assert source == "正式考试"
        results.setdefault(title, []).append(result)
    assert sorted(results["公开对错的考试"]) == ["正确", "正确", "正确", "错误"]
    assert results["不公布对错的考试"] == ["已计入"] * 4
    assert results["结束后公布的考试"] == ["已计入"] * 4
    assert "共 12 次作答" in text(client.get(f"/needs/me/competencies/{law}"))
    # Once the exam has closed, its policy shows correctness.
    later = now + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    html = client.get(f"/needs/me/competencies/{law}").data.decode()
    assert html.count(">已计入<") == 4


def test_the_evidence_list_pages_and_the_profile_costs_fixed_statements(targets, as_user, app):
    world = targets
    app.config["PER_PAGE"] = 5
    for _ in range(2):
        sit_well(world, world["ta"], right=2)
    law = db.session.scalar(select(Competency.id).where(Competency.code == LAW))
    client = as_user("T-A")
    first = client.get(f"/needs/me/competencies/{law}").data.decode()
    assert first.count('data-field="result"') == 5 and "page=2" in first
    assert client.get(f"/needs/me/competencies/{law}?page=2").data.decode().count('data-field="result"') == 3
    few = statements_for(client, "/needs/me")
    for _ in range(3):
        sit_well(world, world["ta"], right=3)
    assert statements_for(client, "/needs/me") == few
