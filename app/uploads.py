"""Uploaded roster and question files: the size limit, where a staged file waits for its task,
and the progress a parsing task reports on its batch.

The limits are settings (app/config.py); the readers in `question_bank.formats` apply the rest
(rows, columns, characters) as they read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from app.errors import DomainError
from app.extensions import db
from app.models.people import ImportStatus
from question_bank.formats.limits import Limits, size_text

WAITING = (ImportStatus.QUEUED, ImportStatus.PARSING)


class TooLarge(DomainError):
    """The upload is over the size limit."""

    status_code = 413


def max_size_text() -> str:
    return size_text(current_app.config["UPLOAD_MAX_BYTES"])


def too_large_message() -> str:
    return f"文件超过 {max_size_text()} 的上限，请拆分后分批上传。"


def too_large_page(_error: Exception):
    """The answer to a request over MAX_CONTENT_LENGTH, which Werkzeug refuses from its
    Content-Length before reading the body: name the file limit (the areas with uploads register it)."""
    return render_template("errors/error.html", status=413, message=too_large_message()), 413


def read_upload(storage: Any) -> bytes:
    """Return an uploaded file's bytes, reading at most one byte past the limit (TooLarge if over).

    Werkzeug already refused a request longer than MAX_CONTENT_LENGTH from its Content-Length.
    """
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(too_large_message())
    if not data:
        raise DomainError("上传的文件是空的。")
    return data


def limits(rows: int, chars: int) -> Limits:
    """The limits of one kind of upload: its rows (or questions) and characters per cell (or field)."""
    config = current_app.config
    return Limits(rows=rows, columns=config["UPLOAD_MAX_COLUMNS"], chars=chars,
                  unpacked=config["UPLOAD_MAX_UNPACKED_BYTES"])


def quick_check_bytes() -> int:
    return current_app.config["UPLOAD_QUICK_CHECK_BYTES"]


def upload_dir() -> Path:
    """The folder staged uploads wait in for their task (the task gets it as a string)."""
    return Path(current_app.instance_path) / "uploads"


def staged_file(upload_dir: str | Path, kind: str, batch_id: int) -> Path:
    return Path(upload_dir) / f"{kind}-import-{batch_id}.upload"


def progress_reporter(batch: Any) -> Callable[[int, int], None]:
    """Return a callback that records a batch's progress, committing every 10%.

    It commits on its own so the progress page (another request) sees it while the task runs.
    """
    state = {"shown": -1}

    def report(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent // 10 > state["shown"]:
            state["shown"] = percent // 10
            batch.status, batch.progress_done, batch.progress_total = ImportStatus.PARSING, done, total
            db.session.commit()

    return report


def percent(batch: Any) -> int:
    """Return how much of its file a batch's task has read."""
    if batch.status == ImportStatus.PARSING:
        return batch.progress_done * 100 // max(batch.progress_total, 1)
    return 100 if batch.status in (ImportStatus.PREVIEWED, ImportStatus.INVALID, ImportStatus.IMPORTED) else 0
