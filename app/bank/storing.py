"""Storing many questions at once (imports, starter banks) with bulk INSERTs."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import insert, select

from app.bank.categories import ensure_path, names_of
from app.extensions import db
from app.models import (
    Competency,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    question_competency,
)
from app.models.bank import TAG_MAX
from question_bank import Question as BankQuestion

Prepared = tuple[dict, str]  # (the engine's to_dict, its fingerprint)
CategoryFor = Callable[[tuple[str, ...]], QuestionCategory]
_TAG = re.compile(r"<[^>]+>")


def prepare(q: BankQuestion) -> Prepared:
    """Return what storing needs from an engine question."""
    return q.to_dict(), q.fingerprint()


def row_values(data: dict, fingerprint: str) -> dict:
    """Return a Question row's denormalised fields for a stored question dict."""
    stem = data["stem"]
    return {
        "qtype": data["type"],
        "data": data,
        "fingerprint": fingerprint,
        "stem_text": _TAG.sub("", stem) if data.get("stem_format") == "html" else stem,
        "difficulty": data.get("difficulty"),
        "legal_basis": (data.get("legal_basis") or "")[:300],
        "external_id": data.get("external_id") or None,
    }


def tag_values(data: dict) -> list[str]:
    """Return a stored question dict's tags as the question_tag rows keep them (cut, no repeats)."""
    return list(dict.fromkeys(tag[:TAG_MAX] for tag in data.get("tags") or ()))


def replace_tags(question: Question, data: dict) -> None:
    """Make a question's tag rows those of `data`, keeping the rows that stay."""
    wanted = tag_values(data)
    kept = [row for row in question.tag_rows if row.tag in wanted]
    have = {row.tag for row in kept}
    question.tag_rows = kept + [QuestionTag(tag=tag) for tag in wanted if tag not in have]


def target_chooser(base: QuestionCategory | None, owner_unit_id: int | None, *,
                   use_file_categories: bool, fallback: tuple[str, ...] = ("导入",)) -> CategoryFor:
    """Return a function placing a question in `base`, or by its own category path (below base)."""
    cache: dict[tuple[str, ...], QuestionCategory] = {}

    def choose(path: tuple[str, ...]) -> QuestionCategory:
        path = path if use_file_categories else ()
        if base is not None and not path:
            return base
        path = path or fallback
        if path not in cache:
            cache[path] = ensure_path(path, owner_unit_id, under=base)
        return cache[path]

    return choose


def store(items: list[Prepared], category_for: CategoryFor, *, actor_id: int | None,
          status: str = "draft", note: str = "导入") -> list[int]:
    """Insert questions (version 1 each, competencies and tags linked) without committing; return ids."""
    if not items:
        return []
    codes = {code for data, _fp in items for code in data.get("competencies", [])}
    competency_ids = dict(db.session.execute(
        select(Competency.code, Competency.id).where(Competency.code.in_(codes))).all()) if codes else {}
    names: dict[int, list[str]] = {}
    rows = []
    for data, fingerprint in items:
        category = category_for(tuple(data.get("category") or ()))
        if category.id not in names:
            names[category.id] = list(names_of(category))
        stored = data | {"category": names[category.id]}
        rows.append(row_values(stored, fingerprint) | {
            "category_id": category.id, "status": status, "created_by_id": actor_id, "current_number": 1,
            "needs_review": False, "review_reason": ""})
    db.session.flush()
    ids = list(db.session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True), rows))
    db.session.execute(insert(QuestionVersion), [
        {"question_id": qid, "number": 1, "data": row["data"], "note": note[:300], "created_by_id": actor_id}
        for qid, row in zip(ids, rows, strict=True)])
    links = [{"question_id": qid, "competency_id": competency_ids[code]}
             for qid, row in zip(ids, rows, strict=True) for code in dict.fromkeys(row["data"].get("competencies", []))
             if code in competency_ids]
    if links:
        db.session.execute(insert(question_competency), links)
    tags = [{"question_id": qid, "tag": tag}
            for qid, row in zip(ids, rows, strict=True) for tag in tag_values(row["data"])]
    if tags:
        db.session.execute(insert(QuestionTag), tags)
    return ids
