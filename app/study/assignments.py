"""Training assignments (培训任务): from post syllabi, and extra ones admins hand out in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import contains_eager, joinedload

from app import clock
from app.audit import record
from app.auth.scope import Scope
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import Assignment, AssignmentTally, Course, OrgUnit, Person
from app.models.study import AssignmentStatus, SkipReason
from app.org.people import select_people
from app.org.services import get_unit, post_options, unit_options
from app.study import tallies
from app.study.cycles import Completions
from app.study.ledger import syllabus_for

STATUS_FILTERS = {
    AssignmentStatus.COMPLETED: lambda today: Assignment.completed_at.is_not(None),
    AssignmentStatus.OVERDUE: lambda today: and_(Assignment.completed_at.is_(None), Assignment.due_on < today),
    AssignmentStatus.IN_PROGRESS: lambda today: and_(Assignment.completed_at.is_(None), Assignment.due_on >= today,
                                                     Assignment.started_at.is_not(None)),
    AssignmentStatus.NOT_STARTED: lambda today: and_(Assignment.completed_at.is_(None), Assignment.due_on >= today,
                                                     Assignment.started_at.is_(None)),
}


def _month_day(year: int, text: str) -> date:
    month, day = (int(part) for part in text.split("-"))
    if (month, day) == (2, 29):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def due_date(rule: dict, *, joined_on: date | None, today: date, year: int | None = None) -> date | None:
    """Return the due date a syllabus rule gives a person.

    `within_days_of_joining`: N days after joining; for people already in post longer than that
    when the requirement reaches them (or with no join date), N days from `today`, so nobody
    starts overdue. `by_date_each_year`: that MM-DD in `year`, or the next one on or after today.
    """
    if rule.get("within_days_of_joining") is not None:  # synced rules carry both keys, one None
        days = timedelta(days=int(rule["within_days_of_joining"]))
        due = (joined_on or today) + days
        return due if due >= today else today + days
    if rule.get("by_date_each_year"):
        if year is not None:
            return _month_day(year, rule["by_date_each_year"])
        due = _month_day(today.year, rule["by_date_each_year"])
        return due if due >= today else _month_day(today.year + 1, rule["by_date_each_year"])
    return None


def rule_cycle(rule: dict, due: date) -> int:
    """A rule that recurs each year asks for fresh study in the due date's year; others ask once."""
    return due.year if rule.get("by_date_each_year") and rule.get("within_days_of_joining") is None else 0


def sync_assignments(person_id: int, *, today: date, year: int | None = None,
                     actor_id: int | None = None) -> int:
    """Create the person's missing required-course assignments from their post's syllabus, and commit."""
    created = add_missing(person_id, today=today, year=year, actor_id=actor_id)
    db.session.commit()
    return created


def add_missing(person_id: int, *, today: date, year: int | None = None, actor_id: int | None = None) -> int:
    """Add the person's missing syllabus assignments to the session (the caller commits)."""
    return add_missing_or_why(person_id, today=today, year=year, actor_id=actor_id)[0]


def add_missing_or_why(person_id: int, *, today: date, year: int | None = None,
                       actor_id: int | None = None) -> tuple[int, SkipReason | None]:
    """Add the person's missing syllabus assignments (the caller commits); return how many, and
    when their syllabus can give them none at all, why (None: it can, or they already have them)."""
    person = db.session.get(Person, person_id)
    if person is None or person.status != "active" or person.post_id is None:
        return 0, SkipReason.NOT_ACTIVE
    syllabus = syllabus_for(person)
    if syllabus is None:
        return 0, SkipReason.NO_SYLLABUS
    slugs = [item.get("course") for item in syllabus.required]
    courses = {c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(slugs), Course.active))}
    if not courses:
        return 0, SkipReason.NO_COURSES
    existing = set(db.session.execute(
        select(Assignment.course_id, Assignment.year).where(Assignment.person_id == person_id)
    ).all())
    missing = []
    for rule in syllabus.required:
        course = courses.get(rule.get("course"))
        due = due_date(rule, joined_on=person.joined_on, today=today, year=year) if course else None
        if due is None:
            continue
        cycle = rule_cycle(rule, due)
        # A yearly rule asks once per year; any other rule once per person, whatever the year.
        if (course.id, due.year) in existing or (not cycle and course.id in {c for c, _ in existing}):
            continue
        existing.add((course.id, due.year))
        missing.append((course, due, cycle))
    if not missing:
        return 0, None
    done = Completions([person_id], [course.id for course, _, _ in missing])
    for course, due, cycle in missing:
        db.session.add(Assignment(person_id=person_id, course_id=course.id, year=due.year, due_on=due,
                                  origin="syllabus", cycle=cycle, created_by_id=actor_id,
                                  completed_at=done.done_at(person_id, course.id, cycle)))
    record("assignment_sync", person, actor_id=actor_id, created=len(missing))
    return len(missing), None


def sync_all(*, today: date, year: int | None = None, person_ids: list[int] | None = None) -> int:
    """Sync assignments for the given people (default: everyone active); return how many were created."""
    if person_ids is None:
        person_ids = list(db.session.scalars(
            select(Person.id).where(Person.status == "active", Person.post_id.is_not(None)).order_by(Person.id)
        ))
    # One commit per person: a sync over everyone never holds SQLite's write lock for long.
    return sum(sync_assignments(pid, today=today, year=year) for pid in person_ids)


def _targets(scope: Scope, *, unit_id: int | None, post_id: int | None, staff_nos: list[str]) -> list[Person]:
    people, missing = select_people(scope, unit_id=unit_id, post_id=post_id, staff_nos=staff_nos)
    if missing:
        raise NotFound(f"以下工号不存在或不在您的管理范围内：{'、'.join(sorted(missing)[:20])}")
    return people


def assign_course(actor_id: int, scope: Scope, *, course_id: int, due_on: date, today: date,
                  unit_id: int | None = None, post_id: int | None = None,
                  staff_nos: list[str] | None = None, restudy: bool = False) -> tuple[int, int]:
    """Assign a course to a unit subtree, a post or listed staff numbers; return (created, skipped).

    With `restudy`, the course must be studied again in the due date's year (that year's cycle);
    otherwise people who already finished it get the assignment as completed.
    """
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or not course.active:
        raise NotFound("课程不存在或已停用。")
    staff_nos = [s.strip() for s in staff_nos or [] if s.strip()]
    if sum(map(bool, (unit_id, post_id, staff_nos))) != 1:
        raise DomainError("请只选择一种下达对象：单位、岗位或工号名单。")
    if due_on < today:
        raise DomainError("截止日期不能早于今天。")
    if problem := clock.typed_date_problem(due_on, "截止日期"):
        raise DomainError(problem + "。")
    people = _targets(scope, unit_id=unit_id, post_id=post_id, staff_nos=staff_nos)
    if not people:
        raise DomainError("所选范围内没有在岗人员，未下达任何任务。")
    have = set(db.session.scalars(select(Assignment.person_id).where(
        Assignment.course_id == course.id, Assignment.year == due_on.year,
        Assignment.person_id.in_([p.id for p in people]))))
    fresh = [p for p in people if p.id not in have]
    cycle = due_on.year if restudy else 0
    done = Completions([p.id for p in fresh], [course.id])
    for person in fresh:
        db.session.add(Assignment(person_id=person.id, course_id=course.id, year=due_on.year, due_on=due_on,
                                  origin="admin", cycle=cycle, created_by_id=actor_id,
                                  completed_at=done.done_at(person.id, course.id, cycle)))
    record("assignment_create", course, actor_id=actor_id, created=len(fresh), skipped=len(have),
           unit_id=unit_id, post_id=post_id, staff_nos=staff_nos or None, due_on=due_on.isoformat(),
           restudy=restudy)
    db.session.commit()
    return len(fresh), len(have)


@dataclass(frozen=True)
class AssignmentFilter:
    """The assignment list's filters; `unit_id` is the unit's subtree, or only the unit itself with `direct`."""

    status: str = ""
    course_id: int | None = None
    unit_id: int | None = None
    year: int | None = None
    direct: bool = False


def status_label(today: date):
    """Return a SQL CASE giving each assignment's status label (the STATUS_FILTERS conditions) as of `today`."""
    return case(*((condition(today), status.label) for status, condition in STATUS_FILTERS.items()))


def filter_in_scope(query: Select, scope: Scope, filters: AssignmentFilter, *, today: date) -> Select:
    """Restrict a select over Assignment to people inside the scope and to the filters.

    A unit outside the scope raises NotFound. The query is joined to Person and to OrgUnit (the person's unit).
    """
    return _filtered(query, scope, filters, _unit(scope, filters), today)


def list_in_scope(scope: Scope, filters: AssignmentFilter, *, today: date, page: int = 1, per_page: int = 20):
    """Return a page of assignments of people inside the scope, soonest due first.

    The total comes from the counters (`count_in_scope`), not from counting the rows.
    """
    unit = _unit(scope, filters)
    query = _filtered(select(Assignment), scope, filters, unit, today).options(
        contains_eager(Assignment.person).contains_eager(Person.unit), joinedload(Assignment.course))
    pagination = db.paginate(query.order_by(Assignment.due_on, Assignment.id), page=page, per_page=per_page,
                             error_out=False, count=False)
    pagination.total = _count(scope, filters, unit, today)
    return pagination


def count_in_scope(scope: Scope, filters: AssignmentFilter, *, today: date) -> int:
    """Return how many assignments `filter_in_scope` selects, summed from the 培训完成情况 counters
    (one query over units, courses and due dates, whatever the number of people)."""
    return _count(scope, filters, _unit(scope, filters), today)


def _unit(scope: Scope, filters: AssignmentFilter) -> OrgUnit | None:
    return get_unit(scope, filters.unit_id) if filters.unit_id else None


def _narrowed(query: Select, filters: AssignmentFilter, unit: OrgUnit | None, columns) -> Select:
    """Apply the unit, course and year filters to a query joined to the person's OrgUnit, where
    `columns` are the query's (unit id, course id, year) columns."""
    unit_id, course_id, year = columns
    if unit is not None:
        query = query.where(unit_id == unit.id if filters.direct else OrgUnit.path.startswith(unit.path, autoescape=True))
    if filters.course_id:
        query = query.where(course_id == filters.course_id)
    if filters.year:
        query = query.where(year == filters.year)
    return query


def _filtered(query: Select, scope: Scope, filters: AssignmentFilter, unit: OrgUnit | None, today: date) -> Select:
    query = scope.over_people(query, Assignment.person_id)
    if filters.status in STATUS_FILTERS:
        query = query.where(STATUS_FILTERS[filters.status](today))
    return _narrowed(query, filters, unit, (Person.unit_id, Assignment.course_id, Assignment.year))


def _count(scope: Scope, filters: AssignmentFilter, unit: OrgUnit | None, today: date) -> int:
    status = filters.status if filters.status in STATUS_FILTERS else ""
    query = (select(func.coalesce(func.sum(tallies.count_expression(status, today)), 0))
             .select_from(AssignmentTally).join(OrgUnit, OrgUnit.id == AssignmentTally.unit_id)
             .where(scope.clause(OrgUnit.path)))
    tally = AssignmentTally
    return int(db.session.scalar(_narrowed(query, filters, unit, (tally.unit_id, tally.course_id, tally.year))))


def of_person(person_id: int, year: int) -> list[Assignment]:
    """Return a person's assignments of a year, soonest due first (the caller checked the scope)."""
    return list(db.session.scalars(
        select(Assignment).options(joinedload(Assignment.course))
        .where(Assignment.person_id == person_id, Assignment.year == year)
        .order_by(Assignment.due_on, Assignment.id)
    ))


def delete_assignment(actor_id: int, scope: Scope, assignment_id: int) -> None:
    """Withdraw an assignment of a person in scope (the person's progress is kept)."""
    assignment = db.session.scalar(
        scope.over_people(select(Assignment), Assignment.person_id).where(Assignment.id == assignment_id))
    if assignment is None:
        raise NotFound("培训任务不存在或不在您的管理范围内。")
    record("assignment_delete", assignment, actor_id=actor_id, person_id=assignment.person_id,
           course_id=assignment.course_id, year=assignment.year)
    db.session.delete(assignment)
    db.session.commit()


def form_options(scope: Scope) -> tuple[list, list, list]:
    """Return (unit, post, course) choices for the admin's assignment form."""
    courses = [(c.id, c.title) for c in db.session.scalars(select(Course).where(Course.active).order_by(Course.title))]
    return unit_options(scope), post_options(), courses
