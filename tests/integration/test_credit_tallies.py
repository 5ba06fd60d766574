"""The 学时 counters (study/credit_tallies.py) stay equal to a recount through a random series of
changes (ledger lines through the session and add_entry, reversals, people moved, posts changed,
离岗 and back, people added and deleted, syllabus targets changed, several at once per commit);
bulk writes behind their back are refused unless the caller recounts."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select, text, update

from app import clock
from app.errors import Conflict
from app.extensions import db
from app.models import CreditEntry, Person, Syllabus
from app.study import credit_state, credit_tallies, ledger
from tests.factories import make_course, make_person, make_syllabus, make_world

YEAR = clock.today().year
SOURCES = ("course", "quiz", "offline", "exam", "carry_over")


def snapshot():
    return {model.__tablename__: sorted(tuple(row) for row in db.session.execute(select(*model.__table__.c)))
            for model in credit_state.TABLES}


@pytest.fixture
def world(app):
    world = make_world(workforce={"posts": (("fj-road", "路面执勤"), ("fj-window", "窗口服务"), ("fj-other", "其他"))})
    road, window, _other = world["posts"]
    world["syllabi"] = [make_syllabus(road, annual_tenths=60, annual_required_tenths=30),
                        make_syllabus(window, annual_tenths=40, annual_required_tenths=0)]
    world["courses"] = [make_course(title="课程一", lessons=(5, 5)), make_course(title="课程二")]
    units = [world[k] for k in ("root", "a", "b", "a1", "b1")]
    world["units"] = units
    world["people"] = [make_person(unit=units[i % 5], post_id=world["posts"][i % 3].id if i % 4 else None)
                       for i in range(8)]
    return world


def _step(rng: random.Random, world) -> None:
    people = list(db.session.scalars(select(Person).where(Person.staff_no.like("T%"))))
    person = rng.choice(people)
    courses = world["courses"]
    lessons = [lesson for course in courses for lesson in course.lessons]
    choice = rng.randrange(11)
    if choice <= 2:  # a line through the session
        source = rng.choice(SOURCES)
        source_id = rng.choice(lessons).id if source == "quiz" else rng.choice(courses).id if source == "course" \
            else rng.randrange(1, 10_000_000)
        db.session.add(CreditEntry(person_id=person.id, year=rng.choice((YEAR, YEAR, YEAR - 1)),
                                   kind=rng.choice(("required", "elective")), tenths=rng.randrange(1, 60),
                                   source_type=source, source_id=source_id, cycle=rng.randrange(1000),
                                   created_at=clock.now()))
    elif choice == 3:  # through add_entry (maybe a duplicate key: nothing written)
        ledger.add_entry(person_id=person.id, year=YEAR, kind="required", tenths=rng.randrange(1, 40),
                         source_type="course", source_id=rng.choice(courses).id, cycle=0, created_at=clock.now())
    elif choice == 4:  # a reversal
        entries = db.session.scalars(select(CreditEntry).where(CreditEntry.source_type != "reversal")).all()
        if entries:
            try:
                ledger.add_reversal(rng.choice(entries), actor_id=None, reason="随机冲正", now=clock.now())
            except Conflict:
                pass
    else:
        _change(rng, world, person, people, choice)


def _change(rng: random.Random, world, person: Person, people: list[Person], choice: int) -> None:
    """Change a person or a syllabus (`choice` 5 to 10)."""
    posts = world["posts"]
    if choice == 5:
        person.unit_id = rng.choice(world["units"]).id
    elif choice == 6:
        person.post_id = rng.choice([p.id for p in posts] + [None])
    elif choice == 7:
        person.status = "left" if person.status == "active" else "active"
    elif choice == 8:  # the content sync changes a requirement (or switches a syllabus off and on)
        syllabus = rng.choice(db.session.scalars(select(Syllabus)).all())
        if rng.random() < 0.2:
            syllabus.active = not syllabus.active
        else:
            syllabus.annual_tenths = rng.choice((0, 20, 50, 80))
            syllabus.annual_required_tenths = rng.choice((0, 10, syllabus.annual_tenths))
    elif choice == 9:
        db.session.add(Person(staff_no=f"T{rng.randrange(10**9):09d}", name="新人", unit_id=rng.choice(world["units"]).id,
                              post_id=rng.choice(posts).id))
    elif len(people) > 3:
        db.session.delete(person)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_series_of_changes_keeps_the_counters_equal_to_a_recount(world, seed):
    rng = random.Random(seed)
    for n in range(120):
        for _ in range(rng.choice((1, 1, 2, 3))):  # sometimes several changes in one flush
            _step(rng, world)
        db.session.commit()
        if n % 30 == 29:
            kept = snapshot()
            credit_state.recount()
            assert snapshot() == kept, f"step {n}"
    assert snapshot()["credit_standing"]  # the series did write lines


@pytest.mark.parametrize("statement", [
    lambda w: insert(CreditEntry).values(person_id=w["people"][0].id, year=YEAR, kind="required", tenths=5,
                                         source_type="offline", source_id=1, created_at=clock.now()),
    lambda w: update(CreditEntry).values(tenths=1),
    lambda w: update(Person).where(Person.id == w["people"][1].id).values(post_id=w["posts"][0].id),
    lambda w: update(Person).where(Person.id == w["people"][1].id).values(status="left"),
    lambda w: update(Syllabus).values(annual_tenths=1),
    lambda w: text("INSERT INTO credit_entry (person_id, year, kind, tenths, source_type, source_id, cycle, note, "
                   "created_at) VALUES (1, 2026, 'required', 5, 'offline', 9, 0, '', '2026-01-01')"),
])
def test_bulk_writes_behind_the_counters_are_refused(world, statement):
    with pytest.raises(credit_tallies.UntalliedCredits):
        db.session.execute(statement(world))
    db.session.rollback()


def test_a_bulk_load_that_recounts_passes(world):
    ledger.add_entry(person_id=world["people"][1].id, year=YEAR, kind="required", tenths=30, source_type="course",
                     source_id=world["courses"][0].id, created_at=clock.now())
    db.session.commit()
    db.session.execute(update(Person).where(Person.id == world["people"][2].id).values(phone="13800000000"))  # allowed
    db.session.execute(insert(CreditEntry).execution_options(**credit_tallies.RECOUNT), [
        dict(person_id=world["people"][n].id, year=YEAR, kind="elective", tenths=10 * n, source_type="offline",
             source_id=n, created_at=clock.now()) for n in range(1, 6)])
    db.session.commit()
    assert credit_state.recount() == 6
    kept = snapshot()
    assert credit_state.recount() == 6 and snapshot() == kept  # idempotent
    assert sum(row[2] for row in kept["credit_standing"]) == 30 + 150
