"""Codes in the database, Chinese labels on the pages: filters take codes (and old labels), pages show labels."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, CreditEntry, TrainingClass
from tests.factories import make_course, make_person, make_training_class, make_world

ELECTIVE_BADGE = '<span class="badge credit-kind credit-kind-elective">选修</span>'  # templates/_credit_kind.html


def _text(page: str) -> str:
    """What a reader sees: the page without its tags (a class name may hold a code)."""
    return re.sub(r"<[^>]*>", " ", page)


@pytest.fixture
def world(app):
    world = make_world()
    world["course"] = make_course("extra", title="心理疏导", kind="elective")
    world["ta"] = make_person(unit=world["a1"], staff_no="T-A", name="甲学员")
    world["tb"] = make_person(unit=world["a1"], staff_no="T-B", name="乙学员")
    for person, due in ((world["ta"], date(2000, 1, 1)), (world["tb"], date(2099, 1, 1))):
        db.session.add(Assignment(person_id=person.id, course_id=world["course"].id, year=due.year, due_on=due))
    db.session.add(CreditEntry(person_id=world["ta"].id, year=2000, kind="elective", tenths=15,
                               source_type="offline", source_id=1, note="线下"))
    db.session.commit()
    return world


@pytest.mark.parametrize("value", ["overdue", "已逾期"])
def test_the_assignment_filter_takes_the_code_and_an_old_links_label(world, as_user, value):
    page = as_user("admin-a").get(f"/study/admin/assignments?status={value}").data.decode()
    assert "甲学员" in page and "乙学员" not in page and "共 1 项" in page
    assert '<option value="overdue" selected>已逾期</option>' in page


def test_an_unknown_status_filter_is_ignored(world, as_user):
    page = as_user("admin-a").get("/study/admin/assignments?status=whatever").data.decode()
    assert "甲学员" in page and "乙学员" in page and "共 2 项" in page


def test_pages_show_labels_never_codes(world, as_user):
    client = as_user("admin-a")
    tasks = client.get("/study/admin/assignments").data.decode()
    assert "已逾期" in tasks and "未开始" in tasks and "overdue" not in tasks.split("<tbody>")[1]
    credits = client.get(f"/study/admin/people/{world['ta'].id}/credits?year=2000").data.decode()
    assert f"<td>{ELECTIVE_BADGE}</td>" in credits and "elective" not in _text(credits)
    compliance = client.get("/study/admin/compliance?year=2099").data.decode()
    assert '<th class="text-end">学习中</th>' in compliance and "in_progress</th>" not in compliance


@pytest.mark.parametrize("value", ["draft", "草稿"])
def test_the_class_list_filter_takes_the_code_and_an_old_links_label(world, as_user, value):
    make_training_class(world["a"], title="草稿班", status="draft", kind="elective")
    make_training_class(world["a"], title="已发布班")
    page = as_user("admin-a").get(f"/classes/?status={value}").data.decode()
    assert "草稿班" in page and "已发布班" not in page
    assert '<option value="draft" selected>草稿</option>' in page and f"<td>{ELECTIVE_BADGE}</td>" in page


def test_publishing_stores_the_code_and_shows_the_label(world, as_user):
    klass = make_training_class(world["a"], status="draft", sessions=[(date(2099, 1, 1), date(2099, 1, 1))])
    client = as_user("admin-a")
    assert client.post(f"/classes/{klass.id}/status", data={"status": "已发布"}).status_code == 409  # labels are not codes
    assert client.post(f"/classes/{klass.id}/status", data={"status": "published"}).status_code == 302
    assert db.session.scalar(select(TrainingClass.status).where(TrainingClass.id == klass.id)) == "published"
    page = client.get(f"/classes/{klass.id}").data.decode()
    assert "已发布" in page and "必修" in page and ">published<" not in page
