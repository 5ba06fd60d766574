"""The category tree of the bank: scope checks, listing and CRUD (instructors, within their scope)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit import record
from app.auth.scope import Scope
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import OrgUnit, Question, QuestionCategory
from app.trees import TreeNode, build_forest, full_names, place

NOT_FOUND = "题库分类不存在或不在您的管理范围内。"


def may_edit(scope: Scope, category: QuestionCategory | None) -> bool:
    """Return whether an instructor with this scope may see and edit the category."""
    if category is None:
        return False
    if category.owner_unit_id is None:
        return scope.is_global
    return scope.covers(category.owner_unit)


def in_scope_clause(scope: Scope):
    """Return a SQL condition on QuestionCategory restricting it to the scope."""
    if scope.is_global:
        return QuestionCategory.id.is_not(None)
    units = select(OrgUnit.id).where(scope.clause(OrgUnit.path))
    return QuestionCategory.owner_unit_id.in_(units)


def get_category(scope: Scope, category_id: int | None) -> QuestionCategory:
    """Return the category if it exists inside the scope, else raise NotFound."""
    category = db.session.get(QuestionCategory, category_id) if category_id else None
    if not may_edit(scope, category):
        raise NotFound(NOT_FOUND)
    return category


def categories_in_scope(scope: Scope) -> list[QuestionCategory]:
    """Return every category the scope may edit, ordered by path."""
    query = select(QuestionCategory).where(in_scope_clause(scope)).order_by(QuestionCategory.path)
    return list(db.session.scalars(query))


def labels(categories: list[QuestionCategory]) -> dict[int, str]:
    """Return full names like 辅警/道路交通安全法规 for categories (ancestors looked up once)."""
    return full_names(QuestionCategory, categories)


def names_of(category: QuestionCategory) -> tuple[str, ...]:
    """Return the category's path of names, root first."""
    return tuple(labels([category])[category.id].split("/"))


def choices_for(scope: Scope) -> list[tuple[int, str]]:
    """Return (id, full name) pairs of the scope's categories, for select fields."""
    categories = categories_in_scope(scope)
    by_id = labels(categories)
    return sorted(((c.id, by_id[c.id]) for c in categories), key=lambda pair: pair[1])


def subtree_ids(category: QuestionCategory):
    """Return a select of the ids of the category and everything below it."""
    return select(QuestionCategory.id).where(QuestionCategory.path.startswith(category.path, autoescape=True))


def tree(scope: Scope) -> list[TreeNode]:
    """Return the scope's categories as a forest, with question counts per category."""
    categories = categories_in_scope(scope)
    ids = [c.id for c in categories]
    counts = dict(db.session.execute(
        select(Question.category_id, func.count()).where(Question.category_id.in_(ids))
        .group_by(Question.category_id)
    ).all()) if ids else {}
    return build_forest(categories, counts)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or "/" in name:
        raise DomainError("分类名称不能为空，不超过 100 个字，且不能包含“/”。")
    return name


def _owned_by(owner_unit_id: int | None):
    return (QuestionCategory.owner_unit_id.is_(None) if owner_unit_id is None
            else QuestionCategory.owner_unit_id == owner_unit_id)


def _check_unique(parent_id: int | None, name: str, owner_unit_id: int | None, exclude: int | None = None) -> None:
    """Refuse a sibling of the same name (roots count as siblings only under the same owner)."""
    query = select(QuestionCategory.id).where(QuestionCategory.name == name, QuestionCategory.id != (exclude or 0))
    query = query.where(QuestionCategory.parent_id.is_(None), _owned_by(owner_unit_id)) if parent_id is None \
        else query.where(QuestionCategory.parent_id == parent_id)
    if db.session.scalar(query) is not None:
        raise Conflict(f"同一级下已有名为“{name}”的分类。")


def add_category(parent: QuestionCategory | None, name: str, owner_unit_id: int | None) -> QuestionCategory:
    """Add a category row and set its materialised path (no commit, no checks)."""
    category = QuestionCategory(parent=parent, name=name,
                                owner_unit_id=parent.owner_unit_id if parent else owner_unit_id)
    db.session.add(category)
    db.session.flush()
    place(category, parent)
    return category


def create_category(actor_id: int, scope: Scope, *, parent_id: int | None, name: str,
                    owner_unit_id: int | None = None) -> QuestionCategory:
    """Create a category under a parent in scope, or a root owned by a unit in scope."""
    name = _check_name(name)
    parent = get_category(scope, parent_id) if parent_id else None
    if parent is None:
        unit = db.session.get(OrgUnit, owner_unit_id) if owner_unit_id else None
        if (owner_unit_id and unit is None) or not (scope.covers(unit) or (unit is None and scope.is_global)):
            raise NotFound("所选单位不存在或不在您的管理范围内。")
    _check_unique(parent.id if parent else None, name, owner_unit_id)
    category = add_category(parent, name, owner_unit_id)
    record("bank_category_create", category, actor_id=actor_id, name=name, parent_id=parent_id)
    db.session.commit()
    return category


def rename_category(actor_id: int, scope: Scope, category_id: int, *, name: str) -> QuestionCategory:
    """Rename a category in scope."""
    category = get_category(scope, category_id)
    name = _check_name(name)
    _check_unique(category.parent_id, name, category.owner_unit_id, exclude=category.id)
    record("bank_category_rename", category, actor_id=actor_id, old=category.name, new=name)
    category.name = name
    db.session.commit()
    return category


def delete_category(actor_id: int, scope: Scope, category_id: int) -> None:
    """Delete an empty category (no questions, no sub-categories)."""
    category = get_category(scope, category_id)
    has_child = db.session.scalar(select(QuestionCategory.id).where(QuestionCategory.parent_id == category.id).limit(1))
    has_question = db.session.scalar(select(Question.id).where(Question.category_id == category.id).limit(1))
    if has_child or has_question:
        raise Conflict("只能删除空分类：请先移走其中的试题和下级分类。")
    record("bank_category_delete", category, actor_id=actor_id, name=category.name)
    db.session.delete(category)
    db.session.commit()


def ensure_path(names: tuple[str, ...], owner_unit_id: int | None,
                under: QuestionCategory | None = None) -> QuestionCategory:
    """Find or create the category chain `names` (below `under`, or among roots with the owner)."""
    parent = under
    for name in names:
        query = select(QuestionCategory).where(QuestionCategory.name == name)
        if parent is None:
            query = query.where(QuestionCategory.parent_id.is_(None), _owned_by(owner_unit_id))
        else:
            query = query.where(QuestionCategory.parent_id == parent.id)
        found = db.session.scalar(query)
        parent = found or add_category(parent, _check_name(name), owner_unit_id)
    if parent is None:
        raise DomainError("分类路径不能为空。")
    return parent


def find_path(names: tuple[str, ...]) -> QuestionCategory:
    """Return the category at a path of names from a root (any owner), else raise NotFound."""
    parent = None
    for name in names:
        query = select(QuestionCategory).where(QuestionCategory.name == name).order_by(QuestionCategory.id)
        query = query.where(QuestionCategory.parent_id.is_(None) if parent is None
                            else QuestionCategory.parent_id == parent.id)
        parent = db.session.scalars(query).first()
        if parent is None:
            raise NotFound(f"分类“{'/'.join(names)}”不存在。")
    if parent is None:
        raise NotFound("分类路径不能为空。")
    return parent
