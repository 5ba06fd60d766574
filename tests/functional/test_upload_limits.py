"""Uploads are safe: odd encodings read or refused clearly, and every limit refuses a file before
anything is stored (no batch, no staged rows, no file on disk) — roster and question bank alike."""

import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import BankImport, Person, Question, RosterImport
from tests import hostile_files
from tests.factories import ROSTER_HEADER, make_world, roster_xlsx

ENCODING = "文件编码无法识别：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 xlsx"
ROSTER_CSV = "工号,姓名,单位,入职日期\nU1,欧阳淑珍,交警支队/一大队/一中队,2022-05-06\nU2,李明,一中队,\n"
BANK_HEADER = "编号,分类,题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,知识点,分值,法规依据,标签\n"
BANK_ROW = "T-{n},,判断,第{n}题：辅警应当服从民警指挥。,,,,,对,,2,,1,,\n"
# Small limits, so each test builds a file just over one of them.
LIMITS = {"UPLOAD_MAX_BYTES": 40 * 1024, "UPLOAD_MAX_UNPACKED_BYTES": 400_000, "UPLOAD_MAX_COLUMNS": 30,
          "ROSTER_MAX_ROWS": 5, "ROSTER_MAX_CELL_CHARS": 100, "BANK_MAX_QUESTIONS": 4, "BANK_MAX_FIELD_CHARS": 300}


@pytest.fixture
def app(make_app):
    app = make_app(**LIMITS)
    with app.app_context():
        yield app


@pytest.fixture
def world(app):
    return make_world(workforce=True, instructors=True, bank=True)


def _roster(client, data: bytes, name: str = "名册.csv"):
    return client.post("/org/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def _bank(client, world, data: bytes, name: str = "题目.csv"):
    form = {"file": (io.BytesIO(data), name), "category_id": str(world["cat_a"].id)}
    return client.post("/bank/import", data=form, content_type="multipart/form-data", follow_redirects=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _nothing_stored(app) -> bool:
    uploads = app.instance_path + "/uploads"
    import os

    files = os.listdir(uploads) if os.path.isdir(uploads) else []
    return (_count(RosterImport), _count(BankImport), _count(Question), files) == (0, 0, 0, [])


def _refused(response, app, message: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 413), page[:300]
    assert message in page, page[page.find("invalid-feedback"):][:400]
    assert _nothing_stored(app)


# --- 1. encodings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_roster_csv_with_or_without_bom_reads_like_utf8(world, as_user, encoding):
    client = as_user("admin-a")
    page = _roster(client, ROSTER_CSV.encode(encoding)).get_data(as_text=True)
    assert "检查通过" in page and "欧阳淑珍" in page
    batch = db.session.scalar(select(RosterImport))
    assert [row["姓名"] for row in batch.rows] == ["欧阳淑珍", "李明"]


@pytest.mark.parametrize("data", ids=["not-gb18030", "cut-utf16", "lone-surrogate"], argvalues=[
    "工号,姓名,单位\n".encode() + bytes(range(0x80, 0x100)),  # neither UTF-8 nor GB18030
    b"\xff\xfe" + "工号,姓名,单位\n".encode("utf-16-le") + b"\x00",  # UTF-16 cut in the middle of a character
    b"\xff\xfe\x00\xd8\x41\x00",  # UTF-16 with a lone surrogate
])
def test_an_unreadable_roster_encoding_is_refused_with_a_clear_message(world, as_user, app, data):
    _refused(_roster(as_user("admin-a"), data), app, ENCODING)


def test_a_nul_inside_a_roster_csv_is_refused(world, as_user, app):
    data = "工号,姓名,单位\nU1,李\x00明,一中队\n".encode()
    _refused(_roster(as_user("admin-a"), data), app, "第 2 行含有空字符")
    assert db.session.scalar(select(Person).where(Person.staff_no == "U1")) is None


@pytest.mark.parametrize(("data", "name"), ids=["gift-bom", "csv-no-bom"], argvalues=[
    ("// 难度: 2\n辅警应当服从民警指挥。{T}\n".encode("utf-16"), "题目.gift"),
    ((BANK_HEADER + BANK_ROW.format(n=1)).encode("utf-16-le"), "题目.csv"),
])
def test_utf16_question_files_import(world, as_user, data, name):
    page = _bank(as_user("inst-a"), world, data, name).get_data(as_text=True)
    assert "可导入 <strong>1</strong> 题" in page


def test_an_unreadable_question_csv_is_refused_before_anything_is_stored(world, as_user, app):
    data = BANK_HEADER.encode() + bytes(range(0x80, 0x100))
    _refused(_bank(as_user("inst-a"), world, data), app, ENCODING)


# --- 2. limits: the roster --------------------------------------------------------------------------
def _roster_rows(count: int) -> str:
    return "工号,姓名,单位\n" + "".join(f"U{n},人员{n},一中队\n" for n in range(1, count + 1))


def test_a_roster_at_the_row_limit_previews(world, as_user):
    assert "共 5 人，检查通过" in _roster(as_user("admin-a"), _roster_rows(5).encode()).get_data(as_text=True)


@pytest.mark.parametrize(("data", "name", "message"), ids=["size", "rows", "columns", "cell"], argvalues=[
    (("工号,姓名,单位\n" + "U1,甲,一中队," + "x" * 50_000 + "\n").encode(), "a.csv", "文件超过 40 KB 的上限"),
    (_roster_rows(6).encode(), "a.csv", "数据超过 5 行的上限（第 7 行）"),
    ("工号,姓名,单位\nU1,甲,一中队".encode() + b"," * 30 + "多\n".encode(), "a.csv", "第 2 行第 33 列（AG列）超过 30 列的上限"),
    (f"工号,姓名,单位\nU1,{'名' * 101},一中队\n".encode(), "a.csv", "第 2 行第 2 列（B列）的内容超过 100 字的上限"),
])
def test_a_roster_csv_over_a_limit_is_refused_and_nothing_is_stored(world, as_user, app, data, name, message):
    _refused(_roster(as_user("admin-a"), data, name), app, message)


def test_the_declared_dimension_bomb_is_refused_in_bounded_memory(world, as_user, app):
    client = as_user("admin-a")
    data = hostile_files.dimension_bomb(ROSTER_HEADER)
    assert len(data) < 10_000
    tracemalloc.start()
    try:
        response = _roster(client, data, "炸弹.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _refused(response, app, "表格中的空行超过 5 行")
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize(("data", "message"), ids=["far-column", "long-cells", "styled-blank-rows", "unpacked"],
                         argvalues=[
    (hostile_files.far_column(ROSTER_HEADER, ["U1", "甲", "", "一中队"]), "第 3 行第 16384 列（XFD列）超过 30 列的上限"),
    (hostile_files.long_cells(ROSTER_HEADER), "第 2 行第 1 列（A列）的内容超过 100 字的上限"),
    (hostile_files.styled_blank_rows(ROSTER_HEADER, 50), "表格中的空行超过 5 行"),
    (hostile_files.long_cells(ROSTER_HEADER, rows=1, columns=1, chars=200_000), "Excel 文件解压后超过"),
])
def test_a_hostile_roster_xlsx_is_refused_and_nothing_is_stored(world, as_user, app, data, message):
    _refused(_roster(as_user("admin-a"), data, "名册.xlsx"), app, message)


def test_a_request_over_the_content_length_limit_is_refused_before_it_is_read(world, as_user, app):
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    response = _roster(as_user("admin-a"), b"x" * 200_000)
    _refused(response, app, "文件超过 40 KB 的上限")
    assert response.status_code == 413


def test_a_large_roster_xlsx_checked_in_the_background_fails_with_the_limit_and_keeps_no_rows(world, as_user, app):
    app.config["UPLOAD_QUICK_CHECK_BYTES"] = 0  # every xlsx is "large": only the background task reads it
    rows = [[f"U{n}", f"人员{n}", "", "一中队"] for n in range(1, 8)]
    page = _roster(as_user("admin-a"), roster_xlsx(rows), "名册.xlsx").get_data(as_text=True)
    assert "数据超过 5 行的上限（第 7 行）" in page and "重新上传" in page
    batch = db.session.scalar(select(RosterImport))
    assert (batch.status, batch.rows, batch.people) == ("failed", [], [])
    assert _count(Person) == len([p for p in world.values() if isinstance(p, Person)])
    import os

    assert not os.listdir(app.instance_path + "/uploads")


# --- 2. limits: the question bank ------------------------------------------------------------------
def _gift(count: int, stem: str = "辅警应当服从民警指挥。") -> bytes:
    return "".join(f"::Q{n}:: {stem}（{n}）{{T}}\n\n" for n in range(1, count + 1)).encode()


def _aiken(count: int) -> bytes:
    return "".join(f"第{n}题\nA. 对\nB. 错\nANSWER: A\n\n" for n in range(1, count + 1)).encode()


def _moodle(count: int) -> bytes:
    question = ('<question type="truefalse"><questiontext format="plain_text"><text>第{n}题</text></questiontext>'
                '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
                "</question>")
    return ("<quiz>" + "".join(question.format(n=n) for n in range(1, count + 1)) + "</quiz>").encode()


def _bank_csv(count: int) -> bytes:
    return (BANK_HEADER + "".join(BANK_ROW.format(n=n) for n in range(1, count + 1))).encode()


@pytest.mark.parametrize(("maker", "name"), [(_gift, "a.gift"), (_aiken, "a.txt"), (_moodle, "a.xml"),
                                             (_bank_csv, "a.csv")])
def test_a_question_file_at_the_limit_previews(world, as_user, maker, name):
    page = _bank(as_user("inst-a"), world, maker(4), name).get_data(as_text=True)
    assert "可导入 <strong>4</strong> 题" in page


@pytest.mark.parametrize(("data", "name", "message"), ids=["gift", "aiken", "xml", "csv", "field", "size"],
                         argvalues=[
    (_gift(5), "a.gift", "文件超过 4 题的上限（第 5 题）"),
    (_aiken(5), "a.txt", "文件超过 4 题的上限（第 5 题）"),
    (_moodle(5), "a.xml", "文件超过 4 题的上限（第 5 题）"),
    (_bank_csv(5), "a.csv", "数据超过 4 行的上限（第 6 行）"),
    (_gift(1, "长" * 301), "a.gift", "第 1 题的题干超过 300 字的上限"),
    (_gift(1, "长" * 20_000), "a.gift", "文件超过 40 KB 的上限"),
])
def test_a_question_file_over_a_limit_is_refused_and_nothing_is_stored(world, as_user, app, data, name, message):
    _refused(_bank(as_user("inst-a"), world, data, name), app, message)


def test_a_question_xlsx_bomb_is_refused_and_nothing_is_stored(world, as_user, app):
    header = BANK_HEADER.strip().split(",")
    _refused(_bank(as_user("inst-a"), world, hostile_files.dimension_bomb(header), "题目.xlsx"), app,
             "表格中的空行超过 4 行")


def test_a_large_question_file_over_a_limit_fails_in_the_background_and_stages_nothing(world, as_user, app):
    app.config["UPLOAD_QUICK_CHECK_BYTES"] = 0
    page = _bank(as_user("inst-a"), world, _gift(5), "a.gift").get_data(as_text=True)
    assert "文件超过 4 题的上限（第 5 题）" in page and "重新上传" in page
    batch = db.session.scalar(select(BankImport))
    assert (batch.status, batch.questions, _count(Question)) == ("failed", [], 0)
    import os

    assert not os.listdir(app.instance_path + "/uploads")
