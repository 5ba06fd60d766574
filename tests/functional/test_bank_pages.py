"""Instructor pages of the question bank: browser, categories, editor, versions, bulk status."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Question, QuestionCategory, QuestionTag, QuestionVersion
from tests.factories import make_bank_category, make_competency, make_question, make_world


def _audit(action: str) -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_bank_browser_lists_questions_in_scope_with_filters(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_question(w["cat_a"], stem="路口执勤的规范做法")
    make_question(w["cat_a"], stem="窗口服务用语", status="ready")
    make_question(w["cat_b"], stem="二大队的秘密题目")
    client = as_user("inst-a")
    page = client.get("/bank/").data.decode()
    assert "路口执勤的规范做法" in page and "窗口服务用语" in page and "二大队的秘密题目" not in page
    page = client.get("/bank/?q=窗口&status=ready").data.decode()
    assert "窗口服务用语" in page and "路口执勤" not in page


def test_bank_browser_shows_what_to_do_when_empty(app, as_user):
    make_world(instructors=True, bank=True)
    page = as_user("inst-a").get("/bank/").data.decode()
    assert "没有符合条件的试题" in page and "导入试题文件" in page


def test_browser_filters_by_category_subtree_competency_and_review(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    child = make_bank_category("法规", parent=w["cat_a"])
    make_question(child, stem="子分类里的题", competencies=["FJ-LAW"])
    make_question(w["cat_a"], stem="上级分类里的题")
    client = as_user("inst-a")
    page = client.get(f"/bank/?category_id={w['cat_a'].id}").data.decode()
    assert "子分类里的题" in page and "上级分类里的题" in page
    page = client.get(f"/bank/?category_id={child.id}").data.decode()
    assert "子分类里的题" in page and "上级分类里的题" not in page
    page = client.get("/bank/?competency=FJ-LAW").data.decode()
    assert "子分类里的题" in page and "上级分类里的题" not in page
    assert "没有符合条件的试题" in client.get("/bank/?needs_review=1").data.decode()


def test_trainee_and_admin_without_instructor_role_get_403(app, as_user):
    w = make_world(instructors=True, bank=True)
    for staff_no in ("trainee-a", "admin-a"):
        client = as_user(staff_no)
        assert client.get("/bank/").status_code == 403
        assert client.get("/bank/categories").status_code == 403
        assert client.post("/bank/preview", data={"stem": "x"}).status_code == 403
        assert client.post("/bank/categories", data={"name": "越权题库", "owner_unit_id": w["a"].id}).status_code == 403
        assert client.post(f"/bank/categories/{w['cat_a'].id}/delete").status_code == 403
    assert _count(QuestionCategory) == 2 and _audit("bank_category_create") is None


def test_instructor_creates_renames_and_deletes_a_category(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    assert client.post("/bank/categories", data={"parent_id": w["cat_a"].id, "name": "法规"}).status_code == 302
    category = db.session.scalar(select(QuestionCategory).where(QuestionCategory.name == "法规"))
    assert category.owner_unit_id == w["a"].id and category.path == f"{w['cat_a'].path}{category.id}/"
    assert "法规" in client.get("/bank/categories").data.decode()
    client.post(f"/bank/categories/{category.id}", data={"name": "法律法规"})
    assert db.session.get(QuestionCategory, category.id).name == "法律法规"
    category_id = category.id
    assert client.post(f"/bank/categories/{category_id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(QuestionCategory, category_id) is None
    assert _audit("bank_category_create") and _audit("bank_category_rename") and _audit("bank_category_delete")


def test_a_category_with_questions_cannot_be_deleted(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_question(w["cat_a"])
    response = as_user("inst-a").post(f"/bank/categories/{w['cat_a'].id}/delete")
    assert response.status_code == 409 and db.session.get(QuestionCategory, w["cat_a"].id) is not None


def test_scoped_instructor_creates_roots_only_for_units_in_scope(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    assert client.post("/bank/categories", data={"name": "乙的题库", "owner_unit_id": w["b"].id}).status_code == 404
    assert client.post("/bank/categories", data={"name": "无主题库"}).status_code == 404
    assert client.post("/bank/categories", data={"name": "一中队题库", "owner_unit_id": w["a1"].id}).status_code == 302
    same_name = {"name": "一大队题库", "owner_unit_id": w["b"].id}
    assert as_user("inst-b").post("/bank/categories", data=same_name).status_code == 302
    assert client.post("/bank/categories", data=same_name | {"owner_unit_id": w["a"].id}).status_code == 409
    names = set(db.session.scalars(select(QuestionCategory.name)))
    assert "一中队题库" in names and "乙的题库" not in names and "无主题库" not in names


def test_unowned_category_is_editable_only_by_an_unscoped_instructor(app, as_user):
    make_world(instructors=True, bank=True)
    shared = make_bank_category("公共题库")
    assert as_user("inst-a").get(f"/bank/?category_id={shared.id}").status_code == 404
    assert as_user("inst-all").post(f"/bank/categories/{shared.id}", data={"name": "公共"}).status_code == 302
    assert db.session.get(QuestionCategory, shared.id).name == "公共"


def test_instructor_of_another_unit_gets_404_everywhere(app, as_user):
    w = make_world(instructors=True, bank=True)
    question = make_question(w["cat_b"], stem="乙的题")
    client = as_user("inst-a")
    audits = _count(AuditEntry)
    assert client.get(f"/bank/questions/{question.id}").status_code == 404
    assert client.get(f"/bank/questions/{question.id}/edit").status_code == 404
    data = {"qtype": "single", "stem": "改掉", "option_A": "甲", "option_B": "乙", "correct": "A"}
    assert client.post(f"/bank/questions/{question.id}/edit", data=data).status_code == 404
    assert client.post(f"/bank/categories/{w['cat_b'].id}", data={"name": "x"}).status_code == 404
    assert client.post(f"/bank/categories/{w['cat_b'].id}/delete").status_code == 404
    assert client.get(f"/bank/?category_id={w['cat_b'].id}").status_code == 404
    assert client.get(f"/bank/export?fmt=gift&category_id={w['cat_b'].id}").status_code == 404
    assert client.post(f"/bank/questions/{question.id}/reapprove").status_code == 404
    assert client.post("/bank/status", data={"question_id": question.id, "status": "ready"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Question, question.id).current_number == 1
    assert db.session.get(Question, question.id).status == "draft"
    assert db.session.get(QuestionCategory, w["cat_b"].id).name == "二大队题库"
    assert _count(AuditEntry) == audits


def test_editor_creates_each_question_type(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    client = as_user("inst-a")
    forms = {
        "single": {"option_A": "甲", "option_B": "乙", "correct": "B"},
        "multiple": {"option_A": "甲", "option_B": "乙", "option_C": "丙", "correct": ["A", "C"]},
        "truefalse": {"answer": "false"},
        "fill": {"stem": "机动车应当____行驶，____通行。", "blanks": "靠右;右侧\n各行其道"},
        "essay": {"reference_answer": "先劝阻，再报告。", "rubric": "劝阻2分，报告3分"},
    }
    for qtype, fields in forms.items():
        data = {"qtype": qtype, "category_id": w["cat_a"].id, "stem": f"{qtype}题干", "points": "2",
                "difficulty": "3", "competencies": "FJ-LAW", "legal_basis": "《道路交通安全法》", "tags": "甲,乙"}
        response = client.post("/bank/questions/new", data=data | fields)
        assert response.status_code == 302, response.data.decode()[:2000]
    rows = {q.qtype: q for q in db.session.scalars(select(Question))}
    assert set(rows) == set(forms)
    assert rows["multiple"].data["options"][2]["weight"] == 50 and rows["truefalse"].data["answer"] is False
    assert rows["fill"].data["blanks"][0][1]["text"] == "右侧" and rows["essay"].data["rubric"] == "劝阻2分，报告3分"
    single = rows["single"]
    assert single.data["points"] == 200 and single.difficulty == 3 and single.data["tags"] == ["甲", "乙"]
    assert set(db.session.scalars(select(QuestionTag.tag).where(QuestionTag.question_id == single.id))) == {"甲", "乙"}
    assert [c.code for c in single.competencies] == ["FJ-LAW"] and single.status == "draft"
    assert single.data["category"] == ["一大队题库"] and len(single.versions) == 1
    assert _audit("bank_question_create")


def test_editor_rejects_invalid_input_with_a_chinese_message_and_writes_nothing(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    base = {"qtype": "single", "category_id": w["cat_a"].id, "stem": "题干", "option_A": "甲", "option_B": "乙"}
    response = client.post("/bank/questions/new", data=base)
    assert response.status_code == 400 and "单选题必须有一个正确答案" in response.data.decode()
    response = client.post("/bank/questions/new", data=base | {"correct": "A", "competencies": "NOPE"})
    assert response.status_code == 400 and "知识点编码不存在或已停用：NOPE" in response.data.decode()
    response = client.post("/bank/questions/new", data=base | {"correct": "A", "points": "abc"})
    assert response.status_code == 400 and "分值" in response.data.decode()
    assert _count(Question) == 0


@pytest.mark.parametrize("difficulty", ["²", "٣", "５", "3.0", "-1", "0", "6", "abc", "9" * 30, "9" * 5000])
def test_a_bad_difficulty_is_refused_with_a_chinese_message_and_writes_nothing(app, as_user, difficulty):
    w = make_world(instructors=True, bank=True)
    question = make_question(w["cat_a"], stem="旧题干")
    client = as_user("inst-a")
    data = {"qtype": "single", "category_id": w["cat_a"].id, "stem": "题干", "option_A": "甲", "option_B": "乙",
            "correct": "A", "difficulty": difficulty}
    response = client.post("/bank/questions/new", data=data)
    assert response.status_code == 400 and "难度" in response.get_data(as_text=True)
    response = client.post(f"/bank/questions/{question.id}/edit", data=data)
    assert response.status_code == 400 and "难度" in response.get_data(as_text=True)
    assert _count(Question) == 1 and _count(QuestionVersion) == 1
    assert _audit("bank_question_create") is None and _audit("bank_question_edit") is None


def test_saving_a_duplicate_warns_unless_confirmed(app, as_user):
    w = make_world(instructors=True, bank=True)
    existing = make_question(w["cat_a"], stem="重复的题干")
    client = as_user("inst-a")
    data = {"qtype": "single", "category_id": w["cat_a"].id, "stem": "重复的题干",
            "option_A": "正确选项", "option_B": "错误选项一", "option_C": "错误选项二", "correct": "A"}
    response = client.post("/bank/questions/new", data=data)
    assert response.status_code == 409 and f"#{existing.id}" in response.data.decode()
    assert _count(Question) == 1
    assert client.post("/bank/questions/new", data=data | {"allow_duplicate": "1"}).status_code == 302
    assert _count(Question) == 2


def test_editing_creates_a_new_version_and_keeps_the_old_one(app, as_user):
    w = make_world(instructors=True, bank=True)
    question = make_question(w["cat_a"], stem="旧题干")
    old_data = dict(question.versions[0].data)
    client = as_user("inst-a")
    page = client.get(f"/bank/questions/{question.id}/edit").data.decode()
    assert "旧题干" in page and 'value="正确选项"' in page
    data = {"qtype": "single", "category_id": w["cat_a"].id, "stem": "新题干", "option_A": "正确选项",
            "option_B": "错误选项一", "option_C": "错误选项三", "correct": "C", "note": "改正答案"}
    assert client.post(f"/bank/questions/{question.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    versions = list(db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                       .order_by(QuestionVersion.number)))
    assert question.current_number == 2 and [v.number for v in versions] == [1, 2]
    assert versions[0].data == old_data and versions[1].data["stem"] == "新题干"
    assert question.stem_text == "新题干" and question.data == versions[1].data and versions[1].note == "改正答案"
    page = client.get(f"/bank/questions/{question.id}").data.decode()
    assert "第 2 版" in page and "第 1 版" in page and "旧题干" in page and "新题干" in page
    assert _audit("bank_question_edit")


def test_markdown_preview_renders_sanitised_html(app, as_user):
    make_world(instructors=True, bank=True)
    response = as_user("inst-a").post("/bank/preview", data={"stem": "**重点**<script>alert(1)</script>"})
    body = response.data.decode()
    assert response.status_code == 200 and "<strong>重点</strong>" in body and "<script>" not in body


def test_editor_pages_render_for_every_type(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    for qtype, marker in (("single", "option_H"), ("multiple", "可多个"), ("truefalse", 'name="answer"'),
                          ("fill", 'name="blanks"'), ("essay", 'name="rubric"')):
        page = client.get(f"/bank/questions/new?type={qtype}&category_id={w['cat_a'].id}").data.decode()
        assert marker in page and 'hx-post="/bank/preview"' in page


def test_bulk_status_follows_the_allowed_transitions(app, as_user):
    w = make_world(instructors=True, bank=True)
    draft = make_question(w["cat_a"])
    flagged = make_question(w["cat_a"])
    flagged.needs_review = True
    retired = make_question(w["cat_a"], status="retired")
    db.session.commit()
    client = as_user("inst-a")
    response = client.post("/bank/status", data={"question_id": [draft.id, flagged.id], "status": "ready"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, draft.id).status == "ready"
    assert db.session.get(Question, flagged.id).status == "draft"
    client.post("/bank/status", data={"question_id": [retired.id], "status": "ready"})
    db.session.expire_all()
    assert db.session.get(Question, retired.id).status == "retired"
    client.post("/bank/status", data={"question_id": [draft.id], "status": "retired"})
    client.post("/bank/status", data={"question_id": [retired.id], "status": "draft"})
    db.session.expire_all()
    assert db.session.get(Question, draft.id).status == "retired"
    assert db.session.get(Question, retired.id).status == "draft"
    assert _audit("bank_question_status")


def test_bulk_status_with_nothing_chosen_is_a_clear_error(app, as_user):
    make_world(instructors=True, bank=True)
    response = as_user("inst-a").post("/bank/status", data={"status": "ready"})
    assert response.status_code == 400 and "请先勾选试题" in response.data.decode()
    assert _audit("bank_question_status") is None


def test_browser_and_detail_queries_do_not_grow_with_the_bank(app, as_user):
    from tests.sql_budget import count_statements

    w = make_world(instructors=True, bank=True)
    make_competency("FJ-LAW")
    first = make_question(w["cat_a"], competencies=["FJ-LAW"])
    client = as_user("inst-a")

    def statements(url: str) -> int:
        with count_statements() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    small = statements("/bank/"), statements(f"/bank/questions/{first.id}")
    for _ in range(15):
        make_question(w["cat_a"], competencies=["FJ-LAW"])
    assert (statements("/bank/"), statements(f"/bank/questions/{first.id}")) == small


def test_a_retired_competency_stays_on_questions_citing_it_but_cannot_be_added(app, as_user):
    w = make_world(instructors=True, bank=True)
    old = make_competency("OLD-CODE")
    question = make_question(w["cat_a"], competencies=["OLD-CODE"])
    old.active = False
    db.session.commit()
    client = as_user("inst-a")
    base = {"category_id": w["cat_a"].id, "stem": "改过的题干", "option_A": "甲", "option_B": "乙", "correct": "A"}
    kept = client.post(f"/bank/questions/{question.id}/edit", data=base | {"competencies": "OLD-CODE"})
    assert kept.status_code == 302
    db.session.expire_all()
    assert [c.code for c in db.session.get(Question, question.id).competencies] == ["OLD-CODE"]
    response = client.post("/bank/questions/new", data=base | {"qtype": "single", "competencies": "OLD-CODE"})
    assert response.status_code == 400 and "知识点编码不存在或已停用：OLD-CODE" in response.data.decode()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 1
