"""Bad input found by the form fuzz (test_fuzz_forms.py), one regression each: a clear Chinese answer,
never a 500, and nothing written; and no `next` leads off the site."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Assignment,
    AuditEntry,
    Blueprint,
    ClassSession,
    Exam,
    ExamOverride,
    OrgUnit,
    Person,
    Question,
    QuestionCategory,
    RosterImport,
)
from tests.factories import (
    login,
    make_course,
    make_exam,
    make_exam_questions,
    make_question,
    make_training_class,
    make_world,
)

EVIL = ["https://evil.example/", "//evil.example", "/\\evil.example"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app):
    return make_world(instructors=True, bank=True)


# --- control characters: one guard for every form, query and file name ------------------------------


def test_a_nul_in_a_form_value_is_refused_in_chinese_before_anything_is_written(world, as_user):
    client = as_user("admin-a")
    units, audits = _count(OrgUnit), _count(AuditEntry)
    response = client.post("/org/units", data={"name": "新\x00单位", "parent_id": str(world["a"].id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "不可见的控制字符" in page and "新□单位" in page
    assert (_count(OrgUnit), _count(AuditEntry)) == (units, audits)


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_every_control_character_but_tab_and_line_breaks_is_refused(world, as_user, char):
    response = as_user("inst-a").post("/bank/categories", data={"name": f"分类{char}"})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_tabs_and_line_breaks_are_kept(app, world, as_user):
    course = make_course(lessons=(5,))
    lesson = course.lessons[0]
    response = as_user("inst-all").post(f"/curriculum/lessons/{lesson.id}", data={
        "title": "第一课", "min_minutes": "5", "body": "## 要点\r\n\r\n|甲\t|乙|\r\n"})
    assert response.status_code == 302
    db.session.refresh(lesson)
    assert "\t" in lesson.body


def test_a_password_with_a_control_character_is_refused_without_showing_it(world, app):
    client = app.test_client()
    response = login(client, "admin-a", "Passw0rd\x01秘密")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "控制字符" in page and "秘密" not in page


def test_control_characters_in_a_query_are_refused(world, as_user):
    response = as_user("admin-a").get("/org/people?q=%00")
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_a_file_name_with_a_control_character_stores_nothing(world, as_user):
    response = as_user("admin-a").post("/org/import", data={"file": (io.BytesIO(b"a,b\n"), "名册\x01.csv")},
                                       content_type="multipart/form-data")
    assert response.status_code == 400 and "文件名中含有不可见的控制字符" in response.get_data(as_text=True)
    assert _count(RosterImport) == 0


# --- ids typed into forms ------------------------------------------------------------------------------


def test_bulk_status_ignores_ids_that_are_not_ids(world, as_user):
    question = make_question(world["cat_a"], status="ready")
    response = as_user("inst-a").post("/bank/status", data={
        "question_id": ["²", "٣", "-1", str(2**63), str(question.id)], "status": "retired"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.status == "retired"


def test_fixed_question_ids_that_are_not_ids_are_refused_not_a_500(world, as_user):
    response = as_user("inst-a").post("/exams/blueprints/new", data={
        "title": "指定题目", "rules-0-source_kind": "fixed", "rules-0-question_ids": "²,٣", "rules-0-qtype": "single",
        "rules-0-points": "2"})
    assert response.status_code == 400 and _count(Blueprint) == 0


def test_the_picker_search_for_a_superscript_number_finds_nothing(world, as_user):
    make_exam_questions(world["cat_a"], single=2)
    response = as_user("inst-a").get(f"/exams/blueprints/questions?owner={world['a'].id}&q=%23²")
    assert response.status_code == 200 and response.json["questions"] == []


@pytest.mark.parametrize("owner", ["-1", "999999"])
def test_a_root_category_of_a_unit_that_does_not_exist_is_not_found_even_for_a_global_instructor(world, as_user,
                                                                                                 owner):
    client = as_user("inst-all")
    categories = _count(QuestionCategory)
    response = client.post("/bank/categories", data={"name": "新分类", "owner_unit_id": owner})
    assert response.status_code == 404 and "所选单位不存在" in response.get_data(as_text=True)
    assert _count(QuestionCategory) == categories


# --- the exam forms ------------------------------------------------------------------------------------


def test_an_exam_without_a_blueprint_is_refused_in_chinese(world, as_user):
    response = as_user("inst-a").post("/exams/manage/new", data={
        "title": "考试", "kind": "formal", "blueprint_id": "", "opens_at": "2026-05-01T09:00",
        "closes_at": "2026-05-02T09:00", "duration_minutes": "60", "attempts_allowed": "1", "counting": "highest",
        "pass_percent": "60", "multi_policy": "partial", "review_timing": "on_submit", "layout": "all"})
    assert response.status_code == 400 and "请选择组卷规则" in response.get_data(as_text=True)
    assert _count(Exam) == 0


def test_a_rule_rows_own_messages_are_in_chinese_and_name_the_row_and_field(world, as_user):
    response = as_user("inst-a").post("/exams/blueprints/new", data={
        "title": "组卷", "rules-0-source_kind": "category", "rules-0-category_id": str(world["cat_a"].id),
        "rules-0-qtype": "single", "rules-0-count": "很多", "rules-0-points": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "第 1 条规则 题数：不是有效的整数" in page
    assert "Not a valid" not in page and "count：" not in page and _count(Blueprint) == 0


# --- typed dates: 1900 to 2099 (year 1 has no UTC eve, year 9999 no next month) -----------------------


def test_a_join_date_outside_the_typed_years_is_refused(world, as_user, app):
    client = as_user("admin-a")
    people = _count(Person)
    response = client.post("/org/people/new", data={
        "staff_no": "FAR-1", "name": "远日期", "unit_id": str(world["a1"].id), "post_id": "0", "grade_id": "0",
        "joined_on": "9999-12-31", "status": "active"})
    assert response.status_code == 400 and "入职日期应在 1900 年到 2099 年之间" in response.get_data(as_text=True)
    assert _count(Person) == people


@pytest.fixture
def exam(world):
    make_exam_questions(world["cat_a"], single=4)
    exam = make_exam(category=world["cat_a"], audience_units=[world["a1"]], rules=(("一、单选题", "single", 2, 500),))
    exam.owner_unit_id = exam.blueprint.owner_unit_id = world["a"].id
    db.session.commit()
    return exam


@pytest.mark.parametrize("opens", ["0001-01-01T00:00", "2100-01-01T09:00"])
def test_an_exam_opening_outside_the_typed_years_is_refused_in_chinese(world, exam, as_user, opens):
    response = as_user("inst-a").post("/exams/manage/new", data={
        "title": "考试", "kind": "formal", "blueprint_id": str(exam.blueprint_id), "opens_at": opens,
        "closes_at": "9999-12-31T23:59", "duration_minutes": "60", "attempts_allowed": "1", "counting": "highest",
        "pass_percent": "60", "multi_policy": "partial", "review_timing": "on_submit", "layout": "all"})
    assert response.status_code == 400 and "开始时间应在 1900 年到 2099 年之间" in response.get_data(as_text=True)
    assert _count(Exam) == 1


def test_a_personal_close_in_year_9999_is_refused(world, exam, as_user):
    response = as_user("inst-a").post(f"/exams/manage/{exam.id}/overrides", data={
        "staff_no": "trainee-a", "closes_at": "9999-12-31T23:59", "reason": "病假"})
    assert response.status_code == 400 and "个人结束时间应在 1900 年到 2099 年之间" in response.get_data(as_text=True)
    assert _count(ExamOverride) == 0


def test_a_class_session_in_year_1_is_refused(world, as_user):
    klass = make_training_class(world["a"], status="draft")
    response = as_user("admin-a").post(f"/classes/{klass.id}/sessions", data={
        "starts_at": "0001-01-01T09:00", "ends_at": "0001-01-01T11:00"})
    assert response.status_code == 400 and "上课时间应在 1900 年到 2099 年之间" in response.get_data(as_text=True)
    assert _count(ClassSession) == 0


def test_a_due_date_in_year_9999_is_refused(world, as_user):
    course = make_course()
    client = as_user("admin-a")
    response = client.post("/study/admin/assignments", data={
        "course_id": str(course.id), "target": "staff", "staff_nos": "trainee-a", "due_on": "9999-12-31"})
    assert response.status_code == 400 and "截止日期应在 1900 年到 2099 年之间" in response.get_data(as_text=True)
    assert _count(Assignment) == 0


# --- the question editor -------------------------------------------------------------------------------


def test_an_external_id_longer_than_60_characters_is_a_chinese_error_not_a_database_error(world, as_user):
    response = as_user("inst-a").post("/bank/questions/new", data={
        "qtype": "single", "category_id": str(world["cat_a"].id), "stem": "题干", "option_A": "对", "option_B": "错",
        "correct": "A", "external_id": "编" * 61})
    assert response.status_code == 400 and "编号不能超过 60 个字符" in response.get_data(as_text=True)
    assert _count(Question) == 0


# --- next: only paths on this site ---------------------------------------------------------------------


@pytest.mark.parametrize("target", EVIL)
def test_bulk_status_never_follows_next_off_the_site(world, as_user, target):
    question = make_question(world["cat_a"])
    response = as_user("inst-a").post("/bank/status", data={"question_id": str(question.id), "status": "ready",
                                                            "next": target})
    assert response.status_code == 302 and response.location == "/bank/"


def test_bulk_status_follows_next_on_the_site(world, as_user):
    question = make_question(world["cat_a"])
    response = as_user("inst-a").post("/bank/status", data={"question_id": str(question.id), "status": "ready",
                                                            "next": "/bank/?status=draft"})
    assert response.location == "/bank/?status=draft"


@pytest.mark.parametrize("target", EVIL)
def test_reapproving_never_follows_next_off_the_site(world, as_user, target):
    question = make_question(world["cat_a"], status="ready", legal_basis="《道路交通安全法》")
    question.needs_review = True
    db.session.commit()
    response = as_user("inst-a").post(f"/bank/questions/{question.id}/reapprove", data={"next": target})
    assert response.status_code == 302 and response.location == f"/bank/questions/{question.id}"


@pytest.mark.parametrize("target", EVIL)
def test_login_never_follows_next_off_the_site(world, app, target):
    response = login(app.test_client(), "admin-a", next_url=target)
    assert response.status_code == 302 and response.location == "/"
