"""三本台账 for an admin's subtree: the organisation ledger (which competencies are most lacking),
the post ledger (the same per post) and the person ledger (each person's gaps).

The organisation and post ledgers sum `NeedTally` over the units below the chosen unit (one query,
plus one for names): their cost depends on units, posts and competencies, never on the people.
The person ledger pages `NeedGap` rows, filtered as a ledger's number was (unit subtree, competency,
post, below target or 待评估), so every number links to exactly the people behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import (
    Competency,
    NeedGap,
    NeedTally,
    OrgUnit,
    Person,
    Post,
    Syllabus,
    SyllabusTarget,
)
from app.models.curriculum import Level
from app.models.people import PersonStatus
from app.needs.profile import level_label
from app.org.services import get_unit

WHICH = {"": "全部有要求的人员", "below": "未达标", "unknown": "待评估"}


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
    names = _names(Competency, found)
    rows = [LedgerRow(cid, names.get(cid, ""), figures) for cid, figures in found.items() if figures.people]
    return Ledger(unit, sorted(rows, key=_order))


def post_ledger(scope: Scope, unit_id: int | None = None) -> Ledger:
    """The organisation ledger per post: each post's targets with its people's figures."""
    unit = chosen_unit(scope, unit_id)
    found = {(pid, cid): Figures(*map(int, counts))
             for pid, cid, *counts in _sums(scope, unit, NeedTally.post_id, NeedTally.competency_id)}
    posts, competencies = _names(Post, {k[0] for k in found}), _names(Competency, {k[1] for k in found})
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


def _names(model, ids) -> dict[int, str]:
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


# --- the person ledger ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonFilter:
    """What a ledger number stands for: the unit's subtree, and optionally a competency, a post and
    the people below target (`below`) or 待评估 (`unknown`) in it (in any competency without one)."""

    unit_id: int | None = None
    competency_id: int | None = None
    post_id: int | None = None
    which: str = ""

    def args(self, **extra) -> dict:
        values = dict(unit_id=self.unit_id, competency_id=self.competency_id, post_id=self.post_id,
                      which=self.which or None) | extra
        return {key: value for key, value in values.items() if value}


def _gap_condition(which: str):
    if which == "below":
        return NeedGap.gap > 0
    if which == "unknown":
        return NeedGap.gap.is_(None)
    return None


def matching_people(scope: Scope, filters: PersonFilter):
    """A select of the ids of the active people in the filter (NotFound for a unit outside the scope)."""
    unit = chosen_unit(scope, filters.unit_id)
    query = (select(NeedGap.person_id).join(OrgUnit, OrgUnit.id == NeedGap.unit_id).where(within(scope, unit)))
    if filters.competency_id:
        query = query.where(NeedGap.competency_id == filters.competency_id)
    if filters.post_id:
        query = query.where(NeedGap.post_id == filters.post_id)
    if (condition := _gap_condition(filters.which)) is not None:
        query = query.where(condition)
    return query.distinct()


@dataclass(frozen=True)
class GapItem:
    competency_id: int
    name: str
    target: int
    gap: int | None

    @property
    def text(self) -> str:
        """「执勤执法规范」中级 → 初级 (or → 待评估)."""
        current = "待评估" if self.gap is None else level_label(self.target - self.gap)
        return f"{self.name}：{Level(self.target).label} → {current}"


@dataclass
class PersonRow:
    person: Person
    post_name: str
    items: list[GapItem]

    @property
    def gaps(self) -> list[GapItem]:
        return [item for item in self.items if item.gap]

    @property
    def unknown(self) -> list[GapItem]:
        return [item for item in self.items if item.gap is None]

    @property
    def targets(self) -> int:
        return len(self.items)


def _people_query(scope: Scope, filters: PersonFilter):
    return (select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(Person.id.in_(matching_people(scope, filters)), Person.status == PersonStatus.ACTIVE)
            .order_by(OrgUnit.path, Person.staff_no))


def person_rows(people: list[Person]) -> list[PersonRow]:
    """Each person's targets and gaps (one query for the rows, one for post names)."""
    items: dict[int, list[GapItem]] = {person.id: [] for person in people}
    if items:
        for pid, cid, name, target, gap in db.session.execute(
                select(NeedGap.person_id, NeedGap.competency_id, Competency.name, NeedGap.target, NeedGap.gap)
                .join(Competency, Competency.id == NeedGap.competency_id)
                .where(NeedGap.person_id.in_(list(items)))
                .order_by(NeedGap.gap.desc(), Competency.position, Competency.code)):
            items[pid].append(GapItem(cid, name, target, gap))
    posts = _names(Post, {person.post_id for person in people if person.post_id})
    return [PersonRow(person, posts.get(person.post_id, ""), items[person.id]) for person in people]


def person_ledger(scope: Scope, filters: PersonFilter, *, page: int = 1, per_page: int = 20):
    """A page of the people behind a ledger number, in unit and staff-number order, with their gaps."""
    pagination = db.paginate(_people_query(scope, filters), page=page, per_page=per_page, error_out=False)
    pagination.rows = person_rows(list(pagination.items))
    return pagination


def all_people(scope: Scope, filters: PersonFilter) -> list[Person]:
    return list(db.session.scalars(_people_query(scope, filters)))


def filter_names(filters: PersonFilter) -> dict[str, str]:
    """The filter's competency and post by name, for the page's heading."""
    names = {}
    if filters.competency_id:
        names["competency"] = db.session.scalar(select(Competency.name).where(Competency.id == filters.competency_id)) or ""
    if filters.post_id:
        names["post"] = db.session.scalar(select(Post.name).where(Post.id == filters.post_id)) or ""
    return names


def gap_people(scope: Scope, *, unit_id: int | None, competency_id: int, post_id: int | None = None) -> list[Person]:
    """The active people in the subtree below target in the competency (and post): a ledger row's people."""
    return all_people(scope, PersonFilter(unit_id, competency_id, post_id, "below"))

