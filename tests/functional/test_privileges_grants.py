"""Privileges (issue 9): nobody grants a role wider than their own scope, and nobody manages a
person who holds a role wider than their own scope."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, MentorLink, Person, RoleGrant, RosterImport
from tests.factories import login, make_world, roster_xlsx

OUT_OF_REACH = "该人员持有超出您管理范围的角色，不能修改"


@pytest.fixture
def world(app):
    """A trainee of 一大队, and two people of 一大队 holding roles wider than 一大队: an admin of the
    whole 支队 (`boss`) and a global instructor (`global_inst`)."""
    w = make_world(workforce=True, admin_all=True, people={
        "person_a": {"unit": "a1", "staff_no": "fj-a1", "name": "甲队员"},
        "helper_a": {"unit": "a1", "staff_no": "fj-a2", "name": "甲队员二"},
    })
    w["boss"] = _person(w, "a", "boss-a", "支队管理员", ("admin", w["root"]))
    w["global_inst"] = _person(w, "a1", "ginst-a", "全局教官", ("instructor", None))
    return w


def _person(w, unit_key, staff_no, name, *grants):
    from tests.factories import make_person
    return make_person(unit=w[unit_key], staff_no=staff_no, name=name, roles=(("trainee", None),) + grants)


def _state():
    """What a refused request must leave untouched."""
    return (
        tuple(db.session.execute(select(RoleGrant.person_id, RoleGrant.role, RoleGrant.scope_unit_id)
                                 .order_by(RoleGrant.id)).all()),
        tuple(db.session.execute(select(Person.id, Person.name, Person.status, Person.unit_id,
                                        Person.password_hash, Person.must_change_password)
                                 .order_by(Person.id)).all()),
        db.session.scalar(select(func.count()).select_from(MentorLink)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _grants_of(person) -> set[tuple[str, int | None]]:
    return set(db.session.execute(select(RoleGrant.role, RoleGrant.scope_unit_id)
                                  .where(RoleGrant.person_id == person.id)).all())


# --- 1. grants no wider than the granter's scope -------------------------------------------------

@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_scoped_admin_cannot_grant_a_global_role(world, as_user, role):
    client = as_user("admin-a")
    before = _state()
    response = client.post(f"/org/people/{world['person_a'].id}/roles", data={"role": role, "scope_unit_id": 0})
    assert response.status_code == 403
    assert "不限范围" in response.get_data(as_text=True)
    assert _state() == before  # no grant row, no audit entry


def test_scoped_admin_cannot_grant_over_a_unit_outside_their_scope(world, as_user):
    client = as_user("admin-a")
    before = _state()
    for unit in ("root", "b"):
        response = client.post(f"/org/people/{world['person_a'].id}/roles",
                               data={"role": "instructor", "scope_unit_id": world[unit].id})
        assert response.status_code == 404
    assert _state() == before


def test_scoped_admin_grants_roles_inside_their_scope(world, as_user):
    client = as_user("admin-a")
    person = world["person_a"]
    assert client.post(f"/org/people/{person.id}/roles",
                       data={"role": "instructor", "scope_unit_id": world["a1"].id}).status_code == 302
    assert client.post(f"/org/people/{person.id}/roles",
                       data={"role": "admin", "scope_unit_id": world["a"].id}).status_code == 302
    assert _grants_of(person) == {("trainee", None), ("instructor", world["a1"].id), ("admin", world["a"].id)}
    audit = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "role_grant")).all()
    assert len(audit) == 2


def test_global_admin_grants_global_roles(world, as_user):
    client = as_user("admin-all")
    person = world["person_a"]
    for role in ("instructor", "admin"):
        assert client.post(f"/org/people/{person.id}/roles",
                           data={"role": role, "scope_unit_id": 0}).status_code == 302
    assert _grants_of(person) == {("trainee", None), ("instructor", None), ("admin", None)}


def test_scoped_admin_grant_form_offers_no_unlimited_scope(world, as_user):
    page = as_user("admin-a").get(f"/org/people/{world['person_a'].id}").get_data(as_text=True)
    assert "（不限范围）" not in page
    assert "（不限范围）" in as_user("admin-all").get(f"/org/people/{world['person_a'].id}").get_data(as_text=True)





def _upload(client, rows):
    return client.post("/org/import", data={"file": (io.BytesIO(roster_xlsx(rows)), "名册.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True)


ROWS = [
    ["N001", "李明", "", "一大队/一中队", "路面执勤", "", "", "在岗", "学员"],
    ["N002", "王芳", "", "一大队/一中队", "路面执勤", "", "", "在岗", "学员、教官"],
]


def test_scoped_admin_roster_row_with_instructor_is_a_row_error_and_nothing_imports(world, as_user):
    client = as_user("admin-a")
    people_before = db.session.scalar(select(func.count()).select_from(Person))
    grants_before = db.session.scalar(select(func.count()).select_from(RoleGrant))
    preview = _upload(client, ROWS)
    page = preview.get_data(as_text=True)
    assert "第3行" in page and "教官" in page and "超出您的管理范围" in page
    batch = db.session.scalar(select(RosterImport))
    assert batch.status == "invalid"
    confirm = client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"})
    assert confirm.status_code in (302, 400)
    assert db.session.scalar(select(func.count()).select_from(Person)) == people_before
    assert db.session.scalar(select(func.count()).select_from(RoleGrant)) == grants_before
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster_import")) is None


def test_global_admin_roster_imports_instructors(world, as_user):
    client = as_user("admin-all")
    assert "检查通过" in _upload(client, ROWS).get_data(as_text=True)
    batch = db.session.scalar(select(RosterImport))
    assert client.post(f"/org/import/{batch.id}/confirm", data={"initial_password": "Start2026"}).status_code == 302
    wang = db.session.scalar(select(Person).where(Person.staff_no == "N002"))
    assert wang.role_names == {"trainee", "instructor"}


# --- 2. nobody manages a person holding a role wider than their scope ----------------------------

def _manage_requests(w, person):
    grant = next(g for g in person.roles if g.role != "trainee")
    return [
        ("GET", f"/org/people/{person.id}/edit", None),
        ("POST", f"/org/people/{person.id}/edit", {"staff_no": person.staff_no, "name": "改名", "unit_id": w["a1"].id,
                                                    "post_id": 0, "grade_id": 0, "status": "left"}),
        ("POST", f"/org/people/{person.id}/password", {}),
        ("POST", f"/org/people/{person.id}/roles", {"role": "instructor", "scope_unit_id": w["a1"].id}),
        ("POST", f"/org/people/{person.id}/roles/{grant.id}/revoke", {}),
        ("POST", f"/org/people/{person.id}/mentors", {"mentor_staff_no": "fj-a1", "kind": "mentor"}),
    ]


@pytest.mark.parametrize("target", ["boss", "global_inst"])
def test_scoped_admin_cannot_manage_a_person_with_a_wider_role(world, as_user, target):
    client = as_user("admin-a")
    person = world[target]
    before = _state()
    for method, url, data in _manage_requests(world, person):
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 403, (method, url)
        assert OUT_OF_REACH in response.get_data(as_text=True), url
    assert _state() == before  # password hash, grants, status, mentors and audit untouched


def test_scoped_admin_cannot_remove_a_mentor_link_of_a_person_with_a_wider_role(world, as_user, app):
    link = MentorLink(mentor_id=world["person_a"].id, mentee_id=world["boss"].id, kind="mentor")
    db.session.add(link)
    db.session.commit()
    client = as_user("admin-a")
    before = _state()
    response = client.post(f"/org/people/{world['boss'].id}/mentors/{link.id}/delete")
    assert response.status_code == 403
    assert _state() == before


def test_takeover_of_a_broader_admin_is_refused(world, as_user, app):
    client = as_user("admin-a")
    response = client.post(f"/org/people/{world['boss'].id}/password")
    assert response.status_code == 403
    other = app.test_client()
    assert login(other, "boss-a").status_code == 302  # the old password still works


def test_person_page_hides_actions_on_a_person_with_a_wider_role(world, as_user):
    page = as_user("admin-a").get(f"/org/people/{world['boss'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and OUT_OF_REACH in text
    boss = world["boss"].id
    for action in (f"/org/people/{boss}/edit", f"/org/people/{boss}/password", f"/org/people/{boss}/roles",
                   f"/org/people/{boss}/mentors"):
        assert action not in text


def test_person_page_shows_actions_on_a_manageable_person(world, as_user):
    text = as_user("admin-a").get(f"/org/people/{world['person_a'].id}").get_data(as_text=True)
    pid = world["person_a"].id
    assert OUT_OF_REACH not in text
    for action in (f"/org/people/{pid}/edit", f"/org/people/{pid}/password", f"/org/people/{pid}/roles",
                   f"/org/people/{pid}/mentors"):
        assert action in text


def test_scoped_admin_still_manages_people_whose_roles_lie_in_scope(world, as_user):
    client = as_user("admin-a")
    person = world["person_a"]
    assert client.post(f"/org/people/{person.id}/roles",
                       data={"role": "instructor", "scope_unit_id": world["a1"].id}).status_code == 302
    old_hash = db.session.get(Person, person.id).password_hash
    assert client.post(f"/org/people/{person.id}/password").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).password_hash != old_hash
    edit = client.post(f"/org/people/{person.id}/edit", data={"staff_no": "fj-a1", "name": "甲队员改", "unit_id": world["a1"].id,
                                                              "post_id": 0, "grade_id": 0, "status": "active"})
    assert edit.status_code == 302
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == "instructor"))
    assert client.post(f"/org/people/{person.id}/roles/{grant.id}/revoke").status_code == 302
    assert client.post(f"/org/people/{person.id}/mentors",
                       data={"mentor_staff_no": "fj-a2", "kind": "mentor"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "甲队员改"
    assert _grants_of(person) == {("trainee", None)}
    assert db.session.scalar(select(func.count()).select_from(MentorLink)) == 1


def test_global_admin_manages_a_person_with_a_wider_role(world, as_user):
    client = as_user("admin-all")
    boss = world["boss"]
    old_hash = boss.password_hash
    assert client.post(f"/org/people/{boss.id}/password").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, boss.id).password_hash != old_hash
