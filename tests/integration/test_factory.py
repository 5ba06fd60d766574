"""The app factory, SQLite tuning, Celery wiring and the production refusal."""

import pytest
from sqlalchemy import text

from app import create_app
from app.config import ConfigError
from app.extensions import db
from tests.sql_budget import count_statements


def test_factory_registers_every_area(app):
    assert {"auth", "org", "main", "me"} <= set(app.blueprints)
    assert app.config["TESTING"] is True
    assert "celery" in app.extensions


def test_factory_refuses_to_start_in_production_with_the_dev_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("XL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """An app on SQLite even in the PostgreSQL run: these settings exist for SQLite."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    with app.app_context():
        yield app


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_sqlite_write_transactions_begin_immediate(sqlite_app):
    with count_statements(transactions=True) as statements:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    assert statements[0] == "BEGIN IMMEDIATE"


def test_get_requests_read_in_deferred_transactions(sqlite_app):
    app = sqlite_app
    with count_statements(transactions=True) as seen:
        app.test_client().get("/auth/login")
        with app.test_request_context("/", method="GET"):
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
    assert "BEGIN" in seen and "BEGIN IMMEDIATE" not in seen


def test_celery_tasks_run_eagerly_inside_the_app_context(app):
    celery = app.extensions["celery"]

    @celery.task
    def which_app():
        from flask import current_app

        return current_app.name

    assert which_app.delay().get() == app.name


def test_error_pages_are_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.data.decode()
    api = client.get("/api/nothing")
    assert api.status_code == 404 and api.json["error"].startswith("页面不存在")


def test_rate_limit_storage_is_the_configured_one(app):
    from app.extensions import limiter

    expected = "redis" if app.config["RATELIMIT_STORAGE_URI"].startswith("redis") else "memory"
    assert type(limiter.storage).__name__.lower().startswith(expected)
    assert limiter.storage.check()


def test_embedded_mode_runs_background_tasks_on_a_thread_and_tests_inline(make_app):
    import threading

    from app.celery_app import run_in_background

    seen = []
    done = threading.Event()

    def build(testing: bool):
        app = make_app(TESTING=testing)
        celery = app.extensions["celery"]

        @celery.task(name=f"record_thread_{testing}")
        def record_thread(tag):
            seen.append((tag, threading.current_thread().name))
            done.set()

        return app, record_thread

    app, task = build(testing=True)
    with app.test_request_context("/"):
        run_in_background(task, "inline")
    assert seen == [("inline", threading.current_thread().name)]
    done.clear()
    app, task = build(testing=False)
    with app.test_request_context("/"):
        run_in_background(task, "thread")
    assert done.wait(5)
    assert seen[-1][0] == "thread" and seen[-1][1].startswith("task-")


def test_background_tasks_refuse_to_start_over_uncommitted_changes(app):
    from app.celery_app import run_in_background
    from app.extensions import db
    from app.models import OrgUnit

    ran = []

    @app.extensions["celery"].task(name="record_uncommitted")
    def record(tag):
        ran.append(tag)

    db.session.add(OrgUnit(name="未提交的单位", path="/x/", depth=0))
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="committed first"):
        run_in_background(record, "x")
    assert ran == [] and db.session.new  # the caller's change is still there, not rolled back
    db.session.rollback()


def test_durable_views_commit_with_synchronous_full_and_others_do_not(sqlite_app):
    from flask import Flask

    from app.extensions import durable_writes

    app: Flask = sqlite_app

    @durable_writes
    def durable_view():
        return ""

    def plain_view():
        return ""

    app.add_url_rule("/_durable", "durable_probe", durable_view, methods=["POST"])
    app.add_url_rule("/_plain", "plain_probe", plain_view, methods=["POST"])
    levels = {}
    for path in ("/_durable", "/_plain", "/_durable"):
        with app.test_request_context(path, method="POST"):
            app.preprocess_request()
            with count_statements(transactions=True) as seen:
                db.session.execute(text("SELECT 1"))
                levels.setdefault(path, []).append(db.session.execute(text("PRAGMA synchronous")).scalar())
                db.session.commit()
            assert "BEGIN IMMEDIATE" in seen
    assert levels == {"/_durable": [2, 2], "/_plain": [1]}  # 2 = FULL, 1 = NORMAL
