"""Login lockout: failures lock one address out of one account, not the owner out of their account."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginSession, Person
from tests.factories import make_person, make_unit

IP_A, IP_B = "10.0.0.66", "10.0.1.20"


@pytest.fixture
def person(app):
    return make_person(unit=make_unit("一大队"), staff_no="fj001", name="张伟")


def _login(client, ip: str, staff_no: str = "fj001", password: str = "Passw0rd"):
    return client.post("/auth/login", data={"username": staff_no, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def _sessions(person_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginSession).where(LoginSession.person_id == person_id))


def _wait_minutes(response) -> int:
    found = re.search(r"登录失败次数过多，请 (\d+) 分钟后再试。", response.data.decode())
    assert found, response.data.decode()
    return int(found.group(1))


def test_five_failures_from_one_ip_lock_that_ip_out_of_the_account_and_say_how_long(client, person):
    for _ in range(5):
        assert "工号或密码错误" in _login(client, IP_A, password="wrong-pass1").data.decode()
    blocked = _login(client, IP_A)  # even the right password is refused from IP A
    assert blocked.status_code == 429
    assert _wait_minutes(blocked) == 15
    assert "工号或密码错误" not in blocked.data.decode()
    assert _sessions(person.id) == 0


def test_the_owner_still_logs_in_from_another_ip_while_an_attacker_is_locked_out(client, person):
    for _ in range(5):
        _login(client, IP_A, password="wrong-pass1")
    assert _login(client, IP_A).status_code == 429
    response = _login(client, IP_B)
    assert response.status_code == 302 and response.location == "/"
    assert _sessions(person.id) == 1
    assert db.session.get(Person, person.id).last_login_at is not None


def test_the_lockout_does_not_reveal_whether_the_account_exists(client, person):
    for staff_no in ("fj001", "nobody"):
        for _ in range(5):
            _login(client, IP_A, staff_no=staff_no, password="wrong-pass1")
    known = _login(client, IP_A, staff_no="fj001", password="wrong-pass1")
    unknown = _login(client, IP_A, staff_no="nobody", password="wrong-pass1")
    assert known.status_code == unknown.status_code == 429
    assert _wait_minutes(known) == _wait_minutes(unknown) == 15


def test_the_per_account_limit_stops_guessing_spread_over_many_ips(make_app):
    app = make_app(LOGIN_RATE_LIMIT_ACCOUNT="6 per hour")
    client = app.test_client()
    with app.app_context():
        person_id = make_person(unit=make_unit(), staff_no="fj001").id
    for i in range(6):  # two failures from each of three addresses: under the per-IP limits
        assert _login(client, f"10.9.0.{i // 2}", password="wrong-pass1").status_code == 200
    blocked = _login(client, "10.9.0.99")  # a fresh address, right password: the account limit holds
    assert blocked.status_code == 429
    assert _wait_minutes(blocked) == 60
    with app.app_context():
        assert _sessions(person_id) == 0


def test_the_per_ip_limit_still_stops_one_address_trying_many_accounts(make_app):
    app = make_app(LOGIN_RATE_LIMIT_IP="3 per 15 minutes")
    client = app.test_client()
    with app.app_context():
        make_person(unit=make_unit(), staff_no="fj001")
    for i in range(3):
        assert _login(client, IP_A, staff_no=f"user{i}", password="wrong-pass1").status_code == 200
    blocked = _login(client, IP_A, staff_no="fj001")
    assert blocked.status_code == 429 and _wait_minutes(blocked) == 15
    assert _login(client, IP_B, staff_no="fj001").status_code == 302  # another address is not affected


def test_successful_logins_do_not_count_towards_any_limit(make_app):
    app = make_app(LOGIN_RATE_LIMIT_ACCOUNT_IP="2 per 15 minutes", LOGIN_RATE_LIMIT_ACCOUNT="2 per hour",
                   LOGIN_RATE_LIMIT_IP="2 per 15 minutes")
    client = app.test_client()
    with app.app_context():
        make_person(unit=make_unit(), staff_no="fj001")
    for _ in range(4):
        assert _login(client, IP_A).status_code == 302
        client.post("/auth/logout")
    assert _login(client, IP_A, password="wrong-pass1").status_code == 200
    assert _login(client, IP_A).status_code == 302
