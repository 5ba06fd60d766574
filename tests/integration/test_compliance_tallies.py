"""培训完成情况 counters: a random series of changes to assignments, through the services and the ORM,
checked after every step against a recount straight from the assignment rows."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.scope import Scope
from app.errors import DomainError
from app.extensions import db
from app.models import Assignment, AssignmentPeopleTally, AssignmentTally, OrgUnit, Person
from app.models.study import AssignmentStatus
from app.org.people import PersonData, update_person
from app.study import assignments, compliance, progress, timing
from tests.factories import make_course, make_person, make_syllabus, make_unit, make_world

START = date(2026, 3, 1)
EVERYWHERE = Scope(None)


# --- the oracle: everything straight from the assignment rows -------------------------------------

def _rows():
    return db.session.execute(select(Assignment, Person.unit_id).join(Person, Person.id == Assignment.person_id)).all()


def expected_tables() -> tuple[dict, dict]:
    """Return what a recount from the rows gives, computed in Python: {(unit, year, course, due):
    (total, done, started and not done)} and {(unit, year): people}."""
    counts, people = defaultdict(lambda: [0, 0, 0]), defaultdict(set)
    for a, unit_id in _rows():
        row = counts[unit_id, a.year, a.course_id, a.due_on]
        row[0] += 1
        row[1] += a.completed_at is not None
        row[2] += a.started_at is not None and a.completed_at is None
        people[unit_id, a.year].add(a.person_id)
    return {key: tuple(row) for key, row in counts.items()}, {key: len(ids) for key, ids in people.items()}


def stored_tables() -> tuple[dict, dict]:
    t, p = AssignmentTally, AssignmentPeopleTally
    counts = {(u, y, c, d): (n, done, started) for u, y, c, d, n, done, started in db.session.execute(
        select(t.unit_id, t.year, t.course_id, t.due_on, t.total, t.done, t.started))}
    people = {(u, y): n for u, y, n in db.session.execute(select(p.unit_id, p.year, p.people))}
    return counts, people


def expected_tally(rows, today: date, year: int, course_id: int | None, in_row) -> tuple:
    """(people, total, {status: count}) of the year's assignments of people whose unit `in_row` accepts."""
    statuses, people = dict.fromkeys(AssignmentStatus, 0), set()
    for a, unit_id in rows:
        if a.year == year and (not course_id or a.course_id == course_id) and in_row(unit_id):
            statuses[a.status(today)] += 1
            people.add(a.person_id)
    return len(people), sum(statuses.values()), statuses


def check_overviews(rng: random.Random, today: date, course_ids: list[int]) -> int:
    """Compare the overviews of the top (no unit) and of two random units for a year, and one with a
    course, with the oracle (every row: a unit's subtree or its own people); return how many were checked."""
    rows = _rows()
    paths = dict(db.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
    years = sorted({a.year for a, _ in rows} | {today.year})
    year = rng.choice(years)
    views = [(unit_id, year, None) for unit_id in [None, *rng.sample(sorted(paths), 2)]]
    views.append((rng.choice([None, *paths]), rng.choice(years), rng.choice(course_ids)))
    for unit_id, year, course_id in views:
        view = compliance.overview(EVERYWHERE, today=today, year=year, course_id=course_id, unit_id=unit_id)
        for row in view.rows:
            in_row = row.unit.id.__eq__ if row.own else lambda u, path=row.unit.path: paths[u].startswith(path)
            got = (row.tally.people, row.tally.total, row.tally.statuses)
            assert got == expected_tally(rows, today, year, course_id, in_row), (unit_id, year, row.label)
        subtree = view.node.path if view.node else "/"
        assert (view.total.people, view.total.total, view.total.statuses) == expected_tally(
            rows, today, year, course_id, lambda u, path=subtree: paths[u].startswith(path))
    return len(views)


def check_list_counts(rng: random.Random, today: date, scopes, units, course_ids) -> None:
    """The assignment list's total (from the counters) equals the rows it filters, for random filters."""
    for _ in range(2):
        scope = rng.choice(scopes)
        unit = rng.choice([None, *[u for u in units if scope.covers(u)]])
        filters = assignments.AssignmentFilter(
            status=rng.choice(["", *AssignmentStatus]), course_id=rng.choice([None, *course_ids]),
            unit_id=unit.id if unit else None, year=rng.choice([None, today.year, today.year + 1]),
            direct=rng.random() < 0.3)
        query = assignments.filter_in_scope(select(func.count()).select_from(Assignment), scope, filters, today=today)
        assert assignments.count_in_scope(scope, filters, today=today) == db.session.scalar(query), filters


# --- the random steps ------------------------------------------------------------------------------

class Steps:
    """The world and one method per kind of change; each goes through a service or the ORM and commits."""

    def __init__(self, rng: random.Random, monkeypatch):
        self.rng, self.today = rng, START
        monkeypatch.setattr(clock, "today", lambda: self.today)  # event-driven syncs use the same day
        monkeypatch.setattr(clock, "now", lambda: self.now)
        world = make_world(workforce=True, admin_all=True)
        self.admin = world["admin_all"]
        a2 = make_unit("二中队", parent=world["a"], kind="中队")
        deep = make_unit("一组", parent=world["a1"], kind="组")
        self.units = [world[k] for k in ("root", "a", "b", "a1", "b1")] + [a2, deep]
        self.scopes = [EVERYWHERE, Scope((world["a"].path,)), Scope((world["a1"].path, world["b"].path))]
        self.courses = [make_course(f"c{i}", title=f"课程{i}", lessons=(1,)) for i in range(3)]
        post = world["posts"][0]
        make_syllabus(post, required=[{"course": "c0", "within_days_of_joining": 30},
                                      {"course": "c1", "by_date_each_year": "06-30"}])
        self.people = [make_person(unit=rng.choice(self.units), staff_no=f"P{i}", post_id=post.id if i % 3 else None,
                                   joined_on=START - timedelta(days=rng.randrange(400)))
                       for i in range(9)]
        self.person_ids = [p.id for p in self.people]

    @property
    def now(self) -> datetime:
        return clock.to_utc(datetime.combine(self.today, time(10, 0)))

    def _person(self) -> Person:
        return db.session.get(Person, self.rng.choice(self.person_ids))

    def _assignment(self) -> Assignment | None:
        ids = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
        return db.session.get(Assignment, self.rng.choice(ids)) if ids else None

    def assign(self):
        rng, target = self.rng, self.rng.choice(["unit", "staff"])
        try:
            assignments.assign_course(
                self.admin.id, EVERYWHERE, course_id=rng.choice(self.courses).id,
                due_on=self.today + timedelta(days=rng.randrange(0, 200)), today=self.today,
                unit_id=rng.choice(self.units).id if target == "unit" else None,
                staff_nos=[f"P{i}" for i in rng.sample(range(9), 3)] if target == "staff" else None,
                restudy=rng.random() < 0.3)
        except DomainError:  # nobody active in that unit: nothing was written
            db.session.rollback()

    def sync(self):
        year = self.rng.choice([None, self.today.year, self.today.year + 1])
        assignments.sync_assignments(self._person().id, today=self.today, year=year)

    def _open(self, started: bool | None = None) -> tuple[int, int, int] | None:
        """(person, course, cycle) of a random open assignment (started or not, if given), if any."""
        query = select(Assignment.person_id, Assignment.course_id, Assignment.cycle).where(
            Assignment.completed_at.is_(None)).order_by(Assignment.id)
        if started is not None:
            query = query.where(Assignment.started_at.is_not(None) if started else Assignment.started_at.is_(None))
        rows = db.session.execute(query).all()
        return tuple(self.rng.choice(rows)) if rows else None

    def start(self):
        """Open a lesson of a course someone was assigned and has not started, or of any course."""
        person_id, course_id, _cycle = self._open(started=False) or (
            self._person().id, self.rng.choice(self.courses).id, 0)
        lesson = next(c.lessons[0] for c in self.courses if c.id == course_id)
        timing.start_lesson(person_id, lesson.id, now=self.now)

    def complete(self):
        """Complete a course: mostly one of an open assignment (half of them started), in its cycle."""
        roll = self.rng.random()
        found = self._open(started=roll < 0.4) if roll < 0.8 else None
        person_id, course_id, cycle = found or (self._person().id, self.rng.choice(self.courses).id,
                                                self.rng.choice([0, self.today.year]))
        progress.complete_course(person_id, course_id, cycle, now=self.now)
        db.session.commit()

    def withdraw(self):
        if (a := self._assignment()) is not None:
            assignments.delete_assignment(self.admin.id, EVERYWHERE, a.id)

    def move(self, **changes):
        p = self._person()
        data = PersonData(staff_no=p.staff_no, name=p.name, unit_id=p.unit_id, phone=p.phone, post_id=p.post_id,
                          grade_id=p.grade_id, joined_on=p.joined_on, status=p.status)
        changes = changes or {"unit_id": self.rng.choice(self.units).id}
        update_person(self.admin.id, EVERYWHERE, p.id, PersonData(**(data.__dict__ | changes)))

    def leave_or_return(self):
        self.move(status=self.rng.choice(["left", "active"]))

    def edit(self):
        """Any other change through the ORM: due date, course, person, (un)completion, (un)start."""
        if (a := self._assignment()) is None:
            return
        rng, field = self.rng, self.rng.choice(["due_on", "course_id", "person_id", "completed_at", "started_at"])
        if field == "due_on":
            a.due_on = self.today + timedelta(days=rng.randrange(-60, 90))
        elif field in ("course_id", "person_id"):
            value = rng.choice(self.courses).id if field == "course_id" else rng.choice(self.person_ids)
            clash = select(Assignment.id).filter_by(**{"person_id": a.person_id, "course_id": a.course_id,
                                                       "year": a.year, field: value})
            if db.session.scalar(clash) is None:
                if rng.random() < 0.5:
                    assert a.person and a.course  # loaded: the ids then change under them
                setattr(a, field, value)
        else:
            setattr(a, field, None if getattr(a, field) else self.now)
        db.session.commit()

    def add_and_remove(self):
        """New and deleted rows in one flush, straight through the session."""
        gone = self._assignment()
        person, course = self._person(), self.rng.choice(self.courses)
        year = self.today.year + self.rng.choice([0, 1])
        if db.session.scalar(select(Assignment.id).filter_by(person_id=person.id, course_id=course.id, year=year)):
            return
        db.session.add(Assignment(person=person, course_id=course.id, year=year,
                                  due_on=date(year, 1, 1) + timedelta(days=self.rng.randrange(365))))
        if gone is not None:
            db.session.delete(gone)
        db.session.commit()

    def days_pass(self):
        self.today += timedelta(days=self.rng.choice([1, 7, 30, 90]))


STEPS = [("assign", 4), ("sync", 3), ("start", 4), ("complete", 4), ("withdraw", 1), ("move", 3),
         ("leave_or_return", 1), ("edit", 4), ("add_and_remove", 2), ("days_pass", 2)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_match_a_recount_from_the_rows_after_every_random_change(app, monkeypatch, seed):
    rng = random.Random(seed)
    steps = Steps(rng, monkeypatch)
    names, weights = zip(*STEPS, strict=True)
    done, views = [], 0
    steps.assign()
    for _ in range(40):
        name = rng.choices(names, weights)[0]
        getattr(steps, name)()
        done.append(name)
        db.session.expire_all()
        assert stored_tables() == expected_tables(), done
        views += check_overviews(rng, steps.today, [c.id for c in steps.courses])
        check_list_counts(rng, steps.today, steps.scopes, steps.units, [c.id for c in steps.courses])
    assert db.session.scalar(select(func.count()).select_from(Assignment)) > 10  # the steps did create work
    assert {"assign", "complete", "move", "edit", "days_pass"} <= set(done)
    assert views == 40 * 4
