"""Loading the starter banks from course_content/banks, and the bank services behind the pages."""


import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.bank import questions
from app.bank.starter import load_starter_banks
from app.errors import DomainError
from app.extensions import db
from app.models import Question, QuestionCategory, QuestionVersion
from tests.factories import make_bank_category, make_bank_competencies, make_unit, make_workforce
from tests.paths import STARTER_BANKS

BANKS = STARTER_BANKS


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def police_root(app):
    workforce = make_workforce(code="fj")
    root = make_unit("交警支队")
    root.workforce_id = workforce.id
    db.session.commit()
    return root


def test_starter_banks_load_ready_questions_of_all_five_types(app, police_root):
    make_bank_competencies(BANKS)
    counts = load_starter_banks(BANKS)
    assert set(counts) == {"fj", "sq", "zg"} and all(n >= 60 for n in counts.values())
    for code in counts:
        types = set(db.session.scalars(select(Question.qtype).where(Question.external_id.like(f"{code.upper()}-%"))))
        assert types == {"single", "multiple", "truefalse", "fill", "essay"}
    assert set(db.session.scalars(select(Question.status))) == {"ready"}
    root = db.session.scalar(select(QuestionCategory).where(QuestionCategory.name == "辅警"))
    assert root.owner_unit_id == police_root.id and root.parent_id is None
    other = db.session.scalar(select(QuestionCategory).where(QuestionCategory.name == "社区工作者"))
    assert other.owner_unit_id is None
    first = db.session.scalar(select(Question).where(Question.external_id == "FJ-0001"))
    assert {c.code for c in first.competencies} == {"FJ-DUTY", "GEN-LAW"} and first.legal_basis


def test_loading_twice_changes_nothing(app, police_root):
    make_bank_competencies(BANKS)
    load_starter_banks(BANKS)
    before = (_count(Question), _count(QuestionVersion), _count(QuestionCategory))
    assert load_starter_banks(BANKS) == {"fj": 0, "sq": 0, "zg": 0}
    assert (_count(Question), _count(QuestionVersion), _count(QuestionCategory)) == before


def test_a_changed_question_gets_a_new_version(app, police_root, tmp_path):
    (tmp_path / "fj.csv").write_bytes((BANKS / "fj.csv").read_bytes())
    make_bank_competencies(tmp_path)
    load_starter_banks(tmp_path)
    original = db.session.scalar(select(Question).where(Question.external_id == "FJ-0002"))
    old_stem = original.data["stem"]
    text = (tmp_path / "fj.csv").read_bytes().decode("utf-8-sig").replace(old_stem, old_stem + "（修订）", 1)
    (tmp_path / "fj.csv").write_bytes(text.encode("utf-8-sig"))
    assert load_starter_banks(tmp_path) == {"fj": 1}
    db.session.expire_all()
    question = db.session.get(Question, original.id)
    assert question.current_number == 2 and question.data["stem"] == old_stem + "（修订）"
    assert question.versions[0].data["stem"] == old_stem


def test_unknown_competencies_stop_the_load_with_nothing_written(app, police_root):
    with pytest.raises(DomainError, match="知识点编码不存在"):
        load_starter_banks(BANKS)
    assert _count(Question) == 0 and _count(QuestionCategory) == 0


def test_usable_questions_are_ready_and_not_awaiting_review(app):
    category = make_bank_category("题库")
    data = {"type": "truefalse", "stem": "", "answer": True}
    made = {}
    for label, status, review in (("ok", "ready", False), ("draft", "draft", False),
                                  ("flagged", "ready", True), ("retired", "retired", False)):
        q = questions.create_question(None, Scope(None), category.id, data | {"stem": label}, status=status)
        q.needs_review = review
        made[label] = q.id
    db.session.commit()
    usable = set(db.session.scalars(questions.usable_questions_query([category.id]).with_only_columns(Question.id)))
    assert usable == {made["ok"]}
