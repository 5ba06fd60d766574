"""Messages: sending (at most once per person and dedupe key), a person's list, reading them.

`send` and `send_many` only add and flush: the sender commits them with its own change, so a
refused change sends nothing. The owner's pages commit their own read marks. Reading a message is
the reader's own state (as reading a lesson is), so it writes no audit entry; the sender's change
carries the audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import g
from flask_login import current_user
from sqlalchemy import func, select, update

from app import clock
from app.errors import NotFound
from app.extensions import db, upsertable_insert
from app.formkit import local_path
from app.models import Message

NOT_FOUND = "消息不存在。"


def send(person_id: int, kind: str, title: str, body: str = "", link: str = "",
         dedupe_key: str | None = None, *, now: datetime | None = None) -> bool:
    """Add a message for one person (flush only); False when `dedupe_key` was already sent to them."""
    return send_many([person_id], kind, title, body, link, dedupe_key, now=now) == 1


def send_many(person_ids: Iterable[int], kind: str, title: str, body: str = "", link: str = "",
              dedupe_key: str | None = None, *, now: datetime | None = None) -> int:
    """Add the same message for each person (one INSERT); returns how many were new.

    With a `dedupe_key`, a person who already has a message with that key gets no second one (the
    unique key decides, so two senders racing still send once). `link` must be a local path.
    """
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return 0
    at = now or clock.now()
    rows = [{"person_id": person_id, "kind": kind[:30], "title": title[:200], "body": body,
             "link": local_path(link, "")[:300], "created_at": at, "dedupe_key": dedupe_key} for person_id in ids]
    insert = upsertable_insert(Message.__table__).values(rows)
    if dedupe_key is not None:
        insert = insert.on_conflict_do_nothing(index_elements=["person_id", "dedupe_key"])
    # the new rows' ids, counted: PostgreSQL's driver reports no rowcount for a multi-row INSERT
    return len(db.session.execute(insert.returning(Message.__table__.c.id)).all())


@dataclass(frozen=True)
class Outgoing:
    """One message of a batch whose messages differ (reminders): to whom, what, and its dedupe key."""

    person_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str | None = None


INSERT_CHUNK = 500  # rows per INSERT: 7 parameters a row stay far below SQLite's parameter limit


def send_each(messages: Iterable[Outgoing], *, now: datetime) -> list[Outgoing]:
    """Add different messages to different people (flush only; one INSERT per 500); return the new ones.

    As `send_many`: a (person, dedupe key) already sent is skipped by the unique key, so a job run
    twice, or two runs racing, send each message once. Without a key a message is always new.
    """
    keyed = {}  # one row per (person, key): a key repeated in the batch is one message too
    pending = [m for m in messages if m.dedupe_key is None or keyed.setdefault((m.person_id, m.dedupe_key), m) is m]
    table, new = Message.__table__, []
    for start in range(0, len(pending), INSERT_CHUNK):
        chunk = pending[start:start + INSERT_CHUNK]
        rows = [{"person_id": m.person_id, "kind": m.kind[:30], "title": m.title[:200], "body": m.body,
                 "link": local_path(m.link, "")[:300], "created_at": now, "dedupe_key": m.dedupe_key}
                for m in chunk]
        insert = (upsertable_insert(table).values(rows)
                  .on_conflict_do_nothing(index_elements=["person_id", "dedupe_key"]))
        made = set(db.session.execute(insert.returning(table.c.person_id, table.c.dedupe_key)).all())
        new += [m for m in chunk if m.dedupe_key is None or (m.person_id, m.dedupe_key) in made]
    return new


def unread_count(person_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.person_id == person_id, Message.read_at.is_(None)))


def unread_for_current_user() -> int:
    """The logged-in person's unread count, counted once per request (0 when nobody is logged in)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        with db.session.no_autoflush:  # an error page after a refused change must not flush it
            g.unread_messages = unread_count(current_user.id)
    return g.unread_messages


def messages_page(person_id: int, *, page: int, per_page: int):
    """The person's messages, newest first, paginated."""
    query = select(Message).where(Message.person_id == person_id).order_by(Message.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def own_message(person_id: int, message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.person_id != person_id:
        raise NotFound(NOT_FOUND)
    return message


def open_message(person_id: int, message_id: int, *, now: datetime) -> Message:
    """The person's message, marked read (commits); NotFound for anyone else's."""
    message = own_message(person_id, message_id)
    if message.read_at is None:
        message.read_at = now
        db.session.commit()
    return message


def mark_all_read(person_id: int, *, now: datetime) -> int:
    """Mark every unread message of the person read (commits); returns how many."""
    changed = db.session.execute(update(Message).where(Message.person_id == person_id, Message.read_at.is_(None))
                                 .values(read_at=now)).rowcount
    db.session.commit()
    return changed
