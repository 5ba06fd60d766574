"""Personal access tokens for the JSON API (`Authorization: Bearer …`).

A token is shown once when it is made and stored as its SHA-256. It authenticates only requests
under /api/, never pages; it stops working when it expires, is revoked, or its owner may no longer
log in (`may_log_in`). Bearer requests carry no cookie, so they need no CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import request
from sqlalchemy import bindparam, select

from app.audit import record
from app.auth.sessions import may_log_in
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import ApiToken, Person

PREFIX = "xl_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
MAX_TOKENS = 20  # live tokens per person


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person_id: int, *, name: str, days: int = DEFAULT_DAYS, actor_id: int | None,
                 now: datetime) -> tuple[ApiToken, str]:
    """Make a token for the person; returns the row and the token text (shown once). Commits."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("请填写令牌名称（不超过 100 字），例如“手机考试”。")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise DomainError(f"有效期应为 1 到 {MAX_DAYS} 天。")
    if db.session.get(Person, person_id) is None:
        raise NotFound("人员不存在。")
    live = db.session.scalars(select(ApiToken).where(ApiToken.person_id == person_id,
                                                     ApiToken.revoked_at.is_(None),
                                                     ApiToken.expires_at > now)).all()
    if len(live) >= MAX_TOKENS:
        raise DomainError(f"有效令牌已达 {MAX_TOKENS} 个，请先撤销不用的令牌。")
    text = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person_id, name=name, token_hash=_digest(text), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    record("api_token_create", token, actor_id=actor_id, person_id=person_id, name=name, days=days)
    db.session.commit()
    return token, text


def tokens_of(person_id: int) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.person_id == person_id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(person_id: int, token_id: int, *, actor_id: int | None, now: datetime) -> None:
    """Revoke one of the person's tokens (404 for anyone else's). Commits."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != person_id:
        raise NotFound("令牌不存在。")
    if token.revoked_at is None:
        token.revoked_at = now
        record("api_token_revoke", token, actor_id=actor_id, person_id=person_id)
    db.session.commit()


_BY_DIGEST = select(ApiToken).where(ApiToken.token_hash == bindparam("digest"))  # built once: every API request


def person_for_token(text: str, *, now: datetime) -> Person | None:
    """The person a live token belongs to, or None (unknown, expired, revoked, or barred)."""
    token = db.session.scalar(_BY_DIGEST, {"digest": _digest(text)})
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    return token.person if may_log_in(token.person) else None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class TokenUser:
    """The person behind a bearer token, as Flask-Login's current user (never a session)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    session_id = None
    via_token = True

    def __init__(self, person: Person):
        self.person = person

    def get_id(self) -> None:
        return None

    def __getattr__(self, name):
        return getattr(self.person, name)
