"""培训完成情况 at two sizes in one run: the overview, its page, the assignment list and the export.

Builds one SQLite file per size (default 1,000 and 100,000 people) in a 3-level tree
(1 detachment → 10 brigades → 100 squads; a hundredth of the people directly in the brigades),
5 courses and one assignment of each course per person (mixed statuses), loaded in bulk and then
counted with `tallies.recount` (what `flask study recount` and migration 0012 run). Then times,
alternating between the sizes run by run so both see the same load on a shared machine, each call
in a fresh app context as a request would be:
- the compliance service (`compliance.overview`) for the top unit (a global admin) and one brigade;
- the page `GET /study/admin/compliance` through the WSGI app for the global admin;
- the assignment list `GET /study/admin/assignments` (the drill-down, default view and one filter);
- writes: a course completion (`progress.complete_course`) and a move to another unit
  (`org.people.update_person`), each with its counter upkeep;
- the xlsx export for an admin of two brigades, one course (it writes every row: not size-independent).
It prints p50/p95 and statements per call (tests/sql_budget.py's counter) for each size, then the
ratio of the largest size's time to the smallest's for each measure.

    .venv/bin/python bench/bench_compliance.py [--people 1000 100000] [--runs 30]
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.auth.scope import Scope  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Assignment, Course, LoginSession, OrgUnit, Person, RoleGrant  # noqa: E402
from app.org.people import PersonData, update_person  # noqa: E402
from app.study import compliance, progress, tallies  # noqa: E402
from app.study.assignments import AssignmentFilter  # noqa: E402
from tests.sql_budget import count_statements  # noqa: E402

YEAR, TODAY = 2026, date(2026, 9, 1)
BRIGADES, SQUADS, COURSES = 10, 10, 5
EVERYWHERE = Scope(None)


def _app(path: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False})


def _units() -> tuple[list[dict], list[int], list[int]]:
    """Return org_unit rows (ids from 1), the brigade ids and the squad ids."""
    rows, brigades, squads = [{"id": 1, "parent_id": None, "name": "支队", "path": "/1/", "depth": 0}], [], []
    next_id = 2
    for b in range(BRIGADES):
        brigade = next_id
        rows.append({"id": brigade, "parent_id": 1, "name": f"第{b + 1}大队", "path": f"/1/{brigade}/", "depth": 1})
        brigades.append(brigade)
        next_id += 1
        for s in range(SQUADS):
            rows.append({"id": next_id, "parent_id": brigade, "name": f"第{s + 1}中队",
                         "path": f"/1/{brigade}/{next_id}/", "depth": 2})
            squads.append(next_id)
            next_id += 1
    return rows, brigades, squads


def _homes(people: int, brigades: list[int], squads: list[int]) -> list[int]:
    """The unit of each person: an equal share per squad, the rest (≈ 1%) directly in the brigades."""
    per_squad = (people - people // 100) // len(squads)
    homes = [s for s in squads for _ in range(per_squad)]
    return homes + [brigades[i % len(brigades)] for i in range(people - len(homes))]


def _assignment(person_id: int, course_id: int, rng: random.Random) -> dict:
    """One assignment of the year: about 55% 已完成, 15% each 已逾期, 学习中 and 未开始."""
    roll = rng.random()
    overdue = 0.55 <= roll < 0.70
    started = roll < 0.85
    return {"person_id": person_id, "course_id": course_id, "year": YEAR, "origin": "syllabus",
            "due_on": date(YEAR, 6, 30) if overdue else date(YEAR, 12, 31),
            "started_at": datetime(YEAR, 3, 1) if started else None,
            "completed_at": datetime(YEAR, 5, 1, 8, rng.randrange(60)) if roll < 0.55 else None,
            "created_at": datetime(YEAR, 1, 1)}


class Size:
    """One database of `people` people, its app, and what the measures need."""

    def __init__(self, folder: str, people: int):
        self.people, self.app = people, _app(os.path.join(folder, f"bench-{people}.sqlite3"))
        begin = time.perf_counter()
        self.brigades, self.squads, self.session_id, self.admin_id = self._setup()
        self.built = time.perf_counter() - begin
        with self.app.app_context():
            begin = time.perf_counter()
            tallies.recount()
            self.recount = time.perf_counter() - begin
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        self.client = self.app.test_client()
        with self.client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = self.session_id, True
        self.open = self._open_assignments()

    def _setup(self) -> tuple[list[int], list[int], str, int]:
        rng = random.Random(7)
        units, brigades, squads = _units()
        homes = _homes(self.people, brigades, squads)
        with self.app.app_context():
            db.create_all()
            db.session.execute(insert(OrgUnit), units)
            db.session.execute(insert(Course), [{"id": c, "slug": f"c{c}", "title": f"课程{c}"}
                                                for c in range(1, COURSES + 1)])
            db.session.execute(insert(Person), [
                {"id": i, "staff_no": f"P{i:06d}", "name": f"人员{i}", "unit_id": unit, "must_change_password": False,
                 "created_at": datetime(YEAR, 1, 1)} for i, unit in enumerate(homes, start=1)])
            for start in range(1, len(homes) + 1, 20_000):  # counted afterwards by `recount`
                db.session.execute(insert(Assignment).execution_options(**tallies.RECOUNT), [
                    _assignment(pid, c, rng) for pid in range(start, min(start + 20_000, len(homes) + 1))
                    for c in range(1, COURSES + 1)])
            admin = Person(staff_no="admin", name="总管理员", unit_id=1, must_change_password=False)
            admin.roles = [RoleGrant(role="admin")]
            session = LoginSession(id=secrets.token_urlsafe(32), person=admin)
            db.session.add_all([admin, session])
            db.session.commit()
            return brigades, squads, session.id, admin.id

    def _open_assignments(self) -> list[tuple[int, int]]:
        """(person, course) of open assignments in squads, shuffled, for the completion measure."""
        with self.app.app_context():
            rows = db.session.execute(select(Assignment.person_id, Assignment.course_id).join(Person, Person.id == Assignment.person_id)
                                      .where(Assignment.completed_at.is_(None), Person.unit_id.in_(self.squads))
                                      .limit(2000)).all()
        random.Random(3).shuffle(rows)
        return [tuple(row) for row in rows]

    def get(self, url: str):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def complete_one(self):
        person_id, course_id = self.open.pop()
        progress.complete_course(person_id, course_id, 0, now=datetime(YEAR, 8, 1, 9))
        db.session.commit()

    def move_one(self):
        person = db.session.get(Person, self.open[-1][0])
        data = PersonData(staff_no=person.staff_no, name=person.name, unit_id=person.unit_id)
        target = self.squads[(self.squads.index(person.unit_id) + 1) % len(self.squads)]
        update_person(self.admin_id, EVERYWHERE, person.id, PersonData(**(data.__dict__ | {"unit_id": target})))


def _measures(sizes: list[Size], runs: int) -> list[tuple]:
    """(label, runs, call(size)) of every measure."""
    brigade = lambda s: s.brigades[3]  # noqa: E731
    two = lambda s: Scope(tuple(f"/1/{b}/" for b in s.brigades[:2]))  # noqa: E731
    return [
        ("overview, top unit (global admin)", runs, lambda s: compliance.overview(EVERYWHERE, today=TODAY, year=YEAR)),
        ("overview, one brigade", runs, lambda s: compliance.overview(
            EVERYWHERE, today=TODAY, year=YEAR, unit_id=brigade(s))),
        ("page GET /study/admin/compliance (top)", runs, lambda s: s.get(f"/study/admin/compliance?year={YEAR}")),
        ("page GET /study/admin/assignments", runs, lambda s: s.get("/study/admin/assignments")),
        ("page GET …/assignments?unit_id=&status=overdue", runs, lambda s: s.get(
            f"/study/admin/assignments?unit_id={brigade(s)}&status=overdue&year={YEAR}")),
        ("write: complete a course (1 person)", runs, lambda s: s.complete_one()),
        ("write: move a person to another squad", runs, lambda s: s.move_one()),
        ("xlsx export, two brigades, one course", max(3, runs // 10), lambda s: compliance.export_xlsx(
            two(s), AssignmentFilter(course_id=1), today=TODAY)),
    ]


def _p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def _run(sizes: list[Size], label: str, runs: int, call) -> dict[int, tuple[list[float], int, object]]:
    """Time `call` on each size, alternating sizes run by run (+1 warm-up each); fresh app context per call."""
    found = {size.people: ([], 0, None) for size in sizes}
    for run in range(runs + 1):
        for size in sizes:
            with size.app.app_context(), count_statements() as seen:
                begin = time.perf_counter()
                result = call(size)
                elapsed = time.perf_counter() - begin
            latencies, _statements, _result = found[size.people]
            if run:
                latencies.append(elapsed)
            found[size.people] = (latencies, len(seen), result)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    clock.today = lambda: TODAY  # the pages' "today"
    with tempfile.TemporaryDirectory() as folder:
        sizes = [Size(folder, people) for people in sorted(args.people)]
        for size in sizes:
            print(f"people={size.people:,} units={1 + BRIGADES + BRIGADES * SQUADS} "
                  f"assignments={size.people * COURSES:,} built in {size.built:.1f} s, "
                  f"recount (flask study recount) {size.recount * 1000:.0f} ms")
        small, large = sizes[0], sizes[-1]
        ratios = []
        for label, runs, call in _measures(sizes, args.runs):
            found = _run(sizes, label, runs, call)
            for size in sizes:
                latencies, statements, result = found[size.people]
                extra = (f"  rows={len(result.rows)} total={result.total.total:,}" if hasattr(result, "rows")
                         else f"  {len(result) / 1024:,.0f} KiB" if isinstance(result, bytes) else "")
                print(f"{label:<48} people={size.people:>7,}  p50={statistics.median(latencies) * 1000:8.1f} ms  "
                      f"p95={_p95(latencies) * 1000:8.1f} ms  statements={statements}{extra}")
            (big, _, _), (little, _, _) = found[large.people], found[small.people]
            ratios.append((label, statistics.median(big) / statistics.median(little), _p95(big) / _p95(little)))
        print(f"\nratio of {large.people:,} people to {small.people:,} people (same run, sizes alternated):")
        for label, p50, p95 in ratios:
            print(f"{label:<48} p50 ×{p50:5.2f}   p95 ×{p95:5.2f}")
        with large.app.app_context():
            assert_counters_right(large)


def assert_counters_right(size: Size) -> None:
    """After the writes, the counters still equal a recount (read-only check)."""
    stored = sorted(db.session.execute(text("SELECT * FROM assignment_tally")).all())
    people = sorted(db.session.execute(text("SELECT * FROM assignment_people_tally")).all())
    tallies.recount()
    assert stored == sorted(db.session.execute(text("SELECT * FROM assignment_tally")).all())
    assert people == sorted(db.session.execute(text("SELECT * FROM assignment_people_tally")).all())
    print(f"counters after the writes equal a recount at {size.people:,} people: yes")


if __name__ == "__main__":
    main()
