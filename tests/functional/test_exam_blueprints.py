"""Blueprint pages (组卷规则): the editor, whole-or-nothing saves, pool sizes, the picker, scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import clock
from app.exams import attempts
from app.extensions import db
from app.models import AuditEntry, Blueprint, BlueprintRule, Exam, Question
from tests.factories import make_exam, make_exam_questions, make_question, make_world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def world(app):
    world = make_world(instructors=True, bank=True, people={"t1": {"unit": "a1", "staff_no": "T1"}})
    world["singles"] = make_exam_questions(world["cat_a"], single=12, difficulty=3)
    world["easy"] = make_exam_questions(world["cat_a"], single=3, difficulty=1)
    world["tfs"] = make_exam_questions(world["cat_a"], truefalse=6)
    world["b_singles"] = make_exam_questions(world["cat_b"], single=4)
    return world


def rule(i: int, **fields) -> dict:
    values = {"section": "一、单选题", "source_kind": "category", "qtype": "single", "count": "5", "points": "2",
              "include_subcategories": "y"} | fields
    return {f"rules-{i}-{name}": value for name, value in values.items() if value is not None}


def blueprint_form(title="期中测验组卷", *rules) -> dict:
    data = {"title": title}
    for row in rules:
        data |= row
    return data


def test_an_instructor_saves_rule_rows_and_sees_pool_sizes(app, as_user, world):
    client = as_user("inst-a")
    response = client.post("/exams/blueprints/new", data=blueprint_form(
        "期中测验组卷", rule(0, category_id=world["cat_a"].id, count="10", points="2.5"),
        rule(1, section="二、判断题", category_id=world["cat_a"].id, qtype="truefalse", count="5", points="1",
             difficulty_min="", difficulty_max="")))
    assert response.status_code == 302, response.data.decode()[:2000]
    blueprint = db.session.scalar(select(Blueprint))
    assert (blueprint.title, blueprint.owner_unit_id, blueprint.created_by_id) == \
        ("期中测验组卷", world["a"].id, world["inst_a"].id)
    assert [(r.position, r.section, r.qtype, r.count, r.points, r.category_id) for r in blueprint.rules] == [
        (1, "一、单选题", "single", 10, 250, world["cat_a"].id), (2, "二、判断题", "truefalse", 5, 100, world["cat_a"].id)]
    assert _count(AuditEntry, AuditEntry.action == "blueprint_create") == 1
    page = client.get(response.location).data.decode()
    assert "一、单选题" in page and "15" in page and "满分 30" in page  # 12 + 3 usable singles
    assert "分类「一大队题库」及其子分类" in page


def test_one_bad_row_refuses_the_whole_blueprint_naming_each_rule(app, as_user, world):
    client = as_user("inst-a")
    response = client.post("/exams/blueprints/new", data=blueprint_form(
        "", rule(0, category_id=world["cat_a"].id),
        rule(1, category_id=world["cat_b"].id, count="0", points="abc", difficulty_min="4", difficulty_max="2"),
        rule(2, source_kind="tag", tag="", section="")))
    page = response.data.decode()
    assert response.status_code == 400
    for message in ("请填写组卷规则名称", "第2条规则：请选择所属单位题库中的分类", "第2条规则：题目数量应为 1 到 500 的整数",
                    "第2条规则：每题分值应大于 0", "第2条规则：难度下限不能高于上限", "第3条规则：请填写标签",
                    "第3条规则：请填写大题名称"):
        assert message in page, message
    assert _count(Blueprint) == 0 and _count(BlueprintRule) == 0 and _count(AuditEntry, AuditEntry.action.startswith("blueprint")) == 0


def test_a_fixed_paper_keeps_its_order_and_refuses_other_types_and_other_banks(app, as_user, world):
    client = as_user("inst-a")
    chosen = [world["singles"][3], world["singles"][0], world["singles"][7]]
    ids = ",".join(map(str, chosen))
    response = client.post("/exams/blueprints/new", data=blueprint_form(
        "固定试卷", rule(0, source_kind="fixed", question_ids=ids, count="", points="5")))
    assert response.status_code == 302
    fixed = db.session.scalar(select(BlueprintRule))
    assert (fixed.source_kind, fixed.question_ids, fixed.count) == ("fixed", chosen, 3)
    refused = client.post("/exams/blueprints/new", data=blueprint_form(
        "混入别的题", rule(0, source_kind="fixed", points="5",
                       question_ids=f"{chosen[0]},{world['tfs'][0]},{world['b_singles'][0]},999999")))
    page = refused.data.decode()
    assert refused.status_code == 400
    assert f"试题 #{world['b_singles'][0]}、#999999 不存在或不在所属单位的题库中" in page
    assert f"试题 #{world['tfs'][0]} 不是单选题" in page
    assert _count(Blueprint) == 1


def test_the_pool_size_counts_only_usable_questions_of_the_owners_bank(app, as_user, world):
    make_question(world["cat_a"], status="draft")
    waiting = make_question(world["cat_a"], status="ready")
    waiting.needs_review = True
    db.session.commit()
    client = as_user("inst-a")
    owner = world["a"].id
    base = {"owner": owner, "source_kind": "category", "category_id": world["cat_a"].id, "qtype": "single",
            "count": "20", "include_subcategories": "y"}
    assert client.get("/exams/blueprints/pool", query_string=base).json == \
        {"count": 15, "needed": 20, "source": "分类「一大队题库」及其子分类", "problem": ""}
    assert client.get("/exams/blueprints/pool", query_string=base | {"difficulty_max": "2"}).json["count"] == 3
    other = client.get("/exams/blueprints/pool", query_string=base | {"category_id": world["cat_b"].id}).json
    assert other["count"] is None and other["problem"] == "请选择所属单位题库中的分类"
    fixed = base | {"source_kind": "fixed", "question_ids": f"{world['singles'][0]},{waiting.id}"}
    assert client.get("/exams/blueprints/pool", query_string=fixed).json["count"] == 1
    assert client.get("/exams/blueprints/pool", query_string=base | {"owner": world["b"].id}).status_code == 404


def test_the_picker_finds_questions_of_the_owners_bank_by_stem_and_number(app, as_user, world):
    mine = make_question(world["cat_a"], status="ready", stem="机动车在高速公路上行驶的最高车速", external_id="FJ-0001")
    theirs = make_question(world["cat_b"], status="ready", stem="机动车在城市道路上行驶")
    client = as_user("inst-a")
    found = client.get("/exams/blueprints/questions", query_string={"owner": world["a"].id, "q": "机动车",
                                                                    "qtype": "single"}).json["questions"]
    assert [q["id"] for q in found] == [mine.id] and found[0]["usable"] and found[0]["external_id"] == "FJ-0001"
    by_number = client.get("/exams/blueprints/questions", query_string={"owner": world["a"].id, "q": "FJ-0001"}).json
    assert [q["id"] for q in by_number["questions"]] == [mine.id]
    assert client.get("/exams/blueprints/questions", query_string={"owner": world["a"].id,
                                                                   "q": f"#{theirs.id}"}).json["questions"] == []


def _a_blueprint(world, **fields):
    blueprint = Blueprint(title="一大队组卷", owner_unit_id=world["a"].id, created_by_id=world["inst_a"].id,
                          rules=[BlueprintRule(position=1, section="一、单选题", source_kind="category",
                                               category_id=world["cat_a"].id, qtype="single", count=5, points=200)])
    db.session.add(blueprint)
    db.session.commit()
    return blueprint


def test_blueprints_outside_the_scope_answer_404_and_trainees_403(app, as_user, world):
    blueprint = _a_blueprint(world)
    routes = [("get", f"/exams/blueprints/{blueprint.id}", {}), ("get", f"/exams/blueprints/{blueprint.id}/edit", {}),
              ("get", f"/exams/blueprints/{blueprint.id}/preview", {}),
              ("post", f"/exams/blueprints/{blueprint.id}/edit",
               blueprint_form("改名", rule(0, category_id=world["cat_b"].id))),
              ("post", f"/exams/blueprints/{blueprint.id}/delete", {})]
    for staff_no, status in (("inst-b", 404), ("admin-b", 404), ("T1", 403)):
        client = as_user(staff_no)
        for method, url, data in routes:
            assert getattr(client, method)(url, data=data).status_code == status, (staff_no, method, url)
    assert "一大队组卷" not in as_user("inst-b").get("/exams/blueprints").data.decode()
    assert "一大队组卷" in as_user("admin-a").get("/exams/blueprints").data.decode()
    db.session.expire_all()
    assert db.session.get(Blueprint, blueprint.id).title == "一大队组卷" and _count(AuditEntry, AuditEntry.action.startswith("blueprint")) == 0


def test_changing_the_paper_of_a_blueprint_with_a_started_exam_is_refused(app, as_user, world):
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]])
    exam.blueprint.owner_unit_id, exam.owner_unit_id = world["a"].id, world["a"].id
    db.session.commit()
    attempts.start(exam.id, world["t1"].id, now=clock.now())
    client = as_user("inst-a")
    response = client.post(f"/exams/blueprints/{exam.blueprint_id}/edit", data=blueprint_form(
        "测试组卷规则", rule(0, category_id=world["cat_a"].id, count="6")))
    assert response.status_code == 409
    assert "已有人开始作答，不能再修改它所用组卷规则的题目或分值" in response.data.decode()
    db.session.expire_all()
    assert db.session.get(Blueprint, exam.blueprint_id).rules[0].count == 5
    renamed = client.post(f"/exams/blueprints/{exam.blueprint_id}/edit", data=blueprint_form(
        "改个名字", rule(0, section="一、单选题", category_id=world["cat_a"].id, count="5", points="2")))
    assert renamed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Blueprint, exam.blueprint_id).title == "改个名字"


def test_changing_the_blueprint_of_a_published_exam_republishes_it_or_refuses(app, as_user, world):
    exam = make_exam(category=world["cat_a"], audience_units=[world["a"]])
    exam.blueprint.owner_unit_id = world["a"].id
    db.session.commit()
    key, url = exam.pool_key, f"/exams/blueprints/{exam.blueprint_id}/edit"
    client = as_user("inst-a")
    short = client.post(url, data=blueprint_form("测试组卷规则", rule(0, category_id=world["cat_a"].id, count="40")))
    assert short.status_code == 409
    assert "考试「测试考试」第1条规则：分类「一大队题库」及其子分类的单选题仅有 15 道，需要 40 道" in short.data.decode()
    db.session.expire_all()
    assert db.session.get(Blueprint, exam.blueprint_id).rules[0].count == 5
    assert db.session.get(Exam, exam.id).version == 1
    grown = client.post(url, data=blueprint_form("测试组卷规则", rule(0, category_id=world["cat_a"].id, count="8"),
                                                 rule(1, section="二、判断题", qtype="truefalse", count="2", points="1",
                                                      category_id=world["cat_a"].id)))
    assert grown.status_code == 302
    db.session.expire_all()
    exam = db.session.get(Exam, exam.id)
    assert (exam.version, exam.status) == (2, "published") and exam.pool_key != key
    assert [r.count for r in exam.blueprint.rules] == [8, 2]
    paper, _ = attempts.start(exam.id, world["t1"].id, now=clock.now())
    assert len(paper.items) == 10


def test_the_sample_paper_shows_questions_with_their_answers(app, as_user, world):
    blueprint = _a_blueprint(world)
    page = as_user("inst-a").get(f"/exams/blueprints/{blueprint.id}/preview").data.decode()
    assert page.count("测试题干") == 5 and "正确" in page and "满分 10 分" in page
    stems = {q.stem_text for q in db.session.scalars(select(Question).where(Question.category_id == world["cat_a"].id))}
    assert any(stem in page for stem in stems)


def test_a_blueprint_no_exam_uses_can_be_deleted(app, as_user, world):
    blueprint = _a_blueprint(world)
    used = make_exam(category=world["cat_a"], publish=False)
    used.blueprint.owner_unit_id = world["a"].id
    db.session.commit()
    client, unused_id, used_id = as_user("inst-a"), blueprint.id, used.blueprint_id
    assert client.post(f"/exams/blueprints/{used_id}/delete").status_code == 409
    assert client.post(f"/exams/blueprints/{unused_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Blueprint, unused_id) is None and db.session.get(Blueprint, used_id)
    assert _count(AuditEntry, AuditEntry.action == "blueprint_delete") == 1
