"""Celery tasks of the study area: ids in, services do the work."""

from celery import shared_task

from app import clock
from app.study import assignments, ledger


@shared_task(ignore_result=True)
def sync_assignments_task(person_ids: list[int], year: int | None = None) -> int:
    """Create missing syllabus assignments for the given people (safe to run again)."""
    return assignments.sync_all(today=clock.today(), year=year, person_ids=list(person_ids))


@shared_task(ignore_result=True)
def year_turn_task() -> dict:
    """At the turn of the year: carry last year's excess 学时 over, then assign this year's courses."""
    now = clock.now()
    year = clock.local_date(now).year
    carried = ledger.carry_over_all(year - 1, now=now)
    assigned = assignments.sync_all(today=clock.local_date(now), year=year)
    return {"carried": carried, "assigned": assigned}
