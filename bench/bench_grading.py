"""Batch grading and regrading of a large exam: 5,000 attempts of 20 objective questions, in SQLite.

Builds one SQLite file (`worlds.exam_world`, shared with `bench_item_analysis.py`): a unit, the people,
a bank of 40 单选, 10 多选 and 4 判断 (stored through the bank), an exam whose blueprint draws 12 + 4 + 4
of them per paper (so every paper holds the four 判断), and per person one finished attempt
bulk-inserted with its 20 answered slots, not yet graded. Then:

1. **Batch grading**, in turns so each sees the same load on a shared machine:
   - the service: `exams.regrade.recompute` + `regrade.write` per batch of 200 attempts, one commit per
     batch — loads the attempts and their slots from the database, grades them, stores every slot's
     score, the attempts' totals and one audit entry per attempt (what a regrade run does);
   - the pure engine: `question_bank.regrade.mark_paper` (= `marking.mark_paper` without fixes) on
     the same attempts, questions and responses already in memory.
   It prints attempts/s of both and the ratio (target ≥ 0.5).
2. **A regrade of every attempt in the background**: `regrade_jobs.apply` (不计入总分 on one 判断, held
   by all papers) starts a run on a thread (the embedded mode's `run_in_background`) while this process
   polls the run's row as the progress page does (a GET: a deferred read); prints the samples and the
   time to finish.

    .venv/bin/python bench/bench_grading.py [--attempts 5000] [--runs 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import select, text, update  # noqa: E402

from app.auth.scope import Scope  # noqa: E402
from app.celery_app import run_in_background  # noqa: E402
from app.exams import regrade, regrade_jobs  # noqa: E402
from app.exams.access import Viewer  # noqa: E402
from app.exams.tasks import regrade_task  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Attempt, AttemptItem, Exam, ExamRegradeJob, QuestionVersion  # noqa: E402
from bench import worlds  # noqa: E402
from bench.worlds import STARTED  # noqa: E402
from question_bank import question_from_dict  # noqa: E402
from question_bank.regrade import Slot, mark_paper  # noqa: E402
from question_bank.scoring import GradingPolicy  # noqa: E402

# (section, qtype, in the bank, per paper, points in units)
RULES = (("一、单选题", "single", 40, 12, 400), ("二、多选题", "multiple", 10, 4, 600),
         ("三、判断题", "truefalse", 4, 4, 300))
BATCH = 200


def build(path: str, attempts: int):
    """The large exam world (`worlds.exam_world`), its attempts handed in but not graded yet."""
    world = worlds.exam_world(path, RULES, attempts=attempts, seed=7, chance=(0.3, 0.65), graded=False)
    return world.app, world.exam_id, world.author_id, world.bank["truefalse"][0]


def ungrade(app, exam_id: int) -> None:
    """Back to handed in but not graded (and no audit entries), for the next turn."""
    with app.app_context():
        db.session.execute(update(AttemptItem).values(score=None, status=""))
        db.session.execute(update(Attempt).where(Attempt.exam_id == exam_id).values(score=None, max_score=0,
                                                                                      passed=None))
        db.session.execute(text("DELETE FROM audit_entry"))
        db.session.commit()


def service_grade(app, exam_id: int) -> tuple[float, int]:
    """Grade every attempt through the service, a batch of BATCH per commit; (seconds, attempts written)."""
    with app.app_context():
        begin = time.perf_counter()
        exam = db.session.get(Exam, exam_id)
        ids = db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam_id).order_by(Attempt.id)).all()
        written = 0
        for start in range(0, len(ids), BATCH):
            written += len(regrade.write(exam_id, regrade.recompute(exam, ids[start:start + BATCH], {}),
                                         actor_id=None, why={"reason": "基准"}))
            db.session.commit()
        return time.perf_counter() - begin, written


def in_memory(app, exam_id: int) -> list[list[tuple]]:
    """Every attempt's (question, response, points), the questions built once per version."""
    with app.app_context():
        questions = {vid: question_from_dict(data) for vid, data in db.session.execute(
            select(QuestionVersion.id, QuestionVersion.data))}
        papers: dict[int, list] = {}
        for attempt_id, vid, response, points in db.session.execute(
                select(AttemptItem.attempt_id, AttemptItem.question_version_id, AttemptItem.response, AttemptItem.points)
                .order_by(AttemptItem.attempt_id, AttemptItem.slot)):
            papers.setdefault(attempt_id, []).append((questions[vid], response, points))
        return list(papers.values())


def engine_grade(papers: list[list[tuple]]) -> float:
    policy = GradingPolicy()
    begin = time.perf_counter()
    for paper in papers:
        mark_paper([Slot(q, r, p) for q, r, p in paper], 60, policy)
    return time.perf_counter() - begin


def background_regrade(app, exam_id: int, author_id: int, question_id: int) -> None:
    with app.app_context():
        viewer = Viewer(author_id, Scope(None), Scope(None), (None,))
        begin = time.perf_counter()
        job = regrade_jobs.apply(viewer, exam_id, question_id, regrade.FixInput(kind="drop", reason="基准：题目有误"),
                                 now=STARTED + timedelta(days=31))
        job_id, total, background = job.id, job.total, job.background
        run_in_background(regrade_task, job_id)  # a thread: eager Celery without a broker, as the app runs
        print(f"regrade run {job_id}: {total} attempts, background={background}, started in "
              f"{time.perf_counter() - begin:.2f} s")
    samples = []
    while True:
        time.sleep(0.5)
        with app.test_request_context(f"/exams/manage/{exam_id}/regrade/runs/{job_id}/progress"):  # a GET: deferred
            row = db.session.execute(select(ExamRegradeJob.status, ExamRegradeJob.done, ExamRegradeJob.changed)
                                     .where(ExamRegradeJob.id == job_id)).one()
        samples.append((round(time.perf_counter() - begin, 1), row.done, row.changed))
        if row.status not in ("queued", "running"):
            break
    elapsed = time.perf_counter() - begin
    print("progress samples (s, done, changed):", samples)
    print(f"regrade of {total} attempts finished ({row.status}) in {elapsed:.1f} s "
          f"({total / elapsed:.0f} attempts/s including the item statistics stored again)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("nproc:", os.cpu_count(), " load:", os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        app, exam_id, author_id, question_id = build(os.path.join(folder, "bench.sqlite3"), args.attempts)
        print(f"built {args.attempts} attempts × 20 objective questions in {time.perf_counter() - begin:.1f} s")
        papers = in_memory(app, exam_id)
        service, engine = [], []
        for _run in range(args.runs):
            ungrade(app, exam_id)
            elapsed, written = service_grade(app, exam_id)
            assert written == args.attempts, written
            service.append(elapsed)
            engine.append(engine_grade(papers))
        s_rate, e_rate = args.attempts / statistics.median(service), args.attempts / statistics.median(engine)
        print(f"service (load, grade, store; {BATCH} per commit): median {statistics.median(service):.2f} s "
              f"= {s_rate:,.0f} attempts/s  (runs {', '.join(f'{t:.2f}' for t in service)})")
        print(f"engine (mark_paper in memory):               median {statistics.median(engine):.2f} s "
              f"= {e_rate:,.0f} attempts/s  (runs {', '.join(f'{t:.2f}' for t in engine)})")
        print(f"ratio service / engine (attempts/s): {s_rate / e_rate:.2f}  (target ≥ 0.5)")
        background_regrade(app, exam_id, author_id, question_id)
        print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
