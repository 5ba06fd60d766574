"""Units are shown by their name path (below the top unit of the admin's tree), so the two 一中队
never look alike; unit filters offer the admin's own subtree in tree order."""

import re
from datetime import date

from app.auth.scope import Scope
from app.extensions import db
from app.models import Assignment
from app.org.labels import label_root
from tests.factories import make_course, make_person, make_unit, make_world
from tests.sql_budget import statements_for


def _world():
    """交警支队 → 一大队 (一中队) / 二大队 (一中队), a trainee in each 一中队, a 支队 admin."""
    world = make_world(people={"ta": {"unit": "a1", "staff_no": "T-A", "name": "甲学员"},
                               "tb": {"unit": "b1", "staff_no": "T-B", "name": "乙学员"}})
    world["admin_root"] = make_person(unit=world["root"], staff_no="admin-root", name="支队管理员",
                                      roles=(("admin", world["root"]),))
    return world


def _unit_cells(page: str) -> dict[str, str]:
    """The 单位 column of a people list, by staff number."""
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td><a [^>]*>[^<]*</a></td>\s*<td>([^<]*)</td>", page)
    return dict(rows)


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [label.strip() for value, label in re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select) if value]


def test_the_people_list_tells_the_two_first_squadrons_apart(app, as_user):
    _world()
    page = as_user("admin-root").get("/org/people").get_data(as_text=True)
    cells = _unit_cells(page)
    assert cells["T-A"] == "一大队/一中队" and cells["T-B"] == "二大队/一中队"
    assert cells["admin-a"] == "一大队" and cells["admin-root"] == "交警支队"


def test_a_global_admin_sees_whole_paths(app, as_user):
    make_world(admin_all=True, people={"ta": {"unit": "a1", "staff_no": "T-A"}})
    page = as_user("admin-all").get("/org/people").get_data(as_text=True)
    assert _unit_cells(page)["T-A"] == "交警支队/一大队/一中队"


def test_a_brigade_admin_filters_only_their_subtree_in_tree_order(app, as_user):
    world = _world()
    for name, order in (("三中队", 2), ("二中队", 1)):
        unit = make_unit(name, parent=world["a"])
        unit.sort_order = order
    make_unit("一分队", parent=world["a1"])
    db.session.commit()
    page = as_user("admin-a").get("/org/people").get_data(as_text=True)
    subtree = ["一大队", "一大队/一中队", "一大队/一中队/一分队", "一大队/二中队", "一大队/三中队"]
    assert _options(page, "unit_id") == subtree
    form = as_user("admin-a").get("/org/people/new").get_data(as_text=True)
    assert _options(form, "unit_id") == subtree
    root_page = as_user("admin-root").get("/org/people").get_data(as_text=True)
    assert _options(root_page, "unit_id")[:4] == ["交警支队", "一大队", "一大队/一中队", "一大队/一中队/一分队"]
    assert _options(root_page, "unit_id")[-2:] == ["二大队", "二大队/一中队"]


def test_the_assignment_list_and_its_filter_show_units_by_path(app, as_user):
    world = _world()
    course = make_course(title="执勤执法规范")
    db.session.add_all([Assignment(person_id=world[key].id, course_id=course.id, year=2026, due_on=date(2026, 12, 1))
                        for key in ("ta", "tb")])
    db.session.commit()
    page = as_user("admin-root").get("/study/admin/assignments?year=2026").get_data(as_text=True)
    units = re.findall(r"<td>(T-[AB])</td>\s*<td><a [^>]*>[^<]*</a></td>\s*<td>([^<]*)</td>", page)
    assert sorted(units) == [("T-A", "一大队/一中队"), ("T-B", "二大队/一中队")]
    assert "二大队/一中队" in _options(page, "unit_id")


def test_the_people_list_costs_no_more_statements_with_more_units(app, as_user):
    world = _world()
    client = as_user("admin-root")
    small = statements_for(client, "/org/people")
    for i in range(6):
        squadron = make_unit(f"{i}中队", parent=world["b"])
        make_person(unit=squadron, staff_no=f"S-{i}")
    assert statements_for(client, "/org/people") == small


def test_labels_start_below_the_top_of_the_one_tree_a_scope_lies_in():
    assert label_root(Scope(("/1/4/",))) == 1
    assert label_root(Scope(("/1/", "/1/4/"))) == 1
    assert label_root(Scope(("/1/2/", "/1/3/"))) == 1  # two brigades of one 支队: still distinct
    assert label_root(Scope(("/1/2/", "/5/6/"))) is None  # two trees: whole paths, never ambiguous
    assert label_root(Scope(None)) is None and label_root(Scope(())) is None
