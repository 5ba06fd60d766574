"""The check-in QR code: shown on the trainer's code page, prefilling 我的培训班, never checking in on a GET."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.classes.qr import checkin_qr_svg
from app.extensions import db
from app.models import Attendance, CreditEntry
from tests.factories import class_running_now

QR_URL = "http://localhost/classes/mine?code=123456"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _code_input(page: str) -> str:
    return re.search(r'<input[^>]*id="code"[^>]*>', page).group(0)


def test_the_code_page_shows_a_qr_code_of_the_prefilled_check_in_url_while_open(app, as_user):
    w = class_running_now()
    page = as_user("admin-a").get(f"/classes/sessions/{w['session'].id}/code").data.decode()
    assert "123456" in page and "现在可以签到" in page
    assert str(checkin_qr_svg(QR_URL)) in page and page.count("<svg") == 1
    assert "用手机扫码签到（需先登录）" in page and QR_URL in page


@pytest.mark.parametrize(("starts_in", "status", "message"), [
    (timedelta(minutes=30), "published", "现在不在签到时间内"),
    (timedelta(hours=-3), "published", "现在不在签到时间内"),
    (timedelta(minutes=-10), "draft", "发布后学员才能签到"),
    (timedelta(minutes=-10), "closed", "已不能签到"),
])
def test_the_code_page_shows_no_qr_code_when_nobody_can_check_in(app, as_user, starts_in, status, message):
    w = class_running_now(starts_in=starts_in, status=status)
    page = as_user("admin-a").get(f"/classes/sessions/{w['session'].id}/code").data.decode()
    assert "123456" in page and message in page
    assert "<svg" not in page and "扫码签到" not in page


def test_the_qr_code_is_a_bare_inline_svg_without_the_url_as_text():
    svg = str(checkin_qr_svg(QR_URL))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "xmlns" not in svg and "localhost" not in svg and "<script" not in svg


def test_my_classes_prefills_a_six_digit_code_from_the_query(app, as_user):
    class_running_now()
    page = as_user("t-1").get("/classes/mine?code=123456").data.decode()
    assert 'value="123456"' in _code_input(page) and "已填入扫码得到的签到码" in page


@pytest.mark.parametrize("code", ["abc", "<script>", '"><b>x', "12345", "1234567", " 123456", "１２３４５６", ""])
def test_my_classes_ignores_a_query_code_that_is_not_six_digits(app, as_user, code):
    class_running_now()
    response = as_user("t-1").get("/classes/mine", query_string={"code": code})
    page = response.data.decode()
    assert response.status_code == 200
    assert "value=" not in _code_input(page) and "已填入扫码得到的签到码" not in page
    assert "<b>x" not in page


def test_opening_the_qr_url_does_not_check_anyone_in(app, as_user):
    class_running_now()
    client = as_user("t-1")
    assert client.get("/classes/mine?code=123456").status_code == 200
    assert _count(Attendance) == 0 and _count(CreditEntry) == 0


def test_scanning_while_logged_out_logs_in_back_to_the_prefilled_form_and_submitting_checks_in(app, client):
    w = class_running_now()
    response = client.get("/classes/mine?code=123456")
    assert response.status_code == 302
    login_url = urlsplit(response.headers["Location"])
    assert login_url.path == "/auth/login"
    assert parse_qs(login_url.query)["next"] == ["/classes/mine?code=123456"]
    # The login form posts back to its own URL, so `next` survives the POST.
    response = client.post(f"{login_url.path}?{login_url.query}", data={"username": "t-1", "password": "Passw0rd"})
    assert response.status_code == 302 and response.headers["Location"] == "/classes/mine?code=123456"
    page = client.get(response.headers["Location"]).data.decode()
    assert 'value="123456"' in _code_input(page) and _count(Attendance) == 0
    page = client.post("/classes/checkin", data={"code": "123456"}, follow_redirects=True).data.decode()
    assert "签到成功" in page
    assert db.session.scalar(select(Attendance.person_id)) == w["trainee"].id and _count(Attendance) == 1
