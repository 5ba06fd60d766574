"""Server-side login sessions for Flask-Login: rotated at login, ended at logout."""

import secrets

from flask import Flask
from flask_login import UserMixin
from sqlalchemy import select, update

from app import clock
from app.extensions import db, login_manager
from app.models import LoginSession, Person
from app.models.people import PersonStatus


class CurrentUser(UserMixin):
    """The logged-in person as Flask-Login sees it; `id` is the login session id."""

    def __init__(self, login_session: LoginSession):
        self.session_id = login_session.id
        self.person: Person = login_session.person

    def get_id(self) -> str:
        return self.session_id

    def __getattr__(self, name):
        return getattr(self.person, name)


def start_session(person: Person, ip: str) -> CurrentUser:
    """Create a fresh login session row for the person (the caller commits)."""
    login_session = LoginSession(id=secrets.token_urlsafe(32), person=person, ip=ip[:64])
    db.session.add(login_session)
    return CurrentUser(login_session)


def end_session(session_id: str) -> None:
    """Mark the login session ended so its cookie no longer authenticates (caller commits)."""
    login_session = db.session.get(LoginSession, session_id)
    if login_session and login_session.ended_at is None:
        login_session.ended_at = clock.now()


def end_person_sessions(person_id: int, *, keep: str | None = None) -> int:
    """End every open login session of the person except `keep` (the caller commits).

    Called when the account loses access (离岗, login disabled) or its password changes, so a
    cookie issued before the change no longer authenticates. Returns how many were ended.
    """
    query = update(LoginSession).where(LoginSession.person_id == person_id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    return db.session.execute(query.values(ended_at=clock.now()), execution_options={"synchronize_session": False}).rowcount


def may_log_in(person: Person) -> bool:
    """The one rule for who may hold a session: an active person whose login is enabled."""
    return person.login_enabled and person.status == PersonStatus.ACTIVE


def _load_user(session_id: str) -> CurrentUser | None:
    login_session = db.session.scalar(
        select(LoginSession).where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
    )
    if login_session is None or not may_log_in(login_session.person):
        return None
    return CurrentUser(login_session)


def init_login(app: Flask) -> None:
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
