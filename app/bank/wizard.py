"""The web import wizard: upload → preview (stored in BankImport) → confirm."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth.scope import Scope
from app.bank import imports
from app.bank.categories import get_category
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import BankImport, Question
from app.models.people import ImportStatus


@dataclass(frozen=True)
class Summary:
    total: int
    errors: int
    duplicates: int
    importable: int


def summary(batch: BankImport) -> Summary:
    """Count what a staged batch holds."""
    entries = batch.questions
    problems = sum(1 for e in entries if e["problem"])
    duplicates = sum(1 for e in entries if e["duplicate_of"] is not None and not e["problem"])
    return Summary(len(entries), problems + len(batch.issues), duplicates, len(entries) - problems - duplicates)


def get_batch(actor_id: int, scope: Scope, batch_id: int) -> BankImport:
    """Return the actor's own staged batch whose category is still in scope."""
    batch = db.session.get(BankImport, batch_id)
    if batch is None or batch.created_by_id != actor_id or batch.status != ImportStatus.PREVIEWED:
        raise NotFound("导入批次不存在或已处理。")
    get_category(scope, batch.category_id)
    return batch


def existing_titles(batch: BankImport) -> dict[int, str]:
    """Return {question id: stem} for the existing questions the batch duplicates."""
    ids = {e["duplicate_of"] for e in batch.questions if e["duplicate_of"]}
    if not ids:
        return {}
    return dict(db.session.execute(select(Question.id, Question.stem_text).where(Question.id.in_(ids))).all())


def confirm(actor_id: int, scope: Scope, batch_id: int, *, skip_invalid: bool, import_duplicates: bool,
            use_file_categories: bool = False) -> tuple[int, int]:
    """Store the staged questions (all or nothing unless skipping invalid); return (stored, skipped)."""
    batch = get_batch(actor_id, scope, batch_id)
    counts = summary(batch)
    if counts.errors and not skip_invalid:
        raise DomainError(f"文件中有 {counts.errors} 处错误，未导入任何试题。请修改文件后重新上传，"
                          "或勾选“导入有效题目，跳过有问题的”。")
    chosen = imports.selection(batch.questions, import_duplicates=import_duplicates)
    if not chosen and not counts.duplicates:
        raise DomainError("没有可导入的试题。")
    category = get_category(scope, batch.category_id)
    choose = imports.target_chooser(category, category.owner_unit_id, use_file_categories=use_file_categories)
    rows = imports.store(chosen, choose, actor_id=actor_id, note=f"导入自 {batch.filename}")
    skipped = counts.total - len(rows) + len(batch.issues)
    batch.status = ImportStatus.IMPORTED
    batch.questions = []  # the rows now hold the content; keep the batch small
    imports.audit_import(batch, actor_id=actor_id, count=len(rows), skipped=skipped, filename=batch.filename)
    db.session.commit()
    return len(rows), skipped
