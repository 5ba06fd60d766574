"""The roster preview runs in a task with progress on the batch; the roster and the person form
share one set of field rules; the template's example row is skipped; an unknown post is one error."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Person, RosterImport
from app.org import roster_batches
from app.org.tasks import preview_roster_task
from tests.factories import make_world, roster_xlsx

CSV = "工号,姓名,单位\nB1,甲,一中队\nB2,乙,一中队\n".encode()


@pytest.fixture
def world(app):
    return make_world(workforce=True)


def _upload(client, data: bytes, name: str = "名册.csv"):
    return client.post("/org/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       follow_redirects=True)


def _batch() -> RosterImport:
    return db.session.scalars(select(RosterImport).order_by(RosterImport.id.desc())).first()


def _people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


# --- 5. the preview runs in the background, with progress ---------------------------------------------
def test_upload_redirects_to_its_batch_and_the_progress_points_to_the_preview(world, as_user):
    client = as_user("admin-a")
    response = client.post("/org/import", data={"file": (io.BytesIO(CSV), "名册.csv")},
                           content_type="multipart/form-data")
    batch = _batch()
    assert response.status_code == 302 and response.headers["Location"] == f"/org/import/{batch.id}"
    assert batch.status == "previewed" and batch.row_count == 2  # the task ran inline
    progress = client.get(f"/org/import/{batch.id}/progress")
    assert progress.headers["HX-Redirect"] == f"/org/import/{batch.id}"
    assert "共 2 人，检查通过" in client.get(f"/org/import/{batch.id}").data.decode()


def test_a_waiting_batch_shows_progress_and_the_task_fills_in_the_preview(world, as_user, tmp_path):
    batch_id = roster_batches.stage(world["admin_a"].id, "名册.csv", CSV, tmp_path)
    client = as_user("admin-a")
    page = client.get(f"/org/import/{batch_id}").data.decode()
    assert "排队等待检查" in page and 'hx-trigger="every 1s"' in page and "确认导入" not in page
    batch = db.session.get(RosterImport, batch_id)
    batch.status, batch.progress_done, batch.progress_total = "parsing", 30, 120
    db.session.commit()
    progress = client.get(f"/org/import/{batch_id}/progress")
    assert "HX-Redirect" not in progress.headers and "25%" in progress.data.decode()
    assert "正在读取文件并逐行检查" in progress.data.decode()
    assert client.post(f"/org/import/{batch_id}/confirm", data={"initial_password": "Start2026"}).status_code == 400
    preview_roster_task(batch_id, str(tmp_path))  # a check still marked running takes up again
    db.session.expire_all()
    batch = db.session.get(RosterImport, batch_id)
    assert (batch.status, batch.row_count, batch.progress_done, batch.progress_total) == ("previewed", 2, 2, 2)
    assert [row["工号"] for row in batch.rows] == ["B1", "B2"]
    assert not roster_batches.upload_path(tmp_path, batch_id).exists()
    db.session.rollback()  # the test's read took SQLite's write lock (outside a request every transaction does)
    preview_roster_task(batch_id, str(tmp_path))  # run again: nothing to do, nothing changes
    assert db.session.get(RosterImport, batch_id).status == "previewed"
    page = client.get(f"/org/import/{batch_id}").data.decode()
    assert "共 2 人，检查通过" in page and "确认导入 2 人" in page
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"roster_import_upload", "roster_import_preview"} <= actions


def test_progress_is_reported_while_a_large_file_is_read_and_checked(world, tmp_path, monkeypatch):
    rows = [[f"P{n:04d}", "甲", "", "一中队"] for n in range(1, 1001)]
    batch_id = roster_batches.stage(world["admin_a"].id, "名册.xlsx", roster_xlsx(rows), tmp_path)
    seen = []
    batch = db.session.get(RosterImport, batch_id)
    commit = db.session.commit

    def spy():  # what the progress page would read at each commit of the task
        if batch.status == "parsing":
            seen.append(batch.progress_done * 100 // batch.progress_total)
        commit()

    monkeypatch.setattr(db.session, "commit", spy)
    roster_batches.preview_staged(batch_id, str(tmp_path))
    assert seen == sorted(seen) and len(seen) >= 8 and seen[0] < 20 and seen[-1] >= 90  # reading, then checking
    assert db.session.get(RosterImport, batch_id).status == "previewed"


def test_a_batch_with_errors_keeps_no_rows_and_caps_what_it_keeps(world, as_user, app):
    app.config["ROSTER_MAX_CELL_CHARS"] = 5000
    rows = [[f"E{n}", "名" * 3000, "", "不存在的单位" * 200] for n in range(1, 601)]
    before = _people()
    page = _upload(as_user("admin-a"), roster_xlsx(rows), "名册.xlsx").data.decode()
    batch = _batch()
    assert batch.status == "invalid" and batch.rows == [] and batch.error_count == 1200
    assert len(batch.errors) == roster_batches.MAX_ERRORS and len(batch.people) == roster_batches.PREVIEW_ROWS
    assert max(len(p["name"]) for p in batch.people) <= roster_batches.SHOWN_CHARS
    assert max(len(e["message"]) for e in batch.errors) < 100  # typed values are quoted short
    assert "发现 1200 处错误" in page and "下面列出前 500 处" in page and "仅显示前 200 行" in page
    response = as_user("admin-a").post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert response.status_code == 400 and _people() == before


def test_another_admins_batch_is_404(world, as_user):
    _upload(as_user("admin-b"), "工号,姓名,单位\nX1,乙,一中队\n".encode())
    client = as_user("admin-a")
    batch_id = _batch().id
    assert client.get(f"/org/import/{batch_id}").status_code == 404
    assert client.get(f"/org/import/{batch_id}/progress").status_code == 404


# --- 3. one set of field rules for the person form and the roster -------------------------------------
@pytest.mark.parametrize(("field", "value", "message"), [
    ("staff_no", "张三", "只能由字母、数字和 . _ - 组成"),
    ("staff_no", "N 1", "只能由字母、数字和 . _ - 组成"),
    ("staff_no", "N" * 41, "工号不能超过 40 个字符"),
    ("name", "李\u200b明", "姓名中含有不可见的控制字符"),
    ("name", "李\x07明", "含有不可见的控制字符"),  # the form's: the app-wide guard (app/formkit.py) speaks first
    ("phone", "1380000000１", "格式不正确"),
])
def test_the_roster_and_the_person_form_refuse_the_same_values(world, as_user, field, value, message):
    client = as_user("admin-a")
    values = {"staff_no": "R1", "name": "李明", "phone": ""} | {field: value}
    csv = f"工号,姓名,手机,单位\n{values['staff_no']},{values['name']},{values['phone']},一中队\n".encode()
    page = _upload(client, csv).data.decode()
    assert "第2行：" in page and message in page and _batch().status == "invalid"
    before = _people()
    form = values | {"unit_id": world["a1"].id, "post_id": 0, "grade_id": 0, "status": "active"}
    response = client.post("/org/people/new", data=form)
    assert response.status_code == 400 and _people() == before
    if field != "staff_no" or len(value) <= 40:  # the form's length check speaks first for an overlong one
        assert message in response.data.decode()


def test_a_name_with_a_middle_dot_and_brackets_is_fine_in_both(world, as_user):
    client = as_user("admin-a")
    assert "检查通过" in _upload(client, "工号,姓名,单位\nW1,阿依古丽·买买提（借调）,一中队\n".encode()).data.decode()
    form = {"staff_no": "W2", "name": "阿依古丽·买买提（借调）", "unit_id": world["a1"].id, "post_id": 0,
            "grade_id": 0, "status": "active"}
    assert client.post("/org/people/new", data=form).status_code == 302


# --- 4. the template's example row, and one error for an unknown post -----------------------------------
def test_the_template_example_uses_existing_names_and_the_import_skips_it(world, as_user):
    client = as_user("admin-a")
    book = load_workbook(io.BytesIO(client.get("/org/import/template.xlsx").data))
    sheet = book["人员名册"]
    example = [cell.value for cell in sheet[2]]
    assert example[0].startswith("示例") and example[3:6] == ["交警支队/一大队/一中队", "路面执勤", "四级辅警"]
    assert "导入时会被忽略" in "".join(str(c.value) for c in book["填写说明"]["B"])
    sheet.append(["T100", "王五", "", *example[3:6], "2024-03-01", "在岗", "学员"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = _upload(client, buffer.getvalue(), "名册.xlsx").data.decode()
    assert "共 1 人，检查通过" in page and "T100" in page and "示例" not in page
    batch = _batch()
    assert [row["_row"] for row in batch.rows] == [3]
    assert client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"}).status_code == 302
    assert db.session.scalar(select(Person).where(Person.staff_no == "T100")).grade.name == "四级辅警"


def test_the_template_alone_has_no_rows_to_import(world, as_user):
    client = as_user("admin-a")
    response = _upload(client, client.get("/org/import/template.xlsx").data, "名册.xlsx")
    assert response.status_code == 400 and "文件中没有数据行" in response.data.decode()
    assert db.session.scalar(select(func.count()).select_from(RosterImport)) == 0


def test_an_unknown_post_with_a_grade_is_one_error(world, as_user):
    rows = [["U1", "甲", "", "一中队", "飞行员", "四级辅警", "", "", ""],
            ["U2", "乙", "", "一中队", "路面执勤", "一级科员", "", "", ""]]
    _upload(as_user("admin-a"), roster_xlsx(rows), "名册.xlsx")
    assert [(e["row"], e["message"]) for e in _batch().errors] == [
        (2, "岗位“飞行员”不存在（请填写系统中已有的岗位名称或岗位代码）"),
        (3, "岗位等级“一级科员”不属于岗位“路面执勤”所在队伍的等级序列"),
    ]


def test_repeated_roles_in_a_cell_grant_the_role_once(world, as_user):
    client = as_user("admin-a")
    _upload(client, "工号,姓名,单位,角色\nR1,甲,一中队,学员、学员\n".encode())
    assert client.post(f"/org/import/{_batch().id}/confirm", data={"initial_password": "Start2026"}).status_code == 302
    assert [g.role for g in db.session.scalar(select(Person).where(Person.staff_no == "R1")).roles] == ["trainee"]


def test_on_the_demo_each_admins_template_example_names_import(app, runner):
    from app.demo import DEMO_PASSWORD
    from tests.factories import login

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    for admin in ("admin", "fj-admin", "dd2-admin", "sq-admin", "zg-admin"):
        client = app.test_client()
        assert login(client, admin, DEMO_PASSWORD).status_code == 302
        book = load_workbook(io.BytesIO(client.get("/org/import/template.xlsx").data))
        example = [cell.value for cell in book["人员名册"][2]]
        book["人员名册"].append([f"N-{admin}", "新人", "", *example[3:]])
        buffer = io.BytesIO()
        book.save(buffer)
        page = _upload(client, buffer.getvalue(), "名册.xlsx").data.decode()
        assert "共 1 人，检查通过" in page, (admin, example, page[page.find("import-errors"):][:300])
