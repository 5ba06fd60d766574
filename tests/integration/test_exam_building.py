"""The exam-building services below the pages: whose bank a blueprint draws from, who is in an
audience (a post chosen in a unit's exam stays in that unit), and whose exams an admin watches."""

from __future__ import annotations

import pytest
from sqlalchemy import exists, select

from app.auth.scope import Scope
from app.exams import pools
from app.exams.audience import in_audience, members, overlaps
from app.extensions import db
from app.models import Blueprint, BlueprintRule, Exam, ExamAudience
from tests.factories import make_competency, make_exam, make_question, make_world


@pytest.fixture
def world(app):
    return make_world(bank=True, workforce=True, people={
        "ta": {"unit": "a1", "staff_no": "TA", "post": 0}, "ta2": {"unit": "a1", "staff_no": "TA2"},
        "tb": {"unit": "b1", "staff_no": "TB", "post": 0}})


def test_a_blueprint_owned_by_a_unit_draws_only_from_that_units_bank(world):
    law = make_competency("FJ-LAW", "道路交通安全法")
    mine = make_question(world["cat_a"], status="ready", competencies=["FJ-LAW"], tags=["执勤"])
    theirs = make_question(world["cat_b"], status="ready", competencies=["FJ-LAW"], tags=["执勤"])
    for kind, fields in (("competency", {"competency_id": law.id}), ("tag", {"tag": "执勤"})):
        rule = BlueprintRule(position=1, section="一", source_kind=kind, qtype="single", count=1, points=100, **fields)
        assert {q.question_id for q in pools.rule_pool(rule, pools.owner_path(world["a"].id))} == {mine.id}, kind
        assert {q.question_id for q in pools.rule_pool(rule, None)} == {mine.id, theirs.id}, kind
    owned = Blueprint(title="一大队", owner_unit_id=world["a"].id, rules=[BlueprintRule(
        position=1, section="一", source_kind="competency", competency_id=law.id, qtype="single", count=1, points=100)])
    db.session.add(owned)
    db.session.commit()
    (rule,) = pools.resolve_rules(owned)
    assert [q.question_id for q in rule.pool] == [mine.id] and rule.source == "知识点「道路交通安全法」"


def _exam_with(world, *rows) -> Exam:
    exam = make_exam(category=world["cat_a"], publish=False)
    exam.audience = [ExamAudience(unit_id=u, post_id=p, person_id=x) for u, p, x in rows]
    db.session.commit()
    return exam


def _members(exam) -> set[str]:
    return {person.staff_no for person, _unit in db.session.execute(members(exam.id))}


def test_members_and_in_audience_agree_on_units_posts_posts_within_a_unit_and_people(world):
    post = world["posts"][0].id
    cases = [((world["a"].id, None, None), {"TA", "TA2", "admin-a"}), ((None, post, None), {"TA", "TB"}),
             ((world["a"].id, post, None), {"TA"}), ((None, None, world["tb"].id), {"TB"})]
    people = [world[k] for k in ("ta", "ta2", "tb", "admin_a", "admin_b")]
    for row, expected in cases:
        exam = _exam_with(world, row)
        assert _members(exam) == expected, row
        assert {p.staff_no for p in people if in_audience(exam, p)} == expected, row


def _watched(exam, scope) -> bool:
    return bool(db.session.scalar(select(exists().where(Exam.id == exam.id, overlaps(scope)))))


def test_an_admin_watches_an_exam_whose_audience_reaches_into_their_scope(world):
    a, b, a1 = (Scope((world[k].path,)) for k in ("a", "b", "a1"))
    post = world["posts"][0].id
    whole = _exam_with(world, (world["root"].id, None, None))
    assert _watched(whole, a) and _watched(whole, a1)  # the scope lies inside the audience's unit
    inner = _exam_with(world, (world["a1"].id, None, None))
    assert _watched(inner, a) and not _watched(inner, b)
    by_post = _exam_with(world, (None, post, None))
    assert _watched(by_post, a) and _watched(by_post, b)  # holders of the post in both brigades
    post_in_a = _exam_with(world, (world["a"].id, post, None))
    assert _watched(post_in_a, a) and not _watched(post_in_a, b)
    named = _exam_with(world, (None, None, world["tb"].id))
    assert _watched(named, b) and not _watched(named, a)
    assert not _watched(named, Scope(())) and _watched(named, Scope(None))
