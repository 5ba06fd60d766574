"""摸底测试 for a trainee: the offer, starting (targets from the post's syllabus), the result.

The questions and the adaptive stepping live with the exam machinery (`exams/diagnostic.py`); this
module decides what a diagnostic asks about (the active syllabus of the person's post: its target
competencies at their levels), how many questions per competency (`DIAGNOSTIC_MAX_PER_COMPETENCY`),
and reads a finished one back against those targets. Whether someone must take it by a date is
`requirements.py`; the offer on joining or a post change is `receivers.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from app.errors import NotFound
from app.exams import diagnostic as running
from app.extensions import db
from app.models import Competency, Diagnostic, Person
from app.models.curriculum import Level
from app.needs.evidence import settings
from app.needs.profile import level_label, syllabus_targets
from app.needs.requirements import Due, card_facts, due_for
from question_bank import mastery


def max_per_competency() -> int:
    return int(current_app.config.get("DIAGNOSTIC_MAX_PER_COMPETENCY", 4))


@dataclass(frozen=True)
class Offer:
    """The offer page: what would be asked, any diagnostic in progress or finished, any requirement."""

    person: Person
    post_name: str | None
    targets: list[tuple[str, Level]]  # (competency name, target level), in the syllabus's order
    max_per_competency: int
    in_progress: Diagnostic | None
    last: Diagnostic | None  # the latest finished
    due: Due | None

    @property
    def at_most(self) -> int:
        return len(self.targets) * self.max_per_competency


def latest_finished(person_id: int) -> Diagnostic | None:
    return db.session.scalar(select(Diagnostic).where(Diagnostic.person_id == person_id,
                                                      Diagnostic.finished_at.is_not(None))
                             .order_by(Diagnostic.finished_at.desc(), Diagnostic.id.desc()).limit(1))


def offer(person: Person, *, now: datetime, today: date) -> Offer:
    _syllabus, targets = syllabus_targets(person)
    return Offer(person, person.post.name if person.post else None, list(targets.values()), max_per_competency(),
                 running.in_progress(person.id, now=now), latest_finished(person.id), due_for(person, today=today))


def start(person: Person, *, now: datetime, seed: int | None = None) -> Diagnostic:
    """Start the person's diagnostic over their post's targets (or return the one in progress; commits)."""
    _syllabus, targets = syllabus_targets(person)
    return running.start(person.id, {cid: int(level) for cid, (_name, level) in targets.items()},
                         max_per_competency=max_per_competency(), settings=settings(), now=now, seed=seed)


@dataclass(frozen=True)
class DiagnosticCard:
    due_on: date | None  # the earliest unmet requirement's date
    overdue: bool
    in_progress: bool


def home_card(person: Person, *, now: datetime, today: date) -> DiagnosticCard | None:
    """The home page's card, in one statement: shown while the person has never finished a diagnostic
    and their post sets targets, or while an admin's requirement on them is unmet."""
    finished, started, targets, due_on = db.session.execute(select(*card_facts(person))).one()
    if due_on is None and (finished is not None or not targets):
        return None
    return DiagnosticCard(due_on, due_on is not None and due_on < today, bool(started))


@dataclass(frozen=True)
class ResultRow:
    name: str
    target: Level
    level: int | None  # None: too few answers to decide
    asked: int
    gap: int | None  # as the profile's: None 待评估 (the answers did not decide the target), 0 met

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def gap_label(self) -> str:
        if self.gap is None:
            return "待评估"
        return "已达到" if self.gap == 0 else f"差 {self.gap} 级"


@dataclass(frozen=True)
class Result:
    diagnostic: Diagnostic
    rows: list[ResultRow]
    skipped: list[str]  # competencies without usable questions: not asked about
    exhausted: list[str]  # competencies whose questions ran out before a decision

    @property
    def gaps(self) -> list[ResultRow]:
        return [row for row in self.rows if row.gap]

    @property
    def undecided(self) -> list[ResultRow]:
        return [row for row in self.rows if row.gap is None]


def _gap(target: int, stop) -> int | None:
    """The gap the rule's stop leaves: known only when its answers decided a level up to the target."""
    return None if stop is None else mastery.gap(target, stop.estimate)


def result(diagnostic_id: int, person_id: int) -> Result:
    """A finished diagnostic of the person: per competency the level assigned and the gap; 404 otherwise."""
    diagnostic, attempt = running.own(diagnostic_id, person_id)
    if diagnostic.finished_at is None:
        raise NotFound("摸底测试尚未完成。")
    names = dict(db.session.execute(select(Competency.id, Competency.name).where(
        Competency.id.in_([int(cid) for cid in diagnostic.targets]))).all())
    asked: dict[int, int] = {}
    for _slot, cid, _level in diagnostic.asked:
        asked[cid] = asked.get(cid, 0) + 1
    stops = running.decisions(diagnostic, running.answers_so_far(diagnostic, running.items_of(attempt.id)), settings())
    rows = [ResultRow(names.get(int(cid), "—"), Level(int(target)), diagnostic.levels.get(cid), asked.get(int(cid), 0),
                      _gap(int(target), stops.get(int(cid))))
            for cid, target in diagnostic.targets.items() if int(cid) not in diagnostic.skipped]
    return Result(diagnostic, rows, [names.get(cid, "—") for cid in diagnostic.skipped],
                  [names.get(cid, "—") for cid in diagnostic.exhausted])
