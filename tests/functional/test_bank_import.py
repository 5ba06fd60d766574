"""The import wizard: upload → preview with errors → confirm (all or nothing, skip invalid, duplicates)."""

import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, BankImport, Question, QuestionCategory
from tests.factories import make_competency, make_question, make_world

HEADER = "编号,分类,题型,题干,选项A,选项B,选项C,选项D,答案,解析,难度,知识点,分值,法规依据,标签\n"
GOOD = [
    "T-1,,单选,辅警能否当场罚款？,能,不能,,,B,,1,FJ-LAW,1,《道路交通安全法》,\n",
    "T-2,,判断,辅警应当服从民警指挥。,,,,,对,,2,,1,,\n",
    "T-3,,多选,下列属于交通信号的是：,信号灯,标志,导航语音,,AB,,2,,2,,\n",
]
BAD_TYPE = "T-4,,单选,没有答案的单选题,甲,乙,,,,,1,,1,,\n"
UNKNOWN_CODE = "T-5,,单选,知识点编码写错的题,甲,乙,,,A,,1,NOPE,1,,\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode("utf-8-sig")


def _upload(client, category_id: int, data: bytes, filename: str = "题目.csv", **extra):
    form = {"file": (io.BytesIO(data), filename), "category_id": str(category_id)} | extra
    return client.post("/bank/import", data=form, content_type="multipart/form-data", follow_redirects=True)


def _batch() -> BankImport:
    return db.session.scalars(select(BankImport).order_by(BankImport.id.desc())).first()


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_import_page_and_template_download(app, as_user):
    make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    assert "试题导入模板" in client.get("/bank/import").data.decode()
    response = client.get("/bank/import/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_clean_file_previews_then_imports_as_drafts(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    client = as_user("inst-a")
    response = _upload(client, w["cat_a"].id, _csv(*GOOD))
    page = response.data.decode()
    assert response.status_code == 200 and "可导入 <strong>3</strong> 题" in page and "辅警能否当场罚款" in page
    assert _count() == 0
    batch = _batch()
    assert client.post(f"/bank/import/{batch.id}/confirm", data={}).status_code == 302
    rows = list(db.session.scalars(select(Question).order_by(Question.id)))
    assert [r.external_id for r in rows] == ["T-1", "T-2", "T-3"]
    assert all(r.status == "draft" and r.category_id == w["cat_a"].id for r in rows)
    assert [c.code for c in rows[0].competencies] == ["FJ-LAW"]
    db.session.expire_all()
    assert _batch().status == "imported"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "bank_import")).detail["count"] == 3


def test_preview_lists_errors_and_confirm_imports_nothing(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    client = as_user("inst-a")
    page = _upload(client, w["cat_a"].id, _csv(*GOOD, BAD_TYPE, UNKNOWN_CODE)).data.decode()
    assert "第5行" in page and "知识点编码不存在或已停用：NOPE" in page and "错误 <strong class=\"text-danger\">2</strong>" in page
    response = client.post(f"/bank/import/{_batch().id}/confirm", data={})
    assert response.status_code == 400 and "未导入任何试题" in response.data.decode()
    assert _count() == 0 and _batch().status == "previewed"


def test_skip_invalid_imports_only_the_valid_questions(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    client = as_user("inst-a")
    page = _upload(client, w["cat_a"].id, _csv(*GOOD, BAD_TYPE, UNKNOWN_CODE), skip_invalid="y").data.decode()
    assert 'name="skip_invalid" type="checkbox" value="y" checked' in page or "checked" in page
    response = client.post(f"/bank/import/{_batch().id}/confirm", data={"skip_invalid": "y"})
    assert response.status_code == 302
    assert sorted(db.session.scalars(select(Question.external_id))) == ["T-1", "T-2", "T-3"]


def test_duplicates_are_skipped_by_default_and_imported_when_asked(app, as_user):
    w = make_world(instructors=True, bank=True)
    existing = make_question(w["cat_a"], stem="已在题库中的题", external_id="OLD-1")
    row = "NEW-1,,单选,已在题库中的题,正确选项,错误选项一,错误选项二,,A,,1,,1,,\n"
    client = as_user("inst-a")
    page = _upload(client, w["cat_a"].id, _csv(row, GOOD[1])).data.decode()
    assert f"与已有试题 #{existing.id} 重复" in page
    client.post(f"/bank/import/{_batch().id}/confirm", data={"duplicates": "skip"})
    assert _count() == 2
    _upload(client, w["cat_a"].id, _csv(row))
    client.post(f"/bank/import/{_batch().id}/confirm", data={"duplicates": "import"})
    assert _count() == 3


def test_reimporting_the_same_file_skips_every_question(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    client = as_user("inst-a")
    _upload(client, w["cat_a"].id, _csv(*GOOD))
    client.post(f"/bank/import/{_batch().id}/confirm", data={})
    page = _upload(client, w["cat_a"].id, _csv(*GOOD)).data.decode()
    assert "与题库重复 <strong>3</strong> 题" in page
    client.post(f"/bank/import/{_batch().id}/confirm", data={})
    assert _count() == 3


def test_file_categories_become_subcategories_when_asked(app, as_user):
    w = make_world(instructors=True, bank=True)
    row = "C-1,法规/道路,判断,分类测试题,,,,,错,,1,,1,,\n"
    client = as_user("inst-a")
    _upload(client, w["cat_a"].id, _csv(row))
    client.post(f"/bank/import/{_batch().id}/confirm", data={"use_file_categories": "y"})
    question = db.session.scalar(select(Question))
    assert question.data["category"] == ["一大队题库", "法规", "道路"]
    assert question.category.owner_unit_id == w["a"].id
    assert db.session.scalar(select(func.count()).select_from(QuestionCategory)) == 4


def test_unreadable_or_empty_upload_gets_a_clear_error(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    response = _upload(client, w["cat_a"].id, b"whatever", filename="题目.pdf")
    assert response.status_code == 400 and "无法识别文件格式" in response.data.decode()
    response = _upload(client, w["cat_a"].id, b"", filename="题目.csv")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BankImport)) == 0


def test_gift_upload_is_previewed_with_line_numbers(app, as_user):
    w = make_world(instructors=True, bank=True)
    gift = "::Q1:: 辅警可以独立执法吗？{FALSE}\n\n::Q2:: 坏掉的题 {=甲 ~乙\n"
    page = _upload(as_user("inst-a"), w["cat_a"].id, gift.encode(), filename="题目.gift").data.decode()
    assert "可导入 <strong>1</strong> 题" in page and "行" in page


def test_import_into_another_units_category_is_404(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    response = _upload(client, w["cat_b"].id, _csv(GOOD[1]))
    assert response.status_code in (400, 404) and db.session.scalar(select(func.count()).select_from(BankImport)) == 0
    _upload(as_user("inst-b"), w["cat_b"].id, _csv(GOOD[1]))
    assert client.post(f"/bank/import/{_batch().id}/confirm", data={}).status_code == 404
    assert _count() == 0


def test_upload_redirects_to_its_batch_and_progress_points_to_the_preview(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    form = {"file": (io.BytesIO(_csv(GOOD[1])), "题目.csv"), "category_id": str(w["cat_a"].id), "skip_invalid": "y"}
    response = client.post("/bank/import", data=form, content_type="multipart/form-data")
    batch = _batch()
    assert response.status_code == 302 and f"/bank/import/{batch.id}?skip_invalid=y" in response.headers["Location"]
    progress = client.get(f"/bank/import/{batch.id}/progress?skip_invalid=y")
    assert progress.headers["HX-Redirect"] == f"/bank/import/{batch.id}?skip_invalid=y"
    assert batch.status == "previewed"


def test_a_waiting_batch_shows_progress_and_the_task_fills_it(app, as_user, tmp_path):
    from app.auth.scope import Scope
    from app.bank.staging import stage, upload_path
    from app.bank.tasks import parse_bank_import_task

    w = make_world(instructors=True, bank=True)
    batch_id = stage(w["inst_a"].id, Scope(None), category_id=w["cat_a"].id, filename="题目.csv",
                  data=_csv(*GOOD[1:]), upload_dir=tmp_path)
    client = as_user("inst-a")
    page = client.get(f"/bank/import/{batch_id}").data.decode()
    assert "排队等待解析" in page and 'hx-trigger="every 1s"' in page
    progress = client.get(f"/bank/import/{batch_id}/progress")
    assert "HX-Redirect" not in progress.headers
    parse_bank_import_task(batch_id, str(tmp_path))
    db.session.expire_all()
    assert _batch().status == "previewed" and len(_batch().questions) == 2
    assert not upload_path(tmp_path, batch_id).exists()
    assert "可导入 <strong>2</strong> 题" in client.get(f"/bank/import/{batch_id}").data.decode()


def test_a_file_that_cannot_be_parsed_is_refused_at_the_upload_and_nothing_is_stored(app, as_user):
    w = make_world(instructors=True, bank=True)
    response = _upload(as_user("inst-a"), w["cat_a"].id, b"not a zip", filename="题目.xlsx")
    assert response.status_code == 400 and "无法读取该 Excel 文件" in response.data.decode()
    assert _batch() is None and _count() == 0


def test_a_file_that_fails_in_the_parse_task_shows_the_reason(app, as_user, tmp_path):
    from app.auth.scope import Scope
    from app.bank.staging import stage, upload_path
    from app.bank.tasks import parse_bank_import_task

    w = make_world(instructors=True, bank=True)
    app.config["UPLOAD_QUICK_CHECK_BYTES"] = 0  # a "large" file: only the task reads it whole
    batch_id = stage(w["inst_a"].id, Scope(None), category_id=w["cat_a"].id, filename="题目.xml",
                     data=b"<quiz><question", upload_dir=tmp_path)
    parse_bank_import_task(batch_id, str(tmp_path))
    page = as_user("inst-a").get(f"/bank/import/{batch_id}").data.decode()
    assert "无法读取文件" in page and "XML 格式错误" in page and "重新上传" in page
    assert _batch().status == "failed" and _batch().questions == [] and _count() == 0
    assert not upload_path(tmp_path, batch_id).exists()


def test_another_instructors_batch_is_404(app, as_user):
    w = make_world(instructors=True, bank=True)
    _upload(as_user("inst-all"), w["cat_a"].id, _csv(GOOD[1]))
    client = as_user("inst-a")
    assert client.get(f"/bank/import/{_batch().id}").status_code == 404
    assert client.get(f"/bank/import/{_batch().id}/progress").status_code == 404


def test_parse_progress_lives_in_its_own_columns_and_the_page_shows_the_percentage(app, as_user, tmp_path):
    from app.auth.scope import Scope
    from app.bank.staging import stage
    from app.bank.tasks import parse_bank_import_task

    w = make_world(instructors=True, bank=True)
    batch_id = stage(w["inst_a"].id, Scope(None), category_id=w["cat_a"].id, filename="题目.csv",
                     data=_csv(*GOOD), upload_dir=tmp_path)
    batch = db.session.get(BankImport, batch_id)
    batch.status, batch.progress_done, batch.progress_total = "parsing", 30, 120
    db.session.commit()
    progress = as_user("inst-a").get(f"/bank/import/{batch_id}/progress")
    assert "HX-Redirect" not in progress.headers and "25%" in progress.data.decode()
    assert "正在解析并逐题检查" in progress.data.decode()
    parse_bank_import_task(batch_id, str(tmp_path))  # a parse still marked running takes up again
    db.session.expire_all()
    batch = db.session.get(BankImport, batch_id)
    assert batch.status == "previewed" and batch.progress_done == batch.progress_total > 0  # every row read
