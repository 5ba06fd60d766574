"""Idempotent demo data: org trees, posts, grade ladders and about 60 people."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Grade, MentorLink, OrgUnit, Person, Post, RoleGrant, Workforce
from app.trees import place

DEMO_PASSWORD = "Demo2026"  # noqa: S105 - published demo credential

# (name, kind, children); each tree belongs to one workforce.
TREES = {
    "fj": ("示范市公安局交通警察支队", "支队", [
        ("一大队", "大队", [("一中队", "中队", []), ("二中队", "中队", [])]),
        ("二大队", "大队", [("一中队", "中队", []), ("二中队", "中队", [])]),
        ("车管所", "所", []),
    ]),
    "sq": ("示范区民政局", "区", [
        ("东城街道", "街道", [("春晖社区", "社区", []), ("和平社区", "社区", [])]),
        ("西城街道", "街道", [("新桥社区", "社区", []), ("滨河社区", "社区", [])]),
    ]),
    "zg": ("示范县委组织部", "部", [
        ("干部科", "科室", []), ("组织科", "科室", []), ("干部监督科", "科室", []),
    ]),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "丽", "强", "军", "婷"]

# Demo logins: (staff_no, name, unit path under the workforce root, post code, roles with scope paths)
ACCOUNTS = [
    ("admin", "系统管理员", ("fj", ()), None, [("admin", None)]),
    ("fj-admin", "支队管理员", ("fj", ()), None, [("admin", ("fj", ())), ("trainee", None)]),
    ("dd1-admin", "一大队管理员", ("fj", ("一大队",)), None, [("admin", ("fj", ("一大队",))), ("trainee", None)]),
    ("dd2-admin", "二大队管理员", ("fj", ("二大队",)), None, [("admin", ("fj", ("二大队",)))]),
    ("sq-admin", "民政局管理员", ("sq", ()), None, [("admin", ("sq", ())), ("trainee", None)]),
    ("zg-admin", "组织部管理员", ("zg", ()), None, [("admin", ("zg", ())), ("trainee", None)]),
    ("jiaoguan", "教官（交警支队）", ("fj", ()), "fj-road", [("instructor", ("fj", ())), ("trainee", None)]),
    ("fj001", "辅警学员", ("fj", ("一大队", "一中队")), "fj-road", [("trainee", None)]),
    ("sq001", "社区学员", ("sq", ("东城街道", "春晖社区")), "sq-grid", [("trainee", None)]),
    ("zg001", "组工学员", ("zg", ("干部科",)), "zg-cadre", [("trainee", None)]),
]


def _get_or_create(model, defaults: dict | None = None, **keys):
    obj = db.session.scalar(select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def _unit(name: str, kind: str, parent: OrgUnit | None, workforce: Workforce, order: int) -> OrgUnit:
    unit = _get_or_create(OrgUnit, {"kind": kind, "workforce_id": workforce.id, "sort_order": order},
                          name=name, parent_id=parent.id if parent else None)
    place(unit, parent)
    return unit


def _tree(spec, parent, workforce, units: dict, prefix: tuple, order: int = 0) -> None:
    name, kind, children = spec
    unit = _unit(name, kind, parent, workforce, order)
    units[prefix] = unit
    for i, child in enumerate(children):
        _tree(child, unit, workforce, units, prefix + (child[0],), i)


def _workforce(code: str) -> tuple[Workforce, dict[str, Post], list[Grade]]:
    workforce = db.session.scalar(select(Workforce).where(Workforce.code == code))
    return workforce, {post.code: post for post in workforce.posts}, list(workforce.grades)


def _person(staff_no, name, unit, post, grade, joined, password_hash) -> Person:
    person = db.session.scalar(select(Person).where(Person.staff_no == staff_no))
    if person is None:
        person = Person(staff_no=staff_no, name=name, unit_id=unit.id, post_id=post.id if post else None,
                        grade_id=grade.id if grade else None, joined_on=joined, phone="",
                        password_hash=password_hash, must_change_password=False)
        db.session.add(person)
        db.session.flush()
    return person


def _grant(person: Person, role: str, unit: OrgUnit | None) -> None:
    scope_id = unit.id if unit else None
    if not any(g.role == role and g.scope_unit_id == scope_id for g in person.roles):
        person.roles.append(RoleGrant(role=role, scope_unit_id=scope_id))


def load_demo() -> list[tuple[str, str, str]]:
    """Create or complete the demo data; returns the demo logins (staff_no, name, roles)."""
    from app.curriculum.assets import content_root
    from app.curriculum.sync import sync_workforces

    sync_workforces(content_root())  # workforces, posts and grades are content (workforces.toml)
    password_hash = hash_password(DEMO_PASSWORD)
    units: dict[tuple, OrgUnit] = {}
    ladders = {}
    for code in TREES:
        workforce, posts, grades = _workforce(code)
        ladders[code] = (posts, grades)
        tree_units: dict[tuple, OrgUnit] = {}
        _tree(TREES[code], None, workforce, tree_units, ())
        units.update({(code, path): unit for path, unit in tree_units.items()})
    logins = []
    for staff_no, name, (wf, path), post_code, roles in ACCOUNTS:
        posts, grades = ladders[wf]
        post = posts.get(post_code) if post_code else None
        person = _person(staff_no, name, units[(wf, path)], post, grades[1] if post else None,
                         date(2023, 3, 1), password_hash)
        for role, scope in roles:
            _grant(person, role, units[scope] if scope else None)
        logins.append((staff_no, name, "、".join(g.label for g in person.roles)))
    _trainees(units, ladders, password_hash)
    db.session.commit()
    return logins


def _trainees(units, ladders, password_hash) -> None:
    """Add 50 trainees spread over the leaf units, with a mentor for some."""
    leaves = [(key, unit) for key, unit in units.items() if key[1] and not any(
        other[0] == key[0] and other[1][:-1] == key[1] for other in units)]
    mentor = db.session.scalar(select(Person).where(Person.staff_no == "jiaoguan"))
    for i in range(50):
        (wf, _path), unit = leaves[i % len(leaves)]
        posts, grades = ladders[wf]
        post = list(posts.values())[i % 3]
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        person = _person(f"{wf.upper()}{1001 + i}", name, unit, post, grades[i % len(grades)],
                         date(2018 + i % 8, 1 + i % 12, 1 + i % 27), password_hash)
        _grant(person, "trainee", None)
        if wf == "fj" and i % 5 == 0 and mentor:
            _get_or_create(MentorLink, {"started_on": date(2024, 1, 1)}, mentor_id=mentor.id,
                           mentee_id=person.id, kind="mentor")
