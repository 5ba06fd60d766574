"""In-app messages (消息): what the platform tells a person (an essay graded, a reminder).

A sender may pass a `dedupe_key`: one message per person and key, so "at most once" is a unique
constraint, not a read before the write.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db


class Message(db.Model):
    """One message to one person; `read_at` is None while unread; `link` is a local path."""

    __table_args__ = (UniqueConstraint("person_id", "dedupe_key"),
                      Index("ix_message_person_id_read_at", "person_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(100))
