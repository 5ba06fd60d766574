"""Parallel runs (pytest-xdist): each worker has its own PostgreSQL database and Redis keys.

SQLite files already are each worker's own (pytest gives every worker its own temporary folder),
and live servers listen on free ports. With PostgreSQL, worker `gw1` of a run on
`DATABASE_URL=…/scratch` uses `…/scratch_gw1`, created when the worker starts (with
`synchronous_commit` off: nothing in it must survive a crash) and dropped when it ends; the rate
limiter's Redis keys get the prefix `LIMITS_gw1`, so one worker's reset never clears another's
counters. Without workers nothing changes: the tests use `DATABASE_URL` itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def database_url(base: str, worker: str = WORKER) -> str:
    """The PostgreSQL URL this worker's tests use: `base` itself, or its database + `_<worker>`."""
    if not base or not worker:
        return base
    url = make_url(base)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


def redis_key_prefix(worker: str = WORKER) -> dict:
    """Storage options giving this worker's rate-limit counters their own Redis key prefix."""
    return {"key_prefix": f"LIMITS_{worker}"} if worker else {}


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def own_database(base: str, url: str) -> Iterator[None]:
    """Create the worker's database `url` on `base`'s server for the session, then drop it."""
    if url == base:
        yield
        return
    name = make_url(url).database
    admin = create_engine(_psycopg(base), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a killed run's leftover too
    try:
        with admin.connect() as conn:
            conn.execute(drop)
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A throwaway database: commits need not wait for the WAL to reach the disk (a crash
            # could lose the last commits, nothing else changes: every commit is still atomic).
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()
