"""Shared fixtures: an app on a fresh database (SQLite file, or PostgreSQL from DATABASE_URL)."""

import os

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.config import build_config
from app.extensions import db, limiter
from tests.factories import login

PG_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without it a request reuses the test's app context, sharing `g` (and so Flask-Login's
    cached user) and the database session between requests of different clients.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()  # the test's own transaction must not hold SQLite's write lock
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _config(tmp_path, **overrides) -> dict:
    uri = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if PG_URL else (
        f"sqlite:///{tmp_path / 'test.sqlite3'}"
    )
    # Tasks run eagerly in tests (tests call them); Redis, when given, backs the rate limiter.
    celery = build_config(str(tmp_path))["CELERY"] | {"task_always_eager": True}
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://", "SECRET_KEY": "test-secret",
            "CELERY": celery} | overrides


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def make_app(tmp_path):
    """Return a function that builds an app (with config overrides) on an empty database."""
    apps = []

    def build(**overrides):
        app = create_app(_config(tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        with app.app_context():
            _reset_schema()
        limiter.reset()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def as_user(app):
    """Return a function that logs a staff number in on a new client."""

    def _login(staff_no: str, password: str = "Passw0rd"):
        client = app.test_client()
        response = login(client, staff_no, password)
        assert response.status_code == 302, response.data.decode()[:500]
        return client

    return _login
