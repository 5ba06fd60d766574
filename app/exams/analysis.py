"""Item analysis of an exam (试题分析): its graded attempts through `question_bank.stats`, and the
measured facility stored per question version for the draw of later papers.

Only finished attempts with nothing awaiting a marker count: an attempt with an essay still to
mark joins the analysis once it is marked (its total would otherwise be too low). A fixed number
of set-based statements whatever the number of attempts: the attempt counts, every graded answer as
a column tuple (score, points, and the chosen options of choice questions only — an essay's text is
never read), and the content of the question versions answered.

`store(exam_id)` keeps what the exam measured (`ExamItemStat`, `ExamAnalysis`);
`refresh_changed()` (the `exam-item-stats` job, `flask exams item-stats`) stores again every exam
whose analysed attempts changed in number or total score since it last stored them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, case, cast, delete, func, null, select

from app.auth.scope import Scope
from app.extensions import db, upsertable_insert
from app.models import (
    Attempt,
    AttemptItem,
    Exam,
    ExamAnalysis,
    ExamItemStat,
    OrgUnit,
    Person,
    Question,
    QuestionVersion,
)
from app.models.exams import AttemptState
from question_bank import stats

OPTION_TYPES = ("single", "multiple", "truefalse")  # answers read for their chosen options
TRUE_FALSE = {True: "对", False: "错"}


@dataclass(frozen=True)
class Version:
    """A question version an exam used: its question, the first rule it was drawn for, its content."""

    version_id: int
    question_id: int
    rule: int
    qtype: str
    data: dict


@dataclass(frozen=True)
class Counts:
    analysed: int  # finished, nothing awaiting a marker
    pending: int  # finished, an answer still to mark
    score_total: int  # of the analysed attempts (units)


def _attempts(exam_id: int, people: Scope | None) -> list:
    """Conditions on `Attempt`: this exam's finished attempts, of people in `people` (None: all)."""
    conditions = [Attempt.exam_id == exam_id, Attempt.state == AttemptState.FINISHED]
    if people is not None and not people.is_global:
        conditions.append(Attempt.person_id.in_(
            select(Person.id).join(OrgUnit, OrgUnit.id == Person.unit_id).where(people.clause(OrgUnit.path))))
    return conditions


def _analysed(exam_id: int, people: Scope | None) -> list:
    return [*_attempts(exam_id, people), Attempt.pending_manual.is_(False), Attempt.score.is_not(None)]


def counts(exam_id: int, people: Scope | None = None) -> Counts:
    """How many finished attempts can be analysed and how many wait for marking (one statement)."""
    waiting = (Attempt.pending_manual.is_(True)) | Attempt.score.is_(None)
    row = db.session.execute(
        select(func.count(case((waiting, 1))), func.count(case((~waiting, 1))),
               func.coalesce(func.sum(case((~waiting, Attempt.score), else_=0)), 0))
        .where(*_attempts(exam_id, people))).one()
    return Counts(analysed=row[1], pending=row[0], score_total=int(row[2]))


def versions(rules: Mapping[int, int]) -> dict[int, Version]:
    """The question versions answered (id → the first rule it was drawn for), with their content."""
    rows = db.session.execute(
        select(QuestionVersion.id, QuestionVersion.question_id, Question.qtype, QuestionVersion.data)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(list(rules)))) if rules else ()
    return {row[0]: Version(row[0], row[1], rules[row[0]], row[2], row[3]) for row in rows}


def engine_item(version: Version) -> stats.Item:
    """The engine's view of a version: its options and which are (part of) the key."""
    if version.qtype == "truefalse":
        return stats.Item(version.version_id, ("对", "错"), frozenset({TRUE_FALSE[bool(version.data.get("answer"))]}))
    options = version.data.get("options") or ()
    if version.qtype not in OPTION_TYPES or not options:
        return stats.Item(version.version_id)
    full = 100 if version.qtype == "single" else 1  # 单选: the 100% option; 多选: every positive one
    return stats.Item(version.version_id, tuple(o["key"] for o in options),
                      frozenset(o["key"] for o in options if o.get("weight", 0) >= full))


def answers(exam_id: int, people: Scope | None = None) -> tuple[list[stats.Response], dict[int, int]]:
    """Every graded answer of the analysed attempts, and each answered version's first rule.

    One statement, read as column tuples on the session's connection (no ORM rows). The chosen
    options travel as the stored JSON text and are parsed once per distinct text (answers repeat
    a few dozen shapes), not once per row; essays' texts stay in the database.
    """
    chosen_text = case((Question.qtype.in_(OPTION_TYPES), cast(AttemptItem.response, String)), else_=null())
    query = (select(AttemptItem.attempt_id, AttemptItem.question_version_id, AttemptItem.score,
                    AttemptItem.points, AttemptItem.rule, Question.qtype, chosen_text)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(Question, Question.id == AttemptItem.question_id)
             .where(*_analysed(exam_id, people), AttemptItem.score.is_not(None), AttemptItem.status != "dropped"))
    parsed: dict[tuple[str, str | None], frozenset[str]] = {}
    found: list[stats.Response] = []
    rules: dict[int, int] = {}
    result = db.session.connection().execute(query, execution_options={"yield_per": 5_000})
    for rows in result.partitions():
        for attempt_id, version_id, score, points, rule, qtype, text in rows:
            chosen = None
            if qtype in OPTION_TYPES:
                chosen = parsed.get((qtype, text))
                if chosen is None:
                    chosen = parsed[(qtype, text)] = _chosen(qtype, json.loads(text) if text else None)
            found.append(stats.Response(attempt_id, version_id, score, points, chosen))
            if rule < rules.get(version_id, rule + 1):
                rules[version_id] = rule
    return found, rules


def _chosen(qtype: str, response: object) -> frozenset[str]:
    """The option keys a stored response chose (判断: 对 or 错); empty when unanswered."""
    if qtype == "truefalse":
        return frozenset({TRUE_FALSE[response]}) if isinstance(response, bool) else frozenset()
    if isinstance(response, str):
        return frozenset({response})
    if isinstance(response, list):
        return frozenset(key for key in response if isinstance(key, str))
    return frozenset()


def analyse(exam_id: int, people: Scope | None = None) -> tuple[dict[int, Version], stats.Analysis]:
    """The exam's answered question versions and their analysis (attempts of `people` only, when given)."""
    graded, rules = answers(exam_id, people)
    used = versions(rules)
    return used, stats.analyse([engine_item(v) for v in used.values()], graded)


def store(exam_id: int, *, now: datetime) -> Counts:
    """Store what the exam measured of each question version from all its analysed attempts; commits.

    Derived data, rebuilt whole each time from the attempts, so no audit entry: nobody changed a record.
    """
    found = counts(exam_id)
    used, analysis = analyse(exam_id) if found.analysed else ({}, None)
    db.session.execute(delete(ExamItemStat).where(ExamItemStat.exam_id == exam_id))
    rows = [{"exam_id": exam_id, "question_version_id": item.item_id, "answers": item.answers,
             "facility": item.facility.value, "discrimination": item.discrimination.value,
             "point_biserial": item.point_biserial.value}
            for item in (analysis.items if analysis else ()) if item.facility.known and item.item_id in used]
    if rows:
        db.session.execute(ExamItemStat.__table__.insert(), rows)
    values = {"attempts": found.analysed, "score_total": found.score_total, "computed_at": now}
    db.session.execute(upsertable_insert(ExamAnalysis).values(exam_id=exam_id, **values)
                       .on_conflict_do_update(index_elements=["exam_id"], set_=values))
    db.session.commit()
    return found


def changed_exams() -> list[int]:
    """Exams whose analysed attempts differ in number or total score from what was last stored."""
    current = db.session.execute(
        select(Attempt.exam_id, func.count(), func.sum(Attempt.score))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.state == AttemptState.FINISHED, Attempt.pending_manual.is_(False),
               Attempt.score.is_not(None), Exam.hidden.is_(False))  # a trainee's own practice: no analysis
        .group_by(Attempt.exam_id)).all()
    stored = {row[0]: (row[1], row[2]) for row in db.session.execute(
        select(ExamAnalysis.exam_id, ExamAnalysis.attempts, ExamAnalysis.score_total))}
    return sorted(exam_id for exam_id, count, total in current if stored.get(exam_id) != (count, int(total or 0)))


def refresh_changed(*, now: datetime, limit: int = 50) -> list[int]:
    """Store the item statistics of up to `limit` changed exams, one commit each; their ids."""
    done = []
    for exam_id in changed_exams()[:limit]:
        store(exam_id, now=now)
        done.append(exam_id)
    return done
