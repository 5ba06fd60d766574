"""Concurrent writers on one SQLite file: count "database is locked" errors and throughput.

Four processes (like four gunicorn workers) each run read-then-write transactions through the
app's engine settings (WAL, busy timeout, BEGIN IMMEDIATE for writes). The target is zero
"database is locked" errors.

    .venv/bin/python bench/bench_sqlite_writers.py [--workers 4] [--seconds 10]
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select, update  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import OrgUnit, Person  # noqa: E402


def _app(path: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})


def _setup(path: str, people: int) -> None:
    app = _app(path)
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="基准单位", path="/1/")
        db.session.add(unit)
        db.session.flush()
        db.session.add_all(
            Person(staff_no=f"B{i}", name=f"人{i}", unit_id=unit.id) for i in range(people)
        )
        db.session.commit()


def _worker(path: str, seconds: float, people: int, seed: int, out) -> None:
    app = _app(path)
    done, locked, latencies = 0, 0, []
    with app.app_context():
        deadline = time.perf_counter() + seconds
        i = seed
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                person = db.session.scalar(
                    select(Person).where(Person.staff_no == f"B{i % people}")
                )
                db.session.execute(
                    update(Person).where(Person.id == person.id).values(phone=str(i))
                )
                db.session.commit()
                done += 1
                latencies.append(time.perf_counter() - start)
            except OperationalError as error:
                db.session.rollback()
                locked += "locked" in str(error)
            i += 7
    out.put((done, locked, latencies))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args()
    path = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    _setup(path, args.people)
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_worker, args=(path, args.seconds, args.people, n, queue))
        for n in range(args.workers)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    total = sum(r[0] for r in results)
    locked = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
    print(
        f"workers={args.workers} seconds={args.seconds} write transactions={total} "
        f"({total / args.seconds:.0f}/s) database-is-locked errors={locked} "
        f"p50={statistics.median(latencies) * 1000:.1f} ms p95={p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
