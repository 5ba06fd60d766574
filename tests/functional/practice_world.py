"""The world and helpers of the practice and 错题本 tests (test_exam_practice.py, test_wrong_book.py)."""

from __future__ import annotations

import re

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Attempt, AttemptItem, QuestionVersion, question_competency
from question_bank.assembly import to_display_letters
from tests.factories import login, make_competency, make_exam_questions, make_world

EXPLANATION = "解析：核对后才显示的解析"


def build_world() -> dict:
    """Brigades with a 辅警 workforce; T1, T2 in 一大队/一中队, T3 in 二大队; 40 ready questions in
    一大队's bank (12 of them linked to a 辅警 知识点, 3 to a 社区 one), 5 in 二大队's."""
    world = make_world(workforce=True, bank=True, admin_all=True,
                       people={"t1": {"unit": "a1", "staff_no": "T1", "post": 0},
                               "t2": {"unit": "a1", "staff_no": "T2", "post": 0},
                               "outsider": {"unit": "b1", "staff_no": "T3", "post": 0}})
    world["singles"] = make_exam_questions(world["cat_a"], single=30)
    world["tfs"] = make_exam_questions(world["cat_a"], truefalse=10)
    world["other"] = make_exam_questions(world["cat_b"], single=5)
    for version in db.session.scalars(select(QuestionVersion)):
        version.data = version.data | {"explanation": EXPLANATION}
    competency = make_competency("FJ-LAW", "道路交通安全法")
    competency.workforces = ["fj"]
    foreign = make_competency("SQ-GRID", "网格管理")
    foreign.workforces = ["sq"]
    db.session.execute(insert(question_competency), [{"question_id": q, "competency_id": competency.id}
                                                     for q in world["singles"][:12]])
    db.session.execute(insert(question_competency), [{"question_id": q, "competency_id": foreign.id}
                                                     for q in world["singles"][12:15]])
    db.session.commit()
    world["competency"], world["foreign"] = competency, foreign
    return world


def client_for(app, staff_no: str):
    client = app.test_client()
    assert login(client, staff_no).status_code == 302
    return client


def start(client, source: str, count: int = 10, timed: str = "0"):
    return client.post("/exams/practice/start", data={"source": source, "count": str(count), "timed": timed})


def attempt_of(response) -> Attempt:
    match = re.search(r"/exams/attempts/(\d+)$", response.headers["Location"])
    return db.session.get(Attempt, int(match.group(1)))


def items(attempt_id: int) -> list[AttemptItem]:
    return list(db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.slot)))


def correct_letters(item: AttemptItem) -> object:
    """The right answer of a factory question in this attempt's letters (single: A; truefalse: True)."""
    data = db.session.get(QuestionVersion, item.question_version_id).data
    own = "A" if data["type"] == "single" else data["answer"]
    return to_display_letters(own, item.option_order)


def wrong_letters(item: AttemptItem) -> object:
    data = db.session.get(QuestionVersion, item.question_version_id).data
    own = "B" if data["type"] == "single" else not data["answer"]
    return to_display_letters(own, item.option_order)


def save(client, attempt_id: int, slot: int, response, seq: int = 1):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{slot}", json={"seq": seq, "response": response})


def check(client, attempt_id: int, slot: int):
    return client.post(f"/api/v1/attempts/{attempt_id}/slots/{slot}/check")
