"""Org unit tree and workforce services; every function takes the actor's scope."""

from __future__ import annotations

from sqlalchemy import String, func, literal, select, update

from app.audit import record
from app.auth.scope import Scope, scope_of
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import OrgUnit, Person, Post, Workforce
from app.org.labels import unit_labels
from app.trees import TreeNode, build_forest, in_tree_order, place


def get_unit(scope: Scope, unit_id: int | None) -> OrgUnit:
    """Return the unit if it exists inside the scope, else raise NotFound."""
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    if not scope.covers(unit):
        raise NotFound("单位不存在或不在您的管理范围内。")
    return unit


def units_in_scope(scope: Scope) -> list[OrgUnit]:
    """Return every unit inside the scope, level by level, siblings in their order (see `in_tree_order`)."""
    query = select(OrgUnit).where(scope.clause(OrgUnit.path))
    return list(db.session.scalars(query.order_by(OrgUnit.depth, OrgUnit.sort_order, OrgUnit.name)))


def unit_options(scope: Scope) -> list[tuple[int, str]]:
    """Return (id, label) for every unit in scope, in tree order, for select boxes (labels: org/labels.py)."""
    units = in_tree_order(units_in_scope(scope))
    labels = unit_labels(scope, units)
    return [(unit.id, labels[unit.id]) for unit in units]


def post_options() -> list[tuple[int, str]]:
    """Return (id, name) for every post, grouped by workforce, for select boxes."""
    return [(p.id, p.name) for p in db.session.scalars(select(Post).order_by(Post.workforce_id, Post.id))]


def unit_tree(scope: Scope) -> list[TreeNode]:
    """Return the scope's units as a forest, with head counts per unit."""
    units = units_in_scope(scope)
    counts = dict(db.session.execute(
        select(Person.unit_id, func.count()).where(Person.unit_id.in_([u.id for u in units]))
        .group_by(Person.unit_id)
    ).all()) if units else {}
    return build_forest(units, counts)


def find_unit_id(name: str) -> int | None:
    """Return the id of the highest unit with this exact name, if any."""
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.name == name.strip())
                             .order_by(OrgUnit.depth, OrgUnit.id).limit(1))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("单位名称不能为空，且不超过 100 个字。")
    return name


def create_unit(actor_id: int | None, scope: Scope, *, parent_id: int | None, name: str, kind: str = "") -> OrgUnit:
    """Create a unit under `parent_id` (a root needs a global scope)."""
    parent = get_unit(scope, parent_id) if parent_id or not scope.is_global else None
    unit = OrgUnit(parent=parent, name=_check_name(name), kind=(kind or "").strip()[:20],
                   workforce_id=parent.workforce_id if parent else None)
    db.session.add(unit)
    db.session.flush()
    place(unit, parent)
    record("unit_create", unit, actor_id=actor_id, name=unit.name, parent_id=parent_id)
    db.session.commit()
    return unit


def rename_unit(actor_id: int, scope: Scope, unit_id: int, *, name: str, kind: str) -> OrgUnit:
    unit = get_unit(scope, unit_id)
    old = unit.name
    unit.name, unit.kind = _check_name(name), (kind or "").strip()[:20]
    record("unit_rename", unit, actor_id=actor_id, old=old, new=unit.name)
    db.session.commit()
    return unit


def move_unit(actor_id: int, scope: Scope, unit_id: int, new_parent_id: int) -> OrgUnit:
    """Move a unit and its subtree under another unit of the scope."""
    unit = get_unit(scope, unit_id)
    parent = get_unit(scope, new_parent_id)
    if parent.path.startswith(unit.path):
        raise DomainError("不能把单位移动到它自己或它的下级单位之下。")
    if scope.paths is not None and unit.path in scope.paths:
        raise Forbidden("不能移动您管理范围的根单位。")
    old_path, new_path = unit.path, parent.path + f"{unit.id}/"
    shift = parent.depth + 1 - unit.depth
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.startswith(old_path, autoescape=True))
        .values(
            path=literal(new_path, String).concat(func.substr(OrgUnit.path, len(old_path) + 1)),
            depth=OrgUnit.depth + shift,
        )
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = parent.id
    record("unit_move", unit, actor_id=actor_id, old_path=old_path, new_path=new_path)
    db.session.commit()
    db.session.expire_all()
    return unit


def delete_unit(actor_id: int, scope: Scope, unit_id: int) -> None:
    """Delete an empty unit (no sub-units, no people)."""
    unit = get_unit(scope, unit_id)
    if scope.paths is not None and unit.path in scope.paths:
        raise Forbidden("不能删除您管理范围的根单位。")
    has_children = db.session.scalar(select(func.count()).where(OrgUnit.parent_id == unit.id))
    has_people = db.session.scalar(select(func.count()).where(Person.unit_id == unit.id))
    if has_children or has_people:
        raise Conflict("只能删除没有下级单位和人员的单位，请先移走下级单位和人员。")
    record("unit_delete", unit, actor_id=actor_id, name=unit.name, path=unit.path)
    db.session.delete(unit)
    db.session.commit()


def workforces() -> list[Workforce]:
    """Every workforce with its posts and grades (read-only: set by policy in the course content, see reference.py)."""
    return list(db.session.scalars(select(Workforce).order_by(Workforce.id)))


def home_summary(person: Person) -> dict:
    """Return the figures the home page shows for this person's roles."""
    summary: dict = {"admin": None}
    if person.has_role("admin"):
        scope = scope_of(person.roles, "admin")
        unit_ids = select(OrgUnit.id).where(scope.clause(OrgUnit.path))
        summary["admin"] = {
            "units": db.session.scalar(select(func.count()).select_from(unit_ids.subquery())),
            "people": db.session.scalar(select(func.count()).where(Person.unit_id.in_(unit_ids))),
        }
    return summary
