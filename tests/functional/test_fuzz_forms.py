"""Fuzzing every form: hostile values in the real field names of every state-changing route never get
a 5xx or an English framework message, and a refusal changes nothing in the database.

The routes and a valid submission of each are in form_fuzz_routes.py; a POST/PUT/PATCH/DELETE route of
`app.url_map` outside /api/v1 (which has its own contract tests) missing there fails
`test_every_state_changing_route_is_fuzzed`. Each example keeps the valid submission and replaces one to
three fields (and sometimes an id in the URL) with NUL bytes, control characters, huge strings,
NaN/inf/1e309, "²", huge and negative numbers, impossible dates, lists where one value is expected,
bytes in a wrong encoding or nothing. Hypothesis runs derandomized, so a run is repeatable;
FUZZ_EXAMPLES=200 in the environment runs a longer search.
"""

from __future__ import annotations

import io
import os
import re
from urllib.parse import urlencode

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from tests.factories import login
from tests.functional.form_fuzz_routes import ROUTES, Route
from tests.functional.form_fuzz_world import PASSWORD, FuzzWorld

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 20)), deadline=None, derandomize=True,
                database=None, suppress_health_check=list(HealthCheck))
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MISSING = object()
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x01", "\x08\x0b\x0c", "\x1b[31m", "\x7f", "\u200b", "\ufeff", "\u2028", "𠀀",
    "NaN", "nan", "sNaN", "-NaN", "inf", "-Infinity", "1e309", "-1e309", "1e-400", "²", "٣", "５", "-1", "0",
    "-0", "+1", "1.5", "0.05", "1_000", " 7 ", "0x1f", "2147483648", "-2147483649", "9223372036854775808",
    "1" + "0" * 40, "2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31", "10000-01-01", "2026-02-30T10:00",
    "0001-01-01T00:00", "9999-12-31T23:59", "2026-05-01T25:61", "2026/05/01", "true", "on", "y", "null",
    "[]", "{}", "<script>alert(1)</script>", "{{ 7*7 }}", "' OR 1=1 --", "../../../etc/passwd", "%00",
    "/\\evil.example", "//evil.example", "https://evil.example/", "A" * 300, "长" * 1000, "x" * 100_000,
]
WRONG_ENCODINGS = ["中文".encode("gb18030"), b"\xff\xfe", b"\xc3\x28", "测试".encode("utf-16"), b"\x80abc"]
FILE_NAMES = ["", "\x00.csv", "a\x01.png", "../../etc/passwd.csv", "a" * 300 + ".csv", ".csv", "名册.XLSX", "图.gif"]
FILE_DATA = [b"", b"\x00" * 16, b"\xff\xfe\x00\x00", b"PK\x03\x04" + b"\x00" * 40]
BAD_PATH_IDS = [0, 999_999, 2**31, 2**63, 10**30]
# What a framework says in English when a form is not checked in Chinese (WTForms, Werkzeug).
ENGLISH = re.compile(r"Not a valid|This field is required|Invalid [Cc]hoice|Field must be|Number must be|"
                     r"could not coerce|Bad Request|Internal Server Error|Traceback|is not a valid")
CJK = re.compile(r"[\u4e00-\u9fff]")

scalars = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20), st.integers(-2**70, 2**70).map(str),
                    st.sampled_from(WRONG_ENCODINGS))


def _value(base, is_id: bool):
    """A hostile replacement for a field whose valid value is `base`."""
    options = [scalars, st.lists(scalars, min_size=2, max_size=3), st.just(MISSING),
               st.sampled_from(["\x00", "\x07", "\u202e", "1e309", "²"]).map(lambda s: f"{_first(base)}{s}")]
    if is_id:
        options.append(st.integers(1, 60).map(str))  # ids of other objects (other scopes, other kinds)
    return st.one_of(options)


def _first(value) -> str:
    return value[0] if isinstance(value, list) and value else value if isinstance(value, str) else ""


@st.composite
def submissions(draw, route: Route, base: dict, path: dict):
    """(path ids, fields, upload) with one to three fields, and sometimes an id, made hostile."""
    fields = dict(base)
    names = sorted(base) + ["unexpected"]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
        fields[name] = draw(_value(base.get(name, ""), name in route.ids))
    path = dict(path)
    if path and draw(st.integers(0, 3)) == 0:
        path[draw(st.sampled_from(sorted(path)))] = draw(st.sampled_from(BAD_PATH_IDS))
    upload = None
    if route.upload:
        name, data, filename = route.upload
        upload = (name, draw(st.one_of(st.just(data), st.sampled_from(FILE_DATA))),
                  draw(st.one_of(st.just(filename), st.sampled_from(FILE_NAMES))))
    return path, {k: v for k, v in fields.items() if v is not MISSING}, upload


def _pairs(fields: dict) -> list[tuple[str, str | bytes]]:
    return [(name, item) for name, value in fields.items() for item in (value if isinstance(value, list) else [value])]


def _post(client, url: str, fields: dict, upload):
    if upload is None:  # the body built by hand, so values may be bytes in a wrong encoding
        return client.post(url, data=urlencode(_pairs(fields)), content_type="application/x-www-form-urlencoded")
    data: dict = {}
    for name, item in _pairs(fields):
        data.setdefault(name, []).append(item.decode("latin-1") if isinstance(item, bytes) else item)
    name, content, filename = upload
    data[name] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def _snapshot() -> dict[str, list]:
    """Every row of every table (the test databases are small)."""
    db.session.rollback()
    with db.engine.connect() as conn:
        return {table.name: conn.execute(select(table).order_by(*(table.primary_key.columns or table.columns))).all()
                for table in db.metadata.sorted_tables}


def _client(app, route: Route):
    client = app.test_client()
    if route.user:
        assert login(client, route.user, PASSWORD).status_code == 302
    return client


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


@pytest.fixture
def world(app):
    return FuzzWorld(app)


def _url(app, endpoint: str, path: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **path)


def test_every_state_changing_route_is_fuzzed(app):
    writing = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.methods & WRITES and not rule.rule.startswith("/api/")}
    assert writing - set(ROUTES) == set(), "add these routes to tests/functional/form_fuzz_routes.py"
    assert set(ROUTES) - writing == set(), "these routes are gone: remove them from form_fuzz_routes.py"


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_the_valid_submission_of_each_route_is_accepted(app, world, endpoint):
    """The fuzz starts from a submission the route accepts, so its hostile values reach the services."""
    route = ROUTES[endpoint]
    client = _client(app, route)
    response = _post(client, _url(app, endpoint, route.path(world)), route.fields(world), route.upload)
    flashes = _flashes(client)
    said = re.findall(r'class="[^"]*(?:alert|invalid-feedback)[^"]*"[^>]*>\s*([^<]+)', response.get_data(as_text=True))
    assert response.status_code in (200, 302), said
    assert not [message for category, message in flashes if category == "danger"], flashes


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_hostile_form_values_never_fail_and_a_refusal_changes_nothing(app, world, endpoint):
    route = ROUTES[endpoint]
    base, path = route.fields(world), route.path(world)
    shared = None if route.fresh_client else _client(app, route)

    @FUZZ
    @given(submissions(route, base, path))
    def post_hostile_values(submission):
        path_ids, fields, upload = submission
        client = shared or _client(app, route)
        before = _snapshot()
        response = _post(client, _url(app, endpoint, path_ids), fields, upload)
        flashes = _flashes(client)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, body[:2000]
        shown = body + "".join(message for _category, message in flashes)
        assert not ENGLISH.search(shown), ENGLISH.search(shown)[0]
        refused = [message for category, message in flashes if category == "danger"]
        assert all(CJK.search(message) for message in refused), refused
        if response.status_code >= 400 or refused:
            after = _snapshot()
            changed = [name for name in before if before[name] != after[name]]
            assert changed == [], f"a refusal ({response.status_code}) changed {changed}"

    post_hostile_values()
