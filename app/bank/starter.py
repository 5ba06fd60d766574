"""Load the starter question banks from course_content/banks/<workforce code>.csv (idempotent)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.audit import record
from app.bank import imports
from app.bank.questions import add_version, competencies_by_code, unknown_codes_message
from app.bank.storing import prepare
from app.errors import DomainError
from app.extensions import db
from app.models import OrgUnit, Question, Workforce


def _owner_for(code: str) -> int | None:
    """Return the id of the root unit of the workforce with this code, or None."""
    query = (select(OrgUnit.id).join(Workforce, OrgUnit.workforce_id == Workforce.id)
             .where(Workforce.code == code, OrgUnit.depth == 0).order_by(OrgUnit.id))
    return db.session.scalars(query).first()


def _read(path: Path):
    try:
        result = imports.parse("csv", path.read_bytes(), path.name)
    except imports.QuestionBankError as error:
        raise DomainError(f"{path.name}：{error.message}") from None
    if result.issues:
        raise DomainError("；".join(issue.message for issue in result.issues[:10]))
    known = competencies_by_code({c for q in result.questions for c in q.competencies})
    unknown = {c for q in result.questions for c in q.competencies} - set(known)
    if unknown:
        raise DomainError(f"{path.name}：{unknown_codes_message(unknown)}")
    return result.questions, known


def _load_one(path: Path) -> int:
    """Upsert one bank by 编号: unchanged → skip, changed → new version, new → ready question."""
    questions, known = _read(path)
    owner = _owner_for(path.stem)
    existing = {q.external_id: q for q in db.session.scalars(
        select(Question).where(Question.external_id.in_([q.external_id for q in questions if q.external_id])))}
    choose = imports.target_chooser(None, owner, use_file_categories=True, fallback=(path.stem,))
    new, changed = [], 0
    for q in questions:
        row = existing.get(q.external_id) if q.external_id else None
        if row is None:
            new.append(q)
            continue
        category = choose(q.category)
        if row.data != q.to_dict() | {"category": list(q.category or (path.stem,))} or row.category_id != category.id:
            add_version(row, q, category, known, actor_id=None, note="随初始题库更新")
            changed += 1
    imports.store([prepare(q) for q in new], choose, actor_id=None, status="ready", note="初始题库")
    if new or changed:
        record("bank_starter_load", None, actor_id=None, file=path.name, created=len(new), updated=changed)
    return len(new) + changed


def load_starter_banks(banks_dir: Path) -> dict[str, int]:
    """Import every <code>.csv bank; return {code: questions created or updated}. All or nothing."""
    counts = {}
    try:
        for path in sorted(Path(banks_dir).glob("*.csv")):
            counts[path.stem] = _load_one(path)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return counts
