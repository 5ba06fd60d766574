"""试题分析 of a large exam: 5,000 finished attempts of 20 questions each, in SQLite.

Builds one SQLite file (`worlds.exam_world`, shared with `bench_grading.py`): a unit, the people, a
bank of 40 单选, 10 多选, 10 判断 and 5 简答 (stored through the bank), an exam whose blueprint draws 12 + 3 + 3 + 2 of them per paper, and per person one
finished attempt bulk-inserted with its 20 answered, graded slots (the chosen options in the
question's own keys, a score from a simple ability model; essays already marked). Then times, in
turns so each sees the same load on a shared machine, each in a fresh app context as a request is:

- the analysis service `exams.analysis.analyse(exam)`: its set-based queries plus the engine;
- the pure engine `question_bank.stats.analyse` on the same items and answers, already in memory;
- `exams.analysis.store(exam)`, what the `exam-item-stats` job does per changed exam;
- the page `GET /exams/manage/<id>/analysis` through the WSGI app, as the exam's instructor;
- for reference, what the service avoids: merely loading the exam's slots as ORM `AttemptItem` objects.

It prints median and best of each, the service/engine ratio, the statements per call, and the peak
Python memory (tracemalloc) of one service call and of one engine call, plus the process's maximum RSS.

    .venv/bin/python bench/bench_item_analysis.py [--attempts 5000] [--runs 5]
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select  # noqa: E402

from app.exams import analysis  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Attempt, AttemptItem  # noqa: E402
from bench import worlds  # noqa: E402
from bench.worlds import STARTED  # noqa: E402
from question_bank import stats  # noqa: E402
from tests.sql_budget import count_statements  # noqa: E402

# (section, qtype, in the bank, per paper, points in units)
RULES = (("一、单选题", "single", 40, 12, 400), ("二、多选题", "multiple", 10, 3, 600),
         ("三、判断题", "truefalse", 10, 3, 200), ("四、简答题", "essay", 5, 2, 1000))


def build(path: str, attempts: int) -> tuple:
    """The large exam world (`worlds.exam_world`), its attempts graded (essays marked)."""
    world = worlds.exam_world(path, RULES, attempts=attempts, seed=11, chance=(0.25, 0.7), graded=True)
    return world.app, world.exam_id, world.session_id


def _timed(app, call) -> tuple[float, int]:
    with app.app_context():
        with count_statements() as statements:
            begin = time.perf_counter()
            call()
            elapsed = time.perf_counter() - begin
        db.session.rollback()
    return elapsed, len(statements)


def _peak(app, call) -> int:
    with app.app_context():
        tracemalloc.start()
        call()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.session.rollback()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("load:", os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        app, exam_id, session_id = build(os.path.join(folder, "bench.sqlite3"), args.attempts)
        print(f"built {args.attempts} attempts × 20 questions in {time.perf_counter() - begin:.1f} s")
        with app.app_context():
            answers, rules = analysis.answers(exam_id)
            items = [analysis.engine_item(v) for v in analysis.versions(rules).values()]
        print(f"{len(answers)} graded answers of {len(items)} question versions")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True

        def page():
            response = client.get(f"/exams/manage/{exam_id}/analysis")
            assert response.status_code == 200 and "各题情况" in response.data.decode()

        measures = {
            "service: analysis.analyse (queries + engine)": lambda: analysis.analyse(exam_id),
            "engine alone: stats.analyse on the same data": lambda: stats.analyse(items, answers),
            "store: analysis.store (job, per exam)": lambda: analysis.store(exam_id, now=STARTED + timedelta(days=40)),
            "page GET /exams/manage/<id>/analysis": page,
            "reference: only loading the slots as ORM objects": lambda: db.session.scalars(
                select(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
                .where(Attempt.exam_id == exam_id)).all(),
        }
        times: dict[str, list[float]] = {name: [] for name in measures}
        counted: dict[str, int] = {}
        for _run in range(args.runs):
            for name, call in measures.items():
                elapsed, statements = _timed(app, call)
                times[name].append(elapsed)
                counted[name] = statements
        for name, values in times.items():
            print(f"{name:50s} median {statistics.median(values):7.3f} s  best {min(values):7.3f} s  "
                  f"{counted[name]:3d} statements")
        service, engine = (statistics.median(times[n]) for n in list(measures)[:2])
        print(f"ratio service / engine: {service / engine:.2f}")
        service_peak = _peak(app, lambda: analysis.analyse(exam_id))
        engine_peak = _peak(app, lambda: stats.analyse(items, answers))
        print(f"peak Python memory: service {service_peak / 2**20:.1f} MiB, engine {engine_peak / 2**20:.1f} MiB "
              f"(the engine's answers already held: {len(answers)} of them)")
        print(f"max RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
