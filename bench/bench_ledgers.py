"""三本台账 at two sizes in one run: the organisation and post ledgers, their pages, the person ledger.

Builds one SQLite file per size (default 1,000 and 100,000 people) on `bench_compliance`'s tree
(1 detachment → 10 brigades → 100 squads, a hundredth of the people directly in the brigades), with
2 posts whose syllabi target 5 of 8 competencies each, every person on one of them, and stored mastery
for about two thirds of each person's targets (random levels, some undecided), loaded in bulk and then
counted with `ledger_tallies.recount` (what `flask needs recount` runs). Then times, alternating
between the sizes run by run, each call in a fresh app context as a request would be:
- `ledgers.organisation_ledger` and `post_ledger` for the top unit (a global admin) and one brigade;
- the pages `GET /needs/ledgers` and `GET /needs/ledgers/posts` for the global admin;
- 培训完成情况 `GET /study/admin/compliance` with its formal-exam pass rates (3 exams, each sat by
  half of the people) and its 学时 against the annual requirement (the two syllabi set different
  annual targets; about three 学时 lines per person of the year — course credit from 6 courses,
  offline training, some carry-overs and reversals — loaded in bulk and counted with
  `credit_state.recount`, what `flask study recount` runs; no assignments here: `bench_compliance.py`
  times those counters), and the first page of the people behind its 未达标 number (info);
- the person ledger's first page for one competency's people below target (it pages people rows:
  its count grows with the people, so it is shown, not held to the ratio);
- writes: a mastery change of one person (`ledger_tallies.refresh`), a move to another unit
  (`org.people.update_person`, the `person_updated` receiver; the 学时 counters follow in its
  transaction) and a 学时 line through `study.ledger.add_entry`.
It prints p50/p95 and statements per call for each size, then the ratio of the largest size's time to
the smallest's, and checks the counters (needs and 学时) after the writes equal a recount.

    .venv/bin/python bench/bench_ledgers.py [--people 1000 100000] [--runs 30]
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select, text  # noqa: E402

from app import clock  # noqa: E402
from app.auth.scope import Scope  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Blueprint,
    Competency,
    CompetencyMastery,
    Course,
    CreditEntry,
    Exam,
    ExamOutcome,
    LoginSession,
    OrgUnit,
    Person,
    Post,
    RoleGrant,
    Syllabus,
    SyllabusTarget,
    Workforce,
)
from app.needs import exam_outcomes, ledger_tallies, ledgers  # noqa: E402
from app.org.people import PersonData, update_person  # noqa: E402
from app.study import credit_state, credit_tallies, ledger  # noqa: E402
from bench.bench_compliance import TODAY, _app, _homes, _p95, _run, _units  # noqa: E402

COMPETENCIES, POSTS, TARGETS, EXAMS, COURSES = 8, 2, 5, 3, 6
ANNUAL = {1: (400, 240), 2: (300, 120)}  # post → annual 学时 and 必修 (tenths)
EVERYWHERE = Scope(None)


def _mastery(person_id: int, competency_id: int, rng: random.Random) -> dict | None:
    """About two thirds of the targets have a stored estimate: a level 0–3, a ceiling above it or none."""
    if rng.random() > 0.67:
        return None
    level = rng.choice((0, 1, 1, 2, 2, 3, None))
    ceiling = None if level is None or level == 3 or rng.random() < 0.3 else level + 1
    return {"person_id": person_id, "competency_id": competency_id, "state": {}, "level": level, "ceiling": ceiling,
            "score": None, "confidence": 0.5, "evidence_count": 3, "updated_at": datetime(2026, 5, 1)}


def _credit_lines(i: int, rng: random.Random) -> list[dict]:
    """About three 学时 lines of the year for person i: course credit, offline training, a carry-over."""
    lines = [{"person_id": i, "year": 2026, "kind": "required", "tenths": rng.choice((40, 60, 80)),
              "source_type": "course", "source_id": c, "cycle": 0, "created_at": datetime(2026, 3, 1)}
             for c in rng.sample(range(1, COURSES + 1), rng.randrange(0, 5))]
    if rng.random() < 0.6:
        lines.append({"person_id": i, "year": 2026, "kind": "elective", "tenths": rng.choice((20, 40, 80)),
                      "source_type": "offline", "source_id": i, "cycle": 0, "created_at": datetime(2026, 4, 1)})
    if rng.random() < 0.2:
        lines.append({"person_id": i, "year": 2026, "kind": "elective", "tenths": rng.randrange(10, 60),
                      "source_type": "carry_over", "source_id": 2025, "cycle": 0, "created_at": datetime(2026, 1, 1)})
    return lines


def _tally_outcomes() -> None:
    """Count the bulk-loaded outcomes into their tally (what `exam_outcomes.refresh` adds one by one)."""
    delta = exam_outcomes.Delta()
    for unit_id, post_id, exam_id, year, passed in db.session.execute(select(
            ExamOutcome.unit_id, ExamOutcome.post_id, ExamOutcome.exam_id, ExamOutcome.year, ExamOutcome.passed)):
        delta.add(unit_id, post_id, exam_id, year, passed, +1)
    delta.apply()


class Size:
    def __init__(self, folder: str, people: int):
        self.people, self.app = people, _app(os.path.join(folder, f"ledgers-{people}.sqlite3"))
        begin = time.perf_counter()
        self.brigades, self.squads, self.session_id, self.admin_id = self._setup()
        self.built = time.perf_counter() - begin
        with self.app.app_context():
            begin = time.perf_counter()
            ledger_tallies.recount()
            db.session.commit()
            self.recount = time.perf_counter() - begin
            _tally_outcomes()
            db.session.commit()
            begin = time.perf_counter()
            credit_state.recount()
            self.credit_recount = time.perf_counter() - begin
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        self.client = self.app.test_client()
        with self.client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = self.session_id, True
        self.rng = random.Random(5)

    def _setup(self):
        rng = random.Random(7)
        units, brigades, squads = _units()
        homes = _homes(self.people, brigades, squads)
        targets = {p: [(p + k) % COMPETENCIES + 1 for k in range(TARGETS)] for p in range(1, POSTS + 1)}
        with self.app.app_context():
            db.create_all()
            db.session.execute(insert(OrgUnit), units)
            db.session.execute(insert(Workforce), [{"id": 1, "code": "fj", "name": "辅警"}])
            db.session.execute(insert(Post), [{"id": p, "workforce_id": 1, "code": f"p{p}", "name": f"岗位{p}"}
                                              for p in range(1, POSTS + 1)])
            db.session.execute(insert(Competency), [{"id": c, "code": f"C{c}", "name": f"能力{c}"}
                                                    for c in range(1, COMPETENCIES + 1)])
            db.session.execute(insert(Syllabus).execution_options(**credit_tallies.RECOUNT), [
                {"id": p, "post_id": p, "title": f"大纲{p}", "annual_tenths": ANNUAL[p][0],
                 "annual_required_tenths": ANNUAL[p][1]} for p in targets])
            db.session.execute(insert(SyllabusTarget), [{"syllabus_id": p, "competency_id": c, "level": 1 + (c % 3)}
                                                        for p, cs in targets.items() for c in cs])
            db.session.execute(insert(Person), [
                {"id": i, "staff_no": f"P{i:06d}", "name": f"人员{i}", "unit_id": unit, "post_id": 1 + i % POSTS,
                 "must_change_password": False, "created_at": datetime(2026, 1, 1)}
                for i, unit in enumerate(homes, start=1)])
            rows = [row for i in range(1, len(homes) + 1) for c in targets[1 + i % POSTS]
                    if (row := _mastery(i, c, rng)) is not None]
            for start in range(0, len(rows), 20_000):
                db.session.execute(insert(CompetencyMastery), rows[start:start + 20_000])
            # 培训完成情况's pass rates: 3 formal exams of the year, each sat by half of the people.
            db.session.execute(insert(Blueprint), [{"id": 1, "title": "组卷"}])
            db.session.execute(insert(Exam), [{"id": e, "title": f"考试{e}", "blueprint_id": 1, "status": "published",
                                               "opens_at": datetime(2026, 3, e), "closes_at": datetime(2026, 4, e),
                                               "duration_minutes": 60} for e in range(1, EXAMS + 1)])
            outcomes = [{"person_id": i, "exam_id": e, "unit_id": unit, "post_id": 1 + i % POSTS, "year": 2026,
                         "passed": rng.random() < 0.8} for i, unit in enumerate(homes, start=1)
                        for e in range(1, EXAMS + 1) if (i + e) % 2]
            for start in range(0, len(outcomes), 20_000):
                db.session.execute(insert(ExamOutcome), outcomes[start:start + 20_000])
            # 学时: bulk-loaded lines (counted by `credit_state.recount` afterwards), a few of them reversed.
            db.session.execute(insert(Course), [{"id": c, "slug": f"c{c}", "title": f"课程{c}"}
                                                for c in range(1, COURSES + 1)])
            lines = [line for i in range(1, len(homes) + 1) for line in _credit_lines(i, rng)]
            for start in range(0, len(lines), 20_000):
                db.session.execute(insert(CreditEntry).execution_options(**credit_tallies.RECOUNT),
                                   lines[start:start + 20_000])
            reversed_ids = db.session.scalars(select(CreditEntry.id).where(CreditEntry.id % 97 == 0)).all()
            db.session.execute(text(
                "INSERT INTO credit_entry (person_id, year, kind, tenths, source_type, source_id, cycle, "
                "reversal_of_id, note, created_at) SELECT person_id, year, kind, -tenths, 'reversal', id, 0, id, "
                "'冲正', created_at FROM credit_entry WHERE id % 97 = 0").execution_options(**credit_tallies.RECOUNT))
            assert reversed_ids
            admin = Person(staff_no="admin", name="总管理员", unit_id=1, must_change_password=False)
            admin.roles = [RoleGrant(role="admin")]
            session = LoginSession(id=secrets.token_urlsafe(32), person=admin)
            db.session.add_all([admin, session])
            db.session.commit()
            return brigades, squads, session.id, admin.id

    def get(self, url: str):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def mastery_change(self):
        """One person's stored estimate changes (as `needs.updates` leaves it), then the refresh."""
        row = db.session.scalar(select(CompetencyMastery).where(
            CompetencyMastery.person_id == self.rng.randrange(1, self.people + 1)).limit(1))
        if row is None:
            return
        row.level, row.ceiling = self.rng.choice(((0, 1), (1, 2), (2, None), (3, None), (1, None)))
        db.session.flush()
        ledger_tallies.refresh([row.person_id])
        db.session.commit()

    def credit_line(self):
        """A 学时 line through `ledger.add_entry` (as course credit is awarded), counted in its transaction."""
        person_id = self.rng.randrange(1, self.people + 1)
        ledger.add_entry(person_id=person_id, year=2026, kind="elective", tenths=self.rng.choice((10, 20, 30)),
                         source_type="offline", source_id=10_000_000 + self.rng.randrange(10**9), cycle=0,
                         created_at=datetime(2026, 5, 1))
        db.session.commit()

    def move_one(self):
        person = db.session.get(Person, self.rng.randrange(1, self.people + 1))
        if person.unit_id not in self.squads:
            return
        target = self.squads[(self.squads.index(person.unit_id) + 1) % len(self.squads)]
        update_person(self.admin_id, EVERYWHERE, person.id, PersonData(
            staff_no=person.staff_no, name=person.name, unit_id=target, post_id=person.post_id))


def _measures(runs: int) -> list[tuple]:
    brigade = lambda s: s.brigades[3]  # noqa: E731
    return [
        ("organisation ledger, top unit (global admin)", runs, lambda s: ledgers.organisation_ledger(EVERYWHERE)),
        ("organisation ledger, one brigade", runs, lambda s: ledgers.organisation_ledger(EVERYWHERE, brigade(s))),
        ("post ledger, top unit", runs, lambda s: ledgers.post_ledger(EVERYWHERE)),
        ("page GET /needs/ledgers (top)", runs, lambda s: s.get("/needs/ledgers")),
        ("page GET /needs/ledgers/posts (top)", runs, lambda s: s.get("/needs/ledgers/posts")),
        ("page GET /study/admin/compliance (top, pass rates, 学时)", runs,
         lambda s: s.get("/study/admin/compliance?year=2026")),
        ("学时 people page 1, 未达标 at the top (info)", runs,
         lambda s: s.get("/study/admin/credits/people?year=2026&met=0")),
        ("person ledger page 1, one competency below (info)", runs,
         lambda s: s.get("/needs/ledgers/people?competency_id=3&which=below")),
        ("write: a person's mastery changes (refresh)", runs, lambda s: s.mastery_change()),
        ("write: move a person to another squad", runs, lambda s: s.move_one()),
        ("write: a 学时 line (ledger.add_entry)", runs, lambda s: s.credit_line()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    clock.today = lambda: TODAY
    with tempfile.TemporaryDirectory() as folder:
        sizes = [Size(folder, people) for people in sorted(args.people)]
        for size in sizes:
            with size.app.app_context():
                gaps = db.session.scalar(text("SELECT count(*) FROM need_gap"))
                lines = db.session.scalar(text("SELECT count(*) FROM credit_entry"))
            print(f"people={size.people:,} need_gap rows={gaps:,} credit_entry rows={lines:,} built in "
                  f"{size.built:.1f} s, recount (flask needs recount) {size.recount * 1000:.0f} ms, "
                  f"学时 recount {size.credit_recount * 1000:.0f} ms")
        small, large = sizes[0], sizes[-1]
        ratios = []
        for label, runs, call in _measures(args.runs):
            found = _run(sizes, label, runs, call)
            for size in sizes:
                latencies, statements, _result = found[size.people]
                print(f"{label:<50} people={size.people:>7,}  p50={statistics.median(latencies) * 1000:8.1f} ms  "
                      f"p95={_p95(latencies) * 1000:8.1f} ms  statements={statements}")
            (big, _, _), (little, _, _) = found[large.people], found[small.people]
            ratios.append((label, statistics.median(big) / statistics.median(little), _p95(big) / _p95(little)))
        print(f"\nratio of {large.people:,} people to {small.people:,} people (same run, sizes alternated):")
        for label, p50, p95 in ratios:
            print(f"{label:<50} p50 ×{p50:5.2f}   p95 ×{p95:5.2f}")
        with large.app.app_context():
            stored = sorted(db.session.execute(text("SELECT unit_id, post_id, competency_id, people, below, unknown, "
                                                    "gap_sum FROM need_tally")).all())
            ledger_tallies.recount()
            assert stored == sorted(db.session.execute(text("SELECT unit_id, post_id, competency_id, people, below, "
                                                            "unknown, gap_sum FROM need_tally")).all())
            db.session.rollback()
            kept = {model.__tablename__: sorted(tuple(row) for row in db.session.execute(select(*model.__table__.c)))
                    for model in credit_state.TABLES}
            credit_state.recount()
            assert kept == {model.__tablename__: sorted(tuple(row) for row in db.session.execute(
                select(*model.__table__.c))) for model in credit_state.TABLES}
            print(f"counters (needs and 学时) after the writes equal a recount at {large.people:,} people: yes")


if __name__ == "__main__":
    main()
