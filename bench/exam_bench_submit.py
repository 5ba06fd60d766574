"""`bench_exams.py submit`: a submit storm with needs' receivers, beside the same submits without them.

Every trainee (a post whose syllabus targets 5 of 8 competencies; a training plan made beforehand, as
`flask needs plans` does) has, per round, two started attempts of timed formal exams whose questions
each name one or two of the competencies, every slot answered (about two thirds right). In each round
all trainees hand in one attempt at once (one client thread each, a barrier) through
`POST /api/v1/attempts/<id>/submit` (the product: grading, then `attempt_finished`'s receivers —
needs' mastery update, 三本台账, exam outcome and plan check; the 错题本 and late-regrade checks), and
the other through `/bench/bare/submit/<id>`: the same submit with needs' receiver skipped
(`bench/exam_bench_app.py`). Rounds alternate which goes first.

Printed: submits/s, p50/p95, errors, SQL statements per submit (counted in the server, the request's
own thread), how long after the storm's last answer the background work settled (for the product:
until every attempt has its mastery evidence; then nothing changes for 1 s) and the rate counting
that time, the ratio product/bare, then the audits (exit 1 when one fails):
- every attempt finished once, its score the sum of its slots' scores, each slot graded from its
  stored answer; a repeated submit of a sample answers 200 and changes nothing;
- the mastery evidence is exactly what the product attempts' graded answers make (none missing, none
  twice) and none for the bare attempts; every stored state equals the estimator's state rebuilt from
  that evidence;
- `NeedGap`/`NeedTally` and the product exams' `ExamOutcome`/`ExamOutcomeTally` equal a recount
  (`ledger_tallies.recount`, `exam_outcomes.recount`, what `flask needs recount` runs; in a rolled-back
  transaction).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.exam_bench_kit import (
    CLIENT,
    Server,
    database_url,
    engine,
    load,
    percentile,
    setup,
    summary,
    timed,
)


def _app(url: str):
    from app import create_app
    from app.config import _database_url

    return create_app({"SQLALCHEMY_DATABASE_URI": _database_url(url), "SECRET_KEY": "bench"})


def _prepare_needs(url: str) -> tuple[int, int]:
    """What a live system has before the storm: the ledgers' rows counted and everyone's plan made."""
    from app import clock
    from app.extensions import db
    from app.needs import ledger_updates, plans

    app = _app(url)
    with app.app_context():
        people = ledger_updates.recount()
        made = plans.refresh_all(now=clock.now())
        db.session.remove()
    return people, made


def _start_all(server, data, exam_id: int) -> list[int]:
    def one(i):
        status, body = CLIENT.request(server.port, "POST", f"/api/v1/exams/{exam_id}/attempts", data["tokens"][i], {})
        assert status in (200, 201), body
        return json.loads(body)["id"]
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(len(data["tokens"]))))


def _answer_all(url: str, attempt_ids: list[int]) -> int:
    """Every slot answered and saved, as the page's autosave leaves it: about two thirds right (key A)."""
    from sqlalchemy import bindparam, select, update

    from app import clock
    from app.models import AttemptItem

    item = AttemptItem.__table__
    now = clock.now()
    with engine(url).begin() as conn:
        rows = conn.execute(select(item.c.id, item.c.attempt_id, item.c.slot)
                            .where(item.c.attempt_id.in_(attempt_ids))).all()
        conn.execute(update(item).where(item.c.id == bindparam("item_id"))
                     .values(response=bindparam("answer"), seq=1, saved_at=now),
                     [{"item_id": i, "answer": "B" if (slot + attempt) % 3 == 0 else "A"}
                      for i, attempt, slot in rows])
    return len(rows)


def _storm(server, data, urls: list[str]) -> tuple[list, float]:
    """Every trainee sends their request at once; (seconds, status, body, statements) each, and the wall time."""
    barrier = threading.Barrier(len(urls))

    def one(i):
        barrier.wait()
        took, status, body = timed(lambda: CLIENT.request(server.port, "POST", urls[i], data["tokens"][i], {}))
        return took, status, body, int(CLIENT.statements or 0) if status == 200 else 0
    began = time.perf_counter()
    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(pool.map(one, range(len(urls))))
    return results, time.perf_counter() - began


def bench_submit(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.database, folder)
        began = time.perf_counter()
        data = setup(url, args.trainees, args.bank, args.questions, exams=args.rounds, competencies=True)
        people, made = _prepare_needs(url)
        server = Server(url, args.workers, args.threads)
        ok = True
        try:
            started = {exam_id: _start_all(server, data, exam_id) for exam_id in data["exams"] + data["bare_exams"]}
            answered = _answer_all(url, [a for ids in started.values() for a in ids])
            kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
            threads = f", {args.threads} threads each" if args.threads > 1 else " (sync)"
            print(f"setup: {args.trainees} trainees ({people} with syllabus targets, {made} plans), bank {args.bank} "
                  f"(2 competencies a question), {2 * args.rounds} exams of {args.questions} questions, "
                  f"{answered} slots answered ({time.perf_counter() - began:.1f} s)", flush=True)
            print(f"machine: {os.cpu_count()} cores; {kind}; gunicorn {args.workers} workers{threads}; "
                  f"load {load()}", flush=True)
            totals = {"product": [[], 0.0, 0, [], 0.0], "bare": [[], 0.0, 0, [], 0.0]}
            for n in range(args.rounds):
                runs = [("product", [f"/api/v1/attempts/{a}/submit" for a in started[data["exams"][n]]]),
                        ("bare", [f"/bench/bare/submit/{a}" for a in started[data["bare_exams"][n]]])]
                for name, urls in runs if n % 2 == 0 else runs[::-1]:
                    results, wall = _storm(server, data, urls)
                    errors = [r for r in results if r[1] != 200]
                    for r in errors[:3]:
                        print("   error:", r[1], r[2][:200], flush=True)
                    latencies, statements = [r[0] for r in results], [r[3] for r in results if r[1] == 200]
                    ids = started[data["exams"][n]] if name == "product" else []
                    later = _catch_up(url, ids)  # the next storm starts on a settled server
                    summary(f"{name} #{n + 1}", latencies, wall, len(errors), "submits")
                    print(f"               statements per submit {_spread(statements)}; settled {later:.1f} s after "
                          f"the last answer; load {load()}", flush=True)
                    for slot, value in enumerate((latencies, wall, len(errors), statements, later)):
                        totals[name][slot] += value
            rates = {}
            for name, (latencies, wall, errors, statements, later) in totals.items():
                rates[name] = summary(f"{name} all", latencies, wall, errors, "submits")
                print(f"               statements per submit {_spread(statements)}; {len(latencies) / (wall + later):.1f} "
                      f"submits/s counting until the background work settled ({later:.1f} s)", flush=True)
            p95 = {name: percentile(t[0], 0.95) for name, t in totals.items()}
            print(f"  ratio product/bare = {rates['product'] / rates['bare']:.2f} (brief: ≥ 0.5); "
                  f"p95 product {p95['product'] * 1000:.0f} ms (brief: ≤ 1,000 ms), bare {p95['bare'] * 1000:.0f} ms; "
                  f"load {load()}", flush=True)
            ok &= not totals["product"][2] and not totals["bare"][2]
            ok &= _resubmit(server, data, started, args.rounds)
        finally:
            server.stop()
        product = [a for exam_id in data["exams"] for a in started[exam_id]]
        bare = [a for exam_id in data["bare_exams"] for a in started[exam_id]]
        ok &= _audit(url, product, bare, data["exams"])
    sys.exit(0 if ok else 1)


def _spread(values: list[int]) -> str:
    if not values:
        return "-"
    return f"mean {sum(values) / len(values):.1f} (min {min(values)}, p95 {percentile(values, 0.95):.0f})"


def _resubmit(server, data, started, rounds: int, sample: int = 25) -> bool:
    """A repeated submit answers 200 with the attempt as it was (the page retries a lost answer)."""
    bad = 0
    for n in range(rounds):
        for i, attempt_id in enumerate(started[data["exams"][n]][:sample]):
            status, body = CLIENT.request(server.port, "POST", f"/api/v1/attempts/{attempt_id}/submit",
                                          data["tokens"][i], {})
            bad += status != 200 or json.loads(body)["state"] != "finished"
    print(f"  repeated submits: {rounds * sample}, answered other than 200 + finished: {bad}", flush=True)
    return not bad


def _catch_up(url: str, attempt_ids: list[int], timeout: float = 600) -> float:
    """Seconds from now until every one of these attempts has its mastery evidence (the needs update,
    in the request or in the background, has run for all), then until the evidence, 错题本 and plan
    items stop changing for 1 s (that second not counted)."""
    from sqlalchemy import func, select

    from app.models import AttemptItem, MasteryEvidence, PlanItem, WrongBookEntry

    began = time.perf_counter()
    done = select(func.count(func.distinct(AttemptItem.attempt_id))).join(
        MasteryEvidence, MasteryEvidence.exam_item_id == AttemptItem.id).where(AttemptItem.attempt_id.in_(attempt_ids))
    with engine(url).connect() as conn:
        while attempt_ids and conn.execute(done).scalar() < len(attempt_ids):
            conn.rollback()
            if time.perf_counter() - began > timeout:
                print("   catch-up: timed out", flush=True)
                break
            time.sleep(0.1)
        caught = time.perf_counter() - began
        last, quiet = None, time.perf_counter()
        while time.perf_counter() - quiet < 1 and time.perf_counter() - began < timeout:
            now = tuple(conn.execute(select(func.count()).select_from(model)).scalar()
                        for model in (MasteryEvidence, WrongBookEntry, PlanItem))
            conn.rollback()
            if now != last:
                last, quiet = now, time.perf_counter()
            time.sleep(0.1)
    return max(caught, quiet - began)


def _audit(url: str, product: list[int], bare: list[int], product_exams: list[int]) -> bool:
    from bench.bench_exams import _audit_grades

    wrong = _audit_grades(url, set(product) | set(bare))
    app = _app(url)
    with app.app_context():
        wrong += _audit_evidence(product, bare)
        wrong += _audit_counters(product_exams)
    return not wrong


def _audit_evidence(product: list[int], bare: list[int]) -> int:
    """The evidence rows are exactly those the product attempts' graded answers make; the states equal
    the estimator's rebuilt from them."""
    from flask import current_app
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AttemptItem, CompetencyMastery, MasteryEvidence
    from app.needs.evidence import _wanted, evidence_of, exam_attempt_answers, settings
    from question_bank import mastery

    default_level = current_app.config.get("MASTERY_DEFAULT_LEVEL", 2)
    wanted: dict = {}
    for attempt_id in product:
        wanted |= _wanted(exam_attempt_answers(attempt_id)[1], default_level)
    stored = db.session.execute(select(MasteryEvidence.exam_item_id, MasteryEvidence.quiz_item_id,
                                       MasteryEvidence.competency_id)).all()
    keys = {tuple(row) for row in stored}
    bare_items = set(db.session.scalars(select(AttemptItem.id).where(AttemptItem.attempt_id.in_(bare))))
    missing, extra = len(set(wanted) - keys), len(keys - set(wanted))
    twice, of_bare = len(stored) - len(keys), sum(key[0] in bare_items for key in keys)
    config = settings()
    rows = db.session.scalars(select(CompetencyMastery)).all()
    differ = 0
    by_person: dict[int, dict] = {}
    for row in rows:
        built = by_person.setdefault(row.person_id, mastery.build_all(evidence_of(row.person_id), config))
        state = mastery.State.from_dict(row.state)
        differ += row.competency_id not in built or not mastery.equivalent(state, built[row.competency_id], config,
                                                                             tol=1e-7)
        differ += row.evidence_count != sum(state.count)
    people_with_evidence = len(set(db.session.scalars(select(MasteryEvidence.person_id).distinct())))
    print(f"  audit needs: {len(wanted)} evidence rows expected from {len(product)} product attempts: "
          f"missing {missing}, unexpected {extra}, twice {twice}, from bare attempts {of_bare}; "
          f"{len(rows)} mastery states of {people_with_evidence} people, differing from a rebuild {differ}",
          flush=True)
    db.session.rollback()
    return missing + extra + twice + of_bare + differ + (not wanted)


def _audit_counters(product_exams: list[int]) -> int:
    """The 三本台账's rows and tallies and the product exams' outcomes equal a recount (rolled back)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import ExamOutcome, ExamOutcomeTally, NeedGap, NeedTally
    from app.needs import exam_outcomes, ledger_tallies

    def snapshot():
        def rows(model, *where):
            columns = [c for c in model.__table__.c if c.name != "id"]
            return sorted(tuple(row) for row in db.session.execute(select(*columns).where(*where)))
        return {"NeedGap": rows(NeedGap), "NeedTally": [r for r in rows(NeedTally) if any(r[3:])],
                "ExamOutcome": rows(ExamOutcome, ExamOutcome.exam_id.in_(product_exams)),
                "ExamOutcomeTally": rows(ExamOutcomeTally, ExamOutcomeTally.exam_id.in_(product_exams))}
    kept = snapshot()
    ledger_tallies.recount()
    exam_outcomes.recount()
    db.session.flush()
    counted = snapshot()
    db.session.rollback()
    differ = {name: len(set(kept[name]) ^ set(counted[name])) for name in kept}
    sizes = ", ".join(f"{name} {len(kept[name])}" for name in kept)
    print(f"  audit counters against a recount: rows {sizes}; differing {differ}", flush=True)
    return sum(differ.values()) + (not kept["ExamOutcome"])
