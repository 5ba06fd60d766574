"""Browsing the bank with filters, and changing the status of many questions at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.audit import record
from app.auth.scope import Scope
from app.bank.categories import get_category, in_scope_clause, subtree_ids
from app.errors import DomainError
from app.extensions import db
from app.models import Competency, Question, QuestionCategory, QuestionTag, question_competency

# Allowed status changes: from → to.
TRANSITIONS = {("draft", "ready"), ("ready", "retired"), ("retired", "draft")}


@dataclass(frozen=True)
class Filters:
    """What the bank browser shows; every field optional."""

    category_id: int | None = None
    qtype: str = ""
    status: str = ""
    competency: str = ""
    tag: str = ""
    difficulty: int | None = None
    needs_review: bool = False
    text: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read filters from request args (a MultiDict); bad numbers are ignored."""
        return cls(category_id=args.get("category_id", type=int) or None, qtype=args.get("qtype", ""),
                   status=args.get("status", ""), competency=args.get("competency", "").strip(),
                   tag=args.get("tag", "").strip(),
                   difficulty=args.get("difficulty", type=int) or None,
                   needs_review=args.get("needs_review") == "1", text=args.get("q", "").strip())


def filtered_query(scope: Scope, filters: Filters):
    """Return a select of the questions in scope matching the filters, newest first."""
    query = select(Question).join(QuestionCategory).where(in_scope_clause(scope))
    if filters.category_id:
        category = get_category(scope, filters.category_id)
        query = query.where(Question.category_id.in_(subtree_ids(category)))
    if filters.qtype:
        query = query.where(Question.qtype == filters.qtype)
    if filters.status:
        query = query.where(Question.status == filters.status)
    if filters.difficulty:
        query = query.where(Question.difficulty == filters.difficulty)
    if filters.needs_review:
        query = query.where(Question.needs_review.is_(True))
    if filters.competency:
        linked = (select(question_competency.c.question_id).join(Competency)
                  .where(Competency.code == filters.competency))
        query = query.where(Question.id.in_(linked))
    if filters.tag:
        query = query.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag)))
    if filters.text:
        query = query.where(Question.stem_text.contains(filters.text, autoescape=True))
    return query.order_by(Question.id.desc())


def page(scope: Scope, filters: Filters, page_number: int, per_page: int):
    """Return one page of the filtered questions."""
    return db.paginate(filtered_query(scope, filters), page=page_number, per_page=per_page, error_out=False)


def change_status(actor_id: int, scope: Scope, question_ids: list[int], status: str) -> tuple[int, list[str]]:
    """Move the chosen questions to `status`; return (changed, reasons for those left alone)."""
    if not question_ids:
        raise DomainError("请先勾选试题。")
    query = (select(Question).join(QuestionCategory)
             .where(in_scope_clause(scope), Question.id.in_(question_ids)))
    questions = list(db.session.scalars(query))
    if len(questions) != len(set(question_ids)):
        raise DomainError("所选试题中有的不存在或不在您的管理范围内。")
    changed, refused = 0, []
    for question in questions:
        if question.status == status:
            continue
        if (question.status, status) not in TRANSITIONS:
            refused.append(f"#{question.id}：不能从“{question.status_label}”直接改为该状态")
        elif status == "ready" and question.needs_review:
            refused.append(f"#{question.id}：待法规复核，复核通过后才能审核")
        else:
            record("bank_question_status", question, actor_id=actor_id, old=question.status, new=status)
            question.status = status
            changed += 1
    db.session.commit()
    return changed, refused
