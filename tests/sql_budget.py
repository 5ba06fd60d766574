"""Counting the SQL statements a request or a call costs (for the statement budgets in tests)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_statements(*, transactions: bool = False):
    """Collect the statements run inside the block (BEGIN, PRAGMA and savepoints only if `transactions`)."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        if transactions or not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def statements_for(client, url: str) -> int:
    """Return how many statements a successful GET of `url` costs."""
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)
