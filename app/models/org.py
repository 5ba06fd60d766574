"""Organisation: units as a materialised-path tree, workforces, posts and grade ladders."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.trees import ancestor_ids


class Workforce(db.Model):
    """A workforce (队伍): 辅警, 社区工作者, 组工干部."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))

    posts: Mapped[list[Post]] = relationship(back_populates="workforce", order_by="Post.id")
    grades: Mapped[list[Grade]] = relationship(back_populates="workforce", order_by="Grade.rank")


class Post(db.Model):
    """A post (岗位) within a workforce."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workforce_id: Mapped[int] = mapped_column(ForeignKey("workforce.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(500), default="")

    workforce: Mapped[Workforce] = relationship(back_populates="posts")


class Grade(db.Model):
    """A step of a workforce's grade ladder (岗位等级); higher rank is more senior."""

    __table_args__ = (UniqueConstraint("workforce_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workforce_id: Mapped[int] = mapped_column(ForeignKey("workforce.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    rank: Mapped[int]

    workforce: Mapped[Workforce] = relationship(back_populates="grades")


class OrgUnit(db.Model):
    """An org unit (单位); `path` is the chain of ancestor ids, e.g. "/1/4/9/"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="")
    workforce_id: Mapped[int | None] = mapped_column(ForeignKey("workforce.id"))
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")
    workforce: Mapped[Workforce | None] = relationship()

    def is_within(self, ancestor_path: str) -> bool:
        """Return whether this unit lies in the subtree whose root has `ancestor_path`."""
        return self.path.startswith(ancestor_path)

    @property
    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self)
