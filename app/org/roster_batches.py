"""Roster uploads are previewed by a task: check and stage the file, read and check its rows in
the background with progress on the batch, then show the preview (like the question import).

The upload limits (app/uploads.py) refuse a file at the upload when that is quick to find out,
storing nothing; the task applies them again as it reads the rest.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app import uploads
from app.audit import record
from app.auth.scope import scope_of
from app.errors import DomainError
from app.extensions import db
from app.models import Person, RosterImport
from app.models.people import ImportStatus
from app.org import roster
from app.org.roster_file import check_roster_file, read_roster
from question_bank.formats.limits import Limits

MAX_ERRORS = 500  # row errors kept on a batch: enough to fix a file, bounded for a hostile one
PREVIEW_ROWS = 200  # rows the preview shows
SHOWN_CHARS = 60  # characters of a typed value the preview shows


def limits() -> Limits:
    """The upload limits of roster files (settings ROSTER_MAX_ROWS, ROSTER_MAX_CELL_CHARS)."""
    config = current_app.config
    return uploads.limits(config["ROSTER_MAX_ROWS"], config["ROSTER_MAX_CELL_CHARS"])


def upload_path(upload_dir: str | Path, batch_id: int) -> Path:
    return uploads.staged_file(upload_dir, "roster", batch_id)


def stage(actor_id: int, filename: str, data: bytes, upload_dir: str | Path) -> int:
    """Check an upload against the limits, keep it for the preview task and create its batch
    (queued); return its id. A refused file stores nothing.

    Only the id is returned: touching the committed object would open a new write transaction
    that the (eager) task would then wait for.
    """
    check_roster_file(filename, data, limits(), read_up_to=uploads.quick_check_bytes())
    batch = RosterImport(created_by_id=actor_id, filename=filename[:200], rows=[], status=ImportStatus.QUEUED)
    db.session.add(batch)
    record("roster_import_upload", batch, actor_id=actor_id, filename=batch.filename)
    db.session.flush()
    batch_id = batch.id
    Path(upload_dir).mkdir(parents=True, exist_ok=True)
    upload_path(upload_dir, batch_id).write_bytes(data)
    db.session.commit()
    return batch_id


def preview_staged(batch_id: int, upload_dir: str) -> None:
    """Read and check a staged roster file, recording progress; safe to run again."""
    batch = db.session.get(RosterImport, batch_id)
    path = upload_path(upload_dir, batch_id)
    if batch is None or batch.status not in uploads.WAITING:
        return
    if not path.exists():
        return _fail(batch, "上传的文件已丢失，请重新上传。", path)
    report = uploads.progress_reporter(batch)  # reading is the first half, checking the second
    try:
        rows = read_roster(batch.filename, path.read_bytes(), limits(), progress=lambda done, total: report(done, 2 * total))
    except DomainError as error:
        return _fail(batch, error.message, path)
    actor = db.session.get(Person, batch.created_by_id)
    scope = scope_of(list(actor.roles), "admin")
    people, errors = roster.validate(scope, rows, progress=lambda done, total: report(total + done, 2 * total))
    batch.status = ImportStatus.INVALID if errors else ImportStatus.PREVIEWED
    batch.rows = [] if errors else rows  # only a clean file can be confirmed
    batch.row_count, batch.error_count = len(rows), len(errors)
    batch.errors = [error.as_json() for error in errors[:MAX_ERRORS]]
    batch.people = [_shown(values) for values in people[:PREVIEW_ROWS]]
    batch.progress_done = batch.progress_total = len(rows)
    record("roster_import_preview", batch, actor_id=batch.created_by_id, filename=batch.filename,
           rows=len(rows), errors=len(errors))
    db.session.commit()
    path.unlink(missing_ok=True)


def _shown(values: dict) -> dict:
    """One row as the preview shows it, typed values cut short."""
    return {"row": values["row"], "staff_no": values["staff_no"][:SHOWN_CHARS], "name": values["name"][:SHOWN_CHARS],
            "unit_name": values["unit_name"], "joined_on": values["joined_on"], "status": values["status"]}


def _fail(batch: RosterImport, message: str, path: Path) -> None:
    """End a batch the task cannot preview: it keeps only the message; the file goes."""
    path.unlink(missing_ok=True)
    batch.status = ImportStatus.FAILED
    batch.rows, batch.people, batch.errors, batch.error_count = [], [], [{"row": None, "message": message}], 1
    db.session.commit()
