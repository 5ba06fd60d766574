"""Celery tasks of the org area: ids in, services do the work."""

from celery import shared_task

from app.celery_app import RETRY_TRANSIENT
from app.org import roster_batches


@shared_task(ignore_result=True, **RETRY_TRANSIENT)
def preview_roster_task(batch_id: int, upload_dir: str) -> None:
    """Read and check a staged roster file (a thread in the embedded mode, a worker in production).

    Idempotent: it works only on a batch still queued or checking, overwrites the batch's preview
    and deletes the uploaded file only once the preview is committed, so a retry reads it again.
    """
    roster_batches.preview_staged(batch_id, upload_dir)
