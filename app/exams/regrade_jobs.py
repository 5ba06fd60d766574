"""Applying a fix (重新评分): store it, then recompute the exam's attempts holding the question in a run.

`apply` stores the fix (a new one replaces the question's old one, audited; the same fix again
changes nothing) and creates a run (`ExamRegradeJob`). Up to `BACKGROUND_ABOVE` attempts the run
goes inside the request; above, the route enqueues `tasks.regrade_task` and the run's page polls its
progress (as 按培训大纲生成培训任务 does: study/generate.py). One run per exam waits or runs at a time
(`running_key` = the exam's id, unique). The run commits once per batch of `BATCH` attempts — their
new scores, one `attempt_regrade` audit entry each (before → after, who, why), the run's counters —
so SQLite's write lock is never held for long and a retry resumes after the last batch; after each
commit every changed attempt is announced (`attempt_regraded`: mastery and results listen to any
change of a score, not only a pass change). Then the exam's stored item statistics are stored again.

Idempotent: an attempt whose recomputed result equals its stored one is not written, so applying
the same fix twice writes no score and no audit entry the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app.audit import record
from app.errors import Conflict, NotFound
from app.events import announce, attempt_regraded
from app.exams import analysis, regrade
from app.exams.access import Viewer, exam_to_change
from app.extensions import db
from app.models import Attempt, Exam, ExamQuestionAdjustment, ExamRegradeJob, Person
from app.models.exam_regrade import RegradeStatus
from app.models.exams import AttemptState

BACKGROUND_ABOVE = 200  # attempts: a larger regrade runs in the background with a progress page
BATCH = 200  # attempts per commit
WAITING = (RegradeStatus.QUEUED, RegradeStatus.RUNNING)
STALLED_AFTER = timedelta(minutes=10)
PASS_CHANGES_KEPT = 1_000  # attempts whose pass/fail changed, listed on the result page
BUSY = "本场考试正在重新评分，请等这次完成后再调整。"
FAILED = "重新评分过程中出错，已停止。已完成的答卷都已保存；可以再次确认重新评分，已改过的答卷不会重复改动。"


def _waiting(exam_id: int) -> ExamRegradeJob | None:
    return db.session.scalar(select(ExamRegradeJob).where(ExamRegradeJob.running_key == str(exam_id)))


def _stalled(job: ExamRegradeJob, now: datetime) -> bool:
    return job.status in WAITING and job.updated_at < now - STALLED_AFTER


def _stop(job: ExamRegradeJob, message: str, *, now: datetime) -> None:
    job.status, job.error, job.running_key, job.finished_at = RegradeStatus.FAILED, message, None, now


def _store_fix(found: regrade.Target, kind: str, data: dict, reason: str, *, actor_id: int, now: datetime) -> None:
    """Store the question's fix; an identical one changes nothing (no new entry, no audit)."""
    fix = found.fix
    if fix is not None and (fix.kind, fix.data) == (kind, data):
        return
    before = {"kind_before": fix.kind, "data_before": fix.data, "reason_before": fix.reason} if fix else {}
    if fix is None:
        fix = ExamQuestionAdjustment(exam_id=found.exam.id, question_id=found.question_id)
        db.session.add(fix)
    fix.kind, fix.data, fix.reason, fix.created_by_id, fix.created_at = kind, data, reason, actor_id, now
    record("exam_question_adjust", fix, actor_id=actor_id, exam_id=found.exam.id, question_id=found.question_id,
           kind=kind, data=data, reason=reason, **before)


def apply(viewer: Viewer, exam_id: int, question_id: int, given: regrade.FixInput, *, now: datetime) -> ExamRegradeJob:
    """Store the fix and create its run (committed); a small run has already run when this returns.

    Refuses (Conflict) while another run of the exam waits or runs; one silent for STALLED_AFTER is
    stopped and replaced. Nothing is written when the fix does not fit (DomainError).
    """
    found = regrade.target(viewer, exam_id, question_id)
    adjustment, data = regrade.build_fix(found, given)
    waiting = _waiting(found.exam.id)
    if waiting is not None and not _stalled(waiting, now):
        raise Conflict(BUSY)
    if waiting is not None:
        _stop(waiting, "长时间没有进展（服务可能曾重启），已停止。", now=now)
        db.session.flush()  # frees the exam's running key
    _store_fix(found, adjustment.kind, data, " ".join(given.reason.split()), actor_id=viewer.person_id, now=now)
    total = db.session.scalar(select(func.count()).select_from(Attempt).where(regrade.holding(found.exam.id, question_id)))
    job = ExamRegradeJob(exam_id=found.exam.id, question_id=question_id, created_by_id=viewer.person_id,
                         created_at=now, updated_at=now, running_key=str(found.exam.id), total=total,
                         background=total > BACKGROUND_ABOVE, pass_changes=[])
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent confirm created the exam's run first
        db.session.rollback()
        raise Conflict(BUSY) from None
    job_id = job.id
    if not job.background:
        run(job_id, now=lambda: now)
    return db.session.get(ExamRegradeJob, job_id)


def _next_batch(exam_id: int, question_id: int, after: int) -> list[int]:
    return list(db.session.scalars(select(Attempt.id).where(regrade.holding(exam_id, question_id), Attempt.id > after)
                                   .order_by(Attempt.id).limit(BATCH)))


def _why(job: ExamRegradeJob) -> dict:
    fix = db.session.scalar(select(ExamQuestionAdjustment).filter_by(exam_id=job.exam_id, question_id=job.question_id))
    return {"question_id": job.question_id, "regrade_job_id": job.id,
            "kind": fix.kind if fix else None, "reason": fix.reason if fix else None}


def run(job_id: int, *, now: Callable[[], datetime]) -> None:
    """Recompute the run's attempts batch by batch, one commit each; then finish the run.

    A run no longer waiting (finished, stopped, or taken over after stalling) is left alone.
    """
    job = db.session.get(ExamRegradeJob, job_id)
    if job is None or job.status not in WAITING:
        return
    exam = db.session.get(Exam, job.exam_id)
    exam_id, question_id, actor_id, why = exam.id, job.question_id, job.created_by_id, _why(job)
    counts = {"done": job.done, "changed": job.changed, "last_attempt_id": job.last_attempt_id,
              "pass_changes": list(job.pass_changes)}
    job.status, job.updated_at = RegradeStatus.RUNNING, now()
    db.session.commit()  # seen by the page before the first batch is done
    try:
        fixes = regrade.fixes_of(exam_id)
        while ids := _next_batch(exam_id, question_id, counts["last_attempt_id"]):
            changed = regrade.write(exam_id, regrade.recompute(exam, ids, fixes), actor_id=actor_id, why=why)
            counts["done"] += len(ids)
            counts["changed"] += len(changed)
            counts["last_attempt_id"] = ids[-1]
            counts["pass_changes"] += [_pass_change(o) for o in changed if o.pass_change][
                :max(PASS_CHANGES_KEPT - len(counts["pass_changes"]), 0)]
            db.session.execute(update(ExamRegradeJob).where(ExamRegradeJob.id == job_id)
                               .values(**counts, updated_at=now()))
            db.session.commit()  # one batch: its scores, their audit entries and the run's counters
            for outcome in changed:
                announce(attempt_regraded, attempt_id=outcome.attempt_id)
    except OperationalError:  # transient (locked, connection lost): the task retries and resumes
        db.session.rollback()
        raise
    except Exception:
        db.session.rollback()
        _stop(db.session.get(ExamRegradeJob, job_id), FAILED, now=now())
        db.session.commit()
        raise
    job = db.session.get(ExamRegradeJob, job_id)
    job.status, job.running_key, job.finished_at, job.total = RegradeStatus.FINISHED, None, now(), counts["done"]
    db.session.commit()
    if counts["changed"]:
        analysis.store(exam_id, now=now())  # the stored item statistics were measured on the old scores


def _pass_change(outcome: regrade.Outcome) -> list:
    before, after = outcome.before, outcome.after
    return [outcome.attempt_id, before.score, after.score, before.max_score, after.max_score,
            before.passed, after.passed]


def regrade_finished(attempt_id: int, *, now: datetime) -> bool:
    """An attempt finished after its exam got fixes: recompute it with them; True when it changed.

    Commits and announces `attempt_regraded` when the score changed.
    """
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.state != AttemptState.FINISHED:
        return False
    exam = db.session.get(Exam, attempt.exam_id)
    fixes = regrade.fixes_of(exam.id)
    if not fixes:
        return False
    changed = regrade.write(exam.id, regrade.recompute(exam, [attempt_id], fixes), actor_id=None,
                            why={"reason": "交卷后按本场考试已有的重新评分调整评分"})
    db.session.commit()
    if changed:
        announce(attempt_regraded, attempt_id=attempt_id)
    return bool(changed)


# --- the run's page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassChange:
    person: Person
    attempt_id: int
    score_before: int
    score_after: int
    max_before: int
    max_after: int
    passed_after: bool


@dataclass(frozen=True)
class JobView:
    job: ExamRegradeJob
    exam: Exam
    fix: ExamQuestionAdjustment | None
    percent: int
    stalled: bool
    pass_changes: list[PassChange]


def percent(job: ExamRegradeJob) -> int:
    if job.status == RegradeStatus.FINISHED:
        return 100
    return job.done * 100 // max(job.total, 1)


def job_view(viewer: Viewer, exam_id: int, job_id: int, *, now: datetime) -> JobView:
    """The run (of an exam the viewer may change) with the attempts whose pass/fail changed."""
    exam = exam_to_change(viewer, exam_id)
    job = db.session.get(ExamRegradeJob, job_id)
    if job is None or job.exam_id != exam.id:
        raise NotFound("这次重新评分不存在。")
    ids = [row[0] for row in job.pass_changes]
    owners = dict(db.session.execute(select(Attempt.id, Attempt.person_id).where(Attempt.id.in_(ids))).all()) if ids else {}
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(set(owners.values()))))}
    changes = [PassChange(people[owners[a]], a, sb, sa, mb, ma, bool(pa))
               for a, sb, sa, mb, ma, _pb, pa in job.pass_changes if a in owners]
    fix = db.session.scalar(select(ExamQuestionAdjustment).filter_by(exam_id=exam.id, question_id=job.question_id))
    return JobView(job, exam, fix, percent(job), _stalled(job, now), changes)
