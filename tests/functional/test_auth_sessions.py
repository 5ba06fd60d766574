"""Login sessions end when the account loses access or its password changes (issue 9)."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, LoginSession, Person
from tests.factories import make_person, make_world


def _sessions(person_id: int) -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(LoginSession).where(LoginSession.person_id == person_id)
                                   .order_by(LoginSession.created_at)))


def _logged_out(client) -> bool:
    response = client.get("/me/profile")
    return response.status_code == 302 and response.location.startswith("/auth/login")


def _edit_form(person: Person, **changes) -> dict:
    return {"staff_no": person.staff_no, "name": person.name, "phone": "", "unit_id": person.unit_id,
            "post_id": 0, "grade_id": 0, "joined_on": "", "status": person.status} | changes


def test_setting_a_person_to_left_ends_all_their_sessions(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}})
    phone, desk = as_user("p1"), as_user("p1")
    assert phone.get("/me/profile").status_code == 200
    response = as_user("admin-a").post(f"/org/people/{w['p'].id}/edit", data=_edit_form(w["p"], status="left"))
    assert response.status_code == 302
    assert _logged_out(phone) and _logged_out(desk)
    rows = _sessions(w["p"].id)
    assert len(rows) == 2 and all(row.ended_at is not None for row in rows)


def test_a_person_who_left_can_no_longer_post_study_heartbeats(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}})
    client = as_user("p1")
    as_user("admin-a").post(f"/org/people/{w['p'].id}/edit", data=_edit_form(w["p"], status="left"))
    response = client.post("/study/lessons/1/beat", data={"token": "x"})
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_editing_other_fields_keeps_the_sessions_open(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}})
    client = as_user("p1")
    as_user("admin-a").post(f"/org/people/{w['p'].id}/edit", data=_edit_form(w["p"], name="新名字"))
    db.session.expire_all()
    assert db.session.get(Person, w["p"].id).name == "新名字"
    assert client.get("/me/profile").status_code == 200
    assert [row.ended_at for row in _sessions(w["p"].id)] == [None]


def test_a_surviving_session_row_does_not_let_a_person_who_left_in(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}, "q": {"unit": "a1", "staff_no": "q1"}})
    left, disabled = as_user("p1"), as_user("q1")
    w["p"].status = "left"  # changed behind the services' back: the row stays open
    w["q"].login_enabled = False
    db.session.commit()
    assert _logged_out(left) and _logged_out(disabled)
    assert _sessions(w["p"].id)[0].ended_at is None


def test_changing_ones_own_password_ends_the_other_sessions_but_keeps_this_one(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}})
    elsewhere, here = as_user("p1"), as_user("p1")
    changed = here.post("/auth/password", data={
        "current_password": "Passw0rd", "new_password": "Better2026", "confirm": "Better2026"})
    assert changed.status_code == 302
    assert here.get("/me/profile").status_code == 200
    assert _logged_out(elsewhere)
    first, second = _sessions(w["p"].id)
    assert first.ended_at is not None and second.ended_at is None
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password_change"))
    assert audit.detail["sessions_ended"] == 1


def test_a_refused_password_change_ends_nothing(app, as_user):
    w = make_world(people={"p": {"unit": "a1", "staff_no": "p1"}})
    elsewhere, here = as_user("p1"), as_user("p1")
    here.post("/auth/password", data={"current_password": "wrong-pass1", "new_password": "Better2026",
                                      "confirm": "Better2026"})
    assert elsewhere.get("/me/profile").status_code == 200
    assert [row.ended_at for row in _sessions(w["p"].id)] == [None, None]


def test_an_admin_password_reset_ends_every_session_of_that_person(app, as_user):
    w = make_world()
    person = make_person(unit=w["a1"], staff_no="r1")
    client = as_user("r1")
    admin = as_user("admin-a")
    assert admin.post(f"/org/people/{person.id}/password").status_code == 302
    assert _logged_out(client)
    assert all(row.ended_at is not None for row in _sessions(person.id))
    assert admin.get("/org/people").status_code == 200  # the admin's own session is untouched
