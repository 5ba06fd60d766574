"""Scope: an admin of brigade A cannot see or change anything of brigade B; trainees see no admin page."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, MentorLink, OrgUnit, Person, RoleGrant, RosterImport
from tests.factories import make_person, make_world


@pytest.fixture
def world(app):
    return make_world(workforce=True, people={"person_b": {"unit": "b1", "staff_no": "fj-b1", "name": "乙队员"},
                                              "person_a": {"unit": "a1", "staff_no": "fj-a1", "name": "甲队员"}})


def _routes(w):
    """Every org route that names an object of brigade B, with the request an admin of A would send."""
    b, b1, pb = w["b"].id, w["b1"].id, w["person_b"].id
    grant = w["admin_b"].roles[0].id
    return [
        ("GET", f"/org/people/{pb}", None),
        ("GET", f"/org/people/{pb}/edit", None),
        ("POST", f"/org/people/{pb}/edit", {"staff_no": "x", "name": "改名", "unit_id": w["a1"].id,
                                             "post_id": 0, "grade_id": 0, "status": "active"}),
        ("POST", f"/org/people/{pb}/roles", {"role": "instructor", "scope_unit_id": w["a"].id}),
        ("POST", f"/org/people/{w['admin_b'].id}/roles/{grant}/revoke", {}),
        ("POST", f"/org/people/{pb}/mentors", {"mentor_staff_no": "fj-a1", "kind": "mentor"}),
        ("POST", f"/org/people/{pb}/password", {}),
        ("GET", f"/org/people?unit_id={b}", None),
        ("POST", f"/org/units/{b1}", {"name": "改名", "kind": ""}),
        ("POST", "/org/units/move", {"unit_id": b1, "parent_id": w["a"].id}),
        ("POST", "/org/units/move", {"unit_id": w["a1"].id, "parent_id": b}),
        ("POST", f"/org/units/{b1}/delete", {}),
        ("POST", "/org/units", {"parent_id": b, "name": "新中队"}),
        ("POST", f"/org/people/{w['person_a'].id}/mentors", {"mentor_staff_no": "fj-b1", "kind": "mentor"}),
        ("POST", "/org/people/new", {"staff_no": "n1", "name": "新人", "unit_id": b1, "post_id": 0,
                                     "grade_id": 0, "status": "active"}),
    ]


def _snapshot():
    return (
        db.session.scalar(select(func.count()).select_from(Person)),
        db.session.scalar(select(func.count()).select_from(OrgUnit)),
        db.session.scalar(select(func.count()).select_from(RoleGrant)),
        db.session.scalar(select(func.count()).select_from(MentorLink)),
        tuple(db.session.scalars(select(OrgUnit.name).order_by(OrgUnit.id))),
        tuple(db.session.scalars(select(OrgUnit.path).order_by(OrgUnit.id))),
        tuple(db.session.scalars(select(Person.name).order_by(Person.id))),
        tuple(db.session.scalars(select(Person.password_hash).order_by(Person.id))),
    )


def test_admin_of_brigade_a_gets_404_for_every_route_into_brigade_b(world, as_user):
    client = as_user("admin-a")
    before = _snapshot()
    for method, url, data in _routes(world):
        response = client.open(url, method=method, data=data)
        assert response.status_code in (400, 404), (method, url, response.status_code)
        if method == "GET" or "/new" not in url:
            assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert _snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "login")) == 0


def test_people_list_shows_only_the_admins_subtree(world, as_user):
    page = as_user("admin-a").get("/org/people").data.decode()
    assert "甲队员" in page and "乙队员" not in page and "乙管理员" not in page


def test_unit_tree_shows_only_the_admins_subtree(world, as_user):
    page = as_user("admin-a").get("/org/units").data.decode()
    assert "一大队" in page and "二大队" not in page and "交警支队" not in page


def test_admin_cannot_import_people_into_another_brigade(world, as_user):
    client = as_user("admin-a")
    csv = "工号,姓名,单位\nX1,甲一,交警支队/二大队/一中队\nX2,甲二,二大队\n".encode("utf-8-sig")
    response = client.post("/org/import", data={"file": (io.BytesIO(csv), "r.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.data.decode()
    assert "第2行" in page and "第3行" in page and "不在您的管理范围内" in page
    assert db.session.scalar(select(Person).where(Person.staff_no.in_(["X1", "X2"]))) is None


def test_admin_cannot_confirm_another_admins_import_batch(world, as_user):
    client_b = as_user("admin-b")
    csv = "工号,姓名,单位\nX1,乙一,二大队/一中队\n".encode("utf-8-sig")
    client_b.post("/org/import", data={"file": (io.BytesIO(csv), "r.csv")}, content_type="multipart/form-data")
    batch_id = db.session.scalar(select(func.max(RosterImport.id)))
    assert batch_id is not None
    response = as_user("admin-a").post(f"/org/import/{batch_id}/confirm", data={"initial_password": "Start2026"})
    assert response.status_code == 404, response.location
    assert db.session.scalar(select(Person).where(Person.staff_no == "X1")) is None


def test_global_admin_sees_both_brigades(world, as_user):
    make_person(unit=world["root"], staff_no="root-admin", roles=(("admin", None),))
    page = as_user("root-admin").get("/org/people").data.decode()
    assert "甲队员" in page and "乙队员" in page


@pytest.mark.parametrize("url", ["/org/units", "/org/people", "/org/workforces", "/org/import",
                                 "/org/import/template.xlsx", "/study/admin/assignments", "/bank/", "/curriculum/courses"])
def test_trainee_cannot_reach_admin_or_instructor_pages(world, as_user, url):
    assert as_user("fj-a1").get(url).status_code == 403


def test_trainee_cannot_open_a_person_page_even_their_own(world, as_user):
    client = as_user("fj-a1")
    assert client.get(f"/org/people/{world['person_a'].id}").status_code == 403
    assert "甲队员" in client.get("/me/profile").data.decode()


@pytest.mark.parametrize("url", [
    "/org/people?unit_id=99999999999999999999999",
    "/study/admin/assignments?course_id=99999999999999999999999",
    "/bank/?category_id=99999999999999999999999",
])
def test_numbers_too_big_for_the_database_are_a_chinese_400_not_a_500(app, as_user, url):
    world = make_world()
    make_person(unit=world["a"], staff_no="inst-x", roles=(("instructor", world["a"]),))
    client = as_user("inst-x" if url.startswith("/bank") else "admin-a")
    response = client.get(url)
    assert response.status_code == 400 and "数字超出范围" in response.data.decode()
    assert client.get("/").status_code == 200  # the session is usable again after the rollback
