"""Celery tasks of the study area: ids in, services do the work."""

from celery import shared_task

from app import clock
from app.celery_app import RETRY_TRANSIENT
from app.study import assignments, generate, ledger


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def sync_assignments_task(person_ids: list[int], year: int | None = None) -> int:
    """Create missing syllabus assignments for the given people.

    Idempotent: it only adds the (person, course, year) assignments still missing, committing per
    person, so a retry after a partial run finishes the rest and creates nothing twice.
    """
    return assignments.sync_all(today=clock.today(), year=year, person_ids=list(person_ids))


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def year_turn_task() -> dict:
    """At the turn of the year: carry last year's excess 学时 over, then assign this year's courses.

    Idempotent: a carry-over entry is keyed by (person, "carry_over", year), written at most once,
    and the assignment sync adds only what is missing.
    """
    now = clock.now()
    year = clock.local_date(now).year
    carried = ledger.carry_over_all(year - 1, now=now)
    assigned = assignments.sync_all(today=clock.local_date(now), year=year)
    return {"carried": carried, "assigned": assigned}


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def generate_assignments_task(job_id: int) -> None:
    """Run the admin's 按培训大纲生成培训任务 job (a thread in the embedded mode, a worker in production).

    Idempotent: the job commits once per person and a retry resumes after the last person
    committed; only missing assignments are created; a job already finished or stopped is left alone.
    """
    generate.run(job_id, today=clock.today(), now=clock.now)
