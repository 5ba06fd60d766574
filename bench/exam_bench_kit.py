"""What the exam benchmarks share: the database (SQLite file or PostgreSQL), gunicorn, the HTTP client,
the summaries and the audits. The scenarios are in `bench_exams.py`."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def database_url(option: str | None, folder: str) -> str:
    """The `--database` URL, or a SQLite file in `folder`."""
    return option or f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"


def _recreate_postgres(url: str) -> None:
    """Drop and create the bench's PostgreSQL database (the name in the URL is the bench's own)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"不安全的数据库名：{name!r}")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


COMPETENCIES, TARGETS = 8, 5


def setup(url: str, trainees: int, bank: int, questions: int, exams: int = 1, competencies: bool = False) -> dict:
    """People with tokens, a bank and `exams` pairs of published exams (product, bare) in a new database.

    With `competencies`: 8 competencies, 2 posts whose active syllabi target 5 of them each, every
    trainee on one of the posts, and every question linked to two competencies (difficulty 1–5), so an
    attempt's answers become mastery evidence and move the 三本台账's gaps."""
    from datetime import timedelta

    from app import clock, create_app
    from app.auth.tokens import create_token
    from app.bank.categories import add_category
    from app.bank.storing import prepare, store
    from app.config import _database_url
    from app.exams.publishing import publish
    from app.extensions import db
    from app.models import (
        Blueprint,
        BlueprintRule,
        Competency,
        Exam,
        ExamAudience,
        OrgUnit,
        Person,
        Post,
        Syllabus,
        SyllabusTarget,
        Workforce,
    )
    from question_bank import question_from_dict

    if url.startswith("postgres"):
        _recreate_postgres(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url(url), "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="基准单位", kind="支队")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        posts = [None]
        if competencies:
            codes = [f"BC{c}" for c in range(COMPETENCIES)]
            rows = [Competency(code=code, name=f"基准能力{n}") for n, code in enumerate(codes)]
            workforce = Workforce(code="bench", name="基准队伍")
            posts = [Post(workforce=workforce, code=f"bench{p}", name=f"基准岗位{p}") for p in range(2)]
            db.session.add_all([*rows, workforce, *posts])
            db.session.flush()
            for p, post in enumerate(posts):
                db.session.add(Syllabus(post_id=post.id, title=f"基准大纲{p}", targets=[
                    SyllabusTarget(competency_id=rows[(3 * p + k) % COMPETENCIES].id, level=1 + (p + k) % 3)
                    for k in range(TARGETS)]))
        people = [Person(staff_no=f"B{i:05d}", name=f"学员{i}", unit_id=unit.id, must_change_password=False,
                         post_id=posts[i % len(posts)].id if competencies else None)
                  for i in range(trainees)]
        db.session.add_all(people)
        db.session.commit()
        category = add_category(None, "基准题库", unit.id)
        options = lambda i: [{"key": k, "text": f"第{i}题选项{k}", "weight": 100 if k == "A" else 0}  # noqa: E731
                             for k in "ABCD"]
        datas = [{"type": "single", "stem": f"基准题干第{i}题：执勤时应当如何处置？", "options": options(i),
                  "difficulty": 1 + i % 5} for i in range(bank)]
        if competencies:
            for i, data in enumerate(datas):
                data["competencies"] = [codes[i % COMPETENCIES], codes[(i // COMPETENCIES + 3) % COMPETENCIES]]
        store([prepare(question_from_dict(d)) for d in datas], lambda _p: category, actor_id=None, status="ready")
        db.session.commit()
        now = clock.now()
        ids = []
        for n in range(exams):
            for title in (f"基准考试{n + 1}", f"基准考试{n + 1}（对照）"):
                blueprint = Blueprint(title=title, rules=[BlueprintRule(
                    position=1, section="一、单选题", source_kind="category", category_id=category.id,
                    qtype="single", count=questions, points=100)])
                exam = Exam(title=title, blueprint=blueprint, duration_minutes=600, attempts_allowed=1,
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                            audience=[ExamAudience(unit_id=unit.id)], grace_seconds=600)
                db.session.add(exam)
                db.session.commit()
                publish(exam.id, actor_id=None, now=now)
                ids.append(exam.id)
        tokens = [create_token(p.id, name="基准", actor_id=None, now=now)[1] for p in people]
        return {"exams": ids[0::2], "bare_exams": ids[1::2], "exam": ids[0], "bare_exam": ids[1],
                "tokens": tokens, "people": [p.id for p in people]}


def engine(url: str):
    """A plain SQLAlchemy engine on the bench database, for the audits."""
    from sqlalchemy import create_engine

    from app.config import _database_url

    return create_engine(_database_url(url))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app plus the bare reference endpoints (`bench/exam_bench_app.py`)."""

    def __init__(self, url: str, workers: int = 2, threads: int = 1):
        self.url, self.workers, self.threads = url, workers, threads
        self.port = _free_port()
        self.start()

    def start(self) -> None:
        env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY="bench", PYTHONPATH=ROOT)  # noqa: S106
        env.pop("REDIS_URL", None)
        command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(self.workers),
                   "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning",
                   "--backlog", "2048"]
        if self.threads > 1:
            command += ["--threads", str(self.threads)]
        self.proc = subprocess.Popen([*command, "bench.exam_bench_app:app"], cwd=ROOT, env=env)
        self.wait_ready()

    def wait_ready(self) -> None:
        """Until every worker has loaded the app and answers (gunicorn binds before they have)."""
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/bench/ready")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok and len(self.worker_pids()) >= self.workers:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        # warm every worker: a few dozen cheap requests at once reach all of them
        threads = [threading.Thread(target=lambda: CLIENT.request(self.port, "GET", "/bench/ready"))
                   for _ in range(8 * self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


class Client(threading.local):
    """One keep-alive HTTP connection per thread. A request on a kept connection that the server
    closed meanwhile (gthread closes idle ones after 2 s) is sent again once on a new connection,
    as browsers do; every request here is safe to resend (a save by its seq, start and submit by
    design), and a resent save that had been stored answers 409, so it is not counted as acknowledged."""

    timeout = 300.0

    def request(self, port: int, method: str, url: str, token: str | None = None, body=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            kept = getattr(self, "conn", None) is not None and self.port == port
            if not kept:
                self.conn, self.port = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout), port
            try:
                self.conn.request(method, url, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                self.statements = response.getheader("X-Statements")  # the bench app's count, when it sends one
                if response.will_close:
                    self.conn = None
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn = None
                if not kept or attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.conn = None
                raise
        raise AssertionError("unreachable")


CLIENT = Client()


def timed(call):
    """(seconds, status, body); status 0 when the connection failed."""
    begin = time.perf_counter()
    try:
        status, data = call()
    except (OSError, http.client.HTTPException) as error:
        return time.perf_counter() - begin, 0, str(error).encode()
    return time.perf_counter() - begin, status, data


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(int(round(len(values) * p)) - 1, 0))] if values else 0.0


def summary(name: str, latencies: list[float], wall: float, errors: int, unit: str) -> float:
    rate = len(latencies) / wall if wall else 0
    print(f"  {name:<12} {len(latencies):>6} {unit}  {rate:8.1f}/s  p50 {percentile(latencies, 0.5) * 1000:8.1f} ms"
          f"  p95 {percentile(latencies, 0.95) * 1000:8.1f} ms  errors {errors}", flush=True)
    return rate


def load() -> str:
    return os.popen("uptime").read().strip().split("load average:")[-1].strip()  # noqa: S605,S607


def audit_papers(url: str, exam_ids: list[int], questions: int) -> bool:
    """Every product attempt: one per trainee, `questions` distinct questions, all from the frozen pool."""
    from sqlalchemy import bindparam, text

    ids = bindparam("ids", expanding=True)
    with engine(url).connect() as conn:
        attempts, people = conn.execute(text(
            "SELECT COUNT(*), COUNT(DISTINCT exam_id * 1000000 + person_id) FROM exam_attempt WHERE exam_id IN :ids"
        ).bindparams(ids), {"ids": exam_ids}).one()
        bad = conn.execute(text(
            """SELECT COUNT(*) FROM (SELECT a.id FROM exam_attempt a JOIN attempt_item i ON i.attempt_id = a.id
               WHERE a.exam_id IN :ids GROUP BY a.id HAVING COUNT(DISTINCT i.question_id) != :n
               OR COUNT(*) != :n) AS wrong""").bindparams(ids), {"ids": exam_ids, "n": questions}).scalar()
        outside = conn.execute(text(
            """SELECT COUNT(*) FROM attempt_item i JOIN exam_attempt a ON a.id = i.attempt_id
               WHERE a.exam_id IN :ids AND NOT EXISTS (SELECT 1 FROM exam_pool_entry p
               WHERE p.exam_id = a.exam_id AND p.question_id = i.question_id
               AND p.question_version_id = i.question_version_id)""").bindparams(ids), {"ids": exam_ids}).scalar()
    print(f"audit: {attempts} attempts for {people} trainee-exam pairs (duplicates {attempts - people}), "
          f"invalid papers {bad}, questions outside the pool {outside}", flush=True)
    return attempts == people and not bad and not outside


def audit_saves(url: str, acked: dict) -> int:
    """How many acknowledged saves (attempt, slot) → (seq, letter shown) the database lacks."""
    from sqlalchemy import select

    from app.models import AttemptItem

    item = AttemptItem.__table__.c  # typed columns: JSON decoded alike on SQLite and PostgreSQL
    with engine(url).connect() as conn:
        stored = {(a, s): (seq, r, o) for a, s, seq, r, o in conn.execute(
            select(item.attempt_id, item.slot, item.seq, item.response, item.option_order))}
    missing = 0
    for key, (seq, letter) in acked.items():
        got_seq, got, order = stored.get(key, (0, None, None))
        expected = order["ABCD".index(letter)] if order else None
        missing += got_seq < seq or (got_seq == seq and got != expected)
    print(f"  audit: {len(acked)} acknowledged answers, {missing} missing or different in the database", flush=True)
    return missing
