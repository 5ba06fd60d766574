"""Roster import checks: every row against the org data and the person field rules
(`app/org/fields.py`, shared with the person form), the all-or-nothing confirm, and the
template's example names. The upload and the background preview are in `roster_batches`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.audit import record
from app.auth.passwords import hash_password, password_problems
from app.auth.scope import Scope
from app.errors import DomainError, NotFound
from app.events import announce, person_joined
from app.extensions import db
from app.models import Grade, OrgUnit, Person, Post, RoleGrant, RosterImport
from app.models.people import ImportStatus, PersonStatus, Role
from app.org.fields import joined_on_problems, person_field_problems, shorten
from app.org.services import units_in_scope
from app.trees import full_names, name_path, with_ancestors

ROLE_LABELS = {Role.TRAINEE.label: Role.TRAINEE, Role.INSTRUCTOR.label: Role.INSTRUCTOR}  # a file may grant these
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
PROGRESS_EVERY = 200


@dataclass(frozen=True)
class RowError:
    row: int | None
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}" if self.row else self.message

    def as_json(self) -> dict:
        return {"row": self.row, "message": self.message}


class _Lookup:
    """Resolves names in a file to ids, limited to the actor's scope."""

    def __init__(self, scope: Scope):
        self.scope = scope
        units = units_in_scope(scope)
        by_id = with_ancestors(OrgUnit, units)  # ancestors above the scope too, for full path names
        self.units_by_path: dict[str, OrgUnit] = {}
        self.units_by_name: dict[str, list[OrgUnit]] = {}
        for unit in units:
            self.units_by_path[name_path(unit, by_id)] = unit
            self.units_by_name.setdefault(unit.name, []).append(unit)
        posts = list(db.session.scalars(select(Post)))
        self.posts = {p.name: p for p in posts} | {p.code: p for p in posts}
        self.grades = {(g.workforce_id, g.name): g for g in db.session.scalars(select(Grade))}

    def unit(self, text: str) -> tuple[OrgUnit | None, str | None]:
        text = "/".join(part.strip() for part in text.replace("／", "/").split("/") if part.strip())
        unit = self.units_by_path.get(text) or next(
            (u for label, u in self.units_by_path.items() if label.endswith("/" + text)), None
        ) if "/" in text else None
        if unit:
            return unit, None
        named = self.units_by_name.get(text, [])
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            return None, f"单位名称“{text}”不唯一，请填写完整路径（如“上级单位/{text}”）"
        return None, f"找不到单位“{shorten(text)}”（或不在您的管理范围内）"


def _parse_date(text: str) -> date | None:
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _check_identity(row: dict, lookup: _Lookup, seen: dict[str, int], existing: set[str], problems: list[str]):
    """Check staff number, name and phone (the person form's rules), repeats and the unit; return the unit."""
    staff_no = row.get("工号", "")
    problems += person_field_problems(staff_no=staff_no, name=row.get("姓名", ""), phone=row.get("手机", ""))
    if staff_no in seen:
        problems.append(f"工号“{shorten(staff_no)}”与第{seen[staff_no]}行重复")
    elif staff_no in existing:
        problems.append(f"工号“{shorten(staff_no)}”已存在")
    if staff_no:
        seen.setdefault(staff_no, row["_row"])
    unit, unit_problem = lookup.unit(row["单位"]) if row.get("单位") else (None, "单位不能为空")
    if unit_problem:
        problems.append(unit_problem)
    return unit


def _check_post(row: dict, lookup: _Lookup, problems: list[str]) -> tuple[Post | None, Grade | None]:
    """Check 岗位 and 岗位等级. An unknown post is the row's one post problem: its grade is not
    judged against a post that does not exist."""
    post_text, grade_text = row.get("岗位", ""), row.get("岗位等级", "")
    post = lookup.posts.get(post_text) if post_text else None
    if post_text and post is None:
        problems.append(f"岗位“{shorten(post_text)}”不存在（请填写系统中已有的岗位名称或岗位代码）")
        return None, None
    if not grade_text:
        return post, None
    if post is None:
        problems.append("填写岗位等级时须填写岗位")
        return None, None
    grade = lookup.grades.get((post.workforce_id, grade_text))
    if grade is None:
        problems.append(f"岗位等级“{shorten(grade_text)}”不属于岗位“{post.name}”所在队伍的等级序列")
    return post, grade


def _check_details(row: dict, problems: list[str]) -> tuple[date | None, str | None, list[str]]:
    """Check date joined, status and roles."""
    joined_on = None
    if row.get("入职日期"):
        try:
            joined_on = _parse_date(row["入职日期"])
        except ValueError:
            problems.append(f"入职日期“{shorten(row['入职日期'])}”无法识别（应为 2024-03-01）")
        else:
            problems += joined_on_problems(joined_on)
    try:  # the file says 在岗 or 离岗 (empty: 在岗); the database stores the code
        status = PersonStatus.from_label(row.get("状态") or PersonStatus.ACTIVE.label)
    except ValueError:
        status = None
        problems.append(f"状态“{shorten(row['状态'])}”只能是在岗或离岗")
    roles = [r.strip() for r in re.split(r"[、,，;；\s]+", row.get("角色", "")) if r.strip()] or ["学员"]
    unknown = [r for r in roles if r not in ROLE_LABELS]
    if unknown:
        problems.append(f"角色“{shorten('、'.join(unknown))}”无法导入（只能是学员或教官）")
    return joined_on, status, list(dict.fromkeys(ROLE_LABELS[r] for r in roles if r in ROLE_LABELS))


def _check_row(row: dict, lookup: _Lookup, seen: dict[str, int], existing: set[str]) -> tuple[dict, list[str]]:
    """Return the resolved person values of one row and the problems found in it."""
    problems: list[str] = []
    unit = _check_identity(row, lookup, seen, existing, problems)
    post, grade = _check_post(row, lookup, problems)
    joined_on, status, roles = _check_details(row, problems)
    wider = [role.label for role in roles if not lookup.scope.allows_grant(role, None)]  # a file grants everywhere
    if wider:
        problems.append(f"角色“{'、'.join(wider)}”将不限管理范围，超出您的管理范围"
                        "（只有全局管理员可以导入教官；请导入后在人员页面按单位授予）")
    values = {
        "staff_no": row.get("工号", ""), "name": row.get("姓名", ""), "phone": row.get("手机", ""),
        "unit_id": unit.id if unit else None, "unit_name": unit.name if unit else "",
        "post_id": post.id if post else None, "grade_id": grade.id if grade else None,
        "joined_on": joined_on.isoformat() if joined_on else None, "status": status, "roles": roles,
    }
    return values, problems


def validate(scope: Scope, rows: list[dict],
             progress: Callable[[int, int], None] | None = None) -> tuple[list[dict], list[RowError]]:
    """Check every row; return the resolved person values and the row errors (writes nothing).
    `progress(done, total)` follows the rows."""
    lookup = _Lookup(scope)
    staff_nos = [r.get("工号", "") for r in rows if r.get("工号")]
    existing = set(db.session.scalars(select(Person.staff_no).where(Person.staff_no.in_(staff_nos))))
    seen: dict[str, int] = {}
    people, errors = [], []
    for number, row in enumerate(rows, start=1):
        values, problems = _check_row(row, lookup, seen, existing)
        people.append(values | {"row": row["_row"]})
        errors.extend(RowError(row["_row"], p) for p in problems)
        if progress and number % PROGRESS_EVERY == 0:
            progress(number, len(rows))
    return people, errors


def template_example(scope: Scope) -> dict[str, str]:
    """Return names that exist for the template's example row: the first deepest unit in scope
    (its full path), a post (of that unit's workforce when it has one) and that post's first grade."""
    units = units_in_scope(scope)
    if not units:
        return {}
    deepest = max(unit.depth for unit in units)
    unit = next(u for u in units if u.depth == deepest)
    example = {"单位": full_names(OrgUnit, [unit])[unit.id], "岗位": "", "岗位等级": ""}
    own_first = (Post.workforce_id != unit.workforce_id) if unit.workforce_id else Post.workforce_id
    post = db.session.scalars(select(Post).order_by(own_first, Post.id).limit(1)).first()
    if post is None:
        return example
    grade = db.session.scalars(select(Grade).where(Grade.workforce_id == post.workforce_id)
                               .order_by(Grade.rank).limit(1)).first()
    return example | {"岗位": post.name, "岗位等级": grade.name if grade else ""}


def get_batch(actor_id: int, batch_id: int) -> RosterImport:
    """Return the actor's own batch in any state, else NotFound."""
    batch = db.session.get(RosterImport, batch_id)
    if batch is None or batch.created_by_id != actor_id:
        raise NotFound("导入批次不存在。")
    return batch


def confirm(actor_id: int, scope: Scope, batch_id: int, *, initial_password: str, min_length: int = 8) -> int:
    """Create every person of the batch, or nobody if any row is (now) invalid."""
    batch = get_batch(actor_id, batch_id)
    if batch.status != ImportStatus.PREVIEWED:
        raise DomainError("该批次不能导入（已导入、存在错误或尚未检查完）。")
    problems = password_problems(initial_password, min_length)
    if problems:
        raise DomainError("初始密码不符合要求：" + " ".join(problems))
    people, errors = validate(scope, batch.rows)
    if errors:
        raise DomainError("数据已变化，文件中出现错误，未导入任何人员：" + "；".join(map(str, errors[:5])))
    password_hash = hash_password(initial_password)  # one hash for the batch; all must change it
    for values in people:
        person = Person(
            staff_no=values["staff_no"], name=values["name"], phone=values["phone"],
            unit_id=values["unit_id"], post_id=values["post_id"], grade_id=values["grade_id"],
            joined_on=date.fromisoformat(values["joined_on"]) if values["joined_on"] else None,
            status=values["status"], password_hash=password_hash, must_change_password=True,
            roles=[RoleGrant(role=role) for role in values["roles"]],
        )
        db.session.add(person)
    batch.status = ImportStatus.IMPORTED
    batch.rows = []  # the people rows now hold the content; keep the batch small
    record("roster_import", batch, actor_id=actor_id, filename=batch.filename, count=len(people))
    db.session.commit()
    # One event for the whole batch: its receivers enqueue one task, not one per row.
    announce(person_joined, person_ids=list(db.session.scalars(
        select(Person.id).where(Person.staff_no.in_([values["staff_no"] for values in people])))))
    return len(people)
