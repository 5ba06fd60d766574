"""`flask demo load` and `flask users create`."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import MentorLink, OrgUnit, Person, RoleGrant


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Person, OrgUnit, RoleGrant, MentorLink))


def test_the_demo_builds_three_trees_with_scoped_admins_and_people_on_every_post(make_demo_app):
    app = make_demo_app()
    with app.app_context():
        people, units, grants, links = _counts()
        assert 50 <= people <= 80 and units == 19 and links >= 8
        roots = db.session.scalars(select(OrgUnit.name).where(OrgUnit.parent_id.is_(None))).all()
        assert len(roots) == 3
        scoped = db.session.scalar(select(Person).where(Person.staff_no == "dd1-admin"))
        grant = next(g for g in scoped.roles if g.role == "admin")
        assert grant.scope_unit.name == "一大队"
        held = set(db.session.scalars(select(Person.post_id).where(Person.post_id.is_not(None))))
        assert len(held) == 9  # someone on each of the nine posts of workforces.toml


def test_users_create_makes_a_global_admin_who_must_change_password(runner):
    result = runner.invoke(args=["users", "create", "--staff-no", "boss", "--name", "局长", "--unit", "示范市局",
                                 "--password", "Start2026"])
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.staff_no == "boss"))
    assert person.must_change_password and person.roles[0].role == "admin" and person.roles[0].scope_unit_id is None
    again = runner.invoke(args=["users", "create", "--staff-no", "boss", "--name", "x", "--unit", "y",
                                "--password", "Start2026"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_users_create_refuses_a_weak_password(runner):
    result = runner.invoke(args=["users", "create", "--staff-no", "b2", "--name", "x", "--unit", "y", "--password", "123"])
    assert result.exit_code != 0 and db.session.scalar(select(Person).where(Person.staff_no == "b2")) is None
