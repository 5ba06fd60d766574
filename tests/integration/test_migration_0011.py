"""Migration 0011 adds scheduled_run with its (job, due_at) claim key; downgrading drops it."""

import os
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from tests.integration.test_migrations import _drop_everything

INSERT = text("INSERT INTO scheduled_run (job, due_at, started_at) VALUES ('year-turn', :due, :due)")


def test_0011_creates_the_claim_table_and_its_downgrade_drops_it(app):
    directory = os.path.join(app.root_path, "..", "migrations")
    _drop_everything()
    upgrade(directory=directory, revision="0011")
    due = datetime(2026, 12, 31, 16, 10)
    with db.engine.begin() as conn:
        conn.execute(INSERT, {"due": due})
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(INSERT, {"due": due})  # a second worker's claim of the same due time
    downgrade(directory=directory, revision="0010")
    assert "scheduled_run" not in inspect(db.engine).get_table_names()
