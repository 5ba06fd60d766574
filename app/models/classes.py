"""Offline training classes (培训班): sessions, enrolment, check-in attendance and evaluations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db
from app.models.curriculum import Competency, CreditKind
from app.models.org import OrgUnit
from app.models.people import Person


class ClassStatus(LabeledStrEnum):
    """A class is drafted, then published (trainees see it and check in), then closed."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已结束"


class AttendanceMethod(LabeledStrEnum):
    CODE = "code", "签到码"
    MANUAL = "manual", "管理员补录"

class_competency = Table(
    "class_competency",
    db.metadata,
    Column("class_id", ForeignKey("training_class.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TrainingClass(db.Model):
    """An offline training class organised by a unit; each attended session credits `credit_tenths`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    credit_tenths: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default=CreditKind.ELECTIVE)
    status: Mapped[str] = mapped_column(String(10), default=ClassStatus.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    unit: Mapped[OrgUnit] = relationship()
    competencies: Mapped[list[Competency]] = relationship(secondary=class_competency,
                                                          order_by="Competency.code")
    sessions: Mapped[list[ClassSession]] = relationship(
        back_populates="training_class", cascade="all, delete-orphan",
        order_by="(ClassSession.starts_at, ClassSession.id)")

    @property
    def kind_label(self) -> str:
        return CreditKind.label_of(self.kind)

    @property
    def status_label(self) -> str:
        return ClassStatus.label_of(self.status)


class ClassSession(db.Model):
    """One meeting of a class (naive UTC times) with its 6-digit check-in code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(100), default="")
    trainer: Mapped[str] = mapped_column(String(50), default="")
    code: Mapped[str] = mapped_column(String(6), index=True)

    training_class: Mapped[TrainingClass] = relationship(back_populates="sessions")


class Enrollment(db.Model):
    """A person enrolled in a class."""

    __table_args__ = (UniqueConstraint("class_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    training_class: Mapped[TrainingClass] = relationship()


class Attendance(db.Model):
    """A person's presence at a session; its id keys the 学时 ledger line it earned.

    Ids are never reused (AUTOINCREMENT on SQLite), so a removed and re-recorded attendance
    gets a new ledger line instead of colliding with the reversed one.
    """

    __table_args__ = (UniqueConstraint("session_id", "person_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=clock.now)
    method: Mapped[str] = mapped_column(String(10), default=AttendanceMethod.CODE)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    session: Mapped[ClassSession] = relationship()

    @property
    def method_label(self) -> str:
        return AttendanceMethod.label_of(self.method)


class Evaluation(db.Model):
    """A trainee's one evaluation (培训评估) of a class: ratings 1–5 and a comment."""

    __table_args__ = (UniqueConstraint("class_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_class.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    content_rating: Mapped[int]
    trainer_rating: Mapped[int]
    organisation_rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
