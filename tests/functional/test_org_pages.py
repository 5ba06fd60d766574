"""Admin pages for the org tree, people, roles and mentors: responses and database state."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, MentorLink, OrgUnit, Person, RoleGrant
from tests.factories import make_person, make_workforce, make_world


def _audit(action: str) -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action))


def test_admin_adds_renames_and_deletes_a_sub_unit(app, as_user):
    w = make_world()
    client = as_user("admin-a")
    assert client.post("/org/units", data={"parent_id": w["a"].id, "name": "三中队", "kind": "中队"}).status_code == 302
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "三中队"))
    assert unit.path == f"{w['a'].path}{unit.id}/" and unit.depth == 2
    client.post(f"/org/units/{unit.id}", data={"name": "三中队（新）", "kind": "中队"})
    assert db.session.get(OrgUnit, unit.id).name == "三中队（新）"
    unit_id = unit.id
    assert client.post(f"/org/units/{unit_id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(OrgUnit, unit_id) is None
    assert _audit("unit_create") and _audit("unit_rename") and _audit("unit_delete")


def test_scoped_admin_cannot_add_a_root_unit(app, as_user):
    make_world()
    client = as_user("admin-a")
    before = db.session.scalar(select(func.count()).select_from(OrgUnit))
    assert client.post("/org/units", data={"name": "野单位"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == before


def test_moving_a_unit_moves_its_subtree_paths(app, as_user):
    w = make_world()
    make_person(unit=w["root"], staff_no="root-admin", roles=(("admin", None),))
    client = as_user("root-admin")
    assert client.post("/org/units/move", data={"unit_id": w["a1"].id, "parent_id": w["b"].id}).status_code == 302
    moved = db.session.get(OrgUnit, w["a1"].id)
    assert moved.parent_id == w["b"].id and moved.path == f"{w['b'].path}{moved.id}/" and moved.depth == 2
    response = client.post("/org/units/move", data={"unit_id": w["b"].id, "parent_id": moved.id})
    assert response.status_code == 400 and "下级单位" in response.data.decode()


def test_a_unit_with_people_cannot_be_deleted(app, as_user):
    w = make_world()
    make_person(unit=w["a1"])
    response = as_user("admin-a").post(f"/org/units/{w['a1'].id}/delete")
    assert response.status_code == 409 and db.session.get(OrgUnit, w["a1"].id) is not None


def test_admin_cannot_delete_their_own_scope_root(app, as_user):
    w = make_world()
    assert as_user("admin-a").post(f"/org/units/{w['a'].id}/delete").status_code == 403
    assert db.session.get(OrgUnit, w["a"].id) is not None and _audit("unit_delete") is None


def test_admin_creates_and_edits_a_person(app, as_user):
    w = make_world()
    wf = make_workforce()
    client = as_user("admin-a")
    form = {"staff_no": "NEW1", "name": "赵六", "phone": "13900000000", "unit_id": w["a1"].id,
            "post_id": wf.posts[0].id, "grade_id": wf.grades[1].id, "joined_on": "2024-05-01", "status": "active"}
    response = client.post("/org/people/new", data=form)
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.staff_no == "NEW1"))
    assert person.must_change_password and person.role_names == {"trainee"} and person.grade.name == "三级辅警"
    response = client.post(f"/org/people/{person.id}/edit", data=form | {"name": "赵六六", "status": "left"})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.name == "赵六六" and person.status == "left"
    assert _audit("person_update").detail["changes"]["name"] == ["赵六", "赵六六"]


def test_person_form_errors_rerender_in_chinese_and_write_nothing(app, as_user):
    w = make_world()
    client = as_user("admin-a")
    response = client.post("/org/people/new", data={"staff_no": "admin-b", "name": "冲突", "unit_id": w["a1"].id,
                                                    "post_id": 0, "grade_id": 0, "status": "active"})
    assert response.status_code == 400 and "工号“admin-b”已被使用" in response.data.decode()
    response = client.post("/org/people/new", data={"staff_no": "", "name": "", "unit_id": w["a1"].id,
                                                    "post_id": 0, "grade_id": 0, "status": "active"})
    assert "请填写工号" in response.data.decode()
    assert db.session.scalar(select(Person).where(Person.name == "冲突")) is None


def test_admin_grants_a_scoped_admin_role_and_the_grantee_sees_only_that_subtree(app, as_user):
    w = make_world()
    person = make_person(unit=w["a1"], staff_no="squad-lead", name="中队长")
    client = as_user("admin-a")
    client.post(f"/org/people/{person.id}/roles", data={"role": "admin", "scope_unit_id": w["a1"].id})
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == "admin"))
    assert grant.scope_unit_id == w["a1"].id
    page = as_user("squad-lead").get("/org/people").data.decode()
    assert "中队长" in page and "甲管理员" not in page
    response = client.post(f"/org/people/{person.id}/roles", data={"role": "admin", "scope_unit_id": 0})
    assert response.status_code == 403
    grant_id = grant.id
    client.post(f"/org/people/{person.id}/roles/{grant_id}/revoke")
    db.session.expunge_all()
    assert db.session.get(RoleGrant, grant_id) is None and _audit("role_revoke")


def test_admin_links_a_mentor_and_the_trainee_sees_it(app, as_user):
    w = make_world()
    mentee = make_person(unit=w["a1"], staff_no="m1", name="新队员")
    make_person(unit=w["a"], staff_no="m2", name="老师傅")
    client = as_user("admin-a")
    client.post(f"/org/people/{mentee.id}/mentors", data={"mentor_staff_no": "m2", "kind": "mentor"})
    link = db.session.scalar(select(MentorLink))
    assert link.mentee_id == mentee.id
    assert "老师傅" in as_user("m1").get("/me/profile").data.decode()
    client.post(f"/org/people/{mentee.id}/mentors/{link.id}/delete")
    assert db.session.scalar(select(func.count()).select_from(MentorLink)) == 0


def test_password_reset_forces_a_change_at_next_login(app, as_user):
    w = make_world()
    person = make_person(unit=w["a1"], staff_no="r1")
    response = as_user("admin-a").post(f"/org/people/{person.id}/password", follow_redirects=True)
    assert "密码已重置为" in response.data.decode()
    assert db.session.get(Person, person.id).must_change_password


def test_people_list_searches_filters_and_paginates(app, as_user):
    w = make_world()
    for i in range(25):
        make_person(unit=w["a1"], staff_no=f"P{i:03d}", name=f"队员{i:02d}")
    client = as_user("admin-a")
    first = client.get("/org/people").data.decode()
    assert "共 26 人" in first and "page=2" in first and "队员24" not in first
    second = client.get("/org/people?page=2").data.decode()
    assert "队员24" in second
    found = client.get("/org/people?q=P007").data.decode()
    assert "队员07" in found and "队员08" not in found
    assert "共 1 人" in client.get("/org/people?role=admin").data.decode()
    empty = client.get("/org/people?q=不存在的人").data.decode()
    assert "没有符合条件的人员" in empty


def test_the_workforce_page_is_read_only_and_says_where_posts_come_from(app, as_user):
    w = make_world()
    wf = make_workforce()
    make_person(unit=w["root"], staff_no="root-admin", roles=(("admin", None),))
    for staff_no in ("admin-a", "root-admin"):
        client = as_user(staff_no)
        page = client.get("/org/workforces").get_data(as_text=True)
        assert "岗位和职级由政策规定，随课程内容统一更新" in page and "路面执勤" in page and "三级辅警" in page
        assert "<form" not in page.split("<main", 1)[-1] and "workforces.toml" not in page
        # The old add-a-post and add-a-grade forms are gone: nothing answers, nothing changes.
        assert client.post(f"/org/workforces/{wf.id}/posts", data={"code": "x", "name": "新岗"}).status_code in (404, 405)
        assert client.post(f"/org/workforces/{wf.id}/grades", data={"name": "新级"}).status_code in (404, 405)
    db.session.expire_all()
    assert [p.code for p in wf.posts] == ["fj-road"] and [g.name for g in wf.grades] == ["四级辅警", "三级辅警"]
    assert _audit("post_create") is None and _audit("grade_create") is None


def test_times_are_shown_in_asia_shanghai(app, as_user):
    from datetime import datetime

    w = make_world()
    person = make_person(unit=w["a1"], staff_no="tz1", last_login_at=datetime(2026, 1, 1, 16, 30))
    page = as_user("admin-a").get(f"/org/people/{person.id}").data.decode()
    assert "2026-01-02 00:30" in page
