"""Role checks and org-unit scopes: an admin sees only their unit's subtree."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import false, or_, true

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import OrgUnit, Person, RoleGrant
from app.models.people import Role

OUT_OF_REACH = "该人员持有超出您管理范围的角色，不能修改。"


@dataclass(frozen=True)
class Scope:
    """The unit subtrees a person may act on in one role; `paths is None` means everywhere."""

    paths: tuple[str, ...] | None

    @property
    def is_global(self) -> bool:
        return self.paths is None

    def covers(self, unit: OrgUnit | None) -> bool:
        """Return whether the unit lies inside this scope."""
        if unit is None:
            return False
        return self.paths is None or any(unit.path.startswith(p) for p in self.paths)

    def allows_grant(self, role: str, unit: OrgUnit | None) -> bool:
        """Return whether a grant of `role` over `unit` (None: everywhere) lies inside this scope.
        Only a global scope holds global grants; a trainee grant gives power over nobody."""
        if role == Role.TRAINEE:
            return True
        return self.paths is None if unit is None else self.covers(unit)

    def can_manage(self, person: Person) -> bool:
        """Return whether the person belongs to the scope and every role they hold lies inside it:
        only then may this scope's admin edit, disable, reset, grant to or revoke from them."""
        return self.covers(person.unit) and all(self.allows_grant(g.role, g.scope_unit) for g in person.roles)

    def clause(self, path_column):
        """Return a SQL condition restricting `path_column` (an OrgUnit.path) to the scope."""
        if self.paths is None:
            return true()
        if not self.paths:
            return false()
        return or_(*(path_column.startswith(p, autoescape=True) for p in self.paths))

    def over_people(self, query, person_id_column):
        """Join a select to the person in `person_id_column` and their unit (`OrgUnit`), keeping
        only rows whose person lies inside the scope."""
        return (query.join(Person, Person.id == person_id_column)
                .join(OrgUnit, OrgUnit.id == Person.unit_id).where(self.clause(OrgUnit.path)))


def person_in_scope(scope: Scope, person_id: int) -> Person:
    """Return the person if they belong to a unit inside the scope, else raise NotFound."""
    person = db.session.get(Person, person_id)
    if person is None or not scope.covers(person.unit):
        raise NotFound("人员不存在或不在您的管理范围内。")
    return person


def person_to_manage(scope: Scope, person_id: int) -> Person:
    """Return the person if the scope may change them (`Scope.can_manage`): NotFound outside the
    scope, Forbidden when they hold a role wider than it."""
    person = person_in_scope(scope, person_id)
    if not scope.can_manage(person):
        raise Forbidden(OUT_OF_REACH)
    return person


def scope_of(grants: list[RoleGrant], role: str) -> Scope:
    """Combine a person's grants of one role into a scope."""
    paths: list[str] = []
    for grant in grants:
        if grant.role != role:
            continue
        if grant.scope_unit is None:
            return Scope(None)
        paths.append(grant.scope_unit.path)
    return Scope(tuple(sorted(set(paths))))


def current_scope(role: str = "admin") -> Scope:
    """Return the current user's scope in the role (empty when they lack it)."""
    if not current_user.is_authenticated:
        return Scope(())
    return scope_of(current_user.person.roles, role)


def role_required(*roles: str):
    """Allow the view only to logged-in people holding one of the roles (403 otherwise)."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.person.role_names.intersection(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
