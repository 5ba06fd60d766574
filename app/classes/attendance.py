"""Check-in with a session code, manual corrections, and the 学时 each attendance earns."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.audit import record
from app.auth.scope import Scope
from app.classes.services import ensure_editable, get_class, get_session
from app.errors import DomainError, NotFound
from app.extensions import db
from app.models import Attendance, ClassSession, CreditEntry, Enrollment, Person, TrainingClass
from app.models.classes import AttendanceMethod, ClassStatus
from app.study import ledger

EARLY = timedelta(minutes=15)


def window_open(session: ClassSession, now: datetime) -> bool:
    """Return whether check-in is open: from 15 minutes before the start to the end."""
    return session.starts_at - EARLY <= now <= session.ends_at


def _credit(attendance: Attendance, session: ClassSession, actor_id: int | None) -> None:
    """Add the attendance's one 学时 ledger line (offline, keyed by the attendance id)."""
    klass = session.training_class
    if klass.credit_tenths <= 0:
        return
    day = clock.local_date(session.starts_at)  # starts_at is naive UTC; the note and year are local
    ledger.add_entry(person_id=attendance.person_id, source_type="offline", source_id=attendance.id,
                     year=day.year, kind=klass.kind, tenths=klass.credit_tenths,
                     note=f"培训班：{klass.title[:60]}（{day:%Y-%m-%d}）",
                     created_by_id=actor_id, created_at=attendance.checked_in_at)


def _add(session: ClassSession, person_id: int, *, method: str, actor_id: int | None, now: datetime) -> Attendance:
    attendance = Attendance(session_id=session.id, person_id=person_id, checked_in_at=now, method=method,
                            recorded_by_id=actor_id)
    db.session.add(attendance)
    db.session.flush()
    _credit(attendance, session, actor_id)
    record("class_attendance_add", attendance, actor_id=actor_id, session_id=session.id,
           person_id=person_id, method=method)
    return attendance


def _existing(session_id: int, person_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(
        Attendance.session_id == session_id, Attendance.person_id == person_id))


def _enrolled(class_id: int, person_id: int) -> bool:
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.class_id == class_id, Enrollment.person_id == person_id)) is not None


def check_in(person_id: int, code: str, *, now: datetime) -> tuple[ClassSession, bool]:
    """Check a person in with a session code; return (session, whether this was new).

    Only sessions of published classes the person is enrolled in are searched, so a code
    for somebody else's class reads as a wrong code. Checking in twice changes nothing.
    """
    code = unicodedata.normalize("NFKC", code or "").strip()  # full-width digits from a Chinese IME
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise DomainError("签到码是 6 位数字，请核对后重新输入。")
    sessions = list(db.session.scalars(
        select(ClassSession).join(TrainingClass).join(Enrollment, Enrollment.class_id == TrainingClass.id)
        .where(ClassSession.code == code, Enrollment.person_id == person_id, TrainingClass.status == ClassStatus.PUBLISHED)))
    if not sessions:
        raise DomainError("签到码不正确，或您没有报名该培训班。")
    open_now = [s for s in sessions if window_open(s, now)]
    if not open_now:
        raise DomainError("现在不在签到时间内：签到从开课前 15 分钟开始，到下课时结束。")
    session = open_now[0]
    if _existing(session.id, person_id):
        return session, False
    try:
        _add(session, person_id, method=AttendanceMethod.CODE, actor_id=person_id, now=now)
    except IntegrityError:  # a simultaneous check-in of the same person won the race
        db.session.rollback()
        return db.session.get(ClassSession, session.id), False
    db.session.commit()
    return session, True


def correct(actor_id: int, scope: Scope, class_id: int, session_id: int, person_id: int, *, present: bool,
            now: datetime) -> bool:
    """Mark an enrolled person present or absent at a session; return whether anything changed."""
    session = get_session(scope, session_id)
    if session.class_id != class_id:
        raise NotFound("培训课次不存在或不在您的管理范围内。")
    ensure_editable(session.training_class)
    if session.training_class.status != ClassStatus.PUBLISHED:
        raise DomainError("培训班发布后才能登记签到。")
    if not _enrolled(session.class_id, person_id):
        raise NotFound("该人员没有报名这个培训班。")
    existing = _existing(session.id, person_id)
    if present == (existing is not None):
        return False
    if present:
        _add(session, person_id, method=AttendanceMethod.MANUAL, actor_id=actor_id, now=now)
        db.session.commit()
        return True
    _remove(actor_id, existing, now=now)
    db.session.commit()
    return True


def _remove(actor_id: int, attendance: Attendance, *, now: datetime) -> None:
    """Delete an attendance and cancel its ledger line with a reversal (the caller commits)."""
    entry = db.session.scalar(select(CreditEntry).where(
        CreditEntry.person_id == attendance.person_id, CreditEntry.source_type == "offline",
        CreditEntry.source_id == attendance.id))
    record("class_attendance_remove", attendance, actor_id=actor_id, session_id=attendance.session_id,
           person_id=attendance.person_id, credit_entry_id=entry.id if entry else None)
    db.session.delete(attendance)
    if entry is not None:
        ledger.add_reversal(entry, actor_id=actor_id, reason="管理员撤销培训班签到", now=now)


def roster(scope: Scope, class_id: int, *, page: int, per_page: int):
    """Return (class, page of enrolments, {(session_id, person_id): attendance}) for the roster."""
    klass = get_class(scope, class_id)
    pagination = db.paginate(
        select(Enrollment).where(Enrollment.class_id == klass.id).order_by(Enrollment.id)
        .options(selectinload(Enrollment.person).selectinload(Person.unit)),
        page=page, per_page=per_page, error_out=False)
    person_ids = [e.person_id for e in pagination.items]
    rows = db.session.scalars(select(Attendance).join(ClassSession).where(
        ClassSession.class_id == klass.id, Attendance.person_id.in_(person_ids))) if person_ids else []
    return klass, pagination, {(a.session_id, a.person_id): a for a in rows}
