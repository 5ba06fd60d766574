"""The one clock: the current time, the configured time zone, local dates, and the display filters.

Columns store naive UTC datetimes; calendar things (due dates, study years, the day a session falls
on) are local dates in the zone named by the one `TIMEZONE` setting (default `DEFAULT_TIMEZONE` below).
Only this module reads the system time or knows the zone: services take `now`/`today` as keyword
arguments, and routes, tasks and CLI commands pass `clock.now()` / `clock.today()`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from flask_babel import format_date, format_datetime

DEFAULT_TIMEZONE = "Asia/Shanghai"  # app/config.py sets TIMEZONE from the environment, else this
# The dates a form or a file may name: a date far outside breaks date arithmetic (year 1 has no
# UTC eve, year 9999 no next month) and is never meant.
TYPED_DATES = (date(1900, 1, 1), date(2099, 12, 31))


def now() -> datetime:
    """Return the current UTC time as a naive datetime (how every column stores time)."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """Return the configured time zone (`TIMEZONE`; the default outside an app context)."""
    name = current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def to_local(utc: datetime) -> datetime:
    """Turn a naive UTC datetime into the naive local time of the configured zone."""
    return utc.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)


def isoformat(utc: datetime) -> str:
    """A naive UTC datetime as ISO 8601 in the configured zone, with its offset (for JSON)."""
    return utc.replace(tzinfo=UTC).astimezone(zone()).isoformat(timespec="milliseconds")


def to_utc(local: datetime) -> datetime:
    """Turn a naive local time (as a form gives it) into the naive UTC time columns store.

    Check a typed time with `typed_date_problem` first: year 1 has no UTC before it.
    """
    return local.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def typed_date_problem(value: date | datetime | None, label: str) -> str | None:
    """Say in Chinese why a typed date or time lies outside `TYPED_DATES` (None when inside or absent)."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = TYPED_DATES
    return None if earliest <= day <= latest else f"{label}应在 {earliest.year} 年到 {latest.year} 年之间"


def local_date(utc: datetime) -> date:
    """Return the local calendar date of a naive UTC datetime (years and due dates are local)."""
    return to_local(utc).date()


def today() -> date:
    """Return today's local date."""
    return local_date(now())


def format_local_dt(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format a naive UTC datetime in local time (the `|local_dt` filter; CLDR pattern)."""
    return format_datetime(to_local(value), fmt, rebase=False) if value else ""


def format_local_date(value: date | datetime | None, fmt: str = "yyyy-MM-dd") -> str:
    """Format a date, or the local date of a naive UTC datetime (the `|local_date` filter)."""
    if not value:
        return ""
    return format_date(local_date(value) if isinstance(value, datetime) else value, fmt)


def init_app(app: Flask) -> None:
    """Feed the one TIMEZONE setting to Babel and Celery beat, and register the display filters."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["CELERY"] = {**app.config["CELERY"], "timezone": app.config["TIMEZONE"]}
    app.add_template_filter(format_local_dt, "local_dt")
    app.add_template_filter(format_local_date, "local_date")
