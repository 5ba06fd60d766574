"""People, roles and mentor links; every function takes the actor's scope."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.audit import record
from app.auth.passwords import hash_password, password_problems
from app.auth.scope import Scope, person_in_scope, person_to_manage
from app.auth.sessions import end_person_sessions, may_log_in
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.events import announce, person_joined, person_post_changed, person_updated
from app.extensions import db
from app.models import Grade, MentorLink, OrgUnit, Person, Post, RoleGrant
from app.models.people import MentorKind, PersonStatus, Role
from app.org.fields import joined_on_problems, person_field_problems
from app.org.services import get_unit


@dataclass(frozen=True)
class PersonData:
    """The editable fields of a person, as values."""

    staff_no: str
    name: str
    unit_id: int
    phone: str = ""
    post_id: int | None = None
    grade_id: int | None = None
    joined_on: date | None = None
    status: str = "active"
    email: str = ""  # where reminders go by mail when the server has SMTP (app/needs/reminders.py)


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""
    unit_id: int | None = None
    post_id: int | None = None
    workforce_id: int | None = None
    status: str = ""
    role: str = ""


def get_person(scope: Scope, person_id: int) -> Person:
    """Return the person if they belong to a unit inside the scope, else raise NotFound."""
    return person_in_scope(scope, person_id)


def select_people(scope: Scope, *, unit_id: int | None = None, post_id: int | None = None,
                  staff_nos: list[str] | None = None) -> tuple[list[Person], list[str]]:
    """Return the active people in scope of a unit subtree, a post, or a staff-number list,
    and the listed staff numbers not found in scope."""
    query = (select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id)
             .where(scope.clause(OrgUnit.path), Person.status == "active"))
    if unit_id:
        unit = get_unit(scope, unit_id)
        return list(db.session.scalars(query.where(OrgUnit.path.startswith(unit.path, autoescape=True)))), []
    if post_id:
        if db.session.get(Post, post_id) is None:
            raise NotFound("岗位不存在。")
        return list(db.session.scalars(query.where(Person.post_id == post_id))), []
    people = list(db.session.scalars(query.where(Person.staff_no.in_(staff_nos or []))))
    found = {p.staff_no for p in people}
    return people, [s for s in staff_nos or [] if s not in found]


def person_id_by_staff_no(staff_no: str) -> int | None:
    return db.session.scalar(select(Person.id).where(Person.staff_no == staff_no.strip()))


def staff_no_taken(staff_no: str) -> bool:
    return person_id_by_staff_no(staff_no) is not None


def search_people(scope: Scope, filters: PeopleFilter, *, page: int, per_page: int):
    """Return one page of the people in scope matching the filters."""
    query = select(Person).join(Person.unit).where(scope.clause(OrgUnit.path))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(or_(Person.name.like(like), Person.staff_no.like(like), Person.phone.like(like)))
    if filters.unit_id:
        unit = get_unit(scope, filters.unit_id)
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    if filters.post_id:
        query = query.where(Person.post_id == filters.post_id)
    if filters.workforce_id:
        query = query.join(Person.post).where(Post.workforce_id == filters.workforce_id)
    if filters.status in PersonStatus.labels():
        query = query.where(Person.status == filters.status)
    if filters.role in Role.labels():
        query = query.where(Person.roles.any(RoleGrant.role == filters.role))
    query = query.options(contains_eager(Person.unit), selectinload(Person.post), selectinload(Person.grade),
                          selectinload(Person.roles))
    query = query.order_by(OrgUnit.path, Person.staff_no)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def _validated(scope: Scope, data: PersonData, person_id: int | None) -> PersonData:
    staff_no, name, phone = data.staff_no.strip(), data.name.strip(), (data.phone or "").strip()
    email = (data.email or "").strip()
    problems = (person_field_problems(staff_no=staff_no, name=name, phone=phone, email=email)
                + joined_on_problems(data.joined_on))
    if problems:
        raise DomainError("；".join(problems) + "。")
    if data.status not in PersonStatus.labels():
        raise DomainError("人员状态只能是在岗或离岗。")
    get_unit(scope, data.unit_id)
    clash = db.session.scalar(select(Person.id).where(Person.staff_no == staff_no))
    if clash and clash != person_id:
        raise Conflict(f"工号“{staff_no}”已被使用。")
    post = db.session.get(Post, data.post_id) if data.post_id else None
    grade = db.session.get(Grade, data.grade_id) if data.grade_id else None
    if data.post_id and post is None or data.grade_id and grade is None:
        raise DomainError("岗位或岗位等级不存在。")
    if grade and (post is None or grade.workforce_id != post.workforce_id):
        raise DomainError("岗位等级必须属于该岗位所在队伍的等级序列。")
    return PersonData(staff_no, name, data.unit_id, phone, data.post_id, data.grade_id,
                      data.joined_on, data.status, email)


def create_person(actor_id: int | None, scope: Scope, data: PersonData, *, password: str | None = None,
                  trainee: bool = True) -> tuple[Person, str]:
    """Create an account whose initial password (`password`, or a random one) must be changed at
    first login; a trainee unless `trainee` is False. Returns the person and the password."""
    data = _validated(scope, data, None)
    if password is not None and (problems := password_problems(password, current_app.config["PASSWORD_MIN_LENGTH"])):
        raise DomainError("初始密码不符合要求：" + " ".join(problems))
    initial = password if password is not None else temporary_password()
    person = Person(**data.__dict__, password_hash=hash_password(initial), must_change_password=True)
    if trainee:
        person.roles.append(RoleGrant(role="trainee"))
    db.session.add(person)
    record("person_create", person, actor_id=actor_id, staff_no=person.staff_no, name=person.name)
    db.session.commit()
    announce(person_joined, person_ids=[person.id])
    return person, initial


def update_person(actor_id: int, scope: Scope, person_id: int, data: PersonData) -> Person:
    person = person_to_manage(scope, person_id)
    data = _validated(scope, data, person.id)
    changes = {k: [str(getattr(person, k)), str(v)] for k, v in data.__dict__.items() if getattr(person, k) != v}
    old_post_id = person.post_id
    for key, value in data.__dict__.items():
        setattr(person, key, value)
    if not may_log_in(person):  # 离岗 (or login disabled): no cookie issued before stays valid
        end_person_sessions(person.id)
    if changes:
        record("person_update", person, actor_id=actor_id, changes=changes)
    db.session.commit()
    if "post_id" in changes:
        announce(person_post_changed, person_id=person.id, old_post_id=old_post_id, new_post_id=data.post_id)
    if changes:
        announce(person_updated, person_id=person.id, fields=sorted(changes))
    return person


def temporary_password() -> str:
    """Return a random password that satisfies the policy."""
    return "Xl" + secrets.token_hex(3) + str(secrets.randbelow(90) + 10)


def reset_password(actor_id: int, scope: Scope, person_id: int) -> str:
    """Give the person a one-time password; returns it for the admin to hand over."""
    person = person_to_manage(scope, person_id)
    temporary = temporary_password()
    person.password_hash = hash_password(temporary)
    person.must_change_password = True
    end_person_sessions(person.id)  # whoever held the old password is logged out everywhere
    record("password_reset", person, actor_id=actor_id)
    db.session.commit()
    return temporary


def grant_role(actor_id: int | None, scope: Scope, person_id: int, *, role: str, scope_unit_id: int | None) -> RoleGrant:
    """Give the person a role, scoped to a unit inside the actor's own scope; only a global admin
    grants a role without a unit (everywhere)."""
    person = person_to_manage(scope, person_id)
    if role not in Role.labels():
        raise DomainError("未知角色。")
    unit = get_unit(scope, scope_unit_id) if scope_unit_id else None
    if not scope.allows_grant(role, unit):
        raise Forbidden("只有全局管理员可以授予不限范围的角色，请选择您管理范围内的单位。")
    if any(g.role == role and g.scope_unit_id == scope_unit_id for g in person.roles):
        raise Conflict("该人员已有此角色和范围。")
    grant = RoleGrant(role=role, scope_unit_id=scope_unit_id)
    person.roles.append(grant)
    record("role_grant", person, actor_id=actor_id, role=role, scope_unit_id=scope_unit_id)
    db.session.commit()
    return grant


def revoke_role(actor_id: int, scope: Scope, person_id: int, grant_id: int) -> None:
    person = person_to_manage(scope, person_id)  # so every grant they hold lies inside the scope
    grant = next((g for g in person.roles if g.id == grant_id), None)
    if grant is None:
        raise NotFound("角色不存在。")
    if person.id == actor_id and grant.role == "admin":
        raise Forbidden("不能撤销自己的管理员角色。")
    person.roles.remove(grant)
    record("role_revoke", person, actor_id=actor_id, role=grant.role, scope_unit_id=grant.scope_unit_id)
    db.session.commit()


def add_mentor(actor_id: int, scope: Scope, mentee_id: int, *, mentor_staff_no: str, kind: str,
               today: date) -> MentorLink:
    """Make the person with `mentor_staff_no` responsible for the mentee (the mentee manageable,
    the mentor in scope)."""
    mentee = person_to_manage(scope, mentee_id)
    mentor_id = db.session.scalar(select(Person.id).where(Person.staff_no == mentor_staff_no.strip()))
    mentor = get_person(scope, mentor_id) if mentor_id else None
    if mentor is None:
        raise NotFound("找不到该工号的人员，或不在您的管理范围内。")
    if mentor.id == mentee.id or kind not in MentorKind.labels():
        raise DomainError("导师不能是本人，类型只能是导师或包联。")
    if db.session.scalar(select(MentorLink.id).filter_by(mentor_id=mentor.id, mentee_id=mentee.id, kind=kind)):
        raise Conflict("该关系已存在。")
    link = MentorLink(mentor=mentor, mentee=mentee, kind=kind, started_on=today)
    db.session.add(link)
    record("mentor_add", mentee, actor_id=actor_id, mentor_id=mentor.id, kind=kind)
    db.session.commit()
    return link


def remove_mentor(actor_id: int, scope: Scope, mentee_id: int, link_id: int) -> None:
    mentee = person_to_manage(scope, mentee_id)
    link = db.session.get(MentorLink, link_id)
    if link is None or mentee.id not in (link.mentee_id, link.mentor_id):
        raise NotFound("关系不存在。")
    record("mentor_remove", mentee, actor_id=actor_id, mentor_id=link.mentor_id, kind=link.kind)
    db.session.delete(link)
    db.session.commit()


def mentor_links_of(person_id: int) -> list[MentorLink]:
    """Return the links where the person is mentor or mentee."""
    query = select(MentorLink).where(or_(MentorLink.mentee_id == person_id, MentorLink.mentor_id == person_id))
    return list(db.session.scalars(query.order_by(MentorLink.id)))


def posts_and_grades() -> tuple[list[Post], list[Grade]]:
    posts = list(db.session.scalars(select(Post).order_by(Post.workforce_id, Post.id)))
    grades = list(db.session.scalars(select(Grade).order_by(Grade.workforce_id, Grade.rank)))
    return posts, grades
