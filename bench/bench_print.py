"""Printing (打印): the time to make a paper, its key and an attempt as PDF, 10 vs 100 questions.

Builds one SQLite file (`worlds.start` and `worlds.stock`, shared with the large-exam benchmarks):
a unit, an instructor, a trainee, a bank of 60 单选, 30 多选, 30 判断,
15 填空 and 10 简答 (stored through the bank), and two published exams drawing 4 + 2 + 2 + 1 + 1 and
40 + 20 + 20 + 10 + 10 questions. The trainee sits each once (through the attempt services: every
slot answered, handed in). Then times, in turns so each sees the same load on a shared machine,
each in a fresh request context as a view is:

- `printing.paper_pdf` (draw, HTML, PDF, audit entry and commit) for paper A, and for its key;
- `printing.attempt_pdf` for the attempt;
- the HTML alone of the 100-question paper (Jinja), to show where the time goes.

It prints median and best of each, the pages and bytes of each PDF, and the 100/10 ratios.

    .venv/bin/python bench/bench_print.py [--runs 5]
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import render_template  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from app.exams import attempts, printing  # noqa: E402
from app.exams.access import viewer_for  # noqa: E402
from app.exams.overview import paper_questions  # noqa: E402
from app.exams.publishing import publish  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AttemptItem, Exam, ExamAudience, OrgUnit, Person  # noqa: E402
from bench import worlds  # noqa: E402

BANK = {"single": 60, "multiple": 30, "truefalse": 30, "fill": 15, "essay": 10}
# (section, qtype, per 10 questions, points in units)
RULES = (("一、单选题", "single", 4, 200), ("二、多选题", "multiple", 2, 300), ("三、判断题", "truefalse", 2, 100),
         ("四、填空题", "fill", 1, 200), ("五、简答题", "essay", 1, 1000))
NOW = datetime(2026, 11, 2, 1, 0)
STEM = "在道路上执勤时，遇到下列情况应当如何处置？请结合《道路交通安全法》的有关规定作答"


def _question(qtype: str, number: int) -> dict:
    stem = f"{STEM}（第{number}题）"
    if qtype == "single":
        return {"type": qtype, "stem": stem, "explanation": "依据法律规定。", "options": [
            {"key": k, "text": f"选项{k}：按规定设置警示标志并报告{number}", "weight": 100 if k == "A" else 0}
            for k in "ABCD"]}
    if qtype == "multiple":
        return {"type": qtype, "stem": stem, "options": [
            {"key": k, "text": f"做法{k}{number}", "weight": w} for k, w in zip("ABCD", (50, 50, -100, -100), strict=True)]}
    if qtype == "truefalse":
        return {"type": qtype, "stem": stem, "answer": number % 2 == 0}
    if qtype == "fill":
        return {"type": qtype, "stem": f"{stem}：应当先____，再____。",
                "blanks": [[{"text": "设置警示", "weight": 100}], [{"text": "报告", "weight": 100}]]}
    return {"type": qtype, "stem": stem, "reference_answer": "先劝阻，再报告，做好记录。", "rubric": "劝阻 4 分，报告 3 分，记录 3 分"}


def _answer(qtype: str):
    return {"single": "A", "multiple": ["A", "B"], "truefalse": True, "fill": ["设置警示", "报告"],
            "essay": "先劝阻，再报告上级，并做好记录。"}[qtype]


def build(path: str) -> tuple:
    """`worlds.start` and `worlds.stock` with this bank's questions, then the two exams, each sat once."""
    world = worlds.start(path)
    worlds.stock(world, list(BANK.items()), _question)
    with world.app.app_context():
        unit = db.session.get(OrgUnit, world.unit_id)
        trainee = Person(staff_no="T1", name="考生甲", unit_id=unit.id, must_change_password=False)
        db.session.add(trainee)
        db.session.commit()
        exams = {}
        for size in (10, 100):
            exam = Exam(title=f"辅警业务知识考试（{size} 题）", owner_unit_id=unit.id, created_by_id=world.author_id,
                        blueprint=worlds.blueprint(world, f"{size} 题", [(section, qtype, count * size // 10, points)
                                                                        for section, qtype, count, points in RULES]),
                        opens_at=NOW - timedelta(hours=1), closes_at=NOW + timedelta(days=1),
                        duration_minutes=120 if size == 100 else 30, audience=[ExamAudience(unit_id=unit.id)])
            db.session.add(exam)
            db.session.commit()
            publish(exam.id, actor_id=world.author_id, now=NOW)
            attempt, _ = attempts.start(exam.id, trainee.id, now=NOW, seed=secrets.randbits(62))
            slots = db.session.execute(db.select(AttemptItem.slot, AttemptItem.section)
                                       .where(AttemptItem.attempt_id == attempt.id)).all()
            qtypes = {section: qtype for section, qtype, _c, _p in RULES}
            for slot, section in slots:
                attempts.save_answer(attempt.id, trainee.id, slot, 1, _answer(qtypes[section]), now=NOW)
            attempts.submit(attempt.id, trainee.id, now=NOW + timedelta(minutes=20))
            exams[size] = (exam.id, attempt.id)
        return world.app, world.author_id, exams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("load:", os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        app, author_id, exams = build(os.path.join(folder, "bench.sqlite3"))

        def viewer():
            author = db.session.get(Person, author_id)
            return viewer_for(author.id, author.roles)

        def paper(size: int, key: bool):
            return lambda: printing.paper_pdf(viewer(), exams[size][0], printing.PrintChoice("A", 1, key), now=NOW)

        def attempt(size: int):
            return lambda: printing.attempt_pdf(viewer(), exams[size][1], now=NOW + timedelta(days=2))

        def html_only(size: int):
            def call():
                exam = db.session.get(Exam, exams[size][0])
                drawn = printing.draw_paper(exam, "A")
                return render_template("print/paper.html", exam=exam, choice=printing.PrintChoice(),
                                       sections=printing.sections_of(paper_questions(drawn)), now=NOW, total="",
                                       questions=len(drawn.items), pass_points="")
            return call

        measures = {f"{what} {size:3d} questions": call for size in (10, 100) for what, call in (
            ("paper A", paper(size, False)), ("key A  ", paper(size, True)), ("attempt", attempt(size)))}
        measures["HTML only, paper A 100 questions"] = html_only(100)
        times: dict[str, list[float]] = {name: [] for name in measures}
        shapes: dict[str, str] = {}
        with app.test_request_context():  # one warm-up of each: fonts, templates, caches
            for name, call in measures.items():
                result = call()
                if isinstance(result, printing.PrintedFile):
                    pages = len(PdfReader(io.BytesIO(result.data)).pages)
                    shapes[name] = f"{pages:2d} pages {len(result.data) / 1024:6.0f} KiB"
        for _run in range(args.runs):
            for name, call in measures.items():
                with app.test_request_context():
                    begin = time.perf_counter()
                    call()
                    times[name].append(time.perf_counter() - begin)
        for name, values in times.items():
            print(f"{name:34s} median {statistics.median(values):6.3f} s  best {min(values):6.3f} s  "
                  f"{shapes.get(name, '')}")
        for what in ("paper A", "key A  ", "attempt"):
            small, large = (statistics.median(times[f"{what} {size:3d} questions"]) for size in (10, 100))
            print(f"ratio 100 / 10 questions, {what.strip()}: {large / small:.1f}")
        print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
