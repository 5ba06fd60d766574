"""The demo's organisation: three unit trees, the demo accounts and about sixty people on posts.

Workforces, posts and grade ladders come from the course content (workforces.toml), synced first.
Units and people are written here with an audit entry each (no events: their training tasks come
from the year's syllabus runs of the timeline, at the dates they happened). Everyone shares the
published demo password; the people a roster import brings later (newcomers.py) have their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app.audit import record
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Grade, OrgUnit, Person, Post, RoleGrant, Workforce
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

# Demo logins (README.md lists them): (staff_no, name, unit path under the workforce root, post code, roles with scope paths)
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

# How many people each workforce has besides the accounts, and how their posts are drawn (the exam
# demo wants at least ten people of each workforce to have sat last month's exam).
STAFF = {"fj": (18, ["fj-road"] * 3 + ["fj-window", "fj-accident"]),
         "sq": (10, ["sq-grid", "sq-grid", "sq-service"]),
         "zg": (11, ["zg-cadre", "zg-supervision", "zg-org"])}
# Grade ranks a post's holders are placed in (社区工作者 三岗十八级: 正职 7–18, others 1–12).
GRADE_RANKS = {"sq-secretary": (7, 12), "sq-grid": (1, 8), "sq-service": (1, 8)}
# How people study: on time, early, late, or one task left undone (share of people, in order).
PROFILES = (("model", 0.3), ("normal", 0.45), ("late", 0.15), ("lagging", 0.1))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "丽",
         "强", "军", "婷", "鹏", "辉", "玲", "斌", "宇", "欣", "浩", "凯", "佳", "晨"]


@dataclass
class Member:
    """A person of the demo as the timeline plans for them."""

    person_id: int
    staff_no: str
    workforce: str
    unit_id: int
    profile: str
    joined_on: date


@dataclass
class Org:
    units: dict[tuple[str, tuple], OrgUnit] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)  # people on a post, who study
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (staff_no, name, roles)

    def unit(self, workforce: str, *path: str) -> OrgUnit:
        return self.units[(workforce, tuple(path))]


def build_org(tl) -> Org:
    """Create the unit trees, the demo accounts and the staff (the caller commits)."""
    org = Org()
    for code, tree in TREES.items():
        workforce = db.session.scalar(select(Workforce).where(Workforce.code == code))
        _tree(tree, None, workforce, org.units, code, ())
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = []
    for staff_no, name, (wf, path), post_code, roles in ACCOUNTS:
        post = db.session.scalar(select(Post).where(Post.code == post_code)) if post_code else None
        joined = date(tl.last_year - 3, 3, 1)
        person = _person(staff_no, name, org.units[(wf, path)], post, _grade(post, 2), joined, password_hash)
        person.roles = [RoleGrant(role=role, scope_unit_id=org.units[scope].id if scope else None)
                        for role, scope in roles]
        accounts.append(person)
        if post:
            profile = {"fj001": "showcase", "jiaoguan": "model"}.get(staff_no, "normal")
            org.members.append(Member(person.id, staff_no, wf, person.unit_id, profile, joined))
    for code in TREES:
        _staff(tl, org, code, password_hash)
    db.session.flush()
    org.logins = [(p.staff_no, p.name, "、".join(g.label for g in p.roles)) for p in accounts]
    return org


def _tree(spec, parent: OrgUnit | None, workforce: Workforce, units: dict, code: str, path: tuple,
          order: int = 0) -> None:
    name, kind, children = spec
    unit = OrgUnit(name=name, kind=kind, parent=parent, workforce_id=workforce.id, sort_order=order)
    db.session.add(unit)
    db.session.flush()
    place(unit, parent)
    record("unit_create", unit, actor_id=None, name=name, parent_id=parent.id if parent else None, source="demo")
    units[(code, path)] = unit
    for i, child in enumerate(children):
        _tree(child, unit, workforce, units, code, path + (child[0],), i)


def _grade(post: Post | None, rank: int) -> Grade | None:
    if post is None:
        return None
    return db.session.scalar(select(Grade).where(Grade.workforce_id == post.workforce_id, Grade.rank == rank))


def _person(staff_no, name, unit, post, grade, joined, password_hash) -> Person:
    person = Person(staff_no=staff_no, name=name, unit_id=unit.id, post_id=post.id if post else None,
                    grade_id=grade.id if grade else None, joined_on=joined, phone="",
                    password_hash=password_hash, must_change_password=False)
    db.session.add(person)
    db.session.flush()
    record("person_create", person, actor_id=None, staff_no=staff_no, name=name, source="demo")
    return person


def leaves(org: Org, code: str) -> list[OrgUnit]:
    """The units of a tree without children, in tree order."""
    paths = [path for wf, path in org.units if wf == code]
    return [org.units[(code, path)] for path in paths
            if not any(len(other) == len(path) + 1 and other[:len(path)] == path for other in paths)]


def _staff(tl, org: Org, code: str, password_hash: str) -> None:
    """The workforce's people: spread over its leaf units, mostly in post for years, a few since last year."""
    count, drawn = STAFF[code]
    posts = {post.code: post for post in db.session.scalars(select(Post))}
    units = leaves(org, code)
    names = _names(code)
    for i in range(count):
        staff_no = f"{code.upper()}{1001 + i}"
        rng = tl.rng("person", staff_no)
        unit = units[i % len(units)]
        post_code = "sq-secretary" if code == "sq" and i < len(units) else drawn[i % len(drawn)]
        low, high = GRADE_RANKS.get(post_code, (1, 5))
        post = posts[post_code]
        if i % 9 == 4:  # joined last year: their first tasks come at their joining date
            joined = date(tl.last_year, 3, 1) + timedelta(days=rng.randrange(200))
        else:
            joined = date(tl.last_year - rng.randint(1, 9), rng.randint(1, 12), rng.randint(1, 28))
        person = _person(staff_no, names[i], unit, post, _grade(post, rng.randint(low, high)), joined, password_hash)
        person.roles = [RoleGrant(role="trainee")]
        draw, profile = rng.random(), "normal"
        for name, share in PROFILES:
            if draw < share:
                profile = name
                break
            draw -= share
        org.members.append(Member(person.id, staff_no, code, unit.id, profile, joined))


def _names(code: str) -> list[str]:
    """Distinct made-up names, the same for every load."""
    offset = {"fj": 0, "sq": 11, "zg": 23}[code]
    names, i = [], 0
    while len(names) < STAFF[code][0]:
        n = offset + i
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)] + GIVEN[(n * 11 + 3) % len(GIVEN)]
        if name not in names:
            names.append(name)
        i += 1
    return names
