"""The question bank: categories, questions with immutable versions, competencies, import batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.curriculum import Competency
from app.models.org import OrgUnit
from app.models.people import ImportStatus
from question_bank.base import EXTERNAL_ID_MAX


class QuestionStatus(LabeledStrEnum):
    """A question is a draft until reviewed; ready questions are used; retired ones are kept."""

    DRAFT = "draft", "草稿"
    READY = "ready", "已审核"
    RETIRED = "retired", "停用"

TAG_MAX = 100  # characters of a tag kept for search (the version's data keeps the whole tag)

question_competency = Table(
    "question_competency",
    db.metadata,
    Column("question_id", ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class QuestionCategory(db.Model):
    """A category of the bank tree; `owner_unit_id` decides which instructors may edit it."""

    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("question_category.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)

    parent: Mapped[QuestionCategory | None] = relationship(remote_side="QuestionCategory.id")
    owner_unit: Mapped[OrgUnit | None] = relationship()


class Question(db.Model):
    """A question's identity and searchable summary; its content lives in versions.

    `current_number` names the latest QuestionVersion; exams and attempts refer to version
    rows, so editing a question (a new version) never changes an attempt already taken.
    """

    __table_args__ = (Index("ix_question_category_status", "category_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("question_category.id"))
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    qtype: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(10), default=QuestionStatus.DRAFT)
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    review_reason: Mapped[str] = mapped_column(String(300), default="")
    current_number: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the current version's content
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    stem_text: Mapped[str] = mapped_column(Text, default="")  # plain stem for text search
    difficulty: Mapped[int | None]
    legal_basis: Mapped[str] = mapped_column(String(300), default="", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    category: Mapped[QuestionCategory] = relationship()
    competencies: Mapped[list[Competency]] = relationship(secondary=question_competency)
    tag_rows: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan",
                                                       order_by="QuestionTag.tag")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return QuestionStatus.label_of(self.status)

    @property
    def tags(self) -> list[str]:
        """Return the tags as stored for search, in tag order (the version data keeps the written order)."""
        return [row.tag for row in self.tag_rows]


class QuestionTag(db.Model):
    """A tag (标签) of a question's current version, one row each so the bank can filter by tag."""

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(TAG_MAX), primary_key=True, index=True)


class QuestionVersion(db.Model):
    """One immutable version of a question's content (question_bank's `to_dict`)."""

    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    number: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    question: Mapped[Question] = relationship(back_populates="versions")


class BankImport(db.Model):
    """A previewed question file waiting for confirmation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    filename: Mapped[str] = mapped_column(String(200))
    fmt: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int] = mapped_column(ForeignKey("question_category.id"))
    questions: Mapped[list] = mapped_column(JSON, default=list)  # question dicts that parsed
    issues: Mapped[list] = mapped_column(JSON, default=list)  # [{line, message}]
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.PREVIEWED)
    progress_done: Mapped[int] = mapped_column(default=0, server_default="0")  # of progress_total, while parsing
    progress_total: Mapped[int] = mapped_column(default=0, server_default="0")
