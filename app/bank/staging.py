"""Web uploads parse in a task: check and stage the file, report progress on the batch, then preview it.

The upload limits (app/uploads.py) refuse a file at the upload when that is quick to find out,
storing nothing; the task applies them again as it reads the rest."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app import uploads
from app.audit import record
from app.auth.scope import Scope
from app.bank import imports
from app.bank.categories import get_category
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import BankImport, QuestionCategory
from app.models.people import ImportStatus
from question_bank.formats import Limits, check_upload, detect_format

WAITING = uploads.WAITING
percent = uploads.percent


def upload_path(upload_dir: Path, batch_id: int) -> Path:
    return uploads.staged_file(upload_dir, "bank", batch_id)


def limits() -> Limits:
    """The upload limits of question files (settings BANK_MAX_QUESTIONS, BANK_MAX_FIELD_CHARS)."""
    config = current_app.config
    return uploads.limits(config["BANK_MAX_QUESTIONS"], config["BANK_MAX_FIELD_CHARS"])


def stage(actor_id: int, scope: Scope, *, category_id: int | None, filename: str, data: bytes,
          upload_dir: Path) -> int:
    """Keep an upload for the parse task and create its batch (status queued); return its id.

    Only the id is returned: touching the committed object would open a new write transaction
    that the (eager) parse task would then wait for.
    """
    category = get_category(scope, category_id)
    if not data:
        raise DomainError("上传的文件是空的。")
    try:
        fmt = detect_format(filename, data)
        check_upload(fmt, data, filename, limits(), read_up_to=uploads.quick_check_bytes())
    except imports.QuestionBankError as error:
        raise DomainError(error.message) from None
    batch = BankImport(created_by_id=actor_id, filename=filename[:200], fmt=fmt, category_id=category.id,
                       questions=[], issues=[], status=ImportStatus.QUEUED)
    db.session.add(batch)
    record("bank_import_upload", batch, actor_id=actor_id, filename=batch.filename)
    db.session.flush()
    Path(upload_dir).mkdir(parents=True, exist_ok=True)
    batch_id = batch.id
    upload_path(upload_dir, batch_id).write_bytes(data)
    db.session.commit()
    return batch_id


def _fail(batch: BankImport, message: str, path: Path) -> None:
    path.unlink(missing_ok=True)
    batch.status = ImportStatus.FAILED
    batch.issues = [{"line": None, "message": message}]
    db.session.commit()


def parse_staged(batch_id: int, upload_dir: str) -> None:
    """Parse and check a staged upload, recording progress; safe to run again."""
    batch = db.session.get(BankImport, batch_id)
    path = upload_path(Path(upload_dir), batch_id)
    if batch is None or batch.status not in WAITING:
        return
    if not path.exists():
        return _fail(batch, "上传的文件已丢失，请重新上传。", path)
    try:
        _fmt, result = imports.read_file(batch.filename, path.read_bytes(), batch.fmt,
                                         progress=uploads.progress_reporter(batch), limits=limits())
    except imports.QuestionBankError as error:
        return _fail(batch, f"无法读取文件：{error.message}", path)
    if not result.questions and not result.issues:
        return _fail(batch, "文件中没有找到试题。", path)
    owner = db.session.get(QuestionCategory, batch.category_id).owner_unit_id
    checked = imports.check(batch.fmt, result.questions, result.issues, owner)
    batch.questions = [e.as_json() for e in checked.entries]
    batch.issues = checked.issues
    batch.status = ImportStatus.PREVIEWED
    record("bank_import_preview", batch, actor_id=batch.created_by_id, filename=batch.filename,
           questions=len(checked.entries), errors=checked.error_count)
    db.session.commit()
    path.unlink(missing_ok=True)


def own_batch(actor_id: int, scope: Scope, batch_id: int) -> BankImport:
    """Return the actor's own batch in any state (its category still in scope), else NotFound."""
    batch = db.session.get(BankImport, batch_id)
    if batch is None or batch.created_by_id != actor_id:
        raise NotFound("导入批次不存在。")
    get_category(scope, batch.category_id)
    return batch
