"""三本台账 for an admin's subtree: the organisation ledger (which competencies are most lacking),
and the post ledger (the same per post); the person ledger (each person's gaps) is `person_ledger.py`.

The organisation and post ledgers sum `NeedTally` over the units below the chosen unit (one query,
plus one for names): their cost depends on units, posts and competencies, never on the people.
The person ledger (`person_ledger.py`) lists the people behind a number, filtered as it was counted
(unit subtree, competency, post, below target or 待评估), so every number links to exactly them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import Competency, NeedTally, OrgUnit, Post, Syllabus, SyllabusTarget
from app.models.curriculum import Level
from app.org.services import get_unit


@dataclass
class Figures:
    """People with a target, of them below it and 待评估, and the levels short summed over `below`."""

    people: int = 0
    below: int = 0
    unknown: int = 0
    gap_sum: int = 0

    @property
    def average_gap(self) -> float:
        """Levels short per person below target (one decimal); 0 when nobody is below."""
        return round(self.gap_sum / self.below, 1) if self.below else 0.0

    @property
    def below_rate(self) -> int:
        return self.below * 100 // self.people if self.people else 0


@dataclass
class LedgerRow:
    competency_id: int
    name: str
    figures: Figures
    post_id: int | None = None
    target: Level | None = None  # the post's target level (post ledger)


@dataclass
class PostGroup:
    post_id: int
    name: str
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def people(self) -> int:
        return max((row.figures.people for row in self.rows), default=0)


@dataclass
class Ledger:
    unit: OrgUnit | None  # None: the whole scope
    rows: list[LedgerRow] = field(default_factory=list)
    posts: list[PostGroup] = field(default_factory=list)


def chosen_unit(scope: Scope, unit_id: int | None) -> OrgUnit | None:
    """The unit asked for (NotFound outside the scope), else None for the whole scope."""
    return get_unit(scope, unit_id) if unit_id else None


def within(scope: Scope, unit: OrgUnit | None):
    """A condition on `OrgUnit.path`: the unit's subtree, else the scope."""
    return OrgUnit.path.startswith(unit.path, autoescape=True) if unit is not None else scope.clause(OrgUnit.path)


def _sums(scope: Scope, unit: OrgUnit | None, *keys):
    sums = [func.sum(getattr(NeedTally, name)) for name in ("people", "below", "unknown", "gap_sum")]
    return db.session.execute(
        select(*keys, *sums).join(OrgUnit, OrgUnit.id == NeedTally.unit_id)
        .where(within(scope, unit)).group_by(*keys)).all()


def _order(row: LedgerRow) -> tuple:
    return (-row.figures.below, -row.figures.average_gap, -row.figures.unknown, row.name)


def organisation_ledger(scope: Scope, unit_id: int | None = None) -> Ledger:
    """Per competency targeted in the subtree: people with the target, below it, 待评估, average gap;
    the most lacking first (most people below target)."""
    unit = chosen_unit(scope, unit_id)
    found = {cid: Figures(*map(int, counts)) for cid, *counts in _sums(scope, unit, NeedTally.competency_id)}
    names = names_of(Competency, found)
    rows = [LedgerRow(cid, names.get(cid, ""), figures) for cid, figures in found.items() if figures.people]
    return Ledger(unit, sorted(rows, key=_order))


def post_ledger(scope: Scope, unit_id: int | None = None) -> Ledger:
    """The organisation ledger per post: each post's targets with its people's figures."""
    unit = chosen_unit(scope, unit_id)
    found = {(pid, cid): Figures(*map(int, counts))
             for pid, cid, *counts in _sums(scope, unit, NeedTally.post_id, NeedTally.competency_id)}
    posts, competencies = names_of(Post, {k[0] for k in found}), names_of(Competency, {k[1] for k in found})
    targets = _targets({k[0] for k in found})
    groups: dict[int, PostGroup] = {}
    for (pid, cid), figures in found.items():
        if figures.people:
            group = groups.setdefault(pid, PostGroup(pid, posts.get(pid, "")))
            group.rows.append(LedgerRow(cid, competencies.get(cid, ""), figures, pid, targets.get((pid, cid))))
    for group in groups.values():
        group.rows.sort(key=_order)
    ordered = sorted(groups.values(), key=lambda g: (-sum(r.figures.below for r in g.rows), g.name))
    return Ledger(unit, posts=ordered)


def names_of(model, ids) -> dict[int, str]:
    ids = list(ids)
    return {i: name for i, name in db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))} if ids else {}


def _targets(post_ids) -> dict[tuple[int, int], Level]:
    post_ids = list(post_ids)
    if not post_ids:
        return {}
    return {(pid, cid): level for pid, cid, level in db.session.execute(
        select(Syllabus.post_id, SyllabusTarget.competency_id, SyllabusTarget.level)
        .join(SyllabusTarget, SyllabusTarget.syllabus_id == Syllabus.id)
        .where(Syllabus.post_id.in_(post_ids), Syllabus.active))}
