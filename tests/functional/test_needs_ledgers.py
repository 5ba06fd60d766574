"""三本台账: the organisation, post and person ledgers against a hand-computed fixture, scope (an
admin of 二大队 sees nothing of 一大队), the xlsx files, a 培训任务 or 培训班 from a ledger row for
exactly the people below target (confirm page, audit), the counters kept by mastery updates and
person edits, incremental = recount after a random series, and statements constant in the people."""

from __future__ import annotations

import io
import random
import re
from datetime import timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.auth.scope import Scope, scope_of
from app.extensions import db
from app.models import (
    Assignment,
    AuditEntry,
    Competency,
    CompetencyMastery,
    Enrollment,
    LessonCompetency,
    NeedGap,
    NeedTally,
    Person,
    SyllabusTarget,
    TrainingClass,
)
from app.models.people import Role
from app.needs import ledger_tallies, ledger_updates, ledgers
from app.needs.evidence import settings
from app.org.people import PersonData, update_person
from question_bank import mastery
from tests.factories import make_course, make_person, make_syllabus, make_world
from tests.sql_budget import statements_for

LAW, SAFE, SERV = "法规", "安全防护", "窗口服务"


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.data.decode())))


def set_mastery(person_id: int, competency_id: int, level: int | None, ceiling: int | None = None) -> None:
    """Store an estimate as the mastery update would (the ledgers read its level and ceiling)."""
    row = db.session.scalar(select(CompetencyMastery).where(CompetencyMastery.person_id == person_id,
                                                            CompetencyMastery.competency_id == competency_id))
    if row is None:
        row = CompetencyMastery(person_id=person_id, competency_id=competency_id,
                                state=mastery.empty(settings()).to_dict())
        db.session.add(row)
    row.level, row.ceiling = level, ceiling


@pytest.fixture
def world(app):
    """路面执勤 targets 法规 中级 and 安全防护 高级; 窗口服务 targets 法规 初级 and 窗口服务 中级.

    一大队: p1 (路面, 一中队) 法规 初级 → 差1, 安全 初级 → 差2; p2 (路面, 一中队) 法规 中级 met, 安全 待评估;
    p3 (窗口, 一大队) 法规 未达初级 → 差1, 窗口服务 高级 met; p6 no post.
    二大队: p4 (路面, 一中队) 法规 未达初级 → 差2, 安全 高级 met; p5 (路面, 离岗) not counted.
    """
    w = make_world(admin_all=True, workforce={"posts": (("fj-road", "路面执勤"), ("fj-desk", "窗口服务"))})
    road, desk = w["posts"]
    for name in (LAW, SAFE, SERV):
        db.session.add(Competency(code=name, name=name))
    db.session.commit()
    ids = dict(db.session.execute(select(Competency.name, Competency.id)).all())
    w["c"] = ids
    make_syllabus(road).targets = [SyllabusTarget(competency_id=ids[LAW], level=2),
                                   SyllabusTarget(competency_id=ids[SAFE], level=3)]
    make_syllabus(desk).targets = [SyllabusTarget(competency_id=ids[LAW], level=1),
                                   SyllabusTarget(competency_id=ids[SERV], level=2)]
    db.session.commit()
    people = {"p1": ("a1", road, "张一"), "p2": ("a1", road, "张二"), "p3": ("a", desk, "张三"),
              "p4": ("b1", road, "李四"), "p5": ("b", road, "李五"), "p6": ("a1", None, "张六")}
    for key, (unit, post, name) in people.items():
        w[key] = make_person(unit=w[unit], staff_no=key.upper(), name=name, post_id=post.id if post else None,
                             status="inactive" if key == "p5" else "active")
    for key, cid, level, ceiling in (("p1", LAW, 1, 2), ("p1", SAFE, 1, 2), ("p2", LAW, 2, None),
                                     ("p3", LAW, 0, 1), ("p3", SERV, 3, None), ("p4", LAW, 0, 1),
                                     ("p4", SAFE, 3, None), ("p5", LAW, 0, 1)):
        set_mastery(w[key].id, ids[cid], level, ceiling)
    db.session.commit()
    ledger_updates.recount()
    return w


def admin_scope(w, key):
    return scope_of(w[key].roles, Role.ADMIN)


def figures(ledger) -> dict[str, tuple]:
    return {row.name: (row.figures.people, row.figures.below, row.figures.unknown, row.figures.average_gap)
            for row in ledger.rows}


def test_organisation_ledger_against_the_hand_computed_fixture(world):
    a = ledgers.organisation_ledger(admin_scope(world, "admin_a"))
    assert [row.name for row in a.rows] == [LAW, SAFE, SERV]  # most people below target first
    assert figures(a) == {LAW: (3, 2, 0, 1.0), SAFE: (2, 1, 1, 2.0), SERV: (1, 0, 0, 0.0)}
    b = ledgers.organisation_ledger(admin_scope(world, "admin_b"))
    assert figures(b) == {LAW: (1, 1, 0, 2.0), SAFE: (1, 0, 0, 0.0)}  # p5 (离岗) not counted
    a1 = ledgers.organisation_ledger(admin_scope(world, "admin_a"), world["a1"].id)
    assert figures(a1) == {LAW: (2, 1, 0, 1.0), SAFE: (2, 1, 1, 2.0)}


def test_post_ledger_per_post(world):
    ledger = ledgers.post_ledger(admin_scope(world, "admin_a"))
    found = {(g.name, r.name): (r.target.label, r.figures.people, r.figures.below, r.figures.unknown)
             for g in ledger.posts for r in g.rows}
    assert found == {("路面执勤", LAW): ("中级", 2, 1, 0), ("路面执勤", SAFE): ("高级", 2, 1, 1),
                     ("窗口服务", LAW): ("初级", 1, 1, 0), ("窗口服务", SERV): ("中级", 1, 0, 0)}


def test_pages_link_each_number_to_its_people(world, as_user):
    client = as_user("admin-a")
    page = client.get("/needs/ledgers")
    assert page.status_code == 200
    law = world["c"][LAW]
    body = page.data.decode()
    assert f"competency_id={law}&amp;which=below" in body or f"which=below&amp;competency_id={law}" in body
    people = client.get(f"/needs/ledgers/people?competency_id={law}&which=below")
    shown = text(people)
    assert "张一" in shown and "张三" in shown and "张二" not in shown and "李四" not in shown
    assert "共 2 人" in shown and "安全防护：高级 → 初级" in shown
    everyone = text(client.get("/needs/ledgers/people"))
    assert all(n in everyone for n in ("张一", "张二", "张三")) and "张六" not in everyone  # no post: no targets
    posts = text(client.get("/needs/ledgers/posts"))
    assert "路面执勤" in posts and "窗口服务" in posts


def test_an_admin_of_the_other_brigade_sees_nothing_of_it(world, as_user):
    client = as_user("admin-b")
    for url in ("/needs/ledgers", "/needs/ledgers/posts", "/needs/ledgers/people",
                f"/needs/ledgers/people?competency_id={world['c'][LAW]}&which=below"):
        shown = text(client.get(url))
        assert not any(name in shown for name in ("张一", "张二", "张三")), url
    assert "李四" in text(client.get("/needs/ledgers/people"))
    a = world["a"].id
    for url in (f"/needs/ledgers?unit_id={a}", f"/needs/ledgers/posts?unit_id={a}",
                f"/needs/ledgers/people?unit_id={a}", f"/needs/ledgers/people.xlsx?unit_id={a}",
                f"/needs/ledgers/act?unit_id={a}&competency_id={world['c'][LAW]}"):
        assert client.get(url).status_code == 404, url
    book = load_workbook(io.BytesIO(client.get("/needs/ledgers/people.xlsx").data))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["李四"]
    trainee = as_user("P1")
    assert trainee.get("/needs/ledgers").status_code == 403


def test_the_ledgers_export_as_xlsx(world, as_user):
    client = as_user("admin-a")
    org = load_workbook(io.BytesIO(client.get("/needs/ledgers/organisation.xlsx").data)).active
    assert list(org.iter_rows(values_only=True)) == [
        ("能力项", "有要求人数", "未达标人数", "待评估人数", "平均差距（级）", "未达标比例"),
        (LAW, 3, 2, 0, 1.0, "66%"), (SAFE, 2, 1, 1, 2.0, "50%"), (SERV, 1, 0, 0, 0.0, "0%")]
    posts = load_workbook(io.BytesIO(client.get("/needs/ledgers/posts.xlsx").data)).active
    assert ("路面执勤", SAFE, "高级", 2, 1, 1, 2.0, "50%") in list(posts.iter_rows(values_only=True))
    response = client.get(f"/needs/ledgers/people.xlsx?competency_id={world['c'][LAW]}&which=below")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("工号", "姓名", "单位", "岗位")
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("P3", "张三", "一大队", "窗口服务", 1), ("P1", "张一", "一大队/一中队", "路面执勤", 2)]
    assert "法规：中级 → 初级" in rows[2][7] and "安全防护：高级 → 初级" in rows[2][7]


@pytest.fixture
def course(world):
    course = make_course(title="道路交通安全法规精讲")
    db.session.add(LessonCompetency(lesson_id=course.lessons[0].id, competency_id=world["c"][LAW], level=2))
    make_course(title="无关课程")
    db.session.commit()
    return course


def test_an_assignment_from_a_row_goes_to_exactly_the_people_below_target(world, course, as_user):
    client = as_user("admin-a")
    law = world["c"][LAW]
    confirm = client.get(f"/needs/ledgers/act?competency_id={law}")
    shown = text(confirm)
    assert "张一（P1）" in shown and "张三（P3）" in shown and "张二" not in shown and "李四" not in shown
    assert "道路交通安全法规精讲" in shown and "无关课程" not in shown  # only courses teaching the competency
    assert "data-confirm" in confirm.data.decode()
    assert db.session.scalar(select(Assignment.id)) is None  # the confirm page creates nothing
    due = (clock.today() + timedelta(days=30)).isoformat()
    response = client.post("/needs/ledgers/act/assign", data={"competency_id": law, "course_id": course.id,
                                                              "due_on": due})
    assert response.status_code == 302
    people = set(db.session.scalars(select(Assignment.person_id).where(Assignment.course_id == course.id)))
    assert people == {world["p1"].id, world["p3"].id}
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"ledger_assign", "assignment_create"} <= actions
    # A course not teaching the competency, or a row of another unit, is refused and changes nothing.
    other = make_course(title="另一门")
    assert client.post("/needs/ledgers/act/assign", data={"competency_id": law, "course_id": other.id,
                                                          "due_on": due}).status_code == 400
    assert client.post("/needs/ledgers/act/assign", data={"competency_id": law, "course_id": course.id,
                                                          "due_on": due, "unit_id": world["b"].id}).status_code == 404
    assert db.session.scalar(select(Assignment.id).where(Assignment.course_id == other.id)) is None


def test_a_class_from_a_post_row_enrols_exactly_its_people(world, as_user):
    client = as_user("admin-a")
    road = world["posts"][0].id
    response = client.post("/needs/ledgers/act/class", data={
        "competency_id": world["c"][SAFE], "post_id": road, "title": "安全防护补差班", "class_unit_id": world["a"].id,
        "kind": "required", "credit_hours": "2"})
    assert response.status_code == 302
    klass = db.session.scalar(select(TrainingClass))
    assert klass.title == "安全防护补差班" and [c.name for c in klass.competencies] == [SAFE]
    assert set(db.session.scalars(select(Enrollment.person_id))) == {world["p1"].id}
    assert {"ledger_class", "class_create", "class_enrol"} <= set(db.session.scalars(select(AuditEntry.action)))


def test_mastery_updates_and_person_edits_move_the_counts(world, app):
    scope = admin_scope(world, "admin_a")
    set_mastery(world["p1"].id, world["c"][LAW], 2)  # p1 reaches 中级 in 法规
    ledger_tallies.refresh([world["p1"].id])
    db.session.commit()
    assert figures(ledgers.organisation_ledger(scope))[LAW] == (3, 1, 0, 1.0)
    p2 = world["p2"]  # moves to 二大队 through the person form (person_updated)
    update_person(world["admin_all"].id, Scope(None), p2.id,
                  PersonData(p2.staff_no, p2.name, world["b"].id, "", p2.post_id, None, None, "active"))
    assert figures(ledgers.organisation_ledger(scope))[SAFE] == (1, 1, 0, 2.0)
    assert figures(ledgers.organisation_ledger(admin_scope(world, "admin_b")))[SAFE] == (2, 0, 1, 0.0)
    assert_recount_agrees()


def snapshot() -> tuple[list, list]:
    gaps = sorted(db.session.execute(select(NeedGap.person_id, NeedGap.competency_id, NeedGap.unit_id,
                                            NeedGap.post_id, NeedGap.target, NeedGap.gap)).all())
    tallies = sorted(db.session.execute(select(NeedTally.unit_id, NeedTally.post_id, NeedTally.competency_id,
                                               NeedTally.people, NeedTally.below, NeedTally.unknown,
                                               NeedTally.gap_sum)).all())
    return gaps, tallies


def assert_recount_agrees() -> None:
    incremental = snapshot()
    ledger_updates.recount()
    assert snapshot() == incremental


def test_incremental_counts_equal_a_recount_after_a_random_series(world):
    rng = random.Random(27)
    people = [world[k].id for k in ("p1", "p2", "p3", "p4", "p5", "p6")]
    units = [world[k].id for k in ("a", "a1", "b", "b1")]
    posts = [p.id for p in world["posts"]] + [None]
    competencies = list(world["c"].values())
    syllabi = {t.syllabus_id for t in db.session.scalars(select(SyllabusTarget))}
    for _step in range(60):
        pid = rng.choice(people)
        person = db.session.get(Person, pid)
        kind = rng.random()
        if kind < 0.5:
            level = rng.choice([None, 0, 1, 2, 3])
            set_mastery(pid, rng.choice(competencies), level, rng.choice([None, (level or 0) + 1]))
        elif kind < 0.65:
            person.unit_id = rng.choice(units)
        elif kind < 0.8:
            person.post_id = rng.choice(posts)
        elif kind < 0.9:
            person.status = rng.choice(["active", "inactive"])
        else:  # a syllabus's targets change: everyone of its post
            syllabus_id = rng.choice(sorted(syllabi))
            cid = rng.choice(competencies)
            target = db.session.get(SyllabusTarget, (syllabus_id, cid))
            if target is None:
                db.session.add(SyllabusTarget(syllabus_id=syllabus_id, competency_id=cid, level=rng.choice([1, 2, 3])))
            elif rng.random() < 0.5:
                db.session.delete(target)
            else:
                target.level = rng.choice([1, 2, 3])
            db.session.flush()
            ledger_tallies.refresh(people)
            db.session.commit()
            continue
        db.session.flush()
        ledger_tallies.refresh([pid])
        db.session.commit()
        if _step % 15 == 14:
            assert_recount_agrees()
    assert_recount_agrees()
    ledger_tallies.refresh(people)  # a repeat changes nothing
    assert ledger_tallies.refresh(people) == 0


def test_the_organisation_ledger_costs_the_same_statements_for_more_people(world, as_user):
    client = as_user("admin-a")
    before = statements_for(client, "/needs/ledgers")
    road = world["posts"][0].id
    for n in range(30):
        person = make_person(unit=world["a1"], staff_no=f"X{n:03d}", post_id=road)
        set_mastery(person.id, world["c"][LAW], n % 3, 3)
    db.session.commit()
    ledger_updates.recount()
    assert figures(ledgers.organisation_ledger(admin_scope(world, "admin_a")))[LAW][0] == 33
    assert statements_for(client, "/needs/ledgers") == before
    assert statements_for(client, "/needs/ledgers/posts") == statements_for(client, "/needs/ledgers/posts")
