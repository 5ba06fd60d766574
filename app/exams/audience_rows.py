"""The audience picker: units, posts and named people chosen in the exam's scope, as audience rows.

Units and people are resolved through the org services inside the exam's scope (its owner unit's
subtree). A post is "everyone holding it" only for a global exam; in a unit's exam it becomes the
post within that unit's subtree (a row with both set), so an audience never reaches outside.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.scope import Scope
from app.errors import DomainError
from app.extensions import db
from app.models import Exam, ExamAudience, OrgUnit, Person, Post
from app.org.people import select_people
from app.org.services import get_unit
from app.trees import full_names

Row = tuple[int | None, int | None, int | None]  # (unit_id, post_id, person_id)


def audience_rows(scope: Scope, owner_unit_id: int | None, unit_ids, post_ids, staff_nos,
                  problems: list[str]) -> list[Row]:
    """The audience rows for the chosen units, posts and staff numbers; problems are appended."""
    rows: list[Row] = []
    for unit_id in dict.fromkeys(unit_ids or ()):
        try:
            rows.append((get_unit(scope, unit_id).id, None, None))
        except DomainError:
            problems.append("所选单位不存在或不在本场考试的范围内")
    known_posts = set(db.session.scalars(select(Post.id).where(Post.id.in_(list(post_ids or ())))))
    for post_id in dict.fromkeys(post_ids or ()):
        if post_id not in known_posts:
            problems.append("所选岗位不存在")
        else:
            rows.append((owner_unit_id, post_id, None))
    staff_nos = list(dict.fromkeys(s.strip() for s in staff_nos or () if s.strip()))
    if len(staff_nos) > 2000:
        problems.append("指定人员一次最多 2000 人")
    elif staff_nos:
        people, missing = select_people(scope, staff_nos=staff_nos)
        if missing:
            problems.append(f"以下工号不存在、已离岗或不在本场考试的范围内：{'、'.join(missing[:20])}")
        rows += [(None, None, person.id) for person in people]
    return rows


def current_rows(exam: Exam) -> list[Row]:
    return [(row.unit_id, row.post_id, row.person_id) for row in exam.audience]


def replace_audience(exam: Exam, rows: list[Row]) -> bool:
    """Make the exam's audience these rows; True when it changed (flushes nothing)."""
    if sorted(current_rows(exam), key=str) == sorted(rows, key=str):
        return False
    exam.audience = [ExamAudience(unit_id=u, post_id=p, person_id=person) for u, p, person in rows]
    return True


def form_values(exam: Exam) -> dict:
    """The picker's values for an exam: unit ids, post ids, staff numbers."""
    rows = current_rows(exam)
    person_ids = [person for _u, _p, person in rows if person]
    staff = db.session.scalars(select(Person.staff_no).where(Person.id.in_(person_ids)).order_by(Person.staff_no))
    return {"unit_ids": [u for u, p, person in rows if u and not p],
            "post_ids": list(dict.fromkeys(p for _u, p, _person in rows if p)),
            "staff_nos": list(staff) if person_ids else []}


def labels(exam: Exam) -> list[str]:
    """How each audience entry reads: 交警支队/一大队（含下级单位）, 岗位「路面执勤」, 张三（工号 fj001）."""
    rows = current_rows(exam)
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_({u for u, _p, _x in rows if u}))))
    unit_names = full_names(OrgUnit, units)
    posts = dict(db.session.execute(select(Post.id, Post.name).where(Post.id.in_({p for _u, p, _x in rows if p}))).all())
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_({x for _u, _p, x in rows if x})))}
    shown = []
    for unit_id, post_id, person_id in rows:
        if post_id:
            within = f"（{unit_names.get(unit_id, '')}范围内）" if unit_id else ""
            shown.append(f"岗位「{posts.get(post_id, '')}」{within}")
        elif unit_id:
            shown.append(f"{unit_names.get(unit_id, '')}（含下级单位）")
        elif person_id in people:
            shown.append(f"{people[person_id].name}（工号 {people[person_id].staff_no}）")
    return shown
