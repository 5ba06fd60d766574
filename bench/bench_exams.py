"""Exams under load, through gunicorn and HTTP, each beside a bare reference in the same run.

    .venv/bin/python bench/bench_exams.py start    [--trainees 500] [--bank 10000] [--questions 20]
    .venv/bin/python bench/bench_exams.py autosave [--trainees 2000] [--seconds 60] [--interval 15]
    .venv/bin/python bench/bench_exams.py fault    [--trainees 60] [--seconds 20]

`start`: every trainee starts at once (one thread each) against gunicorn with 2 workers on SQLite,
through `POST /api/v1/exams/<id>/attempts` with a bearer token; then the bare reference
(`bench/exam_bench_app.py`: draw + insert, nothing else) does the same for a second exam. Audits:
no errors, one attempt per trainee, every paper 20 distinct questions from the pool.
`autosave`: each trainee saves one answer every `--interval` seconds (open loop, spread evenly),
through `PUT …/answers/<slot>` and through the bare UPDATE; p50/p95, "database is locked" errors,
and an audit that every acknowledged save is in the database. `--saturate` adds a closed-loop run.
`fault`: saves and submits run while a gunicorn worker is killed (SIGKILL) every few seconds;
afterwards every acknowledged save is in the database and every submitted attempt has one grade.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup(path: str, trainees: int, bank: int, questions: int) -> dict:
    """A SQLite file with people, tokens, a bank and two published exams (product and bare)."""
    from datetime import timedelta

    from app import clock, create_app
    from app.auth.tokens import create_token
    from app.bank.categories import add_category
    from app.bank.storing import prepare, store
    from app.exams.publishing import publish
    from app.extensions import db
    from app.models import Blueprint, BlueprintRule, Exam, ExamAudience, OrgUnit, Person
    from question_bank import question_from_dict

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="基准单位", kind="支队")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        people = [Person(staff_no=f"B{i:05d}", name=f"学员{i}", unit_id=unit.id, must_change_password=False)
                  for i in range(trainees)]
        db.session.add_all(people)
        db.session.commit()
        category = add_category(None, "基准题库", unit.id)
        options = lambda i: [{"key": k, "text": f"第{i}题选项{k}", "weight": 100 if k == "A" else 0}  # noqa: E731
                             for k in "ABCD"]
        datas = [{"type": "single", "stem": f"基准题干第{i}题：执勤时应当如何处置？", "options": options(i),
                  "difficulty": 1 + i % 5} for i in range(bank)]
        store([prepare(question_from_dict(d)) for d in datas], lambda _p: category, actor_id=None, status="ready")
        db.session.commit()
        now = clock.now()
        exams = []
        for title in ("基准考试", "基准考试（对照）"):
            blueprint = Blueprint(title=title, rules=[BlueprintRule(
                position=1, section="一、单选题", source_kind="category", category_id=category.id,
                qtype="single", count=questions, points=100)])
            exam = Exam(title=title, blueprint=blueprint, duration_minutes=600, attempts_allowed=1,
                        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                        audience=[ExamAudience(unit_id=unit.id)], grace_seconds=600)
            db.session.add(exam)
            db.session.commit()
            publish(exam.id, actor_id=None, now=now)
            exams.append(exam.id)
        tokens = [create_token(p.id, name="基准", actor_id=None, now=now)[1] for p in people]
        return {"exam": exams[0], "bare_exam": exams[1], "tokens": tokens,
                "people": [p.id for p in people]}


class Server:
    """gunicorn with N workers serving the app plus the bare reference endpoints."""

    def __init__(self, path: str, workers: int = 2):
        self.port = _free_port()
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{path}", SECRET_KEY="bench",  # noqa: S106 - a throwaway server
                   PYTHONPATH=ROOT)
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning",
             "bench.exam_bench_app:app"], cwd=ROOT, env=env)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


class Client(threading.local):
    """One keep-alive HTTP connection per thread."""

    def request(self, port: int, method: str, url: str, token: str | None = None, body=None):
        if getattr(self, "conn", None) is None or self.port != port:
            self.conn, self.port = http.client.HTTPConnection("127.0.0.1", port, timeout=60), port
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self.conn.request(method, url, body=json.dumps(body) if body is not None else None, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            return response.status, data
        except (OSError, http.client.HTTPException):
            self.conn = None
            raise


CLIENT = Client()


def _timed(call):
    begin = time.perf_counter()
    try:
        status, data = call()
    except (OSError, http.client.HTTPException) as error:
        return time.perf_counter() - begin, 0, str(error).encode()
    return time.perf_counter() - begin, status, data


def _summary(name: str, latencies: list[float], wall: float, errors: int, unit: str) -> float:
    latencies = sorted(latencies)
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)] if latencies else 0
    rate = len(latencies) / wall if wall else 0
    print(f"  {name:<10} {len(latencies):>6} {unit}  {rate:8.1f}/s  p50 {statistics.median(latencies) * 1000:7.1f} ms"
          f"  p95 {p95 * 1000:7.1f} ms  errors {errors}")
    return rate


def bench_start(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        began = time.perf_counter()
        data = setup(path, args.trainees, args.bank, args.questions)
        print(f"setup: {args.trainees} trainees, bank {args.bank}, {args.questions}-question papers "
              f"({time.perf_counter() - began:.1f} s)")
        server = Server(path)
        try:
            rates = {}
            for name, url in (("product", f"/api/v1/exams/{data['exam']}/attempts"),
                              ("bare", f"/bench/bare/start/{data['bare_exam']}")):
                barrier = threading.Barrier(args.trainees)

                def one(i, url=url, barrier=barrier):
                    barrier.wait()
                    return _timed(lambda: CLIENT.request(server.port, "POST", url if "bare" not in url
                                                         else f"{url}/{data['people'][i]}", data["tokens"][i], {}))
                began = time.perf_counter()
                with ThreadPoolExecutor(args.trainees) as pool:
                    results = list(pool.map(one, range(args.trainees)))
                wall = time.perf_counter() - began
                errors = [r for r in results if r[1] not in (200, 201)]
                for r in errors[:3]:
                    print("   error:", r[1], r[2][:200])
                rates[name] = _summary(name, [r[0] for r in results], wall, len(errors), "starts")
            print(f"  ratio product/bare = {rates['product'] / rates['bare']:.2f}  (target ≥ 0.7)")
        finally:
            server.stop()
        _audit_papers(path, data, args.questions)


def _audit_papers(path: str, data: dict, questions: int) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    attempts = db.execute("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM exam_attempt WHERE exam_id = ?",
                          (data["exam"],)).fetchone()
    bad = db.execute("""SELECT COUNT(*) FROM (SELECT a.id FROM exam_attempt a JOIN attempt_item i ON i.attempt_id = a.id
                        WHERE a.exam_id = ? GROUP BY a.id HAVING COUNT(DISTINCT i.question_id) != ?)""",
                     (data["exam"], questions)).fetchone()[0]
    outside = db.execute("""SELECT COUNT(*) FROM attempt_item i JOIN exam_attempt a ON a.id = i.attempt_id
                            WHERE a.exam_id = ? AND NOT EXISTS (SELECT 1 FROM exam_pool_entry p
                            WHERE p.exam_id = a.exam_id AND p.question_id = i.question_id)""",
                         (data["exam"],)).fetchone()[0]
    print(f"audit: attempts {attempts[0]} for {attempts[1]} trainees (duplicates {attempts[0] - attempts[1]}), "
          f"invalid papers {bad}, questions outside the pool {outside}")


def _start_all(server, data, trainees) -> list[int]:
    def one(i):
        status, body = CLIENT.request(server.port, "POST", f"/api/v1/exams/{data['exam']}/attempts",
                                      data["tokens"][i], {})
        assert status in (200, 201), body
        return json.loads(body)["id"]
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(one, range(trainees)))


def _paced_saves(server, data, attempt_ids, seconds, interval, bare: bool, acked: dict, lock) -> tuple:
    """Open loop: trainee i saves at i*interval/n + k*interval; returns latencies, errors, locked."""
    n = len(attempt_ids)
    latencies, errors, locked = [], [0], [0]
    start = time.perf_counter() + 0.5

    def trainee(i):
        seq = 0
        at = start + i * interval / n
        while at < start + seconds:
            time.sleep(max(0, at - time.perf_counter()))
            seq += 1
            slot = 1 + seq % 20
            letter = "ABCD"[seq % 4]
            url = (f"/bench/bare/save/{attempt_ids[i]}/{slot}" if bare
                   else f"/api/v1/attempts/{attempt_ids[i]}/answers/{slot}")
            took, status, body = _timed(lambda url=url, seq=seq, letter=letter: CLIENT.request(
                server.port, "PUT", url, data["tokens"][i], {"seq": seq, "response": letter}))
            with lock:
                latencies.append(took)
                if status == 200:
                    acked[(attempt_ids[i], slot)] = (seq, letter)
                else:
                    errors[0] += 1
                    locked[0] += b"locked" in body
            at += interval

    with ThreadPoolExecutor(min(n, 400)) as pool:
        list(pool.map(trainee, range(n)))
    return latencies, errors[0], locked[0]


def bench_autosave(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        data = setup(path, args.trainees, 2000, 20)
        server = Server(path)
        try:
            attempt_ids = _start_all(server, data, args.trainees)
            print(f"autosave: {args.trainees} trainees, one save each per {args.interval} s "
                  f"(= {args.trainees / args.interval:.0f} saves/s offered), {args.seconds} s, gunicorn 2 workers")
            rates, lock = {}, threading.Lock()
            for name, bare in (("product", False), ("bare", True)):
                acked: dict = {}
                began = time.perf_counter()
                latencies, errors, locked = _paced_saves(server, data, attempt_ids, args.seconds, args.interval,
                                                         bare, acked, lock)
                rates[name] = _summary(name, latencies, time.perf_counter() - began, errors, "saves")
                print(f"             'database is locked': {locked}")
                if not bare:
                    _audit_saves(path, acked)
            print(f"  ratio product/bare = {rates['product'] / rates['bare']:.2f}  (target ≥ 0.7)")
            if args.saturate:
                _saturate(server, data, attempt_ids)
        finally:
            server.stop()


def _saturate(server, data, attempt_ids, seconds: float = 10, threads: int = 64) -> None:
    """Closed loop: `threads` clients save as fast as the server answers."""
    for name, bare in (("product", False), ("bare", True)):
        latencies = _closed_loop(server, data, attempt_ids, bare, time.perf_counter() + seconds, threads)
        _summary(f"{name} max", latencies, seconds, 0, "saves")


def _closed_loop(server, data, attempt_ids, bare: bool, stop: float, threads: int) -> list[float]:
    latencies, lock = [], threading.Lock()

    def loop(t):
        seq = 10_000 * (1 + bare)
        while time.perf_counter() < stop:
            i = (t * 7919 + seq) % len(attempt_ids)
            seq += 1
            url = (f"/bench/bare/save/{attempt_ids[i]}/1" if bare
                   else f"/api/v1/attempts/{attempt_ids[i]}/answers/1")
            took, _status, _ = _timed(lambda url=url, seq=seq, i=i: CLIENT.request(
                server.port, "PUT", url, data["tokens"][i], {"seq": seq * 100 + t, "response": "A"}))
            with lock:
                latencies.append(took)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    return latencies


def _audit_saves(path: str, acked: dict) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    stored = {(a, s): (seq, json.loads(r) if r else None)
              for a, s, seq, r in db.execute("SELECT attempt_id, slot, seq, response FROM attempt_item")}
    option_order = {(a, s): json.loads(o) for a, s, o in db.execute("SELECT attempt_id, slot, option_order FROM attempt_item")}
    missing = 0
    for key, (seq, letter) in acked.items():
        got_seq, got = stored.get(key, (0, None))
        expected = option_order[key]["ABCD".index(letter)] if key in option_order else None
        missing += got_seq < seq or (got_seq == seq and got != expected)
    print(f"  audit: {len(acked)} acknowledged answers, {missing} missing or different in the database")


def bench_fault(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.sqlite3")
        data = setup(path, args.trainees, 200, 20)
        server = Server(path)
        try:
            attempt_ids = _start_all(server, data, args.trainees)
            acked, lock, kills = {}, threading.Lock(), [0]
            stop = threading.Event()

            def killer():
                while not stop.wait(args.kill_every):
                    pids = server.worker_pids()
                    if pids:
                        os.kill(pids[0], signal.SIGKILL)
                        kills[0] += 1

            thread = threading.Thread(target=killer)
            thread.start()
            latencies, errors, _ = _paced_saves(server, data, attempt_ids, args.seconds, 1.0, False, acked, lock)
            submitted = []
            for i, attempt_id in enumerate(attempt_ids):
                for _ in range(3):  # retry through the kills, as the page does
                    took, status, _body = _timed(lambda a=attempt_id, i=i: CLIENT.request(
                        server.port, "POST", f"/api/v1/attempts/{a}/submit", data["tokens"][i], {}))
                    if status == 200:
                        submitted.append(attempt_id)
                        break
                    time.sleep(0.5)
            stop.set()
            thread.join()
        finally:
            server.stop()
        print(f"fault: {args.trainees} trainees saving each second for {args.seconds} s, "
              f"{kills[0]} workers killed; {len(latencies)} saves sent, {errors} failed (retried by the page)")
        _audit_saves(path, acked)
        import sqlite3
        db = sqlite3.connect(path)
        graded = db.execute("SELECT COUNT(*) FROM exam_attempt WHERE state = 'finished' AND score IS NOT NULL").fetchone()[0]
        ungraded = db.execute("SELECT COUNT(*) FROM exam_attempt WHERE state = 'finished' AND score IS NULL").fetchone()[0]
        print(f"  submits acknowledged {len(submitted)}, finished and graded {graded}, finished without a grade {ungraded}")
        if ungraded or graded < len(submitted):
            sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    start = sub.add_parser("start")
    start.add_argument("--trainees", type=int, default=500)
    start.add_argument("--bank", type=int, default=10_000)
    start.add_argument("--questions", type=int, default=20)
    save = sub.add_parser("autosave")
    save.add_argument("--trainees", type=int, default=2000)
    save.add_argument("--seconds", type=float, default=60)
    save.add_argument("--interval", type=float, default=15)
    save.add_argument("--saturate", action="store_true")
    fault = sub.add_parser("fault")
    fault.add_argument("--trainees", type=int, default=60)
    fault.add_argument("--seconds", type=float, default=20)
    fault.add_argument("--kill-every", type=float, default=4)
    args = parser.parse_args()
    {"start": bench_start, "autosave": bench_autosave, "fault": bench_fault}[args.what](args)


if __name__ == "__main__":
    main()
