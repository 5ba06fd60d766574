"""The curriculum as data: competencies, courses, lessons and post syllabi."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app import clock
from app.codes import LabeledIntEnum, LabeledStrEnum
from app.extensions import db


class Level(LabeledIntEnum):
    """A competency level (能力等级): stored as its integer, so levels compare in order."""

    BASIC = 1, "初级"
    INTERMEDIATE = 2, "中级"
    ADVANCED = 3, "高级"


class LevelType(TypeDecorator):
    """An INTEGER column that reads back as a Level."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(Level(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Level(value)


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
    # What each level means, {"2": "…"} by Level number: only ever shown, never queried (JSON).
    levels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    parent: Mapped[Competency | None] = relationship(remote_side="Competency.id")

    @property
    def level_meanings(self) -> list[tuple[Level, str]]:
        """Return (level, what it means) in level order."""
        return sorted((Level(int(number)), meaning) for number, meaning in (self.levels or {}).items())


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
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    course: Mapped[Course] = relationship(back_populates="lessons")
    competency_links: Mapped[list[LessonCompetency]] = relationship(
        cascade="all, delete-orphan", order_by="LessonCompetency.competency_id")


class LessonCompetency(db.Model):
    """A lesson teaches a competency up to a level."""

    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True, index=True)
    level: Mapped[Level] = mapped_column(LevelType)

    competency: Mapped[Competency] = relationship()


class Syllabus(db.Model):
    """A post's training syllabus (培训大纲): targets, required and elective courses, annual 学时.

    Inactive once its file is gone from the content: it then assigns nothing and sets no targets.
    Targets and certifications are rows of their own (asked "which posts target competency X");
    `required` and `electives` stay JSON lists of course slugs: they are read per syllabus, never
    queried by competency or course.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    annual_tenths: Mapped[int] = mapped_column(default=0)
    annual_required_tenths: Mapped[int] = mapped_column(default=0)
    # [{course, within_days_of_joining | by_date_each_year}]: read whole when assigning (JSON).
    required: Mapped[list] = mapped_column(JSON, default=list)
    electives: Mapped[list] = mapped_column(JSON, default=list)  # course slugs, read whole (JSON)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    targets: Mapped[list[SyllabusTarget]] = relationship(
        cascade="all, delete-orphan", order_by="SyllabusTarget.competency_id")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="syllabus", order_by="Certification.id")


class SyllabusTarget(db.Model):
    """A post's syllabus targets a competency at a level."""

    syllabus_id: Mapped[int] = mapped_column(ForeignKey("syllabus.id", ondelete="CASCADE"), primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True, index=True)
    level: Mapped[Level] = mapped_column(LevelType)

    competency: Mapped[Competency] = relationship()


class Certification(db.Model):
    """An exam named in a syllabus that certifies a competency level; `code` is its stable slug.

    Never deleted (exams will refer to it): inactive once the content no longer names it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    syllabus_id: Mapped[int] = mapped_column(ForeignKey("syllabus.id"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id"), index=True)
    level: Mapped[Level] = mapped_column(LevelType)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    syllabus: Mapped[Syllabus] = relationship(back_populates="certifications")
    competency: Mapped[Competency] = relationship()
