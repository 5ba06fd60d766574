"""Security headers on every response, and templates that the Content-Security-Policy lets run (issue 9)."""

import re
from pathlib import Path

import pytest

from tests.factories import make_course, make_person, make_unit

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_secured(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


@pytest.fixture
def trainee(app, as_user):
    make_person(unit=make_unit(), staff_no="t1")
    return as_user("t1")


def test_an_html_page_carries_the_security_headers(trainee):
    response = trainee.get("/study/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    _assert_secured(response)


def test_the_login_page_carries_them_before_anyone_logs_in(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    _assert_secured(response)


def test_a_json_response_carries_the_security_headers(trainee):
    lesson = make_course().lessons[0]
    response = trainee.post(f"/study/lessons/{lesson.id}/start", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json and response.json["token"]
    _assert_secured(response)


def test_a_static_file_carries_the_security_headers(client):
    with client.get("/static/app.js") as response:
        assert response.status_code == 200
        _assert_secured(response)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_an_error_page_carries_the_security_headers(trainee, accept):
    response = trainee.get("/no/such/page", headers={"Accept": accept})
    assert response.status_code == 404
    _assert_secured(response)


def test_a_redirect_carries_the_security_headers(client):
    response = client.get("/org/people")
    assert response.status_code == 302
    _assert_secured(response)


def test_no_template_runs_inline_script():
    """`script-src 'self'`: scripts are static files, no template has an inline <script> or an on…= handler."""
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", text, re.I):
            offenders.append(f"{template.relative_to(TEMPLATES)}: {match.group(0).strip()}")
    assert offenders == []
