"""按培训大纲生成培训任务: the admin's button, run as a background job over their scope.

The same work as `flask study assign`, limited to the admin's units. Pressing the button creates a
job (`start`), the route enqueues `tasks.generate_assignments_task`, which calls `run`; the job's
page polls its counters. One job per scope waits or runs at a time: a second press shows it.
Idempotent: a person's missing syllabus assignments are created, existing ones are left alone, so
a second run creates nothing and a retried or resumed run creates nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from app.audit import record
from app.auth.scope import Scope
from app.errors import NotFound
from app.extensions import db
from app.models import AssignmentGenerateJob, OrgUnit, Person
from app.models.study import GenerateStatus, SkipReason
from app.study.assignments import add_missing_or_why

WAITING = (GenerateStatus.QUEUED, GenerateStatus.RUNNING)
STALLED_AFTER = timedelta(minutes=10)  # a running job reports every person (~0.1 s); this long silent is dead
SKIPPED_SHOWN = 50  # skipped people named on the result page (all are counted)
FAILED = "生成过程中出错，已停止。已生成的培训任务都已保存，可以重新开始，已有的任务不会重复生成。"
STALLED = "长时间没有进展（服务可能曾重启），已停止。已生成的培训任务都已保存，可以重新开始。"


@dataclass(frozen=True)
class JobView:
    """What the job's page shows."""

    job: AssignmentGenerateJob
    percent: int
    stalled: bool  # waiting or running, but silent for longer than STALLED_AFTER
    skipped: list[tuple[str, int]]  # (reason label, people), largest first
    skipped_total: int
    skipped_people: list[tuple[Person, str]]  # the first ones, with the reason label


def _key(scope: Scope) -> str:
    text = "*" if scope.paths is None else "\n".join(sorted(scope.paths))
    return hashlib.sha256(text.encode()).hexdigest()


def _people(scope: Scope, *, after: int = 0):
    """The active people with a post in the scope, in id order (the order a job walks them)."""
    return (select(Person.id).join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(scope.clause(OrgUnit.path), Person.status == "active", Person.post_id.is_not(None),
                   Person.id > after))


def _job_scope(job: AssignmentGenerateJob) -> Scope:
    return Scope(None if job.scope_paths is None else tuple(job.scope_paths))


def _stalled(job: AssignmentGenerateJob, now: datetime) -> bool:
    return job.status in WAITING and job.updated_at < now - STALLED_AFTER


def _waiting_in(scope: Scope) -> AssignmentGenerateJob | None:
    return db.session.scalar(select(AssignmentGenerateJob).where(AssignmentGenerateJob.running_key == _key(scope)))


def _stop(job: AssignmentGenerateJob, message: str, *, now: datetime, actor_id: int | None) -> None:
    job.status, job.error, job.running_key, job.finished_at = GenerateStatus.FAILED, message, None, now
    record("assignment_generate_failed", job, actor_id=actor_id, done=job.done, total=job.total, created=job.created)


def start(actor_id: int, scope: Scope, *, now: datetime) -> tuple[AssignmentGenerateJob, bool]:
    """Create a queued job over the scope and commit; return (job, True), then enqueue it.

    When a job of the same scope already waits or runs, return (that job, False) and create nothing;
    one that has been silent too long is stopped first and a new one takes its place.
    """
    waiting = _waiting_in(scope)
    if waiting is not None and not _stalled(waiting, now):
        return waiting, False
    if waiting is not None:
        _stop(waiting, STALLED, now=now, actor_id=actor_id)
        db.session.flush()  # frees the scope's running key for the new job
    total = db.session.scalar(select(func.count()).select_from(_people(scope).subquery()))
    job = AssignmentGenerateJob(created_by_id=actor_id, created_at=now, updated_at=now, running_key=_key(scope),
                                scope_paths=None if scope.paths is None else list(scope.paths), total=total)
    db.session.add(job)
    try:
        record("assignment_generate_start", job, actor_id=actor_id, people=total,
               scope=job.scope_paths if job.scope_paths is not None else "all")
        db.session.commit()
    except IntegrityError:  # a concurrent press created the scope's job first: show that one
        db.session.rollback()
        waiting = _waiting_in(scope)
        if waiting is None:
            raise
        return waiting, False
    return job, True


@dataclass
class _Counts:
    """A running job's counters, kept in memory and written with each person's commit."""

    done: int
    created: int
    people_with_tasks: int
    last_person_id: int
    skipped: dict
    skipped_people: list

    @classmethod
    def of(cls, job: AssignmentGenerateJob) -> _Counts:
        return cls(job.done, job.created, job.people_with_tasks, job.last_person_id, dict(job.skipped),
                   [list(item) for item in job.skipped_people])

    def count(self, person_id: int, created: int, reason: SkipReason | None) -> None:
        if created:
            self.created += created
            self.people_with_tasks += 1
        elif reason is not None:
            self.skipped[reason.value] = self.skipped.get(reason.value, 0) + 1
            if len(self.skipped_people) < SKIPPED_SHOWN:
                self.skipped_people.append([person_id, reason.value])
        self.done += 1
        self.last_person_id = person_id


def run(job_id: int, *, today: date, now: Callable[[], datetime]) -> None:
    """Check every person of the job's scope, committing once per person; then finish the job.

    Each commit holds one person's new tasks (with their `assignment_sync` audit entry) and the
    job's counters, so the page sees progress as it grows, SQLite's write lock is never held for
    long, and a retry resumes after the last person committed. A job no longer waiting (finished,
    stopped, or taken over after stalling) is left alone. `now` is the clock, read at each person.
    """
    job = db.session.get(AssignmentGenerateJob, job_id)
    if job is None or job.status not in WAITING:
        return
    ids = list(db.session.scalars(_people(_job_scope(job), after=job.last_person_id).order_by(Person.id)))
    job.status, job.total, job.updated_at = GenerateStatus.RUNNING, job.done + len(ids), now()
    counts, actor_id = _Counts.of(job), job.created_by_id
    db.session.commit()  # seen by the page before the first person is done
    try:
        for person_id in ids:
            counts.count(person_id, *add_missing_or_why(person_id, today=today, actor_id=actor_id))
            db.session.execute(update(AssignmentGenerateJob).where(AssignmentGenerateJob.id == job_id)
                               .values(**vars(counts), updated_at=now()))
            db.session.commit()  # one person: their tasks, their audit entry and the job's counters
    except OperationalError:  # transient (locked, connection lost): the task retries and resumes
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        _stop(job, FAILED, now=now(), actor_id=actor_id)
        db.session.commit()
        raise
    db.session.refresh(job)
    job.status, job.running_key, job.finished_at = GenerateStatus.FINISHED, None, now()
    record("assignment_generate", job, actor_id=actor_id, people=job.total, created=job.created,
           people_with_tasks=job.people_with_tasks, skipped=job.skipped or None,
           scope=job.scope_paths if job.scope_paths is not None else "all")
    db.session.commit()


def job_in_scope(scope: Scope, job_id: int) -> AssignmentGenerateJob:
    """Return the job if the viewer's admin scope covers the job's whole scope, else raise NotFound."""
    job = db.session.get(AssignmentGenerateJob, job_id)
    if job is None or not _covers(scope, job.scope_paths):
        raise NotFound("该生成任务不存在或不在您的管理范围内。")
    return job


def _covers(scope: Scope, paths: list[str] | None) -> bool:
    if scope.paths is None:
        return True
    return paths is not None and all(any(path.startswith(own) for own in scope.paths) for path in paths)


def percent(job: AssignmentGenerateJob) -> int:
    if job.status == GenerateStatus.FINISHED:
        return 100
    return job.done * 100 // max(job.total, 1)


def job_view(scope: Scope, job_id: int, *, now: datetime) -> JobView:
    """Return the job (in the viewer's scope) with what its page shows."""
    job = job_in_scope(scope, job_id)
    counts = sorted(job.skipped.items(), key=lambda item: -item[1])
    ids = [person_id for person_id, _ in job.skipped_people]
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_(ids)).options(joinedload(Person.unit), joinedload(Person.post)))}
    named = [(people[pid], SkipReason.label_of(code)) for pid, code in job.skipped_people if pid in people]
    return JobView(job=job, percent=percent(job), stalled=_stalled(job, now),
                   skipped=[(SkipReason.label_of(code), n) for code, n in counts],
                   skipped_total=sum(n for _, n in counts), skipped_people=named)
