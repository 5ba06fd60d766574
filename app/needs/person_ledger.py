"""The person ledger (人员台账): the people behind a ledger number, a page at a time, with their gaps
and 个人培训计划 progress.

A page costs the same at 1,000 or 100,000 people (`bench/bench_ledgers.py`):

- **The total** comes from the counters when it can (`NeedTally`, one row per unit, post and
  competency): with a competency, the people below target / 待评估 / with the target in the subtree
  are the sum of its tallies (a person has one `NeedGap` row per competency). Without a competency,
  everyone with a target is the sum over (unit, post) of the largest `people` of its tallies — every
  person of a post holds all of its syllabus's targets, so each of the post's tallies counts them all
  (the post ledger's head count reads them the same way). People below target or 待评估 in *any*
  competency cannot be had from the counters (a person below in two competencies is in two tallies),
  so they are counted up to `LOOKAHEAD` rows past the page and shown as 超过 N 人 beyond that.
- **The rows** are read in the ledger's order (unit path, staff number) by one of two plans, the
  cheaper for the page asked: walking the units in path order and their people by staff number
  (indexes `ix_org_unit_path`, `ix_person_unit_staff`) with an EXISTS on the person's `NeedGap`
  rows, which stops after the page — cheap when the people matching are dense; or, with a
  competency, reading its matching `NeedGap` rows (`ix_need_gap_competency_gap`) and sorting them —
  cheap when they are few. The counters' figures tell which (`_by_gaps`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from app.auth.scope import Scope
from app.extensions import db
from app.models import Competency, NeedGap, NeedTally, OrgUnit, Person, PlanItem, Post, TrainingPlan
from app.models.curriculum import Level
from app.models.people import PersonStatus
from app.needs.ledgers import chosen_unit, names_of, within
from app.needs.profile import level_label

WHICH = {"": "全部有要求的人员", "below": "未达标", "unknown": "待评估"}
SMALL = 200  # matching gap rows read and sorted whole, whatever the page (about a millisecond)
LOOKAHEAD = 400  # people counted past the page when the counters cannot give the total


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


def _gap_conditions(filters: PersonFilter) -> list:
    conditions = []
    if filters.competency_id:
        conditions.append(NeedGap.competency_id == filters.competency_id)
    if filters.post_id:
        conditions.append(NeedGap.post_id == filters.post_id)
    if filters.which == "below":
        conditions.append(NeedGap.gap > 0)
    elif filters.which == "unknown":
        conditions.append(NeedGap.gap.is_(None))
    return conditions


_ORDER = (OrgUnit.path, OrgUnit.id, Person.staff_no)  # OrgUnit.id: the index's order is unique


def _in_order(scope: Scope, unit: OrgUnit | None, filters: PersonFilter):
    """The matching people, read unit by unit in path order: stops after the page."""
    matches = select(NeedGap.person_id).where(NeedGap.person_id == Person.id, *_gap_conditions(filters)).exists()
    return (select(Person).select_from(OrgUnit).join(Person, Person.unit_id == OrgUnit.id)
            .where(within(scope, unit), Person.status == PersonStatus.ACTIVE, matches).order_by(*_ORDER))


def _from_gaps(scope: Scope, unit: OrgUnit | None, filters: PersonFilter):
    """The matching people from the competency's `NeedGap` rows (one per person; an index holds
    them by competency and gap), then sorted."""
    units = select(OrgUnit.id).where(within(scope, unit))  # read from the index with the gap rows
    matching = select(NeedGap.person_id).where(*_gap_conditions(filters), NeedGap.unit_id.in_(units))
    return (select(Person).join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(Person.id.in_(matching), within(scope, unit), Person.status == PersonStatus.ACTIVE)
            .order_by(*_ORDER))


@dataclass(frozen=True)
class Total:
    """The people in the filter (`more`: at least that many), and of them with the target (or None)."""

    count: int
    with_target: int | None = None
    more: bool = False


def _tallied(scope: Scope, unit: OrgUnit | None, filters: PersonFilter) -> Total | None:
    """The total from the counters (one query), or None when they cannot give it."""
    where = [within(scope, unit)] + ([NeedTally.post_id == filters.post_id] if filters.post_id else [])
    if filters.competency_id:
        people, below, unknown = db.session.execute(
            select(func.sum(NeedTally.people), func.sum(NeedTally.below), func.sum(NeedTally.unknown))
            .join(OrgUnit, OrgUnit.id == NeedTally.unit_id)
            .where(NeedTally.competency_id == filters.competency_id, *where)).one()
        people = int(people or 0)
        found = {"": people, "below": int(below or 0), "unknown": int(unknown or 0)}[filters.which]
        return Total(found, people)
    if filters.which:
        return None
    heads = (select(func.max(NeedTally.people).label("people")).join(OrgUnit, OrgUnit.id == NeedTally.unit_id)
             .where(*where).group_by(NeedTally.unit_id, NeedTally.post_id).subquery())
    people = int(db.session.scalar(select(func.sum(heads.c.people))) or 0)
    return Total(people, people)


def _counted(scope: Scope, unit: OrgUnit | None, filters: PersonFilter, up_to: int) -> Total:
    """Count the matching people, stopping past `up_to` (then `more`)."""
    query = _in_order(scope, unit, filters).order_by(None).with_only_columns(Person.id).limit(up_to + 1)
    found = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return Total(min(found, up_to), more=found > up_to)


def _by_gaps(filters: PersonFilter, total: Total, reach: int) -> bool:
    """Whether reading the competency's gap rows whole beats walking the people in order: they are
    few, or walking to the page's end (`reach`) would pass more people than there are rows."""
    if not filters.competency_id:
        return False
    return total.count <= SMALL or reach * (total.with_target or 0) > total.count * total.count


class PersonPage(Pagination):
    """A page of the person ledger (`render_pagination` reads it as any pagination); `more`: the
    total is a lower bound (超过 N 人)."""

    more = False

    def _query_items(self) -> list:
        scope, unit, filters = (self._query_args[k] for k in ("scope", "unit", "filters"))
        reach = self._query_offset + self.per_page
        self.counted = _tallied(scope, unit, filters) or _counted(scope, unit, filters, reach + LOOKAHEAD)
        self.more = self.counted.more
        plan = _from_gaps if _by_gaps(filters, self.counted, reach) else _in_order
        query = plan(scope, unit, filters).limit(self.per_page).offset(self._query_offset)
        return list(db.session.scalars(query))

    def _query_count(self) -> int:
        return self.counted.count


# --- rows ----------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class PlanProgress:
    """A person's 个人培训计划: items done (`PlanItem.done_at`, stamped at the plan's last refresh) of all."""

    done: int
    items: int

    @property
    def text(self) -> str:
        return f"{self.done}/{self.items}"


NO_PLAN = "无计划"


@dataclass
class PersonRow:
    person: Person
    post_name: str
    items: list[GapItem]
    plan: PlanProgress | None = None  # None: no plan

    @property
    def gaps(self) -> list[GapItem]:
        return [item for item in self.items if item.gap]

    @property
    def unknown(self) -> list[GapItem]:
        return [item for item in self.items if item.gap is None]

    @property
    def targets(self) -> int:
        return len(self.items)

    @property
    def plan_text(self) -> str:
        return self.plan.text if self.plan is not None else NO_PLAN


def plan_progress(person_ids: list[int]) -> dict[int, PlanProgress]:
    """Each person's plan as done/items, for the people with a plan (one query)."""
    if not person_ids:
        return {}
    return {pid: PlanProgress(int(done), int(items)) for pid, items, done in db.session.execute(
        select(TrainingPlan.person_id, func.count(PlanItem.id), func.count(PlanItem.done_at))
        .outerjoin(PlanItem, PlanItem.plan_id == TrainingPlan.id)
        .where(TrainingPlan.person_id.in_(person_ids)).group_by(TrainingPlan.person_id))}


def person_rows(people: list[Person]) -> list[PersonRow]:
    """Each person's targets, gaps and plan progress (one query each for the gaps, the plans and
    the post names)."""
    items: dict[int, list[GapItem]] = {person.id: [] for person in people}
    if items:
        for pid, cid, name, target, gap in db.session.execute(
                select(NeedGap.person_id, NeedGap.competency_id, Competency.name, NeedGap.target, NeedGap.gap)
                .join(Competency, Competency.id == NeedGap.competency_id)
                .where(NeedGap.person_id.in_(list(items)))
                .order_by(NeedGap.gap.desc(), Competency.position, Competency.code)):
            items[pid].append(GapItem(cid, name, target, gap))
    plans = plan_progress(list(items))
    posts = names_of(Post, {person.post_id for person in people if person.post_id})
    return [PersonRow(person, posts.get(person.post_id, ""), items[person.id], plans.get(person.id))
            for person in people]


def person_ledger(scope: Scope, filters: PersonFilter, *, page: int = 1, per_page: int = 20) -> PersonPage:
    """A page of the people behind a ledger number, in unit and staff-number order, with their gaps
    (NotFound for a unit outside the scope)."""
    unit = chosen_unit(scope, filters.unit_id)
    pagination = PersonPage(page=page, per_page=per_page, error_out=False, scope=scope, unit=unit, filters=filters)
    pagination.rows = person_rows(list(pagination.items))
    return pagination


def all_people(scope: Scope, filters: PersonFilter) -> list[Person]:
    """Every person in the filter, in the ledger's order (the export, a ledger row's actions)."""
    unit = chosen_unit(scope, filters.unit_id)
    plan = _from_gaps if filters.competency_id else _in_order
    return list(db.session.scalars(plan(scope, unit, filters)))


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
