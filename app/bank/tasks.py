"""Celery tasks of the bank area: ids in, services do the work."""

from celery import shared_task

from app.bank import staging
from app.celery_app import RETRY_TRANSIENT


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def parse_bank_import_task(batch_id: int, upload_dir: str) -> None:
    """Parse a staged question file (eager in the embedded mode, a worker in production).

    Idempotent: it works only on a batch still queued or parsing, overwrites the batch's preview
    and deletes the uploaded file only once the preview is committed, so a retry parses it again.
    """
    staging.parse_staged(batch_id, upload_dir)
