"""消息: sending at most once per dedupe key, the owner's list (newest first, unread in bold), opening
one (read, then its link), 全部标为已读, the unread badge, and nobody else's messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.messages import services
from app.models import Message
from tests.factories import make_world
from tests.sql_budget import count_statements


@pytest.fixture
def world(app):
    return make_world(people={"t1": {"unit": "a1", "staff_no": "T1"}, "t2": {"unit": "a1", "staff_no": "T2"}})


def test_send_is_at_most_once_per_dedupe_key_and_only_flushes(app, world):
    t1, t2 = world["t1"].id, world["t2"].id
    assert services.send(t1, "attempt_graded", "标题", "正文", "/exams/mine", dedupe_key="k1") is True
    assert services.send(t1, "attempt_graded", "标题二", "正文", "/exams/mine", dedupe_key="k1") is False
    assert services.send_many([t1, t2, t2], "reminder", "提醒", dedupe_key="k1") == 1  # t1 has k1 already
    assert services.send_many([t1, t2], "reminder", "没有键") == 2  # no key: always sent
    db.session.rollback()  # the caller did not commit: nothing was sent
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    services.send(t1, "x", "外部链接", link="https://evil.example/")
    db.session.commit()
    assert db.session.scalar(select(Message.link)) == ""  # only local paths are kept


def test_the_list_opening_and_mark_all_read(app, as_user, world):
    t1 = world["t1"].id
    now = clock.now()
    for n in range(3):
        services.send(t1, "note", f"消息{n}", f"正文{n}", "/exams/mine", now=now + timedelta(minutes=n))
    services.send(world["t2"].id, "note", "别人的消息", now=now)
    db.session.commit()
    client = as_user("T1")
    html = client.get("/messages/").get_data(as_text=True)
    assert html.index("消息2") < html.index("消息1") < html.index("消息0") and "别人的消息" not in html
    assert html.count("message-unread") == 3 and 'id="unread-count">3' in html and "全部标为已读" in html
    first = db.session.scalar(select(Message).where(Message.title == "消息0"))
    page = client.get(f"/messages/{first.id}").get_data(as_text=True)
    assert "正文0" in page and 'href="/exams/mine" id="message-link"' in page
    db.session.expire_all()
    assert db.session.get(Message, first.id).read_at is not None
    assert client.get("/messages/").get_data(as_text=True).count("message-unread") == 2
    response = client.post("/messages/read-all")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.read_at.is_(None))) == 1  # t2's
    html = client.get("/messages/").get_data(as_text=True)
    assert "message-unread" not in html and 'id="unread-count"' not in html and "全部标为已读" not in html


def test_someone_elses_message_is_404_and_changes_nothing(app, as_user, world):
    services.send(world["t2"].id, "note", "别人的消息")
    db.session.commit()
    other = db.session.scalar(select(Message.id))
    assert as_user("T1").get(f"/messages/{other}").status_code == 404
    assert as_user("T1").get("/messages/999999").status_code == 404
    assert db.session.scalar(select(Message.read_at)) is None


def test_an_empty_list_says_so_and_the_badge_costs_one_count(app, as_user, world):
    client = as_user("T1")
    html = client.get("/messages/").get_data(as_text=True)
    assert "暂无消息" in html and 'id="nav-messages"' in html
    with count_statements() as statements:
        client.get("/me/profile")
    assert sum("FROM message" in s for s in statements) == 1
    assert client.get("/messages/?page=5").status_code == 200
    anonymous = app.test_client().get("/auth/login").get_data(as_text=True)
    assert 'id="nav-messages"' not in anonymous


def test_messages_need_a_login(app, world):
    assert app.test_client().get("/messages/").status_code in (302, 401)
