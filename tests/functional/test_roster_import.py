"""Roster import: preview with row-level errors, all-or-nothing confirm, xlsx and CSV (GB18030)."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Person, RosterImport
from tests.factories import ROSTER_HEADER, make_person, make_world, roster_xlsx


@pytest.fixture
def world(app):
    return make_world(workforce=True, people={"existing": {"unit": "a1", "staff_no": "EXIST1", "name": "老队员"}})



def _upload(client, data: bytes, name: str):
    """Upload a file; the preview task runs inline in tests, so the redirect lands on its preview."""
    return client.post("/org/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       follow_redirects=True)


def _people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_good_xlsx_previews_then_imports_everyone(world, as_user):
    client = as_user("admin-a")
    data = roster_xlsx([
        ["N001", "李明", "13800000001", "一大队/一中队", "路面执勤", "三级辅警", "2024-03-01", "在岗", "学员"],
        ["N002", "王芳", "", "一中队", "fj-road", "", "2023/7/15", "", "学员"],
    ])  # 教官 would be a global grant, which only a global admin imports (test_privileges_grants.py)
    before = _people_count()
    preview = _upload(client, data, "名册.xlsx")
    assert preview.status_code == 200 and "检查通过" in preview.data.decode()
    assert preview.data.decode().count("<td>在岗</td>") == 2  # the label; an empty cell means 在岗
    assert _people_count() == before  # preview writes no people
    batch = db.session.scalar(select(RosterImport))
    done = client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert done.status_code == 302
    li = db.session.scalar(select(Person).where(Person.staff_no == "N001"))
    wang = db.session.scalar(select(Person).where(Person.staff_no == "N002"))
    assert li.unit_id == world["a1"].id and li.grade.name == "三级辅警" and li.joined_on.isoformat() == "2024-03-01"
    assert wang.role_names == {"trainee"} and wang.must_change_password
    assert li.status == wang.status == "active"  # the code, from the file's 在岗
    assert db.session.get(RosterImport, batch.id).status == "imported"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster_import")).detail["count"] == 2
    again = client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert again.status_code == 400 and _people_count() == before + 2


@pytest.mark.parametrize(("row", "message"), [
    (["", "无工号", "", "一大队", "", "", "", "", ""], "工号不能为空"),
    (["EXIST1", "重复", "", "一大队", "", "", "", "", ""], "工号“EXIST1”已存在"),
    (["N9", "", "", "一大队", "", "", "", "", ""], "姓名不能为空"),
    (["N9", "缺单位", "", "", "", "", "", "", ""], "单位不能为空"),
    (["N9", "错单位", "", "三大队", "", "", "", "", ""], "找不到单位“三大队”"),
    (["N9", "歧义", "", "一中队/不存在", "", "", "", "", ""], "找不到单位"),
    (["N9", "错岗位", "", "一大队", "飞行员", "", "", "", ""], "岗位“飞行员”不存在"),
    (["N9", "错等级", "", "一大队", "路面执勤", "一级科员", "", "", ""], "岗位等级“一级科员”不属于"),
    (["N9", "只有等级", "", "一大队", "", "三级辅警", "", "", ""], "填写岗位等级时须填写岗位"),
    (["N9", "错手机", "12345", "一大队", "", "", "", "", ""], "手机号码“12345”格式不正确"),
    (["N9", "错日期", "", "一大队", "", "", "去年春天", "", ""], "入职日期“去年春天”无法识别"),
    (["N9", "远日期", "", "一大队", "", "", "9999-12-31", "", ""], "入职日期应在 1900 年到 2099 年之间"),
    (["N9", "错状态", "", "一大队", "", "", "", "休假", ""], "状态“休假”只能是在岗或离岗"),
    (["N9", "错角色", "", "一大队", "", "", "", "", "管理员"], "角色“管理员”无法导入"),
])
def test_each_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_written(world, as_user, row, message):
    client = as_user("admin-a")
    good = ["N100", "好人", "", "一大队", "", "", "", "", ""]
    before = _people_count()
    page = _upload(client, roster_xlsx([good, row]), "bad.xlsx").data.decode()
    assert f"第3行：{message}" in page, page[page.find("import-errors"):][:600]
    assert "未导入任何人员" in page
    assert _people_count() == before
    batch = db.session.scalar(select(RosterImport))
    assert batch.status == "invalid"
    response = client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert response.status_code == 400 and _people_count() == before


def test_duplicate_staff_numbers_inside_the_file_name_both_rows(world, as_user):
    csv = "工号,姓名,单位\nD1,甲,一大队\nD1,乙,一大队\n".encode("utf-8-sig")
    page = _upload(as_user("admin-a"), csv, "dup.csv").data.decode()
    assert "第3行：工号“D1”与第2行重复" in page


def test_ambiguous_unit_name_asks_for_the_full_path(world, as_user):
    make_person(unit=world["root"], staff_no="root-admin", roles=(("admin", None),))
    csv = "工号,姓名,单位\nD1,甲,一中队\n".encode("utf-8-sig")
    page = _upload(as_user("root-admin"), csv, "a.csv").data.decode()
    assert "第2行：单位名称“一中队”不唯一" in page


def test_gb18030_csv_imports_correctly(world, as_user):
    client = as_user("admin-a")
    csv = "工号,姓名,单位,入职日期\nG1,欧阳淑珍,交警支队/一大队/一中队,2022年5月6日\n".encode("gb18030")
    assert "检查通过" in _upload(client, csv, "gbk.csv").data.decode()
    batch = db.session.scalar(select(RosterImport))
    client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    person = db.session.scalar(select(Person).where(Person.staff_no == "G1"))
    assert person.name == "欧阳淑珍" and person.joined_on.isoformat() == "2022-05-06"


def test_weak_initial_password_is_refused_and_nothing_is_written(world, as_user):
    client = as_user("admin-a")
    _upload(client, "工号,姓名,单位\nP1,甲,一大队\n".encode("utf-8-sig"), "p.csv")
    batch = db.session.scalar(select(RosterImport))
    response = client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "123"})
    assert response.status_code == 400 and "初始密码不符合要求" in response.data.decode()
    assert db.session.scalar(select(Person).where(Person.staff_no == "P1")) is None


@pytest.mark.parametrize(("name", "data", "message"), [
    ("x.txt", b"abc", "只支持"),
    ("x.csv", "姓名,单位\n甲,一大队\n".encode("utf-8-sig"), "表头缺少列：工号"),
    ("x.csv", "工号,姓名,单位\n".encode("utf-8-sig"), "没有数据行"),
    ("x.xlsx", b"not a zip", "无法读取该 Excel 文件"),
    ("x.csv", "工号,姓名,单位\n".encode("utf-8-sig") + b"\x80,\xff,\x80\n", "文件编码无法识别"),
])
def test_unreadable_files_get_a_clear_message(world, as_user, name, data, message):
    response = _upload(as_user("admin-a"), data, name)
    assert response.status_code == 400 and message in response.data.decode()
    assert db.session.scalar(select(func.count()).select_from(RosterImport)) == 0


def test_excel_dates_and_numbers_read_as_typed(world, as_user):
    client = as_user("admin-a")
    data = roster_xlsx([[9001, "赵六", 13800000002, "一大队", "", "", datetime(2021, 9, 1), "", ""],
                  ["N9002", "钱七", "", "一大队", "", "", datetime(2021, 9, 2, 8, 30), "", ""]])
    assert "检查通过" in _upload(client, data, "名册.xlsx").data.decode()
    batch = db.session.scalar(select(RosterImport))
    client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    zhao = db.session.scalar(select(Person).where(Person.staff_no == "9001"))
    qian = db.session.scalar(select(Person).where(Person.staff_no == "N9002"))
    assert (zhao.phone, zhao.joined_on, qian.joined_on) == ("13800000002", date(2021, 9, 1), date(2021, 9, 2))


def test_template_has_the_columns_the_guide_and_dropdowns(world, as_user):
    response = as_user("admin-a").get("/org/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["人员名册", "填写说明"]
    assert [c.value for c in book["人员名册"][1]] == ROSTER_HEADER
    assert any("路面执勤" in v.formula1 for v in book["人员名册"].data_validations.dataValidation)
    assert "完整路径" in "".join(str(c.value) for c in book["填写说明"]["B"])
