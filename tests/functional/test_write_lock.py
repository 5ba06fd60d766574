"""SQLite transactions begin IMMEDIATE for writes: POSTs, and GET views marked `@writes_on_read`."""

import pytest
from sqlalchemy import event, select, text

from app.extensions import db, writes_on_read


@pytest.fixture
def begins(make_app, tmp_path):
    """An app on SQLite with a plain GET, a marked GET and a POST; returns the BEGINs per path."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'lock.sqlite3'}")

    def touch():
        db.session.execute(select(text("1")))
        return "ok"

    @writes_on_read
    def close_on_read():
        return touch()

    app.add_url_rule("/_read", "read", touch, methods=["GET"])
    app.add_url_rule("/_close_on_read", "close_on_read", close_on_read, methods=["GET"])
    app.add_url_rule("/_post", "post", touch, methods=["POST"])
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: seen.append(statement) if "BEGIN" in statement else None)

    def run(method: str, path: str) -> list[str]:
        seen.clear()
        assert app.test_client().open(path, method=method).status_code == 200
        return list(seen)

    return run


def test_a_plain_get_reads_in_a_deferred_transaction(begins):
    assert begins("GET", "/_read") == ["BEGIN"]


def test_a_get_that_writes_takes_the_write_lock_like_a_post(begins):
    assert begins("GET", "/_close_on_read") == ["BEGIN IMMEDIATE"]
    assert begins("POST", "/_post") == ["BEGIN IMMEDIATE"]


def test_the_mark_survives_the_role_decorators():
    from app.auth.scope import role_required

    @role_required("trainee")
    @writes_on_read
    def view():
        return "ok"

    assert view.writes_on_read is True
