"""成绩 (the results table), its xlsx export and 单位汇总: who sees whom, the counting rule, the people
who did not sit, the figures and the score distribution against hand-computed values, the filters,
sorting and pages, and statements that do not grow with the audience."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.exams import attempts
from app.extensions import db
from app.models import Attempt, AttemptItem, AuditEntry, Exam, ExamAudience
from tests.factories import make_exam, make_exam_questions, make_person, make_unit, make_world
from tests.sql_budget import statements_for

# Five single-choice questions of 2 points: 10 points, passed from 6 (60 %).
RULES = (("一、单选题", "single", 5, 200),)
# key → (unit, post index, right answers; None: did not sit)
PEOPLE = {"P1": ("a1", 0, 5), "P2": ("a1", 1, 2), "P3": ("a1", 0, 3), "P4": ("a2", 0, 4), "P5": ("a2", 1, 0)}


def sit(exam_id: int, person_id: int, right: int, *, now=None, essay: str | None = None) -> int:
    """Start and hand in an attempt with the first `right` single-choice slots right, the others wrong."""
    now = now or clock.now()
    attempt, _created = attempts.start(exam_id, person_id, now=now)
    attempt_id = attempt.id
    items = db.session.execute(select(AttemptItem.slot, AttemptItem.option_order)
                               .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.slot)).all()
    done = 0
    for slot, order in items:
        if not order:  # the essay
            if essay is not None:
                attempts.save_answer(attempt_id, person_id, slot, 1, essay, now=now)
            continue
        key = "A" if done < right else "B"  # single_choice_data: A is right
        attempts.save_answer(attempt_id, person_id, slot, 1, "ABC"[order.index(key)], now=now)
        done += 1
    attempts.submit(attempt_id, person_id, now=now + timedelta(minutes=10))
    return attempt_id


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, workforce={"posts": (("fj-road", "路面执勤"),
                                                                         ("fj-window", "窗口服务"))})
    world["a2"] = make_unit("二中队", parent=world["a"], kind="中队")
    world["admin_a1"] = make_person(unit=world["a1"], staff_no="admin-a1", name="中队管理员",
                                    roles=(("admin", world["a1"]),))
    make_exam_questions(world["cat_a"], single=10, difficulty=3)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]], rules=RULES, title="十月考试",
                     owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id)
    world["exam"] = exam
    start = clock.now() - timedelta(minutes=50)
    for number, (key, (unit, post, right)) in enumerate(PEOPLE.items()):
        person = make_person(unit=world[unit], staff_no=key, name=f"考生{key[1]}", post_id=world["posts"][post].id)
        world[key] = person
        world[f"attempt_{key}"] = sit(exam.id, person.id, right, now=start + timedelta(minutes=number))
    return world


def people(html: str) -> list[str]:
    """The staff numbers of the results table's rows, in order."""
    return re.findall(r'<tr data-person="([^"]+)"', html)


def cell(html: str, staff_no: str, field: str) -> str:
    row = re.search(rf'<tr data-person="{re.escape(staff_no)}".*?</tr>', html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", re.search(rf'data-field="{field}">(.*?)</td>', row, re.S).group(1)).strip()


def page(client, exam_id: int, **args) -> str:
    response = client.get(f"/exams/manage/{exam_id}/results", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def chart(html: str, name: str) -> list:
    """The distribution chart's data-labels or data-values (JSON in a single-quoted attribute)."""
    return json.loads(unescape(re.search(rf"data-{name}='([^']*)'", html).group(1)))


ABSENT = ["admin-a", "inst-a", "admin-a1", "trainee-a"]  # the audience (一大队 and below) who did not sit


def test_the_owner_sees_everyone_with_the_figures_and_distribution_computed_by_hand(app, as_user, world):
    html = page(as_user("inst-a"), world["exam"].id, sort="score")
    # scores 10, 8, 6, 4, 0 points; then the four who did not sit
    assert people(html) == ["P1", "P4", "P3", "P2", "P5", "admin-a", "admin-a1", "inst-a", "trainee-a"]
    assert '<div class="fs-4" id="fig-audience">9 人</div>' in html and '<span id="fig-sat">5</span>' in html
    assert "参考率 55.6%" in html  # 5 of 9
    assert '<div class="fs-4" id="fig-pass-rate">60%</div>' in html  # 3 of 5 passed (6 points or more)
    assert '<div class="fs-4" id="fig-mean">5.6</div>' in html and '<span id="fig-median">6</span>' in html
    assert chart(html, "values") == [1, 0, 0, 0, 1, 0, 1, 0, 1, 1]  # 0, 4, 6, 8 and 10 (full marks: last band)
    assert chart(html, "labels") == [f"{n}–{n + 1}" for n in range(10)]
    table = re.search(r'<table[^>]*id="score-bands".*?</table>', html, re.S).group(0)  # the same numbers
    assert re.findall(r'<td class="text-end">(\d+)</td>', table.split("人数")[1]) == ["1", "0", "0", "0", "1", "0",
                                                                                     "1", "0", "1", "1"]
    assert cell(html, "P3", "score") == "6 / 10" and cell(html, "P2", "score") == "4 / 10"
    assert "不合格" in html and "未参加" in html and "本人交卷" in html
    assert cell(html, "P4", "unit") == "交警支队/一大队/二中队"  # an instructor reads whole paths
    assert f'/exams/manage/attempts/{world["attempt_P4"]}"' in html
    assert "vendor/echarts.min.js" in html and "charts.js" in html


def test_an_admin_who_only_watches_sees_their_own_people_and_another_brigade_gets_404(app, as_user, world):
    html = page(as_user("admin-a1"), world["exam"].id)
    assert people(html) == ["P1", "P2", "P3", "admin-a1", "trainee-a"]
    assert "这里列出考试对象中您管理范围内的人员" in html
    assert '<div class="fs-4" id="fig-pass-rate">66.7%</div>' in html  # P1 and P3 of P1, P2, P3
    assert '<div class="fs-4" id="fig-mean">6.7</div>' in html and '<span id="fig-median">6</span>' in html
    assert cell(html, "P1", "unit") == "一大队/一中队"  # an admin reads paths below their tree's top
    exam_id = world["exam"].id
    for url in (f"/exams/manage/{exam_id}/results", f"/exams/manage/{exam_id}/results.xlsx",
                f"/exams/manage/{exam_id}/units"):
        assert as_user("admin-b").get(url).status_code == 404
        assert as_user("inst-b").get(url).status_code == 404
        assert as_user("P1").get(url).status_code == 403  # a trainee has no 考试管理 at all
    assert people(page(as_user("admin-a"), exam_id)) == ["admin-a", "inst-a", "P1", "P2", "P3", "admin-a1", "trainee-a",
                                                         "P4", "P5"]  # may change the exam: everyone, by unit


def test_filters_by_unit_subtree_post_and_status_and_sorts(app, as_user, world):
    client, exam_id = as_user("inst-a"), world["exam"].id
    html = page(client, exam_id, unit_id=world["a2"].id)
    assert people(html) == ["P4", "P5"] and '<div class="fs-4" id="fig-audience">2 人</div>' in html
    assert '<div class="fs-4" id="fig-pass-rate">50%</div>' in html and "（交警支队/一大队/二中队）" in html
    assert set(people(page(client, exam_id, unit_id=world["a"].id))) == set(PEOPLE) | set(ABSENT)
    assert people(page(client, exam_id, post_id=world["posts"][1].id)) == ["P2", "P5"]
    assert people(page(client, exam_id, status="passed")) == ["P1", "P3", "P4"]
    assert people(page(client, exam_id, status="failed", unit_id=world["a1"].id)) == ["P2"]
    absent = page(client, exam_id, status="absent")
    assert sorted(people(absent)) == sorted(ABSENT)
    assert '<div class="fs-4" id="fig-audience">9 人</div>' in absent  # the status narrows the table only
    assert people(page(client, exam_id, status="pending")) == [] and "没有符合筛选条件的人员" in page(
        client, exam_id, status="pending")
    assert people(page(client, exam_id, sort="time"))[:5] == ["P5", "P4", "P3", "P2", "P1"]  # newest first
    assert people(page(client, exam_id, sort="name")) == [  # 中队管理员, 测试人员 ×2, 甲管理员, 考生1…5
        "admin-a1", "inst-a", "trainee-a", "admin-a", "P1", "P2", "P3", "P4", "P5"]
    outside = page(client, exam_id, unit_id=world["b1"].id, post_id="x", status="nonsense", sort="?")
    assert len(people(outside)) == 9  # a unit outside the audience, a bad post or status: ignored


def test_the_table_pages_and_keeps_its_filters_in_the_page_links(app, as_user, world):
    app.config["PER_PAGE"] = 3
    client, exam_id = as_user("inst-a"), world["exam"].id
    first, second = page(client, exam_id, sort="score"), page(client, exam_id, sort="score", page=2)
    assert people(first) == ["P1", "P4", "P3"] and people(second) == ["P2", "P5", "admin-a"]
    assert "共 9 人" in first and "sort=score" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    assert people(page(client, exam_id, sort="score", page=99)) == []  # past the end: empty, not an error


def test_the_counting_rule_picks_the_highest_or_the_latest_attempt(app, as_user, world):
    exam = make_exam(category=world["cat_a"], audience_people=[world["P1"]], rules=RULES, title="两次机会",
                     attempts_allowed=2, owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id)
    now = clock.now() - timedelta(minutes=30)
    sit(exam.id, world["P1"].id, 4, now=now)
    latest = sit(exam.id, world["P1"].id, 1, now=now + timedelta(minutes=15))
    html = page(as_user("inst-a"), exam.id)
    assert people(html) == ["P1"] and cell(html, "P1", "score") == "8 / 10"
    assert "合格" in html and "每人按取最高分计" in html
    db.session.get(Exam, exam.id).counting = "latest"
    db.session.commit()
    html = page(as_user("inst-a"), exam.id)
    assert cell(html, "P1", "score") == "2 / 10" and f'/exams/manage/attempts/{latest}"' in html
    assert '<div class="fs-4" id="fig-pass-rate">0%</div>' in html


def test_an_essay_awaiting_marking_is_pending_and_kept_out_of_the_figures(app, as_user, world):
    make_exam_questions(world["cat_a"], essay=1)
    exam = make_exam(category=world["cat_a"], audience_people=[world["P1"], world["P2"]], title="有简答题",
                     rules=(("一、单选题", "single", 5, 200), ("二、简答题", "essay", 1, 500)),
                     owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id)
    sit(exam.id, world["P1"].id, 5, essay="要点")
    html = page(as_user("inst-a"), exam.id)
    assert cell(html, "P1", "score") == "10 / 15" and 'data-status="pending"' in html
    assert 'id="fig-pass-rate"><span class="text-muted">—' in html and "1 人有简答题待阅卷" in html and "data-chart" not in html
    assert people(page(as_user("inst-a"), exam.id, status="pending")) == ["P1"]
    assert people(page(as_user("inst-a"), exam.id, status="absent")) == ["P2"]


def test_the_export_holds_the_filtered_rows_with_full_unit_paths(app, as_user, world):
    client = as_user("admin-a")
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = client.get(f"/exams/manage/{world['exam'].id}/results.xlsx",
                                      query_string={"unit_id": world["a1"].id, "sort": "score"})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True)["成绩"].iter_rows(values_only=True))
    assert rows[0] == ("工号", "姓名", "单位", "岗位", "结果", "得分", "满分", "作答次数", "交卷时间", "交卷方式",
                       "切屏次数", "切屏超限")
    body = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["P1", "P3", "P2", "admin-a1", "trainee-a"]
    assert body["P1"][1:8] == ("考生1", "交警支队/一大队/一中队", "路面执勤", "合格", 10, 10, 1)
    assert body["P2"][4:6] == ("不合格", 4) and body["P2"][9] == "本人交卷"
    assert body["trainee-a"][2:8] == ("交警支队/一大队/一中队", None, "未参加", None, None, 0)
    submitted = db.session.scalar(select(Attempt.submitted_at).where(Attempt.id == world["attempt_P1"]))
    assert abs((body["P1"][8] - clock.to_local(submitted)).total_seconds()) < 1  # local time, a real date
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits  # reading changes nothing
    watcher = as_user("admin-a1").get(f"/exams/manage/{world['exam'].id}/results.xlsx")
    staff = [row[0] for row in load_workbook(io.BytesIO(watcher.data), read_only=True)["成绩"].iter_rows(
        min_row=2, values_only=True)]
    assert sorted(staff) == ["P1", "P2", "P3", "admin-a1", "trainee-a"]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_export(app, as_user, world):
    person = make_person(unit=world["a1"], staff_no="Q1", name="=HYPERLINK(\"x\")")
    sit(world["exam"].id, person.id, 3)
    data = as_user("inst-a").get(f"/exams/manage/{world['exam'].id}/results.xlsx",
                                 query_string={"status": "passed", "sort": "name"}).data
    sheet = load_workbook(io.BytesIO(data))["成绩"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["Q1"].value == "=HYPERLINK(\"x\")" and cells["Q1"].data_type == "s"


def unit_rows(html: str) -> dict[str, dict[str, str]]:
    """单位汇总: unit id → field → text."""
    found = {}
    for unit_id, body in re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', html, re.S):
        found[unit_id] = {name: re.sub(r"<[^>]+>", "", text).strip()
                          for name, text in re.findall(r'data-field="(\w+)">(.*?)</td>', body, re.S)}
    return found


def test_the_unit_summary_counts_each_subtree_and_drills_down(app, as_user, world):
    html = as_user("inst-a").get(f"/exams/manage/{world['exam'].id}/units").get_data(as_text=True)
    rows = unit_rows(html)
    a, a1, a2 = (str(world[k].id) for k in ("a", "a1", "a2"))
    assert list(rows) == [a, a1, a2]  # tree order; the 支队 above the audience is left out
    assert rows[a] == {"audience": "9", "sat": "5", "participation": "55.6%", "passed": "3", "failed": "2",
                       "pending": "0", "pass_rate": "60%", "mean": "5.6"}
    assert rows[a1] == {"audience": "5", "sat": "3", "participation": "60%", "passed": "2", "failed": "1",
                        "pending": "0", "pass_rate": "66.7%", "mean": "6.7"}
    assert rows[a2] == {"audience": "2", "sat": "2", "participation": "100%", "passed": "1", "failed": "1",
                        "pending": "0", "pass_rate": "50%", "mean": "4"}
    assert f'/exams/manage/{world["exam"].id}/results?unit_id={a2}"' in html
    watcher = unit_rows(as_user("admin-a1").get(f"/exams/manage/{world['exam'].id}/units").get_data(as_text=True))
    assert list(watcher) == [a1] and watcher[a1]["audience"] == "5"


def test_the_pages_cost_the_same_statements_for_9_or_54_people_in_more_units(app, as_user, world):
    client, exam_id = as_user("admin-a"), world["exam"].id
    urls = [f"/exams/manage/{exam_id}/results", f"/exams/manage/{exam_id}/results?sort=score&unit_id={world['a'].id}",
            f"/exams/manage/{exam_id}/units", f"/exams/manage/{exam_id}/results.xlsx"]
    few = [statements_for(client, url) for url in urls]
    units = [make_unit(f"{n}中队", parent=world["b" if n % 2 else "a"]) for n in range(3, 8)]
    db.session.get(Exam, exam_id).audience.append(ExamAudience(unit_id=world["b"].id))
    db.session.commit()
    for number in range(45):
        person = make_person(unit=units[number % len(units)], staff_no=f"X{number:02d}", post_id=world["posts"][0].id)
        if number % 3:
            sit(exam_id, person.id, number % 6)
    assert len(people(page(client, exam_id, status="absent"))) >= 15
    assert [statements_for(client, url) for url in urls] == few
