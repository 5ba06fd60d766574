"""The exam world the benchmarks share: one SQLite file with a unit, an instructor (with a login
session), a bank stored through the bank's services, and — for the large exam — an exam drawn by a
blueprint from that bank and per person one finished attempt bulk-inserted with its answered slots.

- `start` + `stock`: the unit, the instructor and a bank (`bench_print.py` adds its own exams and a
  trainee who sits them through the attempt services);
- `exam_world`: the large exam (`bench_grading.py`: slots not graded yet; `bench_item_analysis.py`:
  graded slots, essays marked), the same rows as each script built on its own before (same seeds,
  same draws), loaded in chunks of 1,000 people.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text

from app import create_app
from app.bank.storing import prepare, store
from app.exams import pools
from app.extensions import db
from app.models import (
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
from question_bank import question_from_dict

STARTED = datetime(2026, 11, 2, 1, 0)


def bench_app(path: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False})


def question(qtype: str, number: int) -> dict:
    """A plain bank question: 单选 (A right), 多选 (A and B), 判断, 简答."""
    if qtype == "single":
        return {"type": qtype, "stem": f"单选题{number}", "difficulty": 1 + number % 5,
                "options": [{"key": k, "text": f"选项{k}{number}", "weight": 100 if k == "A" else 0} for k in "ABCD"]}
    if qtype == "multiple":
        return {"type": qtype, "stem": f"多选题{number}", "options": [
            {"key": k, "text": f"选项{k}{number}", "weight": w} for k, w in zip("ABCD", (50, 50, -100, -100), strict=True)]}
    if qtype == "truefalse":
        return {"type": qtype, "stem": f"判断题{number}", "answer": number % 2 == 0}
    return {"type": qtype, "stem": f"简答题{number}", "reference_answer": "要点"}


def answer(qtype: str, data: dict, right: bool, rng: random.Random) -> tuple[object, float]:
    """(response in the question's own keys, fraction of the points earned) of one answer."""
    if qtype == "single":
        return ("A", 1) if right else (rng.choice("BCD"), 0)
    if qtype == "multiple":
        return (["A", "B"], 1) if right else (rng.choice((["A"], ["A", "C"], ["B", "D"])), 0)
    if qtype == "truefalse":
        return (data["answer"], 1) if right else (not data["answer"], 0)
    return ("答案要点", rng.choice((0.3, 0.6, 1.0)) if right else rng.choice((0, 0.2)))


@dataclass
class World:
    app: object
    unit_id: int
    category_id: int
    author_id: int  # the instructor (教官), with a login session
    session_id: str
    bank: dict[str, list[int]] = field(default_factory=dict)  # question ids per type
    exam_id: int | None = None


def start(path: str) -> World:
    """A new SQLite file with a unit (支队), a question category and an instructor of the unit."""
    app = bench_app(path)
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
        return World(app, unit.id, category.id, author.id, session.id)


def stock(world: World, sizes: list[tuple[str, int]], make: Callable[[str, int], dict] = question) -> dict:
    """Store `size` questions of each type through the bank (numbered on across the types); the ids
    per type, also kept in `world.bank`."""
    with world.app.app_context():
        category = db.session.get(QuestionCategory, world.category_id)
        number = 0
        for qtype, size in sizes:
            datas = []
            for _ in range(size):
                number += 1
                datas.append(make(qtype, number))
            world.bank[qtype] = store([prepare(question_from_dict(d)) for d in datas], lambda _p: category,
                                      actor_id=None, status="ready")
        db.session.commit()
    return world.bank


def blueprint(world: World, title: str, rules) -> Blueprint:
    """A blueprint drawing from the world's category: `rules` as (section, qtype, count, points)."""
    return Blueprint(title=title, owner_unit_id=world.unit_id, created_by_id=world.author_id, rules=[
        BlueprintRule(position=i, section=section, source_kind="category", category_id=world.category_id,
                      qtype=qtype, count=count, points=points)
        for i, (section, qtype, count, points) in enumerate(rules, start=1)])


def exam_world(path: str, rules, *, attempts: int, seed: int, chance: tuple[float, float], graded: bool) -> World:
    """The large exam: `rules` as (section, qtype, in the bank, per paper, points); one finished
    attempt per person, a person's answer right with probability `chance[0] + chance[1] × ability`;
    `graded`: the slots scored (and the attempts' totals), else left for a grading run."""
    world = start(path)
    stock(world, [(qtype, size) for _section, qtype, size, _count, _points in rules])
    rng = random.Random(seed)
    with world.app.app_context():
        exam = Exam(title="基准考试", owner_unit_id=world.unit_id, created_by_id=world.author_id, opens_at=STARTED,
                    closes_at=STARTED + timedelta(days=30), duration_minutes=60, status="published",
                    blueprint=blueprint(world, "基准组卷", [(section, qtype, count, points)
                                                          for section, qtype, _size, count, points in rules]))
        db.session.add(exam)
        db.session.commit()
        pools.freeze(exam, pools.resolve(exam))
        db.session.commit()
        world.exam_id = exam.id
        versions = {qid: (vid, data) for qid, vid, data in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.data))}
        db.session.execute(insert(Person), [
            {"staff_no": f"P{i:05d}", "name": f"考生{i}", "unit_id": world.unit_id, "must_change_password": False,
             "created_at": STARTED} for i in range(attempts)])
        people = db.session.scalars(select(Person.id).where(Person.staff_no.like("P%")).order_by(Person.id)).all()
        sitting = _Sitting(exam.id, rules, world.bank, versions, rng, chance, graded)
        for begin in range(0, attempts, 1000):
            sitting.sit(people[begin:begin + 1000])
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return world


@dataclass
class _Sitting:
    exam_id: int
    rules: tuple
    bank: dict
    versions: dict
    rng: random.Random
    chance: tuple[float, float]
    graded: bool

    def sit(self, people: list[int]) -> None:
        """One finished attempt per person with its answered slots, bulk-inserted."""
        plans = [self._attempt(person_id) for person_id in people]
        db.session.execute(insert(Attempt), [attempt for attempt, _slots in plans])
        ids = dict(db.session.execute(select(Attempt.person_id, Attempt.id).where(Attempt.person_id.in_(people))).all())
        db.session.execute(insert(AttemptItem), [slot | {"attempt_id": ids[attempt["person_id"]]}
                                                 for attempt, slots in plans for slot in slots])
        db.session.commit()

    def _attempt(self, person_id: int) -> tuple[dict, list[dict]]:
        rng, (base, slope) = self.rng, self.chance
        ability, slots, total, maximum = rng.random(), [], 0, 0
        for rule, (section, qtype, _size, count, points) in enumerate(self.rules, start=1):
            for question_id in rng.sample(self.bank[qtype], count):
                version_id, data = self.versions[question_id]
                response, earned = answer(qtype, data, rng.random() < base + slope * ability, rng)
                score = round(points * earned) if self.graded else None
                status = "" if score is None else "correct" if score == points else "wrong" if score == 0 else "partial"
                slots.append({"slot": len(slots) + 1, "section": section, "rule": rule, "question_id": question_id,
                              "question_version_id": version_id, "points": points, "seq": 1, "response": response,
                              "option_order": [o["key"] for o in data.get("options", ())], "score": score,
                              "status": status})
                total, maximum = total + (score or 0), maximum + points
        attempt = {"exam_id": self.exam_id, "person_id": person_id, "number": 1, "seed": rng.randrange(2**62),
                   "state": "finished", "started_at": STARTED, "deadline": STARTED + timedelta(hours=1),
                   "submitted_at": STARTED + timedelta(minutes=50), "submitted_by": "trainee",
                   "score": total if self.graded else None, "max_score": maximum if self.graded else 0,
                   "passed": total * 100 >= 60 * maximum if self.graded else None}
        return attempt, slots
