"""A person's own access tokens: create (shown once), list, revoke; nobody else's."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, AuditEntry
from tests.factories import make_world


def test_create_list_and_revoke_own_tokens(app, as_user):
    make_world(people={"t1": {"unit": "a1", "staff_no": "T1"}, "t2": {"unit": "a1", "staff_no": "T2"}})
    client = as_user("T1")
    assert "还没有访问令牌" in client.get("/me/tokens").get_data(as_text=True)
    page = client.post("/me/tokens", data={"name": "我的手机", "days": "30"}).get_data(as_text=True)
    text = re.search(r"xl_[A-Za-z0-9_-]+", page).group(0)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 200
    listed = client.get("/me/tokens").get_data(as_text=True)
    assert "我的手机" in listed and text not in listed  # shown once
    token = db.session.scalar(select(ApiToken))
    other = as_user("T2")
    assert other.post(f"/me/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 401
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("api_token_create") == 1 and actions.count("api_token_revoke") == 1


def test_bad_token_requests_change_nothing(app, as_user):
    make_world(people={"t1": {"unit": "a1", "staff_no": "T1"}})
    client = as_user("T1")
    for data in ({"name": "", "days": "30"}, {"name": "x", "days": "0"}, {"name": "x", "days": "٣"},
                 {"name": "x", "days": "9999999999999"}, {"name": "长" * 101, "days": "5"}):
        response = client.post("/me/tokens", data=data, follow_redirects=True)
        assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
