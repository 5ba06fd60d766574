"""The live view (监考): where each person of the audience in the viewer's scope stands.

A fixed number of queries whatever the audience's size: the people, their attempts, the last save
of the attempts in progress, the overrides, the units' names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.exams.access import Viewer, exam_to_watch, people_scope
from app.exams.audience import members
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, ExamOverride, OrgUnit, Person
from app.models.exams import AttemptState
from app.models.people import PersonStatus
from app.trees import full_names
from question_bank import units_to_points

STATES = {"not_started": "未开始", "in_progress": "作答中", "overdue": "时间已到", "finished": "已交卷"}


@dataclass
class LiveRow:
    person_id: int
    name: str
    staff_no: str
    unit: str
    state: str = "not_started"
    state_label: str = STATES["not_started"]
    attempts: int = 0
    started: str = ""
    saved: str = ""
    deadline: str = ""
    seconds_left: int | None = None
    score: str = ""
    passed: bool | None = None
    switches: int = 0
    flagged: bool = False
    adjusted: bool = False
    attempt_id: int | None = None  # the attempt shown (running, else the last): its 答卷详情

    def as_json(self) -> dict:
        return asdict(self)


def _row_for(row: LiveRow, tries: list[Attempt], exam: Exam, saved: dict, now: datetime) -> None:
    row.attempts = len(tries)
    row.flagged = any(a.flagged for a in tries)
    running = next((a for a in tries if a.state == AttemptState.IN_PROGRESS), None)
    shown = running or max(tries, key=lambda a: a.number)
    row.started, row.switches = clock.format_local_dt(shown.started_at), shown.switches
    row.attempt_id = shown.id
    if running is not None:
        left = (running.deadline - now).total_seconds()
        row.state = "in_progress" if now <= running.deadline + timedelta(seconds=exam.grace_seconds) else "overdue"
        row.seconds_left = max(int(left), 0)
        row.deadline = clock.format_local_dt(running.deadline)
        row.saved = clock.format_local_dt(saved.get(running.id))
    else:
        row.state = "finished"
        if shown.score is not None:
            row.score = f"{units_to_points(shown.score)} / {units_to_points(shown.max_score)}"
            row.passed = shown.passed
        else:
            row.score = "待阅卷"
    row.state_label = STATES[row.state]


def live_rows(viewer: Viewer, exam_id: int, *, now: datetime) -> tuple[Exam, list[LiveRow], dict]:
    """The exam, one row per audience person in the viewer's scope, and the counts per state."""
    exam = exam_to_watch(viewer, exam_id)
    scope = people_scope(viewer)
    people = db.session.execute(
        members(exam.id).where(scope.clause(OrgUnit.path)).order_by(OrgUnit.path, Person.staff_no)).all()
    ids = [person.id for person, _unit in people]
    tries: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.person_id.in_(ids))):
        tries.setdefault(attempt.person_id, []).append(attempt)
    running = [a.id for group in tries.values() for a in group if a.state == AttemptState.IN_PROGRESS]
    saved = dict(db.session.execute(
        select(AttemptItem.attempt_id, func.max(AttemptItem.saved_at))
        .where(AttemptItem.attempt_id.in_(running)).group_by(AttemptItem.attempt_id)).all()) if running else {}
    adjusted = set(db.session.scalars(select(ExamOverride.person_id).where(ExamOverride.exam_id == exam.id)))
    unit_names = full_names(OrgUnit, {unit.id: unit for _p, unit in people}.values())
    rows = []
    for person, unit in people:
        if person.status != PersonStatus.ACTIVE and person.id not in tries:
            continue
        row = LiveRow(person.id, person.name, person.staff_no, unit_names[unit.id], adjusted=person.id in adjusted)
        if person.id in tries:
            _row_for(row, tries[person.id], exam, saved, now)
        rows.append(row)
    counts = {state: sum(1 for r in rows if r.state == state) for state in STATES}
    return exam, rows, counts
