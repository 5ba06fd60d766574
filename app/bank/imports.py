"""Importing question files: check parsed questions, stage them for preview, then store them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from app.audit import record
from app.bank.questions import competencies_by_code, owner_fingerprints, unknown_codes_message
from app.bank.storing import Prepared, prepare, store, target_chooser
from app.extensions import db
from app.models import Question
from question_bank import FormatError, QuestionBankError
from question_bank import Question as BankQuestion
from question_bank.formats import NO_LIMITS, Limits, detect_format, parse


@dataclass
class Entry:
    """One parsed question and what the checks found about it."""

    number: int
    data: dict
    problem: str = ""
    duplicate_of: int | None = None  # id of the existing question, 0 for an earlier one in the file
    external_taken: int | None = None

    fingerprint: str = ""

    def as_json(self) -> dict:
        return {"number": self.number, "data": self.data, "fingerprint": self.fingerprint, "problem": self.problem,
                "duplicate_of": self.duplicate_of, "external_taken": self.external_taken}


@dataclass
class Checked:
    """The result of reading and checking a file."""

    fmt: str
    entries: list[Entry] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)  # {"line", "message"} from the parser

    @property
    def problems(self) -> list[Entry]:
        return [e for e in self.entries if e.problem]

    @property
    def duplicates(self) -> list[Entry]:
        return [e for e in self.entries if e.duplicate_of is not None and not e.problem]

    @property
    def error_count(self) -> int:
        return len(self.issues) + len(self.problems)


def read_file(filename: str, data: bytes, fmt: str | None = None,
              progress: Callable[[int, int], None] | None = None, limits: Limits = NO_LIMITS):
    """Parse a file (format from its name unless given); FormatError for an unreadable file or
    one past the limits."""
    fmt = fmt or detect_format(filename, data)
    return fmt, parse(fmt, data, filename, progress=progress, limits=limits)


def check(fmt: str, questions: list[BankQuestion], issues, owner_unit_id: int | None) -> Checked:
    """Check parsed questions: unknown competencies, repeated or taken 编号, duplicates."""
    checked = Checked(fmt, issues=[{"line": i.line, "message": i.message} for i in issues])
    known = competencies_by_code({c for q in questions for c in q.competencies})
    existing = owner_fingerprints(owner_unit_id, (q.fingerprint() for q in questions))
    ext_ids = [q.external_id for q in questions if q.external_id]
    taken = dict(db.session.execute(
        select(Question.external_id, Question.id).where(Question.external_id.in_(ext_ids))
    ).all()) if ext_ids else {}
    seen_fp: set[str] = set()
    seen_ext: set[str] = set()
    for number, q in enumerate(questions, start=1):
        data, fingerprint = prepare(q)
        entry = Entry(number, data, fingerprint=fingerprint)
        unknown = set(q.competencies) - set(known)
        entry.duplicate_of = existing.get(fingerprint, 0 if fingerprint in seen_fp else None)
        seen_fp.add(fingerprint)
        if unknown:
            entry.problem = unknown_codes_message(unknown)
        elif q.external_id and q.external_id in seen_ext:
            entry.problem = f"编号“{q.external_id}”在文件中重复"
        elif q.external_id in taken and taken[q.external_id] != entry.duplicate_of:
            entry.problem = f"编号“{q.external_id}”已被试题 #{taken[q.external_id]} 使用"
        entry.external_taken = taken.get(q.external_id)
        seen_ext.add(q.external_id)
        checked.entries.append(entry)
    return checked


def selection(entries: Iterable[dict], *, import_duplicates: bool) -> list[Prepared]:
    """Return the staged questions to store: no problems, duplicates only when asked."""
    chosen = []
    for entry in entries:
        if entry["problem"] or (entry["duplicate_of"] is not None and not import_duplicates):
            continue
        data = dict(entry["data"])
        if entry["external_taken"] is not None:
            data["external_id"] = ""  # an imported-anyway duplicate cannot take the existing 编号
        chosen.append((data, entry["fingerprint"]))
    return chosen


def audit_import(batch_or_none, *, actor_id: int | None, count: int, skipped: int, filename: str) -> None:
    record("bank_import", batch_or_none, actor_id=actor_id, count=count, skipped=skipped, filename=filename)


__all__ = ["FormatError", "QuestionBankError", "check", "parse", "read_file", "selection", "store",
           "target_chooser"]
