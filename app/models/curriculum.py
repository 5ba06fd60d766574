"""The curriculum as data: competencies, courses, lessons and post syllabi."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.codes import LabeledStrEnum
from app.extensions import db

LEVELS = ("初级", "中级", "高级")


class CreditKind(LabeledStrEnum):
    """必修/选修: the kind of a course, of a training class and of each 学时 ledger line."""

    REQUIRED = "required", "必修"
    ELECTIVE = "elective", "选修"


class Competency(db.Model):
    """A 能力项/知识点 with level descriptors; `parent_id` builds the tree.

    Inactive once it is gone from the content; questions and lessons that name it keep the link.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("competency.id"))
    workforces: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    levels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    parent: Mapped[Competency | None] = relationship(remote_side="Competency.id")


class Course(db.Model):
    """A course (课程); `credit_tenths` is 学时 × 10 so credit is never a float."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    workforces: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(10), default=CreditKind.REQUIRED)
    credit_tenths: Mapped[int] = mapped_column(default=10)
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="content")  # content | web
    active: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return CreditKind.label_of(self.kind)


class Lesson(db.Model):
    """A lesson (课时) of a course: Markdown body, minimum minutes, competencies, optional quiz."""

    __table_args__ = (UniqueConstraint("course_id", "file"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    file: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    min_minutes: Mapped[int] = mapped_column(default=15)
    competencies: Mapped[dict] = mapped_column(JSON, default=dict)
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    course: Mapped[Course] = relationship(back_populates="lessons")


class Syllabus(db.Model):
    """A post's training syllabus (培训大纲): targets, required and elective courses, annual 学时.

    Inactive once its file is gone from the content: it then assigns nothing and sets no targets.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    annual_tenths: Mapped[int] = mapped_column(default=0)
    annual_required_tenths: Mapped[int] = mapped_column(default=0)
    targets: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[list] = mapped_column(JSON, default=list)
    electives: Mapped[list] = mapped_column(JSON, default=list)
    certify: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    content_hash: Mapped[str] = mapped_column(String(64), default="")
