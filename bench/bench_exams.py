"""Exams under load, through gunicorn and HTTP, each beside a bare reference in the same run.

    .venv/bin/python bench/bench_exams.py start    [--trainees 500] [--bank 10000] [--questions 20] [--rounds 2]
    .venv/bin/python bench/bench_exams.py autosave [--trainees 2000] [--seconds 60] [--interval 15] [--saturate]
    .venv/bin/python bench/bench_exams.py fault    [--trainees 60] [--seconds 20] [--short]
    .venv/bin/python bench/bench_exams.py submit   [--trainees 500] [--bank 2000] [--questions 20] [--rounds 2]

Every scenario takes `--database` (default: a new SQLite file; or
`postgresql://postgres@127.0.0.1:5432/<db>`, which is dropped and created again), `--workers` and
`--threads` (gunicorn; sync workers unless threads > 1).

`start`: every trainee starts at once (one client thread each) through `POST /api/v1/exams/<id>/attempts`
with a bearer token, and again against the bare reference (`bench/exam_bench_app.py`: draw + insert,
nothing else) for its own exam; `--rounds` pairs, alternating which goes first, so both see the same
load. Audits: no errors, one attempt per trainee, every paper `--questions` distinct questions from
the frozen pool.
`autosave`: every trainee saves one answer every `--interval` seconds, spread evenly (open loop:
latency counts from the moment the save was due), through `PUT …/answers/<slot>` and through the bare
UPDATE, alternating; p50/p95, "database is locked" answers, and an audit that every acknowledged save
is in the database. `--saturate` adds closed-loop runs (64 clients saving as fast as answered).
`fault`: trainees save every second and submit at random moments while a gunicorn worker is killed
(SIGKILL) every `--kill-every` seconds and, halfway, the whole server is killed and started again;
afterwards every acknowledged save is in the database and every submitted attempt is finished with
one grade that matches its stored answers. Exits 1 when an audit fails. `--short` is the CI form.
`submit`: every trainee hands in an answered attempt at once, with needs' receivers (mastery, 三本台账,
exam outcomes, plan) and, alternating, without them; audits grades, evidence and counters against a
recount (`bench/exam_bench_submit.py`).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.exam_bench_kit import (  # noqa: E402
    CLIENT,
    Server,
    audit_papers,
    audit_saves,
    database_url,
    engine,
    load,
    percentile,
    setup,
    summary,
    timed,
)
from bench.exam_bench_submit import bench_submit  # noqa: E402


def _machine(args, url: str) -> None:
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    threads = f", {args.threads} threads each" if args.threads > 1 else " (sync)"
    print(f"machine: {os.cpu_count()} cores; {kind}; gunicorn {args.workers} workers{threads}; load {load()}",
          flush=True)


def _storm(server, data, trainees: int, url_of) -> tuple[list, float]:
    barrier = threading.Barrier(trainees)

    def one(i):
        barrier.wait()
        return timed(lambda: CLIENT.request(server.port, "POST", url_of(i), data["tokens"][i], {}))
    began = time.perf_counter()
    with ThreadPoolExecutor(trainees) as pool:
        results = list(pool.map(one, range(trainees)))
    return results, time.perf_counter() - began


def bench_start(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.database, folder)
        began = time.perf_counter()
        data = setup(url, args.trainees, args.bank, args.questions, exams=args.rounds)
        print(f"setup: {args.trainees} trainees, bank {args.bank}, {args.questions}-question papers, "
              f"{args.rounds} exam pairs ({time.perf_counter() - began:.1f} s)", flush=True)
        _machine(args, url)
        server = Server(url, args.workers, args.threads)
        totals = {"product": [[], 0.0, 0], "bare": [[], 0.0, 0]}
        try:
            for n in range(args.rounds):
                runs = [("product", lambda i, n=n: f"/api/v1/exams/{data['exams'][n]}/attempts"),
                        ("bare", lambda i, n=n: f"/bench/bare/start/{data['bare_exams'][n]}/{data['people'][i]}")]
                for name, url_of in runs if n % 2 == 0 else runs[::-1]:
                    results, wall = _storm(server, data, args.trainees, url_of)
                    errors = [r for r in results if r[1] not in (200, 201)]
                    for r in errors[:3]:
                        print("   error:", r[1], r[2][:200])
                    summary(f"{name} #{n + 1}", [r[0] for r in results], wall, len(errors), "starts")
                    totals[name][0] += [r[0] for r in results]
                    totals[name][1] += wall
                    totals[name][2] += len(errors)
        finally:
            server.stop()
        rates = {name: summary(f"{name} all", lat, wall, err, "starts") for name, (lat, wall, err) in totals.items()}
        print(f"  ratio product/bare = {rates['product'] / rates['bare']:.2f}  (target ≥ 0.7); load {load()}")
        ok = audit_papers(url, data["exams"], args.questions) and not totals["product"][2]
        audit_papers(url, data["bare_exams"], args.questions)
    sys.exit(0 if ok else 1)


def _start_all(server, data, trainees: int) -> list[int]:
    import json

    def one(i):
        status, body = CLIENT.request(server.port, "POST", f"/api/v1/exams/{data['exam']}/attempts",
                                      data["tokens"][i], {})
        assert status in (200, 201), body
        return json.loads(body)["id"]
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(trainees)))


def _save_url(attempt_id: int, slot: int, bare: bool) -> str:
    return f"/bench/bare/save/{attempt_id}/{slot}" if bare else f"/api/v1/attempts/{attempt_id}/answers/{slot}"


def paced_saves(server, data, attempt_ids, seconds, interval, bare: bool, acked: dict, seq_base: int = 0,
                stop_for: dict | None = None):
    """Open loop: trainee i saves at i·interval/n + k·interval. Returns latencies (from when each save
    was due), failures and "database is locked" answers; `acked` collects (attempt, slot) → (seq, letter)."""
    n = len(attempt_ids)
    lock = threading.Lock()
    latencies, errors, locked = [], [0], [0]
    start = time.perf_counter() + 0.5
    due = sorted((start + i * interval / n + k * interval, i, k)
                 for i in range(n) for k in range(int(seconds / interval) + 1)
                 if i * interval / n + k * interval < seconds)

    def save(at, i, k):
        if stop_for is not None and stop_for.get(i, float("inf")) <= at:
            return
        seq = seq_base + k + 1
        slot, letter = 1 + seq % 20, "ABCD"[seq % 4]
        _took, status, body = timed(lambda: CLIENT.request(
            server.port, "PUT", _save_url(attempt_ids[i], slot, bare), data["tokens"][i],
            {"seq": seq, "response": letter}))
        with lock:
            latencies.append(time.perf_counter() - at)
            if status == 200:
                acked[(attempt_ids[i], slot)] = (seq, letter)
            else:
                errors[0] += 1
                locked[0] += b"locked" in body
                if errors[0] <= 3 and stop_for is None:
                    print("   error:", status, body[:200], flush=True)

    with ThreadPoolExecutor(256) as pool:
        for at, i, k in due:
            time.sleep(max(0.0, at - time.perf_counter()))
            pool.submit(save, at, i, k)
    return latencies, errors[0], locked[0]


def bench_autosave(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.database, folder)
        data = setup(url, args.trainees, 2000, 20)
        _machine(args, url)
        server = Server(url, args.workers, args.threads)
        failed = False
        try:
            attempt_ids = _start_all(server, data, args.trainees)
            print(f"autosave: {args.trainees} trainees, one save each per {args.interval:g} s "
                  f"(= {args.trainees / args.interval:.0f} saves/s offered), {args.seconds:g} s per run", flush=True)
            totals = {"product": [[], 0.0, 0, 0], "bare": [[], 0.0, 0, 0]}
            for n in range(args.rounds):
                runs = [("product", False), ("bare", True)]
                for name, bare in runs if n % 2 == 0 else runs[::-1]:
                    acked: dict = {}
                    began = time.perf_counter()
                    latencies, errors, locked = paced_saves(server, data, attempt_ids, args.seconds, args.interval,
                                                            bare, acked, seq_base=1000 * (2 * n + bare))
                    wall = time.perf_counter() - began
                    summary(f"{name} #{n + 1}", latencies, wall, errors, "saves")
                    print(f"               'database is locked': {locked}; load {load()}", flush=True)
                    for slot, value in zip((0, 1, 2, 3), (latencies, wall, errors, locked), strict=True):
                        totals[name][slot] += value
                    if not bare:
                        failed |= bool(audit_saves(url, acked)) or bool(errors)
            for name, (latencies, wall, errors, _locked) in totals.items():
                summary(f"{name} all", latencies, wall, errors, "saves")
            p95 = {name: percentile(t[0], 0.95) for name, t in totals.items()}
            print(f"  p95 product {p95['product'] * 1000:.1f} ms (target ≤ 100 ms), bare {p95['bare'] * 1000:.1f} ms; "
                  f"p95 ratio bare/product = {p95['bare'] / p95['product']:.2f} (target ≥ 0.7)", flush=True)
            if args.saturate:
                _saturate(server, data, attempt_ids)
        finally:
            server.stop()
    sys.exit(1 if failed else 0)


def _saturate(server, data, attempt_ids, seconds: float = 10, threads: int = 64) -> None:
    """Closed loop: `threads` clients save as fast as the server answers; the saturation point."""
    rates: dict[str, list[float]] = {}
    for n, (name, bare) in enumerate((("product", False), ("bare", True), ("product", False), ("bare", True))):
        latencies, errors = _closed_loop(server, data, attempt_ids, bare, seconds, threads, 100_000 * (n + 1))
        rates.setdefault(name, []).append(summary(f"{name} max", latencies, seconds, errors, "saves"))
    print(f"  saturation ratio product/bare = {sum(rates['product']) / sum(rates['bare']):.2f}; load {load()}")


def _closed_loop(server, data, attempt_ids, bare: bool, seconds: float, threads: int, seq_base: int):
    stop = time.perf_counter() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def save(i: int, seq: int):
        return CLIENT.request(server.port, "PUT", _save_url(attempt_ids[i], 1, bare), data["tokens"][i],
                              {"seq": seq, "response": "A"})

    def loop(t):
        seq = seq_base
        while time.perf_counter() < stop:
            i = (t * 7919 + seq) % len(attempt_ids)
            seq += 1
            took, status, _ = timed(lambda i=i, seq=seq: save(i, seq * 100 + t))
            with lock:
                latencies.append(took)
                errors[0] += status not in (200, 409)  # 409: a newer save won, still answered
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    return latencies, errors[0]


def bench_fault(args) -> None:
    if args.short:
        args.trainees, args.seconds, args.kill_every = 20, 8, 1.2
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.database, folder)
        began = time.perf_counter()
        data = setup(url, args.trainees, 200, 20)
        server = Server(url, args.workers, args.threads)
        print(f"fault: setup and server ready in {time.perf_counter() - began:.1f} s; load {load()}", flush=True)
        try:
            attempt_ids = _start_all(server, data, args.trainees)
            acked, kills, stop = {}, [0, 0], threading.Event()
            rng = random.Random(1)
            saving = time.perf_counter()
            submit_at = {i: saving + 0.5 + args.seconds * rng.uniform(0.3, 1.0) for i in range(args.trainees)}

            def killer():
                while not stop.wait(args.kill_every):
                    if not kills[1] and time.perf_counter() - saving > args.seconds / 2:
                        _kill_all(server)  # the whole server, then started again
                        kills[1] += 1
                        server.start()
                        continue
                    pids = server.worker_pids()
                    if pids:
                        os.kill(rng.choice(pids), signal.SIGKILL)
                        kills[0] += 1

            submitted: list[int] = []

            def submitter():
                for i in sorted(submit_at, key=submit_at.get):
                    time.sleep(max(0.0, submit_at[i] - time.perf_counter()))
                    while not _submit(server, data, attempt_ids, i):  # retried through the kills, as the page does
                        time.sleep(0.3)
                    submitted.append(attempt_ids[i])

            threads = [threading.Thread(target=killer), threading.Thread(target=submitter)]
            for thread in threads:
                thread.start()
            latencies, errors, _ = paced_saves(server, data, attempt_ids, args.seconds, 1.0, False, acked,
                                               stop_for=submit_at)
            threads[1].join()
            stop.set()
            threads[0].join()
        finally:
            server.stop()
        print(f"fault: {args.trainees} trainees saving each second for {args.seconds:g} s; {kills[0]} workers killed "
              f"(SIGKILL), the whole server killed and restarted {kills[1]}×; {len(latencies)} saves sent, "
              f"{errors} failed (the page retries them); {time.perf_counter() - began:.1f} s", flush=True)
        missing = audit_saves(url, acked)
        wrong = _audit_grades(url, set(submitted))
    sys.exit(1 if missing or wrong or not kills[0] else 0)


def _kill_all(server) -> None:
    pids = server.worker_pids()
    os.kill(server.proc.pid, signal.SIGKILL)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.proc.wait()


def _submit(server, data, attempt_ids, i) -> bool:
    _took, status, _body = timed(lambda: CLIENT.request(
        server.port, "POST", f"/api/v1/attempts/{attempt_ids[i]}/submit", data["tokens"][i], {}))
    return status == 200


def _audit_grades(url: str, submitted: set[int]) -> int:
    """Every submitted attempt finished once, its score the sum of its items' scores, each item's score
    what its stored answer earns (the key is A): graded once, after the last save."""
    from sqlalchemy import select

    from app.models import Attempt, AttemptItem

    attempt, item = Attempt.__table__.c, AttemptItem.__table__.c  # typed: JSON decoded on either database
    with engine(url).connect() as conn:
        attempts = {a: (state, score) for a, state, score in conn.execute(
            select(attempt.id, attempt.state, attempt.score))}
        items = conn.execute(select(item.attempt_id, item.response, item.score, item.points)).all()
    sums: dict[int, int] = {}
    wrong_items = 0
    for attempt_id, response, score, points in items:
        if attempts[attempt_id][0] != "finished":
            continue
        sums[attempt_id] = sums.get(attempt_id, 0) + (score or 0)
        wrong_items += (score or 0) != (points if response == "A" else 0)
    unfinished = sum(attempts[a][0] != "finished" or attempts[a][1] is None for a in submitted)
    mismatched = sum(attempts[a][1] != sums.get(a, 0) for a in submitted if attempts[a][1] is not None)
    print(f"  submits acknowledged {len(submitted)}: not finished or without a grade {unfinished}, "
          f"score ≠ sum of its items {mismatched}, items graded other than their stored answer {wrong_items}",
          flush=True)
    return unfinished + mismatched + wrong_items


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    start = sub.add_parser("start")
    start.add_argument("--trainees", type=int, default=500)
    start.add_argument("--bank", type=int, default=10_000)
    start.add_argument("--questions", type=int, default=20)
    start.add_argument("--rounds", type=int, default=2)
    save = sub.add_parser("autosave")
    save.add_argument("--trainees", type=int, default=2000)
    save.add_argument("--seconds", type=float, default=60)
    save.add_argument("--interval", type=float, default=15)
    save.add_argument("--rounds", type=int, default=1)
    save.add_argument("--saturate", action="store_true")
    fault = sub.add_parser("fault")
    fault.add_argument("--trainees", type=int, default=60)
    fault.add_argument("--seconds", type=float, default=20)
    fault.add_argument("--kill-every", type=float, default=4)
    fault.add_argument("--short", action="store_true", help="the CI form: 20 trainees, 8 s")
    submit = sub.add_parser("submit")
    submit.add_argument("--trainees", type=int, default=500)
    submit.add_argument("--bank", type=int, default=2000)
    submit.add_argument("--questions", type=int, default=20)
    submit.add_argument("--rounds", type=int, default=2)
    for each in (start, save, fault, submit):
        each.add_argument("--database", help="postgresql://postgres@127.0.0.1:5432/<db> (dropped and created)")
        each.add_argument("--workers", type=int, default=2)
        each.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    {"start": bench_start, "autosave": bench_autosave, "fault": bench_fault, "submit": bench_submit}[args.what](args)


if __name__ == "__main__":
    main()
