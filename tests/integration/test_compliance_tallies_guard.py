"""培训完成情况 counters: writes that would go around them are refused, `recount` rebuilds them, and
the ORM paths no service uses yet (deleting a person or a course) keep them right too.

Two guards, because each misses what the other sees: at run time `tallies._guard` refuses any
statement through the session that writes assignments behind the counters' back (whoever wrote
it, including code merged later and not covered here); the source scan below fails on a bulk write
of assignments anywhere in `app/` outside `app/study/tallies.py`, even on a path no test runs. The
random test (test_compliance_tallies.py) checks that what does go through is counted right.
"""

from __future__ import annotations

import ast
import re
from datetime import date, datetime

import pytest
from sqlalchemy import delete, insert, select, text, update

from app.extensions import db
from app.models import Assignment, AssignmentTally, Course, Person
from app.study import tallies, tally_guard
from tests.factories import make_course, make_person, make_world
from tests.integration.test_compliance_tallies import expected_tables, stored_tables
from tests.paths import ROOT

DUE = date(2026, 12, 31)


@pytest.fixture
def world(app):
    world = make_world()
    world["course"] = make_course("law", lessons=(1,))
    world["p1"] = make_person(unit=world["a1"], staff_no="P1")
    world["p2"] = make_person(unit=world["b1"], staff_no="P2")
    for person in (world["p1"], world["p2"]):
        db.session.add(Assignment(person_id=person.id, course_id=world["course"].id, year=2026, due_on=DUE))
    db.session.commit()
    return world


def _assignments() -> list[tuple]:
    return db.session.execute(select(Assignment.person_id, Assignment.due_on, Assignment.completed_at)
                              .order_by(Assignment.id)).all()


@pytest.mark.parametrize("statement", [
    lambda w: update(Assignment).values(due_on=date(2030, 1, 1)),
    lambda w: update(Assignment).where(Assignment.person_id == w["p1"].id).values(completed_at=datetime(2026, 5, 1)),
    lambda w: delete(Assignment),
    lambda w: insert(Assignment).values(person_id=w["p1"].id, course_id=w["course"].id, year=2027, due_on=DUE),
    lambda w: update(Assignment.__table__).values(due_on=date(2030, 1, 1)),
    lambda w: text("UPDATE assignment SET due_on = '2030-01-01'"),
    lambda w: text("delete from \"assignment\" where id > 0"),
    lambda w: update(Person).where(Person.id == w["p1"].id).values(unit_id=w["b1"].id),
    lambda w: delete(Person).where(Person.id == w["p2"].id),
    lambda w: delete(Course),
])
def test_a_bulk_write_behind_the_counters_is_refused_and_changes_nothing(world, statement):
    before, people = _assignments(), db.session.execute(select(Person.id, Person.unit_id)).all()
    with pytest.raises(tallies.UntalliedWrite):
        db.session.execute(statement(world))
    db.session.rollback()
    assert _assignments() == before and db.session.execute(select(Person.id, Person.unit_id)).all() == people
    assert stored_tables() == expected_tables()


def test_bulk_writes_that_cannot_change_the_counters_pass(world):
    db.session.execute(update(Person).where(Person.id == world["p1"].id).values(phone="13800000000"))
    db.session.execute(text("UPDATE assignment_tally SET total = total WHERE year = 2026"))
    db.session.commit()
    assert db.session.get(Person, world["p1"].id).phone == "13800000000"


def test_a_bulk_load_marked_for_a_recount_passes_and_recount_rebuilds_the_counters(world, runner):
    rows = [{"person_id": world[key].id, "course_id": world["course"].id, "year": 2027, "due_on": DUE,
             "completed_at": datetime(2026, 6, 1) if key == "p1" else None} for key in ("p1", "p2")]
    db.session.execute(insert(Assignment).execution_options(**tallies.RECOUNT), rows)
    db.session.commit()
    assert stored_tables() != expected_tables()  # not counted, as the option says
    result = runner.invoke(args=["study", "recount"])
    assert result.exit_code == 0 and "已按 4 项培训任务、" in result.output and "重新统计培训完成情况" in result.output
    assert stored_tables() == expected_tables()
    counted = stored_tables()
    assert tallies.recount() == 4 and stored_tables() == counted  # idempotent


def test_recount_drops_counters_that_drifted(world):
    db.session.execute(update(AssignmentTally).values(total=99))
    db.session.commit()
    tallies.recount()
    assert stored_tables() == expected_tables()
    assert {row[0] for row in stored_tables()[0].values()} == {1}


def test_deleting_a_person_or_a_course_through_the_session_takes_their_counts_away(world):
    bare = make_course("bare", lessons=())  # no lessons, so nothing else holds on to it
    db.session.add(Assignment(person_id=world["p1"].id, course_id=bare.id, year=2026, due_on=date(2026, 3, 1)))
    db.session.commit()
    db.session.delete(db.session.get(Person, world["p2"].id))
    db.session.commit()
    assert stored_tables() == expected_tables() and len(stored_tables()[0]) == 2
    db.session.delete(db.session.get(Course, bare.id))
    db.session.commit()
    assert stored_tables() == expected_tables() and len(stored_tables()[0]) == 1
    assert stored_tables()[1] == {(world["a1"].id, 2026): 1}


# --- the source scan ------------------------------------------------------------------------------

BULK_WRITE = re.compile(r"\b(?:update|insert|delete)\(\s*Assignment\b|Assignment\.__table__|"
                        r"\bbulk_(?:save_objects|insert_mappings|update_mappings)\b")


def _writes_in_strings(path) -> list[int]:
    """Lines of string constants holding SQL that writes the assignment table."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and tally_guard.WRITES_ASSIGNMENTS.search(node.value)]


def test_nothing_in_app_but_the_tallies_module_writes_assignments_in_bulk():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path.parent == ROOT / "app" / "study" and path.name in ("tallies.py", "tally_guard.py"):
            continue
        source = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(ROOT)}:{source[:m.start()].count(chr(10)) + 1}"
                      for m in BULK_WRITE.finditer(source)]
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _writes_in_strings(path)]
    assert offenders == [], "write assignments through the ORM session or app.study.tallies"


def test_the_source_scan_would_see_a_bulk_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('db.session.execute(update(Assignment).values(x=1))\nSQL = "UPDATE assignment SET x = 1"\n',
                      encoding="utf-8")
    assert BULK_WRITE.search(sample.read_text(encoding="utf-8")) and _writes_in_strings(sample) == [2]
