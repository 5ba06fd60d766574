"""Shared fixtures: an app on an empty database (SQLite file, or PostgreSQL from DATABASE_URL).

The schema is built once per session (see `Schema`); no test rebuilds it. Compiled URL builders
and templates are shared by the session's apps (`tests/session_caches.py`); under pytest-xdist
each worker has its own PostgreSQL database and Redis keys (`tests/workers.py`).
"""

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.auth import passwords
from app.config import build_config
from app.extensions import db, limiter
from tests import workers
from tests.factories import login
from tests.session_caches import TEMPLATE_CODE, url_builders_compiled_once

BASE_PG_URL = os.environ.get("DATABASE_URL", "")
PG_URL = workers.database_url(BASE_PG_URL)
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
    limiter_storage = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_STORAGE_OPTIONS": workers.redis_key_prefix()
                       } if REDIS_URL else {"RATELIMIT_STORAGE_URI": "memory://"}
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret", "CELERY": celery} | limiter_storage | overrides


@pytest.fixture(autouse=True, scope="session")
def _worker_database():
    """Under pytest-xdist with PostgreSQL: this worker's own database, for the session."""
    with workers.own_database(BASE_PG_URL, PG_URL), pytest.MonkeyPatch.context() as patch:
        if PG_URL:
            patch.setenv("DATABASE_URL", PG_URL)  # apps built from the environment use it too
        yield


@pytest.fixture(autouse=True, scope="session")
def _session_caches():
    """Compile each URL builder once per session (see `tests/session_caches.py`)."""
    with url_builders_compiled_once():
        yield


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Hash and verify passwords with argon2's lowest cost in tests.

    At the production cost every login takes 0.1-0.5 s of CPU; tests check who may log in, not
    how long an attacker needs per guess (hashes still are real argon2id hashes).
    """
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", hasher)
        patch.setattr(passwords, "_DUMMY_HASH", hasher.hash("not-a-real-password"))
        yield


class Schema:
    """The models' schema, built once per session; each app then starts from an empty copy of it.

    SQLite: `db.create_all()` once into a template file, copied to each test's database file.
    PostgreSQL: `db.create_all()` once, then per app a DELETE from every table and a restart of
    every sequence, so ids start at 1 as on a new schema (on tables this small that takes ~10 ms,
    TRUNCATE ~100 ms, dropping and creating the schema ~220 ms). A marker table tells whether a
    test (the migration tests) dropped or rebuilt the schema since.
    """

    MARKER = "test_schema_of_this_session"
    RESTART_SEQUENCES = """DO $$ DECLARE s regclass; BEGIN
        FOR s IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'S' AND n.nspname = current_schema() LOOP
            PERFORM setval(s, 1, false);
        END LOOP; END $$"""

    def __init__(self, directory: Path):
        self.template = directory / "template.sqlite3"
        self.postgres_ready = False

    def prepare(self, uri: str) -> bool:
        """Before an app on `uri` starts: give a new SQLite file the template's schema (True if so)."""
        path = _sqlite_file(uri)
        if path is None or path.exists():
            return False
        if not self.template.exists():
            self._build_template()
        shutil.copyfile(self.template, path)
        return True

    def _build_template(self) -> None:
        app = create_app(_config(self.template.parent, SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.template}"))
        with app.app_context():
            db.create_all()
            raw = db.engine.raw_connection()  # outside a transaction: fold the WAL into the file,
            raw.cursor().execute("PRAGMA journal_mode=DELETE")  # so the file alone is the copy
            raw.close()
            db.session.remove()
            db.engine.dispose()

    def empty(self) -> None:
        """Inside the new app's context: make sure the database has the schema and no rows."""
        if db.engine.dialect.name != "postgresql":
            db.create_all()  # an existing file (a second app of one test) keeps its rows, as before
        elif self.postgres_ready and _has_table(self.MARKER):
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):  # children before parents
                    conn.execute(table.delete())
                conn.execute(text(self.RESTART_SEQUENCES))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.create_all()
            with db.engine.begin() as conn:
                conn.execute(text(f"CREATE TABLE {self.MARKER} (id integer)"))
            self.postgres_ready = True


def _sqlite_file(uri: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(uri[len(prefix):]) if uri.startswith(prefix) and uri != prefix + ":memory:" else None


def _has_table(name: str) -> bool:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar() is not None


@pytest.fixture(scope="session")
def _schema(tmp_path_factory) -> Schema:
    return Schema(tmp_path_factory.mktemp("schema"))


@pytest.fixture
def make_app(tmp_path, _schema):
    """Return a function that builds an app (with config overrides) on an empty database."""
    apps = []

    def build(**overrides):
        config = _config(tmp_path, **overrides)
        copied = _schema.prepare(config["SQLALCHEMY_DATABASE_URI"])
        app = create_app(config)
        app.test_client_class = IsolatedClient
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        app.instance_path = str(tmp_path / "instance")  # staged uploads: this test's own folder
        os.makedirs(app.instance_path, exist_ok=True)
        if not copied:
            with app.app_context():
                _schema.empty()
        limiter.reset()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _demo_files(tmp_path_factory) -> dict:
    """Per day, a SQLite file holding `flask demo load` of that day (made once per session)."""
    return {"dir": tmp_path_factory.mktemp("demo")}


@pytest.fixture
def make_demo_app(make_app, tmp_path, _demo_files):
    """Return a function that builds an app whose database holds the demo as of a day (default today).

    The demo takes the better part of a minute to load; on SQLite it is loaded once per day and
    session and its file copied for each test, on PostgreSQL it is loaded for each test. A test that
    loads it on another day should make the clock say that day too (the import's receivers read it).
    """
    from datetime import date

    from app import clock
    from app.demo import load_demo

    def build(day: date | None = None, **overrides):
        day = day or clock.today()
        target = _sqlite_file(_config(tmp_path, **overrides)["SQLALCHEMY_DATABASE_URI"])
        cached = _demo_files.get(day)
        if target is not None and cached is not None and not target.exists():
            shutil.copyfile(cached, target)
            return make_app(**overrides)
        app = make_app(**overrides)
        with app.app_context():
            load_demo(day)
            db.session.remove()
            if target is not None:
                db.engine.dispose()
                with closing(sqlite3.connect(target)) as conn:  # fold the WAL in: the file alone is the copy
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                _demo_files[day] = _demo_files["dir"] / f"demo-{day.isoformat()}.sqlite3"
                shutil.copyfile(target, _demo_files[day])
        return app

    return build


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


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`): a browser module's tests run on one worker, so its
    live server (module-scoped, on demo data) is built once; other tests go one by one."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
