"""The admins' daily digest (催学汇总): per admin, their scope's overdue and due-soon 培训任务.

Counted from the 培训完成情况 counters (`AssignmentTally`: open = total − done, per unit and due
date), as the 培训完成情况 page counts them: one statement for the units, one for the admins'
grants, one for the grant units' names, whatever the number of people. Each unit's counts are added
to every unit on its path, so an admin's figure is the sum over their grants' subtrees (a grant
inside another grant of theirs counted once; a global admin gets the whole tree).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import case, func, select

from app.extensions import db
from app.messages.services import Outgoing
from app.models import AssignmentTally, OrgUnit, Person, RoleGrant
from app.models.people import PersonStatus, Role
from app.needs.reminder_finders import Day
from app.trees import ancestor_ids, full_names

DIGEST_KIND = "reminder_digest"
COMPLIANCE_PATH = "/study/admin/compliance"
EVERYWHERE = 0  # the key of the whole tree's counts (a global admin's)


def subtree_counts(day: Day) -> dict[int, list[int]]:
    """{unit id: [overdue, due soon]} of each unit's subtree (EVERYWHERE: all units)."""
    open_ = AssignmentTally.total - AssignmentTally.done
    rows = db.session.execute(
        select(OrgUnit.path, func.sum(case((AssignmentTally.due_on < day.today, open_), else_=0)),
               func.sum(case((AssignmentTally.due_on >= day.today, open_), else_=0)))
        .join(OrgUnit, OrgUnit.id == AssignmentTally.unit_id)
        .where(AssignmentTally.due_on <= day.today + timedelta(days=day.due_days),
               AssignmentTally.total > AssignmentTally.done)
        .group_by(OrgUnit.path))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for path, overdue, soon in rows:
        for unit_id in [EVERYWHERE, *ancestor_ids(path)]:
            counts[unit_id][0] += int(overdue or 0)
            counts[unit_id][1] += int(soon or 0)
    return counts


def admin_grants() -> dict[int, list[OrgUnit | None]]:
    """{active admin's person id: the units of their admin grants (None: everywhere)}."""
    rows = db.session.execute(
        select(RoleGrant.person_id, OrgUnit).join(Person, Person.id == RoleGrant.person_id)
        .outerjoin(OrgUnit, OrgUnit.id == RoleGrant.scope_unit_id)
        .where(RoleGrant.role == Role.ADMIN, Person.status == PersonStatus.ACTIVE)
        .order_by(RoleGrant.person_id, OrgUnit.path))
    grants: dict[int, list[OrgUnit | None]] = defaultdict(list)
    for person_id, unit in rows:
        grants[person_id].append(unit)
    return grants


def _outermost(units: list[OrgUnit | None]) -> list[OrgUnit | None]:
    """The grants not inside another grant of the same admin (None covers everything)."""
    if any(unit is None for unit in units):
        return [None]
    return [u for u in units if not any(o is not u and u.path.startswith(o.path) for o in units)]


def digests(day: Day) -> list[Outgoing]:
    """One message per admin whose scope has overdue or due-soon tasks, linking to 培训完成情况."""
    counts = subtree_counts(day)
    if not counts:
        return []
    grants = {admin: _outermost(units) for admin, units in admin_grants().items()}
    names = full_names(OrgUnit, {u.id: u for units in grants.values() for u in units if u is not None}.values())
    found = []
    for admin, units in grants.items():
        lines = [(names[u.id] if u else "全部单位", counts.get(u.id if u else EVERYWHERE, [0, 0])) for u in units]
        overdue, soon = (sum(figures[i] for _, figures in lines) for i in (0, 1))
        if not overdue and not soon:
            continue
        title = f"培训任务催办：管辖范围内 {overdue} 项已逾期、{soon} 项 {day.due_days} 天内到期"
        body = "\n".join([f"截至 {day.today:%Y-%m-%d}："]
                         + [f"{name}：已逾期 {o} 项，{day.due_days} 天内到期 {s} 项" for name, (o, s) in lines]
                         + ["请到培训完成情况查看明细，督促相关人员按时完成。"])
        found.append(Outgoing(admin, DIGEST_KIND, title, body, COMPLIANCE_PATH, f"digest:{admin}:{day.today}"))
    return found
