"""Celery tasks of the bank area: ids in, services do the work."""

from celery import shared_task

from app.bank import staging


@shared_task(ignore_result=True)
def parse_bank_import_task(batch_id: int, upload_dir: str) -> None:
    """Parse a staged question file (eager in the embedded mode, a worker in production)."""
    staging.parse_staged(batch_id, upload_dir)
