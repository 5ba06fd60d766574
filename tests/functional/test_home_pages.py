"""The home page answers "what should I do now" for each role a person holds (issue 9)."""

import json
import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest

from app import clock
from app.extensions import db
from app.models import Assignment, BankImport, CreditEntry
from tests.factories import (
    make_bank_category,
    make_course,
    make_instructor,
    make_person,
    make_question,
    make_syllabus,
    make_training_class,
    make_workforce,
    make_world,
)
from tests.sql_budget import statements_for

NOW = datetime(2026, 6, 15, 2, 0)  # 10:00 in Shanghai
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _section(html: str, element_id: str) -> str:
    """The inner HTML of the element with this id (up to its closing tag of the same name)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return match.group(2)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _task(person, course, *, due, started=False, done=False):
    db.session.add(Assignment(person_id=person.id, course_id=course.id, year=due.year, due_on=due,
                              started_at=NOW if started or done else None, completed_at=NOW if done else None))


@pytest.fixture
def trainee(app):
    """A trainee with a syllabus asking 48 学时 a year, seven open tasks (one overdue), one done."""
    world = make_world(workforce=True, people={"me": {"unit": "a1", "staff_no": "T-1", "post": 0}})
    make_syllabus(world["posts"][0], annual_tenths=480, annual_required_tenths=280)
    me = world["me"]
    courses = [make_course(title=f"课程{i}") for i in range(8)]
    _task(me, courses[0], due=date(2026, 7, 1), started=True)
    _task(me, courses[1], due=date(2026, 5, 1))  # overdue by 45 days
    for i, course in enumerate(courses[2:7]):
        _task(me, course, due=date(2026, 8, 1) + timedelta(days=i))
    _task(me, courses[7], due=date(2026, 3, 1), done=True)
    db.session.add_all([
        CreditEntry(person_id=me.id, year=2026, kind="required", tenths=120, source_type="course", source_id=1),
        CreditEntry(person_id=me.id, year=2026, kind="elective", tenths=30, source_type="offline", source_id=1),
        CreditEntry(person_id=me.id, year=2025, kind="elective", tenths=99, source_type="offline", source_id=2),
    ])
    soon, past = NOW + timedelta(days=3), NOW - timedelta(days=3)
    make_training_class(world["a"], title="路面执勤实训班", sessions=[(soon, soon + timedelta(hours=2)),
                                                                (past, past + timedelta(hours=2))], enrolled=[me])
    make_training_class(world["a"], title="草稿班", status="draft", sessions=[(soon, soon + timedelta(hours=1))],
                        enrolled=[me])
    make_training_class(world["a"], title="别人的班", sessions=[(soon, soon + timedelta(hours=1))])
    db.session.commit()
    world["courses"] = courses
    return world


def test_a_trainee_sees_the_next_tasks_soonest_first_with_the_overdue_one_marked(trainee, as_user):
    html = as_user("T-1").get("/").data.decode()
    tasks = _section(html, "trainee-tasks")
    items = re.findall(r'<a class="([^"]*)"\s+href="/study/courses/(\d+)">(.*?)</a>', tasks, re.S)
    courses = trainee["courses"]
    assert [int(course_id) for _, course_id, _ in items] == [c.id for c in (courses[1], courses[0], *courses[2:5])]
    overdue, started = items[0], items[1]
    assert "list-group-item-danger" in overdue[0] and "已逾期 45 天" in _text(overdue[2])
    assert "list-group-item-danger" not in started[0] and "学习中" in _text(started[2])
    assert "共 7 项未完成，其中 1 项已逾期" in _text(_section(html, "trainee-open"))
    assert "查看全部 7 项任务" in html and "课程7" not in tasks  # the completed one is not a task to do


def test_a_trainee_sees_the_years_hours_against_the_requirement_and_their_coming_classes(trainee, as_user):
    html = as_user("T-1").get("/").data.decode()
    assert _text(_section(html, "trainee-hours")) == "15.0 / 年度要求 48.0 学时"
    assert 'aria-valuenow="31"' in html and "已完成年度要求的 31%，还差 33.0 学时" in _text(html)
    assert "必修 12.0 / 要求 28.0 学时 · 选修 3.0 学时" in _text(html)
    classes = _text(_section(html, "trainee-classes"))
    assert classes == "路面执勤实训班 2026-06-18 10:00 – 12:00"  # the past session, the draft and others' classes not
    assert "管理工作" not in html and "教学工作" not in html and "echarts" not in html


def test_a_trainee_without_tasks_or_post_is_told_what_to_do_next(app, as_user):
    world = make_world(workforce=True, people={"with_post": {"unit": "a1", "staff_no": "T-1", "post": 0},
                                               "no_post": {"unit": "a1", "staff_no": "T-2"}})
    assert world
    html = _text(as_user("T-1").get("/").data.decode())
    assert "您目前没有未完成的培训任务" in html and "去我的学习" in html and "近期没有您报名的培训班" in html
    assert "您的岗位培训大纲暂未规定年度学时要求" in html
    html = _text(as_user("T-2").get("/").data.decode())
    assert "您还没有岗位信息" in html and "为您设置岗位" in html


@pytest.fixture
def brigades(app):
    """一大队: 一中队 with tasks in every status, one person in 一大队 itself; 二大队: one overdue task."""
    world = make_world(admin_all=True)
    course = make_course(title="法律法规")
    p1, p2 = (make_person(unit=world["a1"], staff_no=f"A-{i}") for i in (1, 2))
    pa, pb = make_person(unit=world["a"], staff_no="A-0"), make_person(unit=world["b1"], staff_no="B-1")
    other = make_course(title="急救")
    _task(p1, course, due=date(2026, 9, 1), done=True)
    _task(p1, other, due=date(2026, 5, 1))
    _task(p2, course, due=date(2026, 9, 1), started=True)
    _task(p2, other, due=date(2026, 9, 1))
    _task(pa, course, due=date(2026, 9, 1), done=True)
    _task(pb, course, due=date(2026, 5, 1))
    _task(pb, other, due=date(2025, 5, 1))  # last year's: not in this year's figures
    db.session.commit()
    return world


def _unit_rows(html: str) -> list[list[str]]:
    body = _section(html, "admin-units")
    return [[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)]


def test_a_brigade_admin_sees_their_completion_overdue_count_and_child_units(brigades, as_user):
    html = as_user("admin-a").get("/").data.decode()
    assert "一大队 · 2026 年度" in _text(html)
    assert _text(_section(html, "admin-rate")) == "40%" and "已完成 2 / 共 5 项任务" in _text(html)
    assert _text(_section(html, "admin-overdue")) == "1 项"
    assert 'href="/study/admin/assignments?status=overdue&amp;year=2026"' in html
    assert _unit_rows(html) == [["一大队（本级）", "1", "1", "0", "100%"], ["一中队", "4", "1", "1", "25%"]]
    assert "二大队" not in html
    chart = re.search(r'data-chart="bar"[^>]*>', html).group(0)
    labels = json.loads(unescape(re.search(r"data-labels='([^']*)'", chart).group(1)))
    values = json.loads(unescape(re.search(r"data-values='([^']*)'", chart).group(1)))
    assert labels == ["一大队（本级）", "一中队"] and values == [100, 25]
    assert "/static/vendor/echarts.min.js" in html and "/static/charts.js" in html
    assert f'href="/study/admin/compliance?unit_id={brigades["a1"].id}&amp;year=2026"' in html
    assert f'status=overdue&amp;unit_id={brigades["a1"].id}&amp;year=2026' in html
    assert 'href="/org/people"' in html


def test_a_global_admin_sees_every_brigade(brigades, as_user):
    html = as_user("admin-all").get("/").data.decode()
    assert _text(_section(html, "admin-rate")) == "33%" and _text(_section(html, "admin-overdue")) == "2 项"
    assert [row[0] for row in _unit_rows(html)] == ["一大队", "二大队"]


def test_an_admin_without_tasks_this_year_is_offered_the_button(app, as_user):
    make_world()
    html = as_user("admin-a").get("/").data.decode()
    assert "2026 年度您管理的单位还没有培训任务" in _text(html) and "按培训大纲生成培训任务" in html
    assert "echarts" not in html and 'data-chart="bar"' not in html


@pytest.fixture
def instructor(app):
    """A 辅警 instructor: their own, a shared and a 社区 course; questions and imports in and out of scope."""
    fj = make_workforce()
    make_workforce(code="sq", name="社区工作者", posts=(("sq-grid", "网格员"),))
    me = make_instructor(workforce=fj)
    other = make_instructor(staff_no="jiaoguan-2", workforce=fj)
    for title, workforces, active in (("辅警课程二", ["fj"], True), ("辅警课程一", ["fj"], True),
                                       ("共享课程", ["fj", "sq"], False), ("共享课程二", ["fj", "sq"], True),
                                       ("社区课程", ["sq"], True), ("停用的辅警课程", ["fj"], False)):
        course = make_course(title=title)
        course.workforces, course.active = workforces, active
    mine, outside = make_bank_category(owner=me.unit), make_bank_category(owner=make_world()["root"])
    make_question(mine)
    make_question(mine)
    flagged = make_question(mine, status="ready")
    flagged.needs_review = True
    make_question(outside)
    for i, (person, status) in enumerate(((me, "imported"), (me, "previewed"), (other, "previewed"))):
        db.session.add(BankImport(created_by_id=person.id, filename=f"试题{i}.xlsx", fmt="xlsx",
                                  category_id=mine.id, status=status, created_at=NOW - timedelta(hours=3 - i)))
    db.session.commit()
    return {"me": me, "mine": mine}


def test_an_instructor_sees_the_courses_they_may_edit_questions_waiting_and_their_imports(instructor, as_user):
    html = as_user("jiaoguan").get("/").data.decode()
    assert re.findall(r'<a href="/curriculum/courses/\d+">(.*?)</a>', _section(html, "instructor-courses")) == \
        ["辅警课程一", "辅警课程二"]
    assert "我可以编辑的课程 （2 门）" in _text(html)
    bank = _text(_section(html, "instructor-bank"))
    assert "待法规复核 1 题" in bank and "草稿待审核 2 题" in bank
    imports = _text(_section(html, "instructor-imports"))
    assert imports.index("试题1.xlsx 待确认") < imports.index("试题0.xlsx 已导入") and "试题2" not in imports
    assert "教学工作" in html and "我的学习" in html and "管理工作" not in html


def test_a_person_with_several_roles_sees_a_section_for_each(brigades, as_user):
    make_person(unit=brigades["a"], staff_no="both", roles=(("admin", brigades["a"]), ("trainee", None)))
    html = as_user("both").get("/").data.decode()
    assert "管理工作" in html and "待完成的培训任务" in html and "教学工作" not in html


def _more_tasks(world, people: int, prefix: str) -> None:
    course = make_course(title="加练")
    for i in range(people):
        person = make_person(unit=world["a1"], staff_no=f"{prefix}-{i}", post_id=world["posts"][0].id)
        _task(person, course, due=date(2026, 5, 1) if i % 2 else date(2026, 9, 1))
    db.session.commit()


def test_each_home_page_costs_a_bounded_number_of_statements(app, as_user):
    world = make_world(workforce=True, people={"me": {"unit": "a1", "staff_no": "T-1", "post": 0}})
    make_person(unit=world["a"], staff_no="both", roles=(("admin", world["a"]), ("trainee", None)))
    make_instructor(workforce=world["workforce"])
    _more_tasks(world, 2, "X")
    clients = {who: as_user(who) for who in ("T-1", "admin-a", "both", "jiaoguan")}
    before = {who: statements_for(client, "/") for who, client in clients.items()}
    _more_tasks(world, 30, "Y")
    for i in range(6):
        make_course(title=f"课程{i}").workforces = ["fj"]
        _task(world["me"], make_course(title=f"任务{i}"), due=date(2026, 5 + i, 1))
    soon = NOW + timedelta(days=1)
    make_training_class(world["a"], sessions=[(soon, soon + timedelta(hours=1))] * 3, enrolled=[world["me"]])
    db.session.commit()
    after = {who: statements_for(client, "/") for who, client in clients.items()}
    assert after == before, (before, after)
    # 8–12 when written (the user, their roles, then each section), and one more per admin or trainee
    # section for the year it is about (study.cycles.years_with_data): at most 15 for admin and trainee;
    # and one for the navigation bar's unread-message count (the message centre): 16; and one for the
    # trainee's 摸底测试 card (needs.diagnostic.home_card): 17; and one for 我带的学员 (needs.mentees: the
    # links; a mentor's three more are counted in test_needs_mentees): 18.
    assert max(after.values()) <= 18, after
