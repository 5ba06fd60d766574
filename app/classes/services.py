"""Training classes in an admin's scope: create, edit, sessions, publish and close."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.audit import record
from app.auth.scope import Scope
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.hours import parse_hours
from app.models import Attendance, ClassSession, Competency, OrgUnit, TrainingClass
from app.models.classes import ClassStatus
from app.models.curriculum import CreditKind

MAX_SESSION_HOURS = 100  # 学时 of one session of a class


@dataclass(frozen=True)
class ClassData:
    """The editable fields of a class as the form gives them."""

    title: str
    unit_id: int
    kind: str
    credit_hours: str  # as typed, e.g. "1.5"
    description: str = ""
    competencies: str = ""


def get_class(scope: Scope, class_id: int) -> TrainingClass:
    """Return a class organised by a unit in the scope, else raise NotFound."""
    klass = db.session.scalar(
        select(TrainingClass).join(OrgUnit, OrgUnit.id == TrainingClass.unit_id)
        .where(TrainingClass.id == class_id, scope.clause(OrgUnit.path)))
    if klass is None:
        raise NotFound("培训班不存在或不在您的管理范围内。")
    return klass


def get_session(scope: Scope, session_id: int) -> ClassSession:
    """Return a session of a class in the scope, else raise NotFound."""
    session = db.session.get(ClassSession, session_id)
    if session is None:
        raise NotFound("培训课次不存在或不在您的管理范围内。")
    get_class(scope, session.class_id)
    return session


def list_classes(scope: Scope, *, status: str = "", page: int = 1, per_page: int = 20):
    """Return a page of classes in the scope, newest first."""
    query = (select(TrainingClass).join(OrgUnit, OrgUnit.id == TrainingClass.unit_id)
             .where(scope.clause(OrgUnit.path))
             .options(selectinload(TrainingClass.unit), selectinload(TrainingClass.sessions)))
    if status:
        query = query.where(TrainingClass.status == status)
    query = query.order_by(TrainingClass.created_at.desc(), TrainingClass.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def _validated(scope: Scope, data: ClassData, cited: list[str] | tuple = ()) -> dict:
    title = (data.title or "").strip()
    if not title or len(title) > 100:
        raise DomainError("请填写培训班名称（不超过 100 个字）。")
    if data.kind not in CreditKind.labels():
        raise DomainError("学时类别只能是必修或选修。")
    unit = db.session.get(OrgUnit, data.unit_id) if data.unit_id else None
    if not scope.covers(unit):
        raise NotFound("主办单位不存在或不在您的管理范围内。")
    credit_tenths = parse_hours(data.credit_hours, maximum=MAX_SESSION_HOURS)
    codes = sorted({c.strip() for c in (data.competencies or "").replace("，", ",").split(",") if c.strip()})
    # A competency removed from the content may stay where the class cited it, but not be added.
    usable = or_(Competency.active, Competency.code.in_(cited)) if cited else Competency.active
    known = list(db.session.scalars(select(Competency).where(Competency.code.in_(codes), usable)
                                    .order_by(Competency.code))) if codes else []
    if set(codes) - {c.code for c in known}:
        missing = sorted(set(codes) - {c.code for c in known})
        raise DomainError(f"以下能力项编码不存在或已停用：{'、'.join(missing)}")
    return dict(title=title, unit_id=unit.id, kind=data.kind, credit_tenths=credit_tenths,
                description=(data.description or "").strip(), competencies=known)


def _audited(values: dict) -> dict:
    """Return the values an audit entry records (competencies by code, no description)."""
    return {k: v for k, v in values.items() if k != "description"} | {
        "competencies": [c.code for c in values["competencies"]]}


def create_class(actor_id: int, scope: Scope, data: ClassData) -> TrainingClass:
    """Create a draft class organised by a unit in the scope."""
    klass = TrainingClass(**_validated(scope, data), status=ClassStatus.DRAFT, created_by_id=actor_id)
    db.session.add(klass)
    record("class_create", klass, actor_id=actor_id, title=klass.title, unit_id=klass.unit_id)
    db.session.commit()
    return klass


def _attendance_count(class_id: int) -> int:
    return db.session.scalar(select(func.count(Attendance.id)).join(ClassSession)
                             .where(ClassSession.class_id == class_id))


def ensure_editable(klass: TrainingClass) -> None:
    if klass.status == ClassStatus.CLOSED:
        raise Conflict("培训班已结束，不能再修改。")


def update_class(actor_id: int, scope: Scope, class_id: int, data: ClassData) -> TrainingClass:
    """Change a class; its 学时 and category freeze once someone has attended."""
    klass = get_class(scope, class_id)
    ensure_editable(klass)
    values = _validated(scope, data, cited=[c.code for c in klass.competencies])
    credit_changed = (values["kind"], values["credit_tenths"]) != (klass.kind, klass.credit_tenths)
    if credit_changed and _attendance_count(klass.id):
        raise Conflict("已有签到记录，不能再修改学时或学时类别。")
    for name, value in values.items():
        setattr(klass, name, value)
    record("class_update", klass, actor_id=actor_id, **_audited(values))
    db.session.commit()
    return klass


def new_code() -> str:
    """Return a random 6-digit check-in code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def add_session(actor_id: int, scope: Scope, class_id: int, *, starts_local: datetime, ends_local: datetime,
                place: str = "", trainer: str = "") -> ClassSession:
    """Add a session given in local time (stored as UTC) with a fresh check-in code."""
    klass = get_class(scope, class_id)
    ensure_editable(klass)
    if starts_local is None or ends_local is None or ends_local <= starts_local:
        raise DomainError("请填写上课开始和结束时间，结束时间应晚于开始时间。")
    problem = clock.typed_date_problem(starts_local, "上课时间") or clock.typed_date_problem(ends_local, "上课时间")
    if problem:
        raise DomainError(problem + "。")
    if ends_local - starts_local > timedelta(hours=12):
        raise DomainError("一次课不能超过 12 小时，请分成多次课。")
    if len(place or "") > 100 or len(trainer or "") > 50:
        raise DomainError("地点不超过 100 个字，授课人不超过 50 个字。")
    session = ClassSession(class_id=klass.id, starts_at=clock.to_utc(starts_local), ends_at=clock.to_utc(ends_local),
                           place=(place or "").strip(), trainer=(trainer or "").strip(), code=new_code())
    db.session.add(session)
    record("class_session_add", session, actor_id=actor_id, class_id=klass.id,
           starts_at=session.starts_at.isoformat(), ends_at=session.ends_at.isoformat())
    db.session.commit()
    return session


def regenerate_code(actor_id: int, scope: Scope, session_id: int) -> ClassSession:
    """Give a session a new check-in code (e.g. when the old one was passed around)."""
    session = get_session(scope, session_id)
    ensure_editable(session.training_class)
    session.code = new_code()
    record("class_code_regenerate", session, actor_id=actor_id, class_id=session.class_id)
    db.session.commit()
    return session


def delete_session(actor_id: int, scope: Scope, session_id: int) -> int:
    """Delete a session nobody has attended yet; return its class id."""
    session = get_session(scope, session_id)
    ensure_editable(session.training_class)
    if db.session.scalar(select(Attendance.id).where(Attendance.session_id == session.id).limit(1)):
        raise Conflict("这次课已有签到记录，不能删除。请先在名单中撤销签到。")
    class_id = session.class_id
    record("class_session_delete", session, actor_id=actor_id, class_id=class_id,
           starts_at=session.starts_at.isoformat())
    db.session.delete(session)
    db.session.commit()
    return class_id


def set_status(actor_id: int, scope: Scope, class_id: int, status: str) -> TrainingClass:
    """Publish a draft (needs a session) or close a published class."""
    klass = get_class(scope, class_id)
    allowed = {ClassStatus.PUBLISHED: ClassStatus.DRAFT, ClassStatus.CLOSED: ClassStatus.PUBLISHED}
    if allowed.get(status) != klass.status:
        raise Conflict(f"培训班当前状态为{klass.status_label}，不能改为{ClassStatus.label_of(status)}。")
    if status == ClassStatus.PUBLISHED and not klass.sessions:
        raise DomainError("请先添加至少一次课，再发布培训班。")
    record("class_status", klass, actor_id=actor_id, old=klass.status, new=status)
    klass.status = ClassStatus(status)
    db.session.commit()
    return klass


def class_overview(scope: Scope, class_id: int) -> tuple[TrainingClass, int, int]:
    """Return a class in the scope with its number of enrolled people and attendances."""
    from app.models import Enrollment

    klass = get_class(scope, class_id)
    enrolled = db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.class_id == klass.id))
    return klass, enrolled, _attendance_count(klass.id)
