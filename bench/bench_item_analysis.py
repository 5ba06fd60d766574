"""试题分析 of a large exam: 5,000 finished attempts of 20 questions each, in SQLite.

Builds one SQLite file: a unit, the people, a bank of 40 单选, 10 多选, 10 判断 and 5 简答 (stored
through the bank), an exam whose blueprint draws 12 + 3 + 3 + 2 of them per paper, and per person one
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
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.bank.storing import prepare, store  # noqa: E402
from app.exams import analysis, pools  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Attempt,
    AttemptItem,
    Blueprint,
    BlueprintRule,
    Exam,
    LoginSession,
    OrgUnit,
    Person,
    QuestionCategory,
    QuestionVersion,
    RoleGrant,
)
from question_bank import question_from_dict, stats  # noqa: E402
from tests.sql_budget import count_statements  # noqa: E402

# (section, qtype, in the bank, per paper, points in units)
RULES = (("一、单选题", "single", 40, 12, 400), ("二、多选题", "multiple", 10, 3, 600),
         ("三、判断题", "truefalse", 10, 3, 200), ("四、简答题", "essay", 5, 2, 1000))
STARTED = datetime(2026, 11, 2, 1, 0)


def _question(qtype: str, number: int) -> dict:
    if qtype == "single":
        return {"type": qtype, "stem": f"单选题{number}", "difficulty": 1 + number % 5,
                "options": [{"key": k, "text": f"选项{k}{number}", "weight": 100 if k == "A" else 0} for k in "ABCD"]}
    if qtype == "multiple":
        return {"type": qtype, "stem": f"多选题{number}", "options": [
            {"key": k, "text": f"选项{k}{number}", "weight": w} for k, w in zip("ABCD", (50, 50, -100, -100), strict=True)]}
    if qtype == "truefalse":
        return {"type": qtype, "stem": f"判断题{number}", "answer": number % 2 == 0}
    return {"type": qtype, "stem": f"简答题{number}", "reference_answer": "要点"}


def _answer(qtype: str, data: dict, right: bool, rng: random.Random):
    """(response in own keys, fraction earned) of one answer."""
    if qtype == "single":
        return ("A", 1) if right else (rng.choice("BCD"), 0)
    if qtype == "multiple":
        return (["A", "B"], 1) if right else (rng.choice((["A"], ["A", "C"], ["B", "D"])), 0)
    if qtype == "truefalse":
        return (data["answer"], 1) if right else (not data["answer"], 0)
    return ("答案要点", rng.choice((0.3, 0.6, 1.0)) if right else rng.choice((0, 0.2)))


def build(path: str, attempts: int) -> tuple:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    rng = random.Random(11)
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="支队", path="", depth=0)
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        category = QuestionCategory(name="题库", path="", owner_unit_id=unit.id)
        db.session.add(category)
        db.session.flush()
        category.path = f"/{category.id}/"
        author = Person(staff_no="jiaoguan", name="教官", unit_id=unit.id, must_change_password=False)
        author.roles = [RoleGrant(role="instructor", scope_unit_id=unit.id)]
        session = LoginSession(id=secrets.token_urlsafe(32), person=author)
        db.session.add_all([author, session])
        db.session.commit()
        number, bank = 0, {}
        for _section, qtype, size, _count, _points in RULES:
            datas = []
            for _ in range(size):
                number += 1
                datas.append(_question(qtype, number))
            ids = store([prepare(question_from_dict(d)) for d in datas], lambda _p: category, actor_id=None,
                        status="ready")
            bank[qtype] = ids
        db.session.commit()
        blueprint = Blueprint(title="基准组卷", owner_unit_id=unit.id, created_by_id=author.id, rules=[
            BlueprintRule(position=i, section=section, source_kind="category", category_id=category.id, qtype=qtype,
                          count=count, points=points)
            for i, (section, qtype, _size, count, points) in enumerate(RULES, start=1)])
        exam = Exam(title="基准考试", blueprint=blueprint, owner_unit_id=unit.id, created_by_id=author.id,
                    opens_at=STARTED, closes_at=STARTED + timedelta(days=30), duration_minutes=60, status="published")
        db.session.add(exam)
        db.session.commit()
        pools.freeze(exam, pools.resolve(exam))
        db.session.commit()
        versions = {qid: (vid, data) for qid, vid, data in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.data))}
        db.session.execute(insert(Person), [
            {"staff_no": f"P{i:05d}", "name": f"考生{i}", "unit_id": unit.id, "must_change_password": False,
             "created_at": STARTED} for i in range(attempts)])
        people = db.session.scalars(select(Person.id).where(Person.staff_no.like("P%")).order_by(Person.id)).all()
        for start in range(0, attempts, 1000):
            _sit(exam.id, people[start:start + 1000], bank, versions, rng)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return app, exam.id, session.id


def _sit(exam_id: int, people: list[int], bank: dict, versions: dict, rng: random.Random) -> None:
    """One finished, graded attempt per person, bulk-inserted with its slots."""
    plans = []
    for person_id in people:
        ability, slots, total, maximum = rng.random(), [], 0, 0
        for rule, (section, qtype, _size, count, points) in enumerate(RULES, start=1):
            for question_id in rng.sample(bank[qtype], count):
                version_id, data = versions[question_id]
                response, earned = _answer(qtype, data, rng.random() < 0.25 + 0.7 * ability, rng)
                score = round(points * earned)
                slots.append({"slot": len(slots) + 1, "section": section, "rule": rule, "question_id": question_id,
                              "question_version_id": version_id, "points": points, "seq": 1, "response": response,
                              "option_order": [o["key"] for o in data.get("options", ())], "score": score,
                              "status": "correct" if score == points else "wrong" if score == 0 else "partial"})
                total, maximum = total + score, maximum + points
        plans.append(({"exam_id": exam_id, "person_id": person_id, "number": 1, "seed": rng.randrange(2**62),
                       "state": "finished", "started_at": STARTED, "deadline": STARTED + timedelta(hours=1),
                       "submitted_at": STARTED + timedelta(minutes=50), "submitted_by": "trainee", "score": total,
                       "max_score": maximum, "passed": total * 100 >= 60 * maximum}, slots))
    db.session.execute(insert(Attempt), [attempt for attempt, _slots in plans])
    ids = dict(db.session.execute(select(Attempt.person_id, Attempt.id).where(Attempt.person_id.in_(people))).all())
    db.session.execute(insert(AttemptItem), [slot | {"attempt_id": ids[attempt["person_id"]]}
                                             for attempt, slots in plans for slot in slots])
    db.session.commit()


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
