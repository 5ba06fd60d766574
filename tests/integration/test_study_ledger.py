"""The 学时 ledger: yearly totals, year-end carry-over and reversals."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import AuditEntry, CreditEntry
from app.study import ledger
from tests.factories import make_person, make_syllabus, make_workforce, make_world

NOW = datetime(2027, 1, 5, 2, 0)


def _entry(person, tenths, *, year=2026, kind="elective", source_type="offline", source_id=None):
    entry = CreditEntry(person_id=person.id, year=year, kind=kind, tenths=tenths, source_type=source_type,
                        source_id=source_id or tenths * 1000 + year)
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def world(app):
    world = make_world(workforce=True, people={"trainee": {"unit": "a1", "staff_no": "T-A", "post": 0}})
    make_syllabus(world["posts"][0], annual_tenths=100, annual_required_tenths=60)
    return world


def test_year_credits_add_up_required_and_elective_against_the_syllabus(world):
    person = world["trainee"]
    _entry(person, 40, kind="required", source_id=1)
    _entry(person, 25, kind="elective", source_id=2)
    _entry(person, 10, kind="required", year=2025, source_id=3)
    credits = ledger.year_credits(person, 2026)
    assert (credits.required, credits.elective, credits.total) == (40, 25, 65)
    assert (credits.annual_target, credits.annual_required_target) == (100, 60)


def test_excess_hours_carry_over_into_next_years_electives_once(world):
    person = world["trainee"]
    _entry(person, 90, kind="required", source_id=1)
    _entry(person, 40, source_id=2)
    entry = ledger.carry_over(person.id, 2026, now=NOW)
    assert (entry.year, entry.kind, entry.tenths, entry.source_type, entry.source_id) == (2027, "elective", 30, "carry_over", 2026)
    assert ledger.carry_over(person.id, 2026, now=NOW) is None
    assert db.session.scalar(select(func.count()).select_from(CreditEntry).where(CreditEntry.year == 2027)) == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "credit_carry_over"))


def test_carry_over_is_capped_and_never_carries_carried_hours_again(make_app):
    app = make_app(CARRY_OVER_MAX_TENTHS=20)
    with app.app_context():
        workforce = make_workforce()
        make_syllabus(workforce.posts[0], annual_tenths=100)
        person = make_person(unit=make_world()["a1"], post_id=workforce.posts[0].id)
        _entry(person, 200, year=2025, source_id=1)
        assert ledger.carry_over(person.id, 2025, now=NOW).tenths == 20
        _entry(person, 100, year=2026, source_id=2)  # exactly the target, plus 20 carried in
        assert ledger.carry_over(person.id, 2026, now=NOW) is None


def test_nothing_carries_over_below_the_target_or_without_a_syllabus(world):
    person = world["trainee"]
    _entry(person, 80, source_id=1)
    assert ledger.carry_over(person.id, 2026, now=NOW) is None
    loner = make_person(unit=world["a1"])
    _entry(loner, 500, source_id=2)
    assert ledger.carry_over(loner.id, 2026, now=NOW) is None
    assert ledger.carry_over_all(2026, now=NOW) == 0


def test_a_reversal_adds_an_opposite_entry_and_keeps_the_original(world):
    person = world["trainee"]
    original = _entry(person, 15, kind="required", source_type="course", source_id=7)
    reversal = ledger.reverse_entry(world["admin_a"].id, Scope((world["a"].path,)), original.id,
                                    reason="重复记录", now=NOW)
    assert (reversal.tenths, reversal.kind, reversal.year, reversal.reversal_of_id) == (-15, "required", 2026, original.id)
    assert db.session.get(CreditEntry, original.id).tenths == 15
    assert ledger.year_credits(person, 2026).total == 0
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "credit_reverse"))
    assert audit.actor_id == world["admin_a"].id and audit.detail["reason"] == "重复记录"


def test_an_entry_cannot_be_reversed_twice_nor_a_reversal_reversed(world):
    scope = Scope((world["a"].path,))
    original = _entry(world["trainee"], 15, source_id=7)
    reversal = ledger.reverse_entry(world["admin_a"].id, scope, original.id, reason="错误", now=NOW)
    with pytest.raises(Conflict):
        ledger.reverse_entry(world["admin_a"].id, scope, original.id, reason="错误", now=NOW)
    with pytest.raises(DomainError):
        ledger.reverse_entry(world["admin_a"].id, scope, reversal.id, reason="错误", now=NOW)


@pytest.mark.parametrize("reason", ["", "  ", "长" * 151])
def test_a_reversal_needs_a_short_reason(world, reason):
    original = _entry(world["trainee"], 15, source_id=7)
    with pytest.raises(DomainError):
        ledger.reverse_entry(world["admin_a"].id, Scope((world["a"].path,)), original.id, reason=reason, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(CreditEntry)) == 1


def test_an_admin_cannot_reverse_entries_outside_their_scope(world):
    original = _entry(world["trainee"], 15, source_id=7)
    with pytest.raises(NotFound):
        ledger.reverse_entry(world["admin_b"].id, Scope((world["b"].path,)), original.id, reason="越权", now=NOW)
    assert db.session.scalar(select(func.count()).select_from(CreditEntry)) == 1


def test_the_year_turn_task_is_scheduled_and_assigns_the_new_year(app):
    from app.study.tasks import year_turn_task

    schedule = app.extensions["celery"].conf.beat_schedule["year-turn"]
    assert schedule["task"] == year_turn_task.name
    from app.models import Assignment
    from tests.factories import make_course, make_person, make_syllabus, make_unit, make_workforce

    post = make_workforce().posts[0]
    make_course("annual")
    make_syllabus(post, required=[{"course": "annual", "by_date_each_year": "06-30"}])
    person = make_person(unit=make_unit(), post_id=post.id)
    result = year_turn_task.delay().get()
    assert result == {"carried": 0, "assigned": 1}
    assert db.session.scalar(select(Assignment).filter_by(person_id=person.id)).due_on.month == 6
