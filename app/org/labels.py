"""How a unit is named on a page: by its name path, so 一大队/一中队 and 二大队/一中队 never look alike.

The one rule: an admin whose scope lies in one tree reads the paths below that tree's top unit
(一大队/一中队 for the 支队's admin and for the 一大队's admin alike; the top unit itself, the whole
organisation, keeps its own name): the top's long name would start every label and tells them
nothing. Anyone else (a global admin, an admin over several trees, a trainee) reads the whole path
from the top, which no two units share.

Python code labels units with `unit_labels(scope, units)`; templates with the `unit_label` filter,
which reads the current viewer's admin scope and looks every unit's name up once per request.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_app_context
from sqlalchemy import select

from app.auth.scope import Scope, current_scope
from app.extensions import db
from app.models import OrgUnit
from app.trees import ancestor_ids, name_path, shown_ids, with_ancestors


def label_root(scope: Scope) -> int | None:
    """Return the id of the top unit of the one tree the scope lies in (None: whole paths)."""
    tops = {ancestor_ids(path)[0] for path in scope.paths or ()}
    return tops.pop() if len(tops) == 1 else None


def unit_labels(scope: Scope, units: Iterable[OrgUnit]) -> dict[int, str]:
    """Return each unit's label for a viewer with this (admin) scope; at most one query for ancestors."""
    units = list(units)
    root = label_root(scope)
    by_id = with_ancestors(OrgUnit, units, below=root)
    _known_units().update(by_id)
    return {unit.id: name_path(unit, by_id, below=root) for unit in units}


def unit_label(unit: OrgUnit | None) -> str:
    """Jinja filter `unit_label`: the unit's label for the current viewer (see the module's rule).

    Units the request has already loaded (`unit_labels`, e.g. a page's unit filter) are reused; the
    first unit with an ancestor not among them loads the names of all units, once per request.
    """
    if unit is None:
        return ""
    if "unit_label_root" not in g:
        g.unit_label_root = label_root(current_scope("admin"))  # no admin role: an empty scope
    known, root = _known_units(), g.unit_label_root
    if not all(i in known for i in shown_ids(unit, root)) and not g.get("unit_label_all"):
        known.update({row.id: row for row in db.session.execute(select(OrgUnit.id, OrgUnit.path, OrgUnit.name))
                      if row.id not in known})
        g.unit_label_all = True
    return name_path(unit, known, below=root)


def _known_units() -> dict[int, object]:
    """The units (or their id, path and name) this request has seen, by id."""
    return g.setdefault("unit_label_names", {}) if has_app_context() else {}
