"""People, their roles and scopes, login sessions, mentor links and roster import batches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.org import Grade, OrgUnit, Post


class Role(LabeledStrEnum):
    """What a role grant lets a person do (admins and instructors within the grant's unit)."""

    TRAINEE = "trainee", "学员"
    INSTRUCTOR = "instructor", "教官"
    ADMIN = "admin", "管理员"


class PersonStatus(LabeledStrEnum):
    ACTIVE = "active", "在岗"
    LEFT = "left", "离岗"


class MentorKind(LabeledStrEnum):
    BAOLIAN = "baolian", "包联"
    MENTOR = "mentor", "导师"


class ImportStatus(LabeledStrEnum):
    """Where a roster or question import batch stands; a parse's progress has columns of its own."""

    QUEUED = "queued", "排队等待解析"
    PARSING = "parsing", "正在解析"
    PREVIEWED = "previewed", "待确认"
    INVALID = "invalid", "有错误"
    IMPORTED = "imported", "已导入"
    FAILED = "failed", "解析失败"


class Person(db.Model):
    """A member of staff; also the login account (by staff number)."""

    # a unit's people in staff-number order: the person ledger's page (`needs/person_ledger.py`)
    __table_args__ = (Index("ix_person_unit_staff", "unit_id", "staff_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")  # reminders by email (催学)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"), index=True)
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("grade.id"))
    joined_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default=PersonStatus.ACTIVE)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    login_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]

    unit: Mapped[OrgUnit] = relationship()
    post: Mapped[Post | None] = relationship()
    grade: Mapped[Grade | None] = relationship()
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )

    @property
    def status_label(self) -> str:
        return PersonStatus.label_of(self.status)

    def has_role(self, role: str) -> bool:
        return any(grant.role == role for grant in self.roles)

    @property
    def role_names(self) -> set[str]:
        return {grant.role for grant in self.roles}


class RoleGrant(db.Model):
    """A role held by a person; admins (and optionally instructors) are scoped to a subtree."""

    __table_args__ = (UniqueConstraint("person_id", "role", "scope_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))

    person: Mapped[Person] = relationship(back_populates="roles")
    scope_unit: Mapped[OrgUnit | None] = relationship()

    @property
    def label(self) -> str:
        return Role.label_of(self.role)


class LoginSession(db.Model):
    """A server-side login session; its random id is what the session cookie carries."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(64), default="")

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class ApiToken(db.Model):
    """A personal access token for the JSON API: shown once, stored as its SHA-256, expiring.

    The token itself has 256 random bits, so a plain hash (not a slow password hash) is enough
    and lets each request find its row by index.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True)


class MentorLink(db.Model):
    """A mentor (导师) or 包联 responsibility of one person for another."""

    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MentorKind.MENTOR)
    started_on: Mapped[date | None]

    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])

    @property
    def kind_label(self) -> str:
        return MentorKind.label_of(self.kind)


class RosterImport(db.Model):
    """A roster file: queued, checked by a task (progress in its own columns), then previewed and
    waiting for confirmation. Only a clean file keeps its rows (validated again on confirm); a file
    with errors keeps the first errors and the preview, a failed one only its message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[list] = mapped_column(JSON, default=list)  # the file's data rows, while previewed
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.PREVIEWED)
    progress_done: Mapped[int] = mapped_column(default=0, server_default="0")  # of progress_total, while checking
    progress_total: Mapped[int] = mapped_column(default=0, server_default="0")
    row_count: Mapped[int] = mapped_column(default=0, server_default="0")  # data rows in the file
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{row, message}], the first ones
    error_count: Mapped[int] = mapped_column(default=0, server_default="0")
    people: Mapped[list] = mapped_column(JSON, default=list)  # the first rows as the preview shows them
