"""Who may build, change and watch exams and blueprints.

Instructors and admins build exams in their scope (the two roles' scopes together). An exam or a
blueprint belongs to its author's scope unit (`owner_unit_id`; None for a global author): its
author and anyone whose scope covers that unit may change it. Admins whose scope reaches into an
exam's audience may watch it (the live view, overrides) for the people in their scope. Outside
all of that an exam answers 404; a watcher trying to change it gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select

from app.auth.scope import Scope, scope_of
from app.errors import Forbidden, NotFound
from app.exams.audience import overlaps
from app.extensions import db
from app.models import Blueprint, Exam, OrgUnit, RoleGrant
from app.models.people import Role
from app.trees import ancestor_ids, full_names

EXAM_NOT_FOUND = "考试不存在或不在您的管理范围内。"
BLUEPRINT_NOT_FOUND = "组卷规则不存在或不在您的管理范围内。"
WATCH_ONLY = "您只能查看本场考试中您管理范围内的人员，不能修改考试。"


def union(*scopes: Scope) -> Scope:
    """The scope covering everything any of the scopes covers."""
    if any(scope.is_global for scope in scopes):
        return Scope(None)
    return Scope(tuple(sorted({path for scope in scopes for path in scope.paths})))


@dataclass(frozen=True)
class Viewer:
    """The person acting on exams: `build` (instructor ∪ admin scope) and `watch` (admin scope)."""

    person_id: int
    build: Scope
    watch: Scope
    owner_units: tuple[int | None, ...]  # the units their exams may belong to (None: global)


def viewer_for(person_id: int, grants: Iterable[RoleGrant]) -> Viewer:
    """Build the viewer from a person's role grants."""
    grants = [g for g in grants if g.role in (Role.INSTRUCTOR, Role.ADMIN)]
    owners = tuple(dict.fromkeys(g.scope_unit_id for g in sorted(grants, key=lambda g: g.scope_unit_id or 0)))
    return Viewer(person_id, union(scope_of(grants, Role.INSTRUCTOR), scope_of(grants, Role.ADMIN)),
                  scope_of(grants, Role.ADMIN), owners)


def owner_scope(owner_unit_id: int | None) -> Scope:
    """The scope an owner unit stands for (None: everywhere)."""
    if owner_unit_id is None:
        return Scope(None)
    unit = db.session.get(OrgUnit, owner_unit_id)
    return Scope((unit.path,)) if unit else Scope(())


def owner_options(viewer: Viewer) -> list[tuple[int, str]]:
    """(unit id or 0 for global, label) for the owner select of the exam and blueprint forms."""
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_([u for u in viewer.owner_units if u]))))
    labels = full_names(OrgUnit, units)
    options = [(0, "全部单位（全局）")] if None in viewer.owner_units else []
    return options + sorted(((u.id, labels[u.id]) for u in units), key=lambda pair: pair[1])


def owner_unit_for(viewer: Viewer, chosen: int | None) -> int | None:
    """The owner a new exam or blueprint gets: `chosen` (0: global) if the viewer may use it, or,
    when nothing was chosen, their first."""
    if not viewer.owner_units:
        raise Forbidden("只有教官和管理员可以组卷和发布考试。")
    if chosen is None:
        return viewer.owner_units[0]
    if (chosen or None) not in viewer.owner_units:
        raise NotFound("所选单位不存在或不在您的管理范围内。")
    return chosen or None


def _owned_clause(model, viewer: Viewer):
    """SQL condition: rows of `model` the viewer may change (author, or owner unit in scope)."""
    if viewer.build.is_global:
        return model.id.is_not(None)
    units = select(OrgUnit.id).where(viewer.build.clause(OrgUnit.path))
    return or_(model.created_by_id == viewer.person_id, model.owner_unit_id.in_(units))


def _owns(viewer: Viewer, row) -> bool:
    if row.created_by_id == viewer.person_id or viewer.build.is_global:
        return True
    if row.owner_unit_id is None:
        return False
    return viewer.build.covers(db.session.get(OrgUnit, row.owner_unit_id))


def exams_clause(viewer: Viewer):
    """SQL condition on `Exam`: the exams the viewer may change or watch (never a trainee's
    generated practice, `Exam.hidden`)."""
    return and_(Exam.hidden.is_(False), or_(_owned_clause(Exam, viewer), overlaps(viewer.watch)))


def may_change(viewer: Viewer, exam: Exam) -> bool:
    return _owns(viewer, exam)


def may_change_blueprint(viewer: Viewer, blueprint: Blueprint) -> bool:
    return _owns(viewer, blueprint)


def _watches(viewer: Viewer, exam: Exam) -> bool:
    return bool(db.session.scalar(select(exists().where(Exam.id == exam.id, overlaps(viewer.watch)))))


def exam_to_watch(viewer: Viewer, exam_id: int) -> Exam:
    """The exam if the viewer may change or watch it; NotFound otherwise."""
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.hidden or not (_owns(viewer, exam) or _watches(viewer, exam)):
        raise NotFound(EXAM_NOT_FOUND)
    return exam


def exam_to_change(viewer: Viewer, exam_id: int) -> Exam:
    """The exam if the viewer may change it; 404 outside their reach, 403 for a watcher."""
    exam = db.session.get(Exam, exam_id)
    if exam is not None and exam.hidden:  # a trainee's generated practice: nobody builds or watches it
        raise NotFound(EXAM_NOT_FOUND)
    if exam is not None and _owns(viewer, exam):
        return exam
    if exam is not None and _watches(viewer, exam):
        raise Forbidden(WATCH_ONLY)
    raise NotFound(EXAM_NOT_FOUND)


def blueprints_clause(viewer: Viewer):
    return and_(Blueprint.hidden.is_(False), _owned_clause(Blueprint, viewer))


def blueprint_to_change(viewer: Viewer, blueprint_id: int | None) -> Blueprint:
    """The blueprint if the viewer may see and change it; NotFound otherwise."""
    blueprint = db.session.get(Blueprint, blueprint_id) if blueprint_id else None
    if blueprint is None or blueprint.hidden or not _owns(viewer, blueprint):
        raise NotFound(BLUEPRINT_NOT_FOUND)
    return blueprint


def people_scope(viewer: Viewer) -> Scope:
    """Whose rows the viewer sees and adjusts in an exam (live view, overrides): their whole scope."""
    return viewer.build


def unit_ids_of(scope: Scope) -> list[int]:
    """The top unit of each subtree of a (non-global) scope."""
    return [ancestor_ids(path)[-1] for path in scope.paths or ()]
