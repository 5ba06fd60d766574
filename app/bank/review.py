"""Regulation review: flag every question citing a changed 法规依据, and re-approve them."""

from __future__ import annotations

from sqlalchemy import select

from app.audit import record
from app.auth.scope import Scope
from app.bank.categories import in_scope_clause
from app.bank.questions import get_question
from app.errors import DomainError
from app.extensions import db
from app.models import Question, QuestionCategory


def _citing(scope: Scope, basis: str):
    return (select(Question).join(QuestionCategory)
            .where(in_scope_clause(scope), Question.legal_basis.contains(basis, autoescape=True)))


def preview(scope: Scope, basis: str, limit: int = 200) -> list[Question]:
    """Return the questions in scope whose 法规依据 contains the text."""
    basis = (basis or "").strip()
    if not basis:
        return []
    return list(db.session.scalars(_citing(scope, basis).order_by(Question.id).limit(limit)))


def flag_citing(actor_id: int, scope: Scope, basis: str, reason: str) -> int:
    """Mark every question in scope citing `basis` as needing review; return how many."""
    basis, reason = (basis or "").strip(), (reason or "").strip()
    if len(basis) < 2:
        raise DomainError("请填写至少两个字的法规名称或条款。")
    if not reason:
        raise DomainError("请说明复核原因，如“2026年修订，第十条有变化”。")
    text = f"法规依据“{basis}”变更：{reason}"[:300]
    count = 0
    for question in db.session.scalars(_citing(scope, basis)):
        question.needs_review = True
        question.review_reason = text
        count += 1
    record("bank_review_flag", None, actor_id=actor_id, basis=basis, reason=reason, count=count)
    db.session.commit()
    return count


def flagged(scope: Scope, page_number: int, per_page: int):
    """Return a page of the questions in scope awaiting review."""
    query = (select(Question).join(QuestionCategory)
             .where(in_scope_clause(scope), Question.needs_review.is_(True)).order_by(Question.id))
    return db.paginate(query, page=page_number, per_page=per_page, error_out=False)


def reapprove(actor_id: int, scope: Scope, question_id: int) -> Question:
    """Clear a question's review flag after an instructor checked it."""
    question = get_question(scope, question_id)
    if not question.needs_review:
        raise DomainError("该试题不需要复核。")
    record("bank_review_clear", question, actor_id=actor_id, reason=question.review_reason)
    question.needs_review = False
    question.review_reason = ""
    db.session.commit()
    return question
