"""SQLite transactions begin IMMEDIATE for writes: POSTs, and GET views marked `@writes_on_read`;
a `@reads_first` POST reads in a deferred transaction and writes inside `writing()` only."""

import pytest
from sqlalchemy import event, select, text, update

from app.extensions import db, reads_first, writes_on_read, writing
from app.models import OrgUnit


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

    @reads_first
    def read_then_write():
        unit = db.session.scalar(select(OrgUnit))
        with writing():
            db.session.execute(update(OrgUnit).values(name="改名后"))
            db.session.commit()
        loaded = "name" in unit.__dict__  # neither commit expired what was read
        return f"{loaded} {db.session.scalar(select(OrgUnit.name))}"

    app.add_url_rule("/_read_then_write", "read_then_write", read_then_write, methods=["POST"])
    app.add_url_rule("/_read", "read", touch, methods=["GET"])
    app.add_url_rule("/_close_on_read", "close_on_read", close_on_read, methods=["GET"])
    app.add_url_rule("/_post", "post", touch, methods=["POST"])
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: seen.append(statement) if "BEGIN" in statement else None)

    def run(method: str, path: str) -> list[str]:
        seen.clear()
        response = app.test_client().open(path, method=method)
        assert response.status_code == 200
        run.answer = response.get_data(as_text=True)
        return list(seen)

    with app.app_context():
        db.session.add(OrgUnit(name="单位", path="/1/", depth=0))
        db.session.commit()

    return run


def test_a_plain_get_reads_in_a_deferred_transaction(begins):
    assert begins("GET", "/_read") == ["BEGIN"]


def test_a_get_that_writes_takes_the_write_lock_like_a_post(begins):
    assert begins("GET", "/_close_on_read") == ["BEGIN IMMEDIATE"]
    assert begins("POST", "/_post") == ["BEGIN IMMEDIATE"]


def test_a_reads_first_post_takes_the_write_lock_only_for_its_change(begins):
    assert begins("POST", "/_read_then_write") == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN"]
    assert begins.answer == "True 改名后"


def test_the_mark_survives_the_role_decorators():
    from app.auth.scope import role_required

    @role_required("trainee")
    @writes_on_read
    def view():
        return "ok"

    assert view.writes_on_read is True
