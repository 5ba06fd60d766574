"""`flask users create` goes through the org service: a global admin, audited, password to change."""

from sqlalchemy import func, select

from app.auth.passwords import verify_password
from app.extensions import db
from app.models import AuditEntry, OrgUnit, Person


def _create(runner, staff_no="boss", unit="示范市局", password="Start2026"):
    return runner.invoke(args=["users", "create", "--staff-no", staff_no, "--name", "局长", "--unit", unit,
                               "--password", password])


def test_the_cli_creates_an_audited_global_admin_who_must_change_the_password(runner):
    result = _create(runner)
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.staff_no == "boss"))
    assert [(g.role, g.scope_unit_id) for g in person.roles] == [("admin", None)]
    assert person.must_change_password and verify_password(person.password_hash, "Start2026")
    assert person.unit.name == "示范市局" and person.unit.parent_id is None
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.detail)
                                 .order_by(AuditEntry.id)).all()
    assert [(a, actor) for a, actor, _ in actions] == [
        ("unit_create", None), ("person_create", None), ("role_grant", None)]
    assert actions[2].detail == {"role": "admin"}


def test_the_cli_puts_the_admin_into_an_existing_unit_of_that_name(runner):
    _create(runner, staff_no="first")
    assert _create(runner, staff_no="second").exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 1


def test_the_cli_refuses_a_taken_staff_number_or_a_weak_password_and_writes_nothing(runner):
    _create(runner)
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    taken = _create(runner, unit="别的单位")
    weak = _create(runner, staff_no="b2", unit="别的单位", password="123")
    assert taken.exit_code != 0 and "已存在" in taken.output
    assert weak.exit_code != 0 and "密码" in weak.output
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.name == "别的单位")) is None
