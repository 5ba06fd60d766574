"""The one clock: the zone from TIMEZONE, local dates across midnight, UTC round trips, the filters."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_babel import get_timezone

from app import clock
from app.config import build_config


def test_the_zone_and_every_derived_setting_follow_one_timezone_setting(make_app):
    app = make_app(TIMEZONE="Europe/Berlin")
    with app.app_context():
        assert clock.zone() == ZoneInfo("Europe/Berlin")
        assert str(get_timezone()) == "Europe/Berlin"
    assert app.config["CELERY"]["timezone"] == "Europe/Berlin"


def test_the_timezone_comes_from_the_environment_with_shanghai_as_default(tmp_path):
    assert build_config(str(tmp_path), env={})["TIMEZONE"] == "Asia/Shanghai"
    config = build_config(str(tmp_path), env={"TIMEZONE": "Asia/Urumqi"})
    assert config["TIMEZONE"] == config["BABEL_DEFAULT_TIMEZONE"] == config["CELERY"]["timezone"] == "Asia/Urumqi"


@pytest.mark.parametrize(("utc", "local_day"), [
    (datetime(2026, 12, 31, 15, 59), date(2026, 12, 31)),  # 23:59 in Shanghai
    (datetime(2026, 12, 31, 16, 0), date(2027, 1, 1)),     # midnight in Shanghai: already next year
    (datetime(2027, 1, 1, 0, 0), date(2027, 1, 1)),
])
def test_local_date_turns_at_local_midnight_not_utc_midnight(app, utc, local_day):
    assert clock.local_date(utc) == local_day


def test_to_utc_and_to_local_round_trip_with_the_eight_hour_offset(app):
    local = datetime(2026, 3, 1, 7, 30)
    utc = clock.to_utc(local)
    assert utc == datetime(2026, 2, 28, 23, 30) and utc.tzinfo is None
    assert clock.to_local(utc) == local


def test_now_is_naive_utc_and_today_is_its_local_date(app, monkeypatch):
    assert clock.now().tzinfo is None
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 20, 0))
    assert clock.today() == date(2026, 7, 1)


def test_outside_an_app_the_default_zone_applies():
    assert clock.zone() == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("template", "value", "shown"), [
    ("{{ v|local_dt }}", datetime(2026, 12, 31, 16, 5), "2027-01-01 00:05"),
    ("{{ v|local_dt('HH:mm') }}", datetime(2026, 12, 31, 16, 5), "00:05"),
    ("{{ v|local_dt('MM-dd HH:mm') }}", datetime(2026, 5, 1, 1, 0), "05-01 09:00"),
    ("{{ v|local_date }}", datetime(2026, 12, 31, 16, 5), "2027-01-01"),
    ("{{ v|local_date }}", date(2026, 3, 11), "2026-03-11"),
    ("{{ v|local_dt or '从未登录' }}", None, "从未登录"),
    ("{{ v|local_date or '未填写' }}", None, "未填写"),
])
def test_the_filters_show_stored_utc_times_in_local_time(app, template, value, shown):
    with app.test_request_context():
        assert render_template_string(template, v=value) == shown
