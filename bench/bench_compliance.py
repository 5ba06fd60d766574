"""培训完成情况 over a large organisation on SQLite: the per-unit overview and the xlsx export.

Builds a SQLite file with 100,000 people in a 3-level tree (1 detachment → 10 brigades → 100 squads;
990 people per squad and 100 directly in each brigade), 5 courses and one assignment of each course
per person (500,000 assignments, mixed statuses). Then times, over several runs, each in a fresh
session as a request would be:
- the compliance service (`compliance.overview`) for the root (a global admin) and for one brigade;
- the whole page `GET /study/admin/compliance` through the WSGI app for a global admin;
- the xlsx export of 20,000 rows (an admin of two brigades, one course).
It prints p50/p95 and the SQL statements each one runs.

    .venv/bin/python bench/bench_compliance.py [--people 100000] [--runs 15]
"""

import argparse
import io
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import event, insert, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.auth.scope import Scope  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Assignment, Course, LoginSession, OrgUnit, Person, RoleGrant  # noqa: E402
from app.study import compliance  # noqa: E402
from app.study.assignments import AssignmentFilter  # noqa: E402

YEAR, TODAY = 2026, date(2026, 9, 1)
BRIGADES, SQUADS, AT_BRIGADE, COURSES = 10, 10, 100, 5


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


def _setup(app, people: int) -> tuple[list[int], str]:
    """Fill the database; return the brigade ids and a global admin's login session id."""
    rng = random.Random(7)
    units, brigades, squads = _units()
    per_squad = (people - AT_BRIGADE * BRIGADES) // len(squads)
    homes = [b for b in brigades for _ in range(AT_BRIGADE)] + [s for s in squads for _ in range(per_squad)]
    with app.app_context():
        db.create_all()
        db.session.execute(insert(OrgUnit), units)
        db.session.execute(insert(Course), [{"id": c, "slug": f"c{c}", "title": f"课程{c}"} for c in range(1, COURSES + 1)])
        db.session.execute(insert(Person), [
            {"id": i, "staff_no": f"P{i:06d}", "name": f"人员{i}", "unit_id": unit, "must_change_password": False,
             "created_at": datetime(YEAR, 1, 1)} for i, unit in enumerate(homes, start=1)])
        for start in range(1, len(homes) + 1, 20_000):
            db.session.execute(insert(Assignment), [
                _assignment(pid, c, rng) for pid in range(start, min(start + 20_000, len(homes) + 1))
                for c in range(1, COURSES + 1)])
        admin = Person(staff_no="admin", name="总管理员", unit_id=1, must_change_password=False)
        admin.roles = [RoleGrant(role="admin")]
        session = LoginSession(id=secrets.token_urlsafe(32), person=admin)
        db.session.add_all([admin, session])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return brigades, session.id


class Statements:
    """Count the SQL statements the engine runs."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        self.count += not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE"))


def _time(app, runs: int, call) -> tuple[list[float], int, object]:
    """Run `call` in a fresh app context `runs` times (+1 warm-up); return seconds, statements per run, result."""
    latencies, result = [], None
    with app.app_context():
        counter = Statements(db.engine)
    for run in range(runs + 1):
        with app.app_context():
            before, begin = counter.count, time.perf_counter()
            result = call()
            elapsed, statements = time.perf_counter() - begin, counter.count - before
        if run:
            latencies.append(elapsed)
    return latencies, statements, result


def _report(label: str, latencies: list[float], statements: int, extra: str = "") -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]
    print(f"{label:<44} p50={statistics.median(ordered) * 1000:8.1f} ms  p95={p95 * 1000:8.1f} ms  "
          f"statements={statements}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--without-index", action="store_true",
                        help="drop ix_assignment_person_year_status (migration 0007) to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = _app(os.path.join(folder, "bench.sqlite3"))
        begin = time.perf_counter()
        brigades, session_id = _setup(app, args.people)
        if args.without_index:
            with app.app_context():
                db.session.execute(text("DROP INDEX ix_assignment_person_year_status"))
                db.session.commit()
        print(f"people={args.people} units={1 + BRIGADES + BRIGADES * SQUADS} assignments={args.people * COURSES} "
              f"(built in {time.perf_counter() - begin:.1f} s) runs={args.runs} without_index={args.without_index}")
        everywhere = Scope(None)
        for label, unit_id in (("overview, root (global admin)", None), ("overview, one brigade", brigades[3])):
            latencies, statements, view = _time(app, args.runs, lambda u=unit_id: compliance.overview(
                everywhere, today=TODAY, year=YEAR, unit_id=u))
            _report(label, latencies, statements, f"  rows={len(view.rows)} total={view.total.total}")
        _time_page(app, args.runs, session_id)
        two = Scope(tuple(f"/1/{b}/" for b in brigades[:2]))
        latencies, statements, data = _time(app, max(3, args.runs // 3), lambda: compliance.export_xlsx(
            two, AssignmentFilter(course_id=1), today=TODAY))
        book = load_workbook(io.BytesIO(data), read_only=True)
        rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
        _report("xlsx export, two brigades, one course", latencies, statements,
                f"  rows={rows:,} size={len(data) / 1024:,.0f} KiB")


def _time_page(app, runs: int, session_id: str) -> None:
    """Time GET /study/admin/compliance through the WSGI app for the global admin."""
    clock.today = lambda: TODAY
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True

    def get():
        response = client.get(f"/study/admin/compliance?year={YEAR}")
        assert response.status_code == 200, response.status_code
        return response

    latencies, statements, _response = _time(app, runs, get)
    _report("page GET /study/admin/compliance (root)", latencies, statements)


if __name__ == "__main__":
    main()
