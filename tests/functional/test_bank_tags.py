"""Question tags (标签) as question_tag rows: written by the editor and bulk storing, read by filters."""

from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionTag
from question_bank.formats import parse
from tests.factories import bank_world, make_question


def _tags(question_id: int) -> set[str]:
    return set(db.session.scalars(select(QuestionTag.tag).where(QuestionTag.question_id == question_id)))


def _edit(client, question: Question, category_id: int, tags: str):
    data = {"qtype": "single", "category_id": category_id, "stem": question.data["stem"], "option_A": "正确选项",
            "option_B": "错误选项一", "correct": "A", "tags": tags}
    return client.post(f"/bank/questions/{question.id}/edit", data=data)


def test_bulk_storing_writes_one_row_per_distinct_tag(app):
    w = bank_world()
    question = make_question(w["cat_a"], tags=["路口", "夜间", "路口"])
    assert _tags(question.id) == {"路口", "夜间"}
    assert make_question(w["cat_a"]).tags == []


def test_editing_the_tags_replaces_the_rows_and_keeps_the_old_version_data(app, as_user):
    w = bank_world()
    question = make_question(w["cat_a"], stem="标签题", tags=["甲", "乙"])
    client = as_user("inst-a")
    assert 'value="甲,乙"' in client.get(f"/bank/questions/{question.id}/edit").data.decode()
    assert _edit(client, question, w["cat_a"].id, "乙, 丙").status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert _tags(question.id) == {"乙", "丙"} and question.data["tags"] == ["乙", "丙"]
    assert question.versions[0].data["tags"] == ["甲", "乙"]
    assert "乙、丙" in client.get(f"/bank/questions/{question.id}").data.decode()
    assert _edit(client, question, w["cat_a"].id, "").status_code == 302
    assert _tags(question.id) == set()


def test_the_browser_and_the_export_filter_by_tag(app, as_user):
    w = bank_world()
    make_question(w["cat_a"], stem="夜间执勤的题", tags=["夜间"])
    make_question(w["cat_a"], stem="白天执勤的题", tags=["白天", "夜间执勤"])
    client = as_user("inst-a")
    page = client.get("/bank/?tag=夜间").data.decode()
    assert "夜间执勤的题" in page and "白天执勤的题" not in page  # a whole tag, not a substring
    assert 'name="tag" value="夜间"' in page
    exported = client.get("/bank/export?fmt=csv&tag=白天").data
    assert [q.stem for q in parse("csv", exported, "x.csv").questions] == ["白天执勤的题"]
    assert db.session.scalar(select(QuestionTag.question_id).where(QuestionTag.tag == "白天")) is not None
