"""What the instructor's home page shows of the bank: questions waiting for them, their recent imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from app.auth.scope import Scope
from app.bank.categories import in_scope_clause
from app.extensions import db
from app.models import BankImport, Question, QuestionCategory
from app.models.bank import QuestionStatus
from app.models.people import ImportStatus

RECENT_IMPORTS = 5


@dataclass(frozen=True)
class RecentImport:
    id: int
    filename: str
    status: str
    created_at: datetime

    @property
    def status_label(self) -> str:
        return ImportStatus.label_of(self.status)

    @property
    def waiting(self) -> bool:
        """Whether the instructor still has to look at it (a preview to confirm, a parse under way)."""
        return self.status in (ImportStatus.PREVIEWED, ImportStatus.QUEUED, ImportStatus.PARSING)


@dataclass(frozen=True)
class BankWork:
    needs_review: int  # flagged for a changed 法规依据 (bank.review)
    drafts: int  # not yet approved (草稿), so not used in quizzes and exams
    imports: list[RecentImport]


def instructor_work(actor_id: int, scope: Scope, *, limit: int = RECENT_IMPORTS) -> BankWork:
    """Count the questions in scope awaiting review or approval, and list the actor's latest imports."""
    needs_review, drafts = db.session.execute(
        select(func.coalesce(func.sum(case((Question.needs_review.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Question.status == QuestionStatus.DRAFT, 1), else_=0)), 0))
        .select_from(Question).join(QuestionCategory).where(in_scope_clause(scope))).one()
    imports = [RecentImport(*row) for row in db.session.execute(
        select(BankImport.id, BankImport.filename, BankImport.status, BankImport.created_at)
        .where(BankImport.created_by_id == actor_id)
        .order_by(BankImport.created_at.desc(), BankImport.id.desc()).limit(limit))]
    return BankWork(int(needs_review), int(drafts), imports)
