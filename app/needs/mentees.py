"""我带的学员 on a mentor's home page: each person they mentor (导师) or look after (包联), with their
open gaps (the ledgers' stored standing, `NeedGap`), their plan's progress (items done / items) and
the last 谈心谈话 — four statements whatever the number of mentees, none per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import MentorLink, MentorNote, NeedGap, PlanItem, TrainingPlan
from app.models.people import MentorKind, Person, PersonStatus


@dataclass(frozen=True)
class Mentee:
    person: Person
    kind: str  # MentorKind
    gaps: int  # competencies below target (as the ledgers last counted)
    plan_done: int
    plan_items: int  # 0: no plan yet
    last_talk: date | None

    @property
    def kind_label(self) -> str:
        return "指导" if self.kind == MentorKind.MENTOR else "包联"


def mentees(mentor_id: int) -> list[Mentee]:
    """The active people the person mentors or looks after, by name."""
    links = db.session.scalars(
        select(MentorLink).join(Person, Person.id == MentorLink.mentee_id)
        .where(MentorLink.mentor_id == mentor_id, Person.status == PersonStatus.ACTIVE)
        .options(joinedload(MentorLink.mentee).joinedload(Person.unit))
        .order_by(Person.name, Person.id)).all()
    ids = list({link.mentee_id for link in links})
    if not ids:
        return []
    gaps = dict(db.session.execute(select(NeedGap.person_id, func.count()).where(
        NeedGap.person_id.in_(ids), NeedGap.gap > 0).group_by(NeedGap.person_id)).all())
    plans = {pid: (int(done or 0), int(total)) for pid, done, total in db.session.execute(
        select(TrainingPlan.person_id, func.count(PlanItem.done_at), func.count(PlanItem.id))
        .join(PlanItem, PlanItem.plan_id == TrainingPlan.id)
        .where(TrainingPlan.person_id.in_(ids)).group_by(TrainingPlan.person_id))}
    talks = dict(db.session.execute(select(MentorNote.person_id, func.max(MentorNote.talked_on)).where(
        MentorNote.person_id.in_(ids)).group_by(MentorNote.person_id)).all())
    seen, found = set(), []
    for link in links:
        if link.mentee_id in seen:  # both 导师 and 包联 of one person: one line
            continue
        seen.add(link.mentee_id)
        done, total = plans.get(link.mentee_id, (0, 0))
        found.append(Mentee(link.mentee, link.kind, gaps.get(link.mentee_id, 0), done, total,
                            talks.get(link.mentee_id)))
    return found
