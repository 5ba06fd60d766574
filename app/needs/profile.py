"""能力画像: a person's mastery per competency against their post syllabus's targets, and the gaps.

Read from the stored states only (never the answers): the person, their post's active syllabus with
its targets, and their mastery rows — a fixed number of statements. Each state is aged to `now`
(`estimate(…, now=)`): old evidence weighs less, so confidence falls as it ages.
Gap = target level − mastery (`question_bank.mastery.gap`): 0 met, n levels short, or unknown
(not enough evidence to decide; the diagnostic will offer to decide it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Competency, CompetencyMastery, Person, Syllabus, SyllabusTarget
from app.models.curriculum import Level
from app.needs.evidence import settings
from question_bank import mastery
from question_bank.mastery import State

UNASSESSED = "未评估"
BELOW_BASIC = "未达初级"
RADAR_MIN = 3  # a radar needs three axes; fewer competencies are drawn as bars


def level_label(level: int | None) -> str:
    if level is None:
        return UNASSESSED
    return BELOW_BASIC if level == 0 else Level(level).label


@dataclass(frozen=True)
class Row:
    """One competency of the profile: its target (None when the syllabus sets none) and the estimate."""

    competency_id: int
    name: str
    target: Level | None
    level: int | None
    score: float | None
    confidence: float
    evidence: int
    gap: int | None

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def gap_label(self) -> str:
        if self.target is None:
            return "—"
        if self.gap is None:
            return "待评估"
        return "已达到" if self.gap == 0 else f"差 {self.gap} 级"


@dataclass(frozen=True)
class Profile:
    person: Person
    post_name: str | None
    no_gaps: str | None  # why no gap is computed (no post, or a post without a syllabus), else None
    own: bool  # the person's own page (我的能力画像) rather than an admin's or mentor's view
    rows: list[Row] = field(default_factory=list)

    @property
    def has_evidence(self) -> bool:
        return any(row.evidence for row in self.rows)

    @property
    def gaps(self) -> list[Row]:
        return [row for row in self.rows if row.gap]

    @property
    def chart(self) -> dict | None:
        """The chart's data: the target competencies (else those with evidence), score vs target (0–3)."""
        rows = [row for row in self.rows if row.target is not None] or [row for row in self.rows if row.evidence]
        if not rows:
            return None
        return {"kind": "radar" if len(rows) >= RADAR_MIN else "compare",
                "labels": [row.name for row in rows],
                "values": [round(row.score or 0.0, 2) for row in rows],
                "targets": [int(row.target) if row.target is not None else 0 for row in rows]}


def _no_gaps(person: Person, syllabus: Syllabus | None, own: bool) -> str | None:
    who = "您" if own else "该人员"
    if person.post is None:
        return (f"{who}还没有设置岗位，没有岗位培训大纲规定的能力要求，所以不计算能力差距。"
                + ("请联系单位管理员设置岗位。" if own else "在人员管理中设置岗位后即可计算差距。"))
    if syllabus is None or not syllabus.targets:
        return f"{who}的岗位「{person.post.name}」还没有规定能力要求的培训大纲，所以不计算能力差距。"
    return None


def profile(person: Person, *, now: datetime, own: bool) -> Profile:
    """The person's profile: targets first (in the syllabus's order), then other competencies with evidence."""
    config = settings()
    syllabus, targets = syllabus_targets(person)
    states = {cid: (name, state) for cid, name, state in db.session.execute(
        select(CompetencyMastery.competency_id, Competency.name, CompetencyMastery.state)
        .join(Competency, Competency.id == CompetencyMastery.competency_id)
        .where(CompetencyMastery.person_id == person.id).order_by(Competency.position, Competency.code))}
    rows = [row_for(cid, name, level, states.get(cid, (None, None))[1], config, now)
            for cid, (name, level) in targets.items()]
    rows += [row_for(cid, name, None, state, config, now) for cid, (name, state) in states.items() if cid not in targets]
    return Profile(person, person.post.name if person.post else None, _no_gaps(person, syllabus, own), own, rows)


def syllabus_targets(person: Person) -> tuple[Syllabus | None, dict[int, tuple[str, Level]]]:
    """The person's post's active syllabus and its targets (competency id → (name, level)), in order."""
    syllabus = db.session.scalar(select(Syllabus).where(Syllabus.post_id == person.post_id, Syllabus.active)) \
        if person.post_id else None
    targets = {} if syllabus is None else {cid: (name, level) for cid, name, level in db.session.execute(
        select(SyllabusTarget.competency_id, Competency.name, SyllabusTarget.level)
        .join(Competency, Competency.id == SyllabusTarget.competency_id)
        .where(SyllabusTarget.syllabus_id == syllabus.id).order_by(Competency.position, Competency.code))}
    return syllabus, targets


def row_for(cid: int, name: str, target: Level | None, stored: dict | None, config, now: datetime) -> Row:
    state = _state(stored, config)
    guess = mastery.estimate(state, config, now=now)
    gap = mastery.gap(int(target), guess) if target is not None else None
    return Row(cid, name, target, guess.level, guess.score, guess.confidence, sum(state.count), gap)


def _state(stored: dict | None, config) -> State:
    """The stored state, or an empty one (none yet, or built with other settings until the rebuild)."""
    if stored is None:
        return mastery.empty(config)
    try:
        state = State.from_dict(stored)
    except ValueError:
        return mastery.empty(config)
    return state if state.basis == config.basis else mastery.empty(config)
