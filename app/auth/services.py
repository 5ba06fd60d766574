"""Authentication services: verify credentials, start and end sessions, change passwords."""

from sqlalchemy import select

from app import clock
from app.audit import record
from app.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.auth.sessions import (
    CurrentUser,
    end_person_sessions,
    end_session,
    may_log_in,
    start_session,
)
from app.errors import DomainError
from app.extensions import db
from app.models import Person

GENERIC_FAILURE = "工号或密码错误。"


class LoginFailed(DomainError):
    status_code = 200


def authenticate(staff_no: str, password: str, *, ip: str) -> CurrentUser:
    """Check the credentials and open a new login session, or raise LoginFailed."""
    person = db.session.scalar(select(Person).where(Person.staff_no == staff_no.strip()))
    ok = verify_password(person.password_hash if person else None, password)
    if not ok or person is None or not may_log_in(person):
        raise LoginFailed(GENERIC_FAILURE)
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    person.last_login_at = clock.now()
    user = start_session(person, ip)
    record("login", person, actor_id=person.id, ip=ip)
    db.session.commit()
    return user


def logout(session_id: str, person_id: int) -> None:
    """End the login session."""
    end_session(session_id)
    db.session.commit()


def change_password(person_id: int, current: str, new: str, *, min_length: int, session_id: str) -> None:
    """Replace the person's password after checking the current one and the policy; ends the
    person's other login sessions (`session_id`, the one making the change, stays open)."""
    person = db.session.get(Person, person_id)
    if person is None or not verify_password(person.password_hash, current):
        raise DomainError("当前密码不正确。")
    if new == current:
        raise DomainError("新密码不能与当前密码相同。")
    problems = password_problems(new, min_length)
    if problems:
        raise DomainError(" ".join(problems))
    person.password_hash = hash_password(new)
    person.must_change_password = False
    ended = end_person_sessions(person.id, keep=session_id)
    record("password_change", person, actor_id=person.id, sessions_ended=ended)
    db.session.commit()
