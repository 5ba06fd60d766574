"""Study-clock heartbeats through the WSGI app: throughput and latency with many learners on SQLite.

Each learner has a login session and its own test client (cookie); every learner opens the lesson
(`/start`), then heartbeats arrive in rounds, 30 simulated seconds apart, so every heartbeat takes
the full path (login-session load, clock UPDATE ... RETURNING, progress upsert). `--workers N`
runs N processes (as N gunicorn workers) on one SQLite file, each serving a slice of the learners.
CSRF checking is switched off (it costs no SQL).

    .venv/bin/python bench/bench_heartbeat.py [--learners 1000] [--rounds 5] [--workers 1]
"""

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import clock, create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Course, Lesson, LoginSession, OrgUnit, Person  # noqa: E402

T0 = datetime(2026, 3, 2, 1, 0)


def _app(path: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "SCHEDULER_IN_PROCESS": False})  # no job thread on the fake clock
    return app


def _setup(path: str, learners: int) -> tuple[list[str], int]:
    app = _app(path)
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="基准单位", path="/1/")
        db.session.add(unit)
        course = Course(slug="bench", title="基准课程")
        course.lessons = [Lesson(position=1, file="01.md", title="第1课", min_minutes=100000, body="正文")]
        db.session.add(course)
        db.session.flush()
        people = [Person(staff_no=f"B{i}", name=f"学员{i}", unit_id=unit.id, must_change_password=False)
                  for i in range(learners)]
        db.session.add_all(people)
        db.session.flush()
        sessions = [LoginSession(id=secrets.token_urlsafe(32), person_id=p.id) for p in people]
        db.session.add_all(sessions)
        db.session.commit()
        return [s.id for s in sessions], course.lessons[0].id


def _worker(path: str, session_ids: list[str], lesson_id: int, rounds: int, out) -> None:
    app = _app(path)
    local = threading.local()
    clock.now = lambda: local.now  # the simulated clock of the current request
    clients = []
    local.now = T0
    for session_id in session_ids:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
        response = client.post(f"/study/lessons/{lesson_id}/start")
        clients.append((client, response.get_json()["token"]))
    latencies, wrong = [], 0
    started = time.perf_counter()
    for r in range(1, rounds + 1):
        local.now = T0 + timedelta(seconds=30 * r)
        for client, token in clients:
            begin = time.perf_counter()
            response = client.post(f"/study/lessons/{lesson_id}/beat", data={"token": token})
            latencies.append(time.perf_counter() - begin)
            wrong += response.status_code != 200 or response.get_json()["credited"] != 30
    out.put((len(latencies), time.perf_counter() - started, latencies, wrong))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        session_ids, lesson_id = _setup(path, args.learners)
        out = multiprocessing.Queue()
        slices = [session_ids[i::args.workers] for i in range(args.workers)]
        procs = [multiprocessing.Process(target=_worker, args=(path, s, lesson_id, args.rounds, out))
                 for s in slices]
        for proc in procs:
            proc.start()
        results = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
    beats = sum(r[0] for r in results)
    wall = max(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"learners={args.learners} rounds={args.rounds} workers={args.workers}")
    print(f"heartbeats={beats} wrong_credit={sum(r[3] for r in results)}")
    print(f"throughput={beats / wall:,.0f} heartbeats/s  p50={statistics.median(latencies) * 1000:.2f} ms  "
          f"p95={p95 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
