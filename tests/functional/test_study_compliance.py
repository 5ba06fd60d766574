"""培训完成情况: counts per unit with drill-down, the list's unit filter, and the xlsx export, in scope."""

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from app import clock
from app.extensions import db
from app.models import Assignment
from tests.factories import make_course, make_person, make_unit, make_world
from tests.sql_budget import count_statements, statements_for

PAST, FUTURE = date(2000, 1, 1), date(2099, 1, 1)


def _task(person, course, *, year, status, completed_at=None):
    """An assignment of the year in a status (overdue and open ones by their due date)."""
    due = PAST if status == "overdue" else FUTURE
    done = completed_at or (datetime(2026, 3, 1, 2, 30) if status == "completed" else None)
    started = datetime(2026, 2, 1) if status in ("in_progress", "completed") else None
    db.session.add(Assignment(person_id=person.id, course_id=course.id, year=year, due_on=due,
                              started_at=started, completed_at=done))


@pytest.fixture
def world(app):
    """Brigade A: 一中队 with three people (every status), one person directly in A; brigade B: one person."""
    world = make_world(admin_all=True)
    year = world["year"] = clock.today().year
    course = world["course"] = make_course("law", title="法律法规")
    other = world["other"] = make_course("first-aid", title="急救")
    p1 = make_person(unit=world["a1"], staff_no="A-1", name="甲一")
    p2 = make_person(unit=world["a1"], staff_no="A-2", name="甲二")
    p3 = make_person(unit=world["a1"], staff_no="A-3", name="=甲三")  # a name an xlsx reader must not run
    pa = make_person(unit=world["a"], staff_no="A-0", name="甲本级")
    pb = make_person(unit=world["b1"], staff_no="B-1", name="乙一")
    _task(p1, course, year=year, status="completed", completed_at=datetime(2026, 3, 1, 18, 5))  # 02:05 next day in 上海
    _task(p1, other, year=year, status="overdue")
    _task(p2, course, year=year, status="in_progress")
    _task(p3, course, year=year, status="not_started")
    _task(pa, course, year=year, status="completed")
    _task(pb, course, year=year, status="overdue")
    _task(p1, course, year=year - 1, status="overdue")
    db.session.commit()
    return world


def _rows(html: str, section: str = "tbody") -> list[list[str]]:
    """Return the text of every cell of the table's body (or foot) rows."""
    body = re.search(rf"<{section}>(.*?)</{section}>", html, re.S).group(1)
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _page(client, query: str = "") -> str:
    response = client.get("/study/admin/compliance" + query)
    assert response.status_code == 200
    return response.data.decode()


def test_a_brigade_admin_sees_counts_per_child_unit_and_the_own_level_with_totals(world, as_user):
    html = _page(as_user("admin-a"))
    # 单位, 人数, 任务数, 未开始, 学习中, 已完成, 已逾期, 完成率
    assert _rows(html) == [["一大队（本级）", "1", "1", "0", "0", "1", "0", "100%"],
                           ["一中队", "3", "4", "1", "1", "1", "1", "25%"]]
    assert _rows(html, "tfoot") == [["合计", "4", "5", "1", "1", "2", "1", "40%"]]
    assert "乙一" not in html and "二大队" not in html


def test_a_global_admin_sees_the_brigades_and_drills_down_to_a_squad(world, as_user):
    client = as_user("admin-all")
    top = _page(client)
    assert _rows(top) == [["一大队", "4", "5", "1", "1", "2", "1", "40%"],
                          ["二大队", "1", "1", "0", "0", "0", "1", "0%"]]
    assert _rows(top, "tfoot") == [["合计", "5", "6", "1", "1", "2", "2", "33%"]]
    assert f'href="/study/admin/compliance?unit_id={world["b"].id}' in top
    squad = _page(client, f"?unit_id={world['a1'].id}")
    assert _rows(squad) == [["一中队（本级）", "3", "4", "1", "1", "1", "1", "25%"]]
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', squad, re.S).group(1)
    assert [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<li.*?</li>", crumbs, re.S)] == [
        "交警支队", "一大队", "一中队"]


def test_the_breadcrumb_stays_inside_the_admins_scope(world, as_user):
    html = _page(as_user("admin-a"), f"?unit_id={world['a1'].id}")
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html, re.S).group(1)
    assert "一大队" in crumbs and "一中队" in crumbs and "交警支队" not in crumbs


def test_another_admins_subtree_is_not_found_on_every_view(world, as_user):
    client = as_user("admin-a")
    for unit in ("b", "b1", "root"):
        assert client.get(f"/study/admin/compliance?unit_id={world[unit].id}").status_code == 404
        assert client.get(f"/study/admin/assignments?unit_id={world[unit].id}").status_code == 404
        assert client.get(f"/study/admin/assignments.xlsx?unit_id={world[unit].id}").status_code == 404
    assert client.get("/study/admin/compliance?unit_id=99999").status_code == 404


def test_trainees_cannot_open_the_overview_or_the_export(world, as_user):
    client = as_user("A-1")
    assert client.get("/study/admin/compliance").status_code == 403
    assert client.get("/study/admin/assignments.xlsx").status_code == 403


def test_the_year_and_course_filters_change_the_counts(world, as_user):
    client = as_user("admin-a")
    last_year = _page(client, f"?year={world['year'] - 1}")
    assert _rows(last_year) == [["一中队", "1", "1", "0", "0", "0", "1", "0%"]]
    first_aid = _page(client, f"?course_id={world['other'].id}")
    assert _rows(first_aid) == [["一中队", "1", "1", "0", "0", "0", "1", "0%"]]
    assert f'<option value="{world["year"] - 1}"' in first_aid


def test_each_count_links_to_the_list_of_exactly_those_assignments(world, as_user):
    client = as_user("admin-a")
    html = _page(client).replace("&amp;", "&")
    links = re.findall(r'href="(/study/admin/assignments\?[^"]+)">(\d+)</a>', html)
    assert len(links) == 2 + 5  # the own level: 任务数 and 已完成; 一中队: 任务数 and four statuses
    for url, count in links:
        assert f"year={world['year']}" in url
        assert f"共 {count} 项" in client.get(url).data.decode(), url
    own_done = next(url for url, _ in links if "direct=1" in url and "status" in url)
    listed = client.get(own_done).data.decode()
    assert "甲本级" in listed and "甲一" not in listed


def test_the_list_filters_by_unit_subtree_or_the_unit_alone(world, as_user):
    client = as_user("admin-a")
    squad = client.get(f"/study/admin/assignments?unit_id={world['a1'].id}").data.decode()
    assert "共 5 项" in squad and "甲本级" not in squad
    brigade = client.get(f"/study/admin/assignments?unit_id={world['a'].id}").data.decode()
    assert "共 6 项" in brigade and "甲本级" in brigade
    alone = client.get(f"/study/admin/assignments?unit_id={world['a'].id}&direct=1").data.decode()
    assert "共 1 项" in alone and "甲一" not in alone
    assert 'href="/study/admin/assignments.xlsx?unit_id=' in squad


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def test_the_export_writes_every_matching_row_in_scope_with_local_completion_times(world, as_user, app):
    app.config["PER_PAGE"] = 2  # the export is not one page of the list
    rows = _sheet(as_user("admin-a").get("/study/admin/assignments.xlsx"))
    assert rows[0] == ("工号", "姓名", "单位", "课程", "年度", "截止日期", "来源", "状态", "完成时间")
    assert len(rows) == 1 + 6 and not any(r[0] == "B-1" for r in rows)
    done = next(r for r in rows if r[0] == "A-1" and r[7] == "已完成")
    assert done[1:7] == ("甲一", "一大队/一中队", "法律法规", world["year"], datetime(2099, 1, 1), "培训大纲")
    assert done[8] == datetime(2026, 3, 2, 2, 5)
    assert next(r for r in rows if r[0] == "A-3")[1] == "=甲三"


def test_the_export_labels_units_as_the_pages_do(world, as_user):
    """The shared unit labels (org/labels.py): the 支队 admin reads paths below the 支队, so the two
    一中队 stay apart and no row starts with the 支队's long name; a global admin reads whole paths."""
    make_person(unit=world["root"], staff_no="root-admin", roles=(("admin", world["root"]),))
    units = {r[0]: r[2] for r in _sheet(as_user("root-admin").get("/study/admin/assignments.xlsx"))[1:]}
    assert units == {"A-1": "一大队/一中队", "A-2": "一大队/一中队", "A-3": "一大队/一中队", "A-0": "一大队",
                     "B-1": "二大队/一中队"}
    page = as_user("root-admin").get("/study/admin/assignments").get_data(as_text=True)
    assert "二大队/一中队" in page  # the list beside it says the same
    whole = {r[0]: r[2] for r in _sheet(as_user("admin-all").get("/study/admin/assignments.xlsx"))[1:]}
    assert whole["B-1"] == "交警支队/二大队/一中队"


def test_the_export_keeps_the_lists_filters(world, as_user):
    client = as_user("admin-a")
    rows = _sheet(client.get(f"/study/admin/assignments.xlsx?unit_id={world['a1'].id}&status=overdue"
                             f"&year={world['year']}"))
    assert [(r[0], r[3], r[7]) for r in rows[1:]] == [("A-1", "急救", "已逾期")]
    assert len(_sheet(client.get("/study/admin/assignments.xlsx?status=completed&year=1999"))) == 1


def test_the_overview_costs_the_same_statements_for_a_bigger_tree_with_more_people(world, as_user):
    client = as_user("admin-all")
    urls = ("", f"?unit_id={world['b'].id}")

    def statements() -> list[int]:
        counts = []
        for url in urls:
            with count_statements() as seen:
                _page(client, url)
            counts.append(len(seen))
        return counts

    small = statements()
    for i in range(6):
        squad = make_unit(f"新中队{i}", parent=world["b"])
        for j in range(4):
            _task(make_person(unit=squad, staff_no=f"N{i}-{j}"), world["course"], year=world["year"],
                  status=("completed", "in_progress", "not_started", "overdue")[j])
    db.session.commit()
    assert len(_rows(_page(client, urls[1]))) == 7  # 一中队 and the six new squads (二大队 itself has no tasks)
    assert statements() == small
    assert max(small) <= 14, small  # with the sections: exam pass rates, 学时 (study/credits.py: 2 here)


def test_the_empty_state_says_how_to_create_assignments(world, as_user):
    html = _page(as_user("admin-a"), "?year=2001")
    assert "2001 年度「一大队」范围内还没有培训任务" in html and "下达课程" in html and "按培训大纲生成培训任务" in html
    course = _page(as_user("admin-a"), f"?year=2001&course_id={world['course'].id}")
    assert "没有该课程的培训任务" in course


def test_the_admin_menu_leads_to_the_overview(world, as_user):
    client = as_user("admin-a")
    assert client.get("/admin/stats").status_code == 404  # no placeholder page for statistics still to come
    assert 'href="/study/admin/compliance">培训完成情况</a>' in client.get("/").data.decode()


@pytest.mark.parametrize("query", ["year=99999999999999999999999", "unit_id=99999999999999999999999",
                                   "course_id=-3", "year=10000"])
def test_out_of_range_numbers_in_the_filters_get_a_chinese_400(world, as_user, query):
    client = as_user("admin-a")
    for path in ("/study/admin/compliance", "/study/admin/assignments", "/study/admin/assignments.xlsx"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and "超出范围" in response.data.decode(), path


def test_an_export_over_the_row_limit_is_refused_in_chinese(world, as_user, monkeypatch):
    from app.study import compliance

    monkeypatch.setattr(compliance, "MAX_EXPORT", 5)
    response = as_user("admin-a").get("/study/admin/assignments.xlsx")
    assert response.status_code == 400 and "一次最多导出 5 项" in response.data.decode()


BUDGET_URLS = ("/study/admin/compliance", "/study/admin/compliance?unit_id={a}", "/study/admin/compliance?course_id={c}",
               "/study/admin/assignments", "/study/admin/assignments?unit_id={a}&status=overdue")


def test_the_overview_and_the_list_cost_the_same_statements_for_more_people_in_the_same_units(world, as_user):
    client = as_user("admin-all")
    urls = [url.format(a=world["a"].id, c=world["course"].id) for url in BUDGET_URLS]
    small = [statements_for(client, url) for url in urls]
    for j in range(30):
        person = make_person(unit=world[("a1", "a", "b1")[j % 3]], staff_no=f"M{j}")
        for course in (world["course"], world["other"]):
            _task(person, course, year=world["year"], status=("completed", "in_progress", "not_started", "overdue")[j % 4])
    db.session.commit()
    assert "共 67 项" in client.get("/study/admin/assignments").data.decode()  # more than a page (20)
    assert [statements_for(client, url) for url in urls] == small


def test_the_overview_reads_no_assignment_rows_and_the_list_counts_from_the_counters(world, as_user):
    client = as_user("admin-all")
    reads_assignments = re.compile(r"\bFROM assignment\b(?!_)|\bJOIN assignment\b(?!_)")
    for query in ("", f"?unit_id={world['a'].id}", f"?course_id={world['course'].id}"):
        with count_statements() as seen:
            _page(client, query)
        assert seen and not [s for s in seen if reads_assignments.search(s)], query
    with count_statements() as seen:
        assert "共 7 项" in client.get("/study/admin/assignments").data.decode()
    assert [s for s in seen if "count(" in s and reads_assignments.search(s)] == []
