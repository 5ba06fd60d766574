"""Regulation review and export: responses and database state."""

import io

from sqlalchemy import delete, select

from app.bank.questions import usable_questions_query
from app.extensions import db
from app.models import AuditEntry, BankImport, Question, QuestionVersion
from question_bank.formats import parse
from tests.factories import make_question, make_world

LAW = "《中华人民共和国道路交通安全法》第四十七条"


def _flagged_world():
    w = make_world(instructors=True, bank=True)
    citing = make_question(w["cat_a"], stem="礼让行人", legal_basis=LAW, status="ready")
    other = make_question(w["cat_a"], stem="窗口服务", legal_basis="《信访工作条例》", status="ready")
    foreign = make_question(w["cat_b"], stem="乙的礼让行人", legal_basis=LAW, status="ready")
    return w, citing, other, foreign


def test_review_page_finds_questions_citing_a_law(app, as_user):
    _flagged_world()
    page = as_user("inst-a").get("/bank/review?basis=道路交通安全法").data.decode()
    assert "礼让行人" in page and "窗口服务" not in page and "乙的礼让行人" not in page


def test_flagging_marks_citing_questions_and_removes_them_from_exams(app, as_user):
    w, citing, other, foreign = _flagged_world()
    client = as_user("inst-a")
    response = client.post("/bank/review", data={"basis": "道路交通安全法》第四十七条", "reason": "2026年修订"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, citing.id).needs_review is True
    assert "2026年修订" in db.session.get(Question, citing.id).review_reason
    assert db.session.get(Question, other.id).needs_review is False
    assert db.session.get(Question, foreign.id).needs_review is False
    usable = set(db.session.scalars(usable_questions_query().with_only_columns(Question.id)))
    assert citing.id not in usable and other.id in usable
    assert "礼让行人" in client.get("/bank/review").data.decode()
    assert client.post(f"/bank/questions/{citing.id}/reapprove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, citing.id).needs_review is False
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"bank_review_flag", "bank_review_clear"} <= actions


def test_flagging_without_a_reason_changes_nothing(app, as_user):
    _w, citing, *_ = _flagged_world()
    response = as_user("inst-a").post("/bank/review", data={"basis": "道路交通安全法", "reason": ""})
    assert response.status_code == 400
    assert db.session.get(Question, citing.id).needs_review is False


def test_review_page_says_what_to_do_when_nothing_is_flagged(app, as_user):
    make_world(instructors=True, bank=True)
    assert "没有待复核的试题" in as_user("inst-a").get("/bank/review").data.decode()


def test_export_downloads_each_format(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_question(w["cat_a"], stem="导出测试题")
    client = as_user("inst-a")
    for fmt, marker in (("gift", "导出测试题".encode()), ("aiken", b"ANSWER: A"), ("moodle-xml", b"<quiz>"),
                        ("xlsx", b"PK"), ("csv", "导出测试题".encode())):
        response = client.get(f"/bank/export?fmt={fmt}")
        assert response.status_code == 200 and marker in response.data, fmt
        assert "attachment" in response.headers["Content-Disposition"]


def test_aiken_export_skips_types_it_cannot_carry_and_says_so(app, as_user):
    w = make_world(instructors=True, bank=True)
    make_question(w["cat_a"], stem="单选题")
    tf = make_question(w["cat_a"], stem="判断题占位")
    tf.data = {"type": "truefalse", "stem": "判断题", "answer": True}
    tf.qtype = "truefalse"
    db.session.commit()
    client = as_user("inst-a")
    response = client.get("/bank/export?fmt=aiken")
    assert response.status_code == 200 and "单选题".encode() in response.data and "判断题".encode() not in response.data
    assert "无法表示 1 道试题" in client.get("/bank/").data.decode()


def test_export_with_nothing_selected_is_a_clear_error(app, as_user):
    make_world(instructors=True, bank=True)
    response = as_user("inst-a").get("/bank/export?fmt=gift")
    assert response.status_code == 400 and "没有符合条件的试题" in response.data.decode()


def test_export_then_reimport_gives_identical_questions(app, as_user):
    w = make_world(instructors=True, bank=True)
    client = as_user("inst-a")
    forms = [
        {"qtype": "single", "stem": "单选**题干**", "option_A": "甲", "option_B": "乙", "correct": "A"},
        {"qtype": "multiple", "stem": "多选题干", "option_A": "甲", "option_B": "乙", "option_C": "丙", "correct": ["A", "B"]},
        {"qtype": "truefalse", "stem": "判断题干", "answer": "true"},
        {"qtype": "fill", "stem": "填空____题干", "blanks": "甲;乙"},
        {"qtype": "essay", "stem": "简答题干", "reference_answer": "参考", "rubric": "要点"},
    ]
    for form in forms:
        extra = {"category_id": w["cat_a"].id, "legal_basis": "《某法》", "tags": "标签", "difficulty": "2"}
        assert client.post("/bank/questions/new", data=form | extra).status_code == 302
    before = {q.data["stem"]: q.data for q in db.session.scalars(select(Question))}
    for fmt in ("gift", "moodle-xml", "xlsx", "csv"):
        exported = client.get(f"/bank/export?fmt={fmt}").data
        assert {q.to_dict()["stem"]: q.to_dict() for q in parse(fmt, exported, f"x.{fmt}").questions} == before, fmt
    exported = client.get("/bank/export?fmt=xlsx").data
    db.session.execute(delete(QuestionVersion))
    db.session.execute(delete(Question))
    db.session.commit()
    upload = {"file": (io.BytesIO(exported), "导出.xlsx"), "category_id": str(w["cat_a"].id)}
    client.post("/bank/import", data=upload, content_type="multipart/form-data")
    batch = db.session.scalars(select(BankImport).order_by(BankImport.id.desc())).first()
    assert client.post(f"/bank/import/{batch.id}/confirm", data={}).status_code == 302
    assert {q.data["stem"]: q.data for q in db.session.scalars(select(Question))} == before
