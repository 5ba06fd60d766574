"""Importing a question file in one go (CLI, benchmarks): check, then store all or the valid ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.bank import imports
from app.bank.categories import ensure_path
from app.errors import DomainError
from app.extensions import db


@dataclass
class Report:
    fmt: str = ""
    imported: int = 0
    skipped: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def summary(self) -> str:
        return f"导入 {self.imported} 题，跳过 {self.skipped} 题"


def _error_lines(checked: imports.Checked) -> list[str]:
    lines = [issue["message"] for issue in checked.issues]
    for entry in checked.problems:
        lines.append(f"第{entry.number}题：{entry.problem}")
    return lines


def import_bytes(filename: str, data: bytes, *, fmt: str | None = None, category_path: tuple[str, ...] = (),
                 owner_unit_id: int | None = None, skip_invalid: bool = False, dry_run: bool = False,
                 status: str = "draft", actor_id: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Report:
    """Parse, check and store a file; duplicates of existing questions are skipped (the existing one stays)."""
    try:
        fmt, result = imports.read_file(filename, data, fmt, progress=progress)
    except imports.QuestionBankError as error:
        raise DomainError(f"无法读取文件：{error.message}") from None
    checked = imports.check(fmt, result.questions, result.issues, owner_unit_id)
    report = Report(fmt=fmt, errors=_error_lines(checked), duplicates=len(checked.duplicates))
    chosen = imports.selection([e.as_json() for e in checked.entries], import_duplicates=False)
    report.skipped = len(checked.entries) - len(chosen) + len(checked.issues)
    if (report.errors and not skip_invalid) or not chosen:
        report.skipped += len(chosen)
        return report
    base = ensure_path(category_path, owner_unit_id) if category_path else None
    choose = imports.target_chooser(base, owner_unit_id, use_file_categories=base is None)
    rows = imports.store(chosen, choose, actor_id=actor_id, status=status,
                         note=f"导入自 {filename}")
    report.imported = len(rows)
    if dry_run:
        db.session.rollback()
        return report
    imports.audit_import(None, actor_id=actor_id, count=len(rows), skipped=report.skipped, filename=filename)
    db.session.commit()
    report.committed = True
    return report
