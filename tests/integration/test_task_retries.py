"""Tasks retry transient database errors (they are idempotent), and give up after max_retries."""

import pytest
from sqlalchemy.exc import OperationalError

from app.bank.tasks import parse_bank_import_task
from app.study import assignments, tasks
from app.study.tasks import sync_assignments_task, year_turn_task


@pytest.mark.parametrize("task", [sync_assignments_task, year_turn_task, parse_bank_import_task])
def test_every_task_retries_operational_errors_with_backoff(task):
    assert task.autoretry_for == (OperationalError,)
    assert task.retry_backoff and task.max_retries == 5


def _locked_then(monkeypatch, failures: int):
    calls = []

    def sync_all(**kwargs):
        calls.append(kwargs)
        if len(calls) <= failures:
            raise OperationalError("INSERT ...", {}, Exception("database is locked"))
        return 3

    monkeypatch.setattr(assignments, "sync_all", sync_all)
    return calls


def test_a_task_that_meets_a_locked_database_runs_again(app, monkeypatch):
    calls = _locked_then(monkeypatch, failures=2)
    assert sync_assignments_task.apply(args=([1, 2],)).get() == 3
    assert len(calls) == 3 and calls[-1]["person_ids"] == [1, 2]


def test_a_task_gives_up_after_its_retries(app, monkeypatch):
    calls = _locked_then(monkeypatch, failures=10)
    with pytest.raises(OperationalError):
        tasks.sync_assignments_task.apply(args=([1],), throw=True).get()
    assert len(calls) == 6  # the first try and five retries
