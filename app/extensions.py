"""Unbound extension objects; `create_app` binds them to an app."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Use WAL, a busy timeout, and IMMEDIATE transactions for anything that may write.

    A deferred transaction that later writes fails at once with "database is locked" when
    another connection wrote in between; beginning IMMEDIATE makes it wait its turn instead.
    Safe-method requests (GET pages) read in deferred transactions, unless their view is marked
    `@writes_on_read` (a GET that writes, such as closing an expired attempt when it is opened):
    those begin IMMEDIATE like a POST. A view marked `@reads_first` reads in deferred transactions
    and writes only inside `writing()`. Work outside a request (tasks, the scheduler) always begins
    IMMEDIATE.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        record.info["synchronous"] = "NORMAL"

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        level = "FULL" if _durable_request() else "NORMAL"
        if conn.info.get("synchronous") != level:  # may not change inside a transaction: set it first
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            conn.info["synchronous"] = level
        conn.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def writes_on_read(view):
    """Mark a GET view that writes, so its SQLite transactions take the write lock as a POST's do.

    Put it under `@bp.get(...)`; `functools.wraps` in the role decorators carries the mark up.
    """
    view.writes_on_read = True
    return view


def durable_writes(view):
    """Mark a view whose commits must survive a power cut, not only a crash of the process: on
    SQLite its transactions run with `synchronous=FULL` (the WAL is synced at every commit) instead
    of NORMAL. Exam answers and submissions use it; its cost is in bench/RESULTS.md."""
    view.durable_writes = True
    return view


def reads_first(view):
    """Mark a write view whose service reads before it writes and makes its change inside `writing()`:
    on SQLite its transactions begin deferred (no write lock) except inside `writing()`, so other
    requests write while it authenticates, checks and prepares. Every change its service makes must
    be inside `writing()`: a change in a deferred transaction may fail with "database is locked" when
    another connection wrote since the transaction began. The exam start uses it (bench/RESULTS.md)."""
    view.reads_first = True
    return view


_writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Make a change in a transaction of its own: end the reads so far (a commit that writes nothing),
    then run the block, which commits, in a write transaction (IMMEDIATE on SQLite, also in a
    `@reads_first` view). Neither commit expires loaded objects: what was read before is not read
    again, and what the block wrote stays as written (its caller answers from it)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    token = _writing.set(True)
    try:
        session.commit()
        yield
    finally:
        _writing.reset(token)
        session.expire_on_commit = expire


def _current_view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _durable_request() -> bool:
    return has_request_context() and getattr(_current_view(), "durable_writes", False)


def _read_only_request() -> bool:
    if not has_request_context():
        return False
    view = _current_view()
    if getattr(view, "reads_first", False):
        return not _writing.get()
    if request.method not in SAFE_METHODS:
        return False
    return not getattr(view, "writes_on_read", False)


def upsertable_insert(table, dialect_name: str | None = None):
    """Return an INSERT for `table` that supports ON CONFLICT (PostgreSQL's or SQLite's)."""
    from sqlalchemy.dialects import postgresql, sqlite

    name = dialect_name or db.session.get_bind().dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(table)
