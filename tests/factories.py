"""Plain factory functions with keyword defaults for tests."""

from __future__ import annotations

import functools
import itertools

from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Grade, OrgUnit, Person, Post, RoleGrant, Workforce

_seq = itertools.count(1)


@functools.lru_cache
def _hash(password: str) -> str:
    return hash_password(password)


def make_workforce(*, code: str = "fj", name: str = "辅警", posts=(("fj-road", "路面执勤"),),
                   grades=("四级辅警", "三级辅警")) -> Workforce:
    workforce = Workforce(code=code, name=name)
    workforce.posts = [Post(code=c, name=n) for c, n in posts]
    workforce.grades = [Grade(name=g, rank=i + 1) for i, g in enumerate(grades)]
    db.session.add(workforce)
    db.session.commit()
    return workforce


def make_unit(name: str | None = None, *, parent: OrgUnit | None = None, kind: str = "") -> OrgUnit:
    unit = OrgUnit(name=name or f"单位{next(_seq)}", parent=parent, kind=kind)
    db.session.add(unit)
    db.session.flush()
    unit.path = (parent.path if parent else "/") + f"{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    db.session.commit()
    return unit


def make_person(*, unit: OrgUnit, staff_no: str | None = None, name: str = "测试人员",
                password: str = "Passw0rd", roles=(("trainee", None),), must_change: bool = False,
                **fields) -> Person:
    person = Person(
        staff_no=staff_no or f"T{next(_seq):05d}", name=name, unit_id=unit.id,
        password_hash=_hash(password), must_change_password=must_change, **fields,
    )
    person.roles = [RoleGrant(role=r, scope_unit_id=s.id if s else None) for r, s in roles]
    db.session.add(person)
    db.session.commit()
    return person


def two_brigades():
    """A detachment with brigades A and B, a squad under each, and an admin of each brigade."""
    root = make_unit("交警支队", kind="支队")
    a = make_unit("一大队", parent=root, kind="大队")
    b = make_unit("二大队", parent=root, kind="大队")
    a1 = make_unit("一中队", parent=a, kind="中队")
    b1 = make_unit("一中队", parent=b, kind="中队")
    admin_a = make_person(unit=a, staff_no="admin-a", name="甲管理员", roles=(("admin", a),))
    admin_b = make_person(unit=b, staff_no="admin-b", name="乙管理员", roles=(("admin", b),))
    return {"root": root, "a": a, "b": b, "a1": a1, "b1": b1, "admin_a": admin_a, "admin_b": admin_b}


def login(client, staff_no: str, password: str = "Passw0rd", next_url: str | None = None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": staff_no, "password": password})
