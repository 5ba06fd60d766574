"""Graded answers as evidence of mastery: read from their source and applied to the stored states.

A source (an exam attempt, a lesson quiz attempt) gives its answers as `Answer`s; `apply` turns
each graded one into a `MasteryEvidence` row per competency its question *version* names (at the
level its difficulty tests), compares them with the rows already stored for those answers, and
changes the states by the difference: `add` a new answer, `regrade` (remove the old, add the new)
a changed one, `remove` one no longer graded. So a replayed event changes nothing, a regrade or an
essay graded later costs the same, and the statements do not grow with the person's history.
Mastery is derived data (as the item statistics): no audit entry; `flask needs rebuild` recomputes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, update

from app.config import mastery_settings
from app.exams.questions import question_of, version_text
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Competency,
    CompetencyMastery,
    Exam,
    MasteryEvidence,
    Person,
    PlanRetest,
    QuestionVersion,
    QuizAttempt,
    QuizAttemptItem,
)
from app.models.exams import AttemptState, ExamKind
from question_bank import mastery
from question_bank.mastery import Evidence, Settings, Source, State

UNGRADED = frozenset({"", "pending"})  # not graded yet, or an essay awaiting its marker
# An exam's kind → the source its answers count as (a kind named like a source counts as it).
EXAM_SOURCES = {ExamKind.FORMAL: Source.FORMAL, ExamKind.PRACTICE: Source.PRACTICE,
                ExamKind.DIAGNOSTIC: Source.DIAGNOSTIC}


def settings() -> Settings:
    return mastery_settings(current_app.config)


@dataclass(frozen=True)
class Answer:
    """One answer of a source: the item it is (exam or quiz), the version's JSON text, the fraction
    earned (None while not graded) and when it was handed in."""

    exam_item_id: int | None
    quiz_item_id: int | None
    source: Source
    text: str
    earned: float | None
    when: datetime | None
    retest_of: int | None = None  # a re-test's competency: its answers count as `retest` for it, formal otherwise


def _fraction(score: int | None, possible: int, status: str) -> float | None:
    if score is None or status in UNGRADED or possible <= 0:
        return None
    return min(max(score / possible, 0.0), 1.0)


def _exam_source(kind: str) -> Source:
    return EXAM_SOURCES.get(kind) or Source(kind)


_EXAM_COLUMNS = (AttemptItem.id, AttemptItem.points, AttemptItem.score, AttemptItem.status, version_text,
                 Attempt.person_id, Attempt.state, Attempt.submitted_at, Exam.kind, PlanRetest.competency_id)
_EXAM_ANSWERS = (select(*_EXAM_COLUMNS)
                 .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(Exam, Exam.id == Attempt.exam_id)
                 .outerjoin(PlanRetest, PlanRetest.exam_id == Exam.id)
                 .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id))
_QUIZ_COLUMNS = (QuizAttemptItem.id, QuizAttemptItem.possible, QuizAttemptItem.earned, QuizAttemptItem.status,
                 version_text, QuizAttempt.person_id, QuizAttempt.submitted_at)
_QUIZ_ANSWERS = (select(*_QUIZ_COLUMNS).join(QuizAttempt, QuizAttempt.id == QuizAttemptItem.attempt_id)
                 .join(QuestionVersion, QuestionVersion.id == QuizAttemptItem.question_version_id))


def _exam_rows(rows) -> list[Answer]:
    return [Answer(item_id, None, Source.RETEST if retest_of is not None else _exam_source(kind), text,
                   _fraction(score, points, status) if state == AttemptState.FINISHED else None, submitted_at,
                   retest_of)
            for item_id, points, score, status, text, _person, state, submitted_at, kind, retest_of in rows]


def _quiz_rows(rows) -> list[Answer]:
    return [Answer(None, item_id, Source.QUIZ, text,
                   _fraction(earned, possible, status) if submitted_at is not None else None, submitted_at)
            for item_id, possible, earned, status, text, _person, submitted_at in rows]


def exam_attempt_answers(attempt_id: int) -> tuple[int | None, list[Answer]]:
    """The attempt's person and its answers (ungraded ones with `earned` None); one statement."""
    rows = db.session.execute(_EXAM_ANSWERS.where(AttemptItem.attempt_id == attempt_id)).all()
    return (rows[0].person_id if rows else None), _exam_rows(rows)


def quiz_attempt_answers(quiz_attempt_id: int) -> tuple[int | None, list[Answer]]:
    rows = db.session.execute(_QUIZ_ANSWERS.where(QuizAttemptItem.attempt_id == quiz_attempt_id)).all()
    return (rows[0].person_id if rows else None), _quiz_rows(rows)


def person_answers(person_id: int) -> list[Answer]:
    """Every answer the person gave in exams and lesson quizzes (for `flask needs rebuild --rescan`)."""
    exams = db.session.execute(_EXAM_ANSWERS.where(Attempt.person_id == person_id)).all()
    quizzes = db.session.execute(_QUIZ_ANSWERS.where(QuizAttempt.person_id == person_id)).all()
    return _exam_rows(exams) + _quiz_rows(quizzes)


@dataclass(frozen=True)
class Change:
    """What `apply` did: evidence rows added, changed and removed, and the competencies touched."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    competencies: tuple[int, ...] = ()


Key = tuple[int | None, int | None, int]  # (exam item, quiz item, competency)


def _wanted(answers: Sequence[Answer], default_level: int) -> dict[Key, tuple]:
    """The evidence rows the graded answers make: key → (source, level, earned, when)."""
    codes = {code for a in answers if a.earned is not None for code in question_of(a.text).competencies}
    ids = dict(db.session.execute(select(Competency.code, Competency.id).where(Competency.code.in_(codes))).all()) \
        if codes else {}
    wanted = {}
    for answer in answers:
        if answer.earned is None:
            continue
        question = question_of(answer.text)
        level = mastery.level_for(question.difficulty, default_level)
        for code in dict.fromkeys(question.competencies):
            if code in ids:
                source = answer.source
                if source == Source.RETEST and ids[code] != answer.retest_of:
                    source = Source.FORMAL  # the re-test's other competencies: a formal answer
                wanted[(answer.exam_item_id, answer.quiz_item_id, ids[code])] = (
                    source, level, answer.earned, answer.when)
    return wanted


def _stored(answers: Sequence[Answer]) -> dict[Key, MasteryEvidence]:
    exam_ids = [a.exam_item_id for a in answers if a.exam_item_id is not None]
    quiz_ids = [a.quiz_item_id for a in answers if a.quiz_item_id is not None]
    if not exam_ids and not quiz_ids:
        return {}
    rows = db.session.scalars(select(MasteryEvidence).where(or_(
        MasteryEvidence.exam_item_id.in_(exam_ids), MasteryEvidence.quiz_item_id.in_(quiz_ids))))
    return {(row.exam_item_id, row.quiz_item_id, row.competency_id): row for row in rows}


def as_evidence(competency_id: int, source: str, level: int, earned: float, when: datetime) -> Evidence:
    return Evidence(competency_id, earned, level, Source(source), when)


def _row_evidence(row: MasteryEvidence) -> Evidence:
    return as_evidence(row.competency_id, row.source, row.level, row.earned, row.answered_at)


def lock_person(person_id: int) -> None:
    """On PostgreSQL, hold the person's row until the commit, so two updates of one person's mastery
    run one after the other (SQLite's IMMEDIATE transaction does it; it renders no FOR UPDATE)."""
    db.session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


def apply(person_id: int, answers: Sequence[Answer], *, now: datetime) -> Change:
    """Bring the person's evidence for these answers and their states in step with the answers (flushes)."""
    config = settings()
    wanted = _wanted(answers, current_app.config.get("MASTERY_DEFAULT_LEVEL", 2))
    lock_person(person_id)
    stored = _stored(answers)
    adds = [(key, value) for key, value in wanted.items() if key not in stored]
    changes = [(stored[key], value) for key, value in wanted.items()
               if key in stored and _values(stored[key]) != value]
    removes = [row for key, row in stored.items() if key not in wanted]
    touched = sorted({key[2] for key, _v in adds} | {row.competency_id for row, _v in changes}
                     | {row.competency_id for row in removes})
    if not touched:
        return Change()
    states, rows, stale = _states(person_id, touched, config)
    stale |= _superseded(person_id, touched, adds, changes, removes)
    # (competency, old evidence to take back or None, new evidence to add or None)
    steps = [(cid, None, as_evidence(cid, *value)) for (_e, _q, cid), value in adds if value[0] != Source.RETEST]
    steps += [(row.competency_id, _row_evidence(row), as_evidence(row.competency_id, *value)) for row, value in changes]
    steps += [(row.competency_id, _row_evidence(row), None) for row in removes]
    retests: dict[int, list[Evidence]] = {}
    for (_e, _q, cid), value in adds:
        if value[0] == Source.RETEST:
            retests.setdefault(cid, []).append(as_evidence(cid, *value))
    for cid, old, new in steps:
        if cid in stale:
            continue
        try:
            state = mastery.remove(states[cid], old, config) if old is not None else states[cid]
            states[cid] = mastery.add(state, new, config) if new is not None else state
        except ValueError:  # the stored state lacks what it should hold: rebuild it from the evidence
            stale.add(cid)
    for cid, answers in retests.items():  # a re-test is the newest evidence: supersede, then add
        if cid not in stale:
            states[cid] = mastery.add_retest(states[cid], answers, config)
    _write_evidence(person_id, adds, changes, removes)
    if stale:
        states |= _built(person_id, stale, config)
    save_states(person_id, states, rows, config, now=now)
    return Change(len(adds), len(changes), len(removes), tuple(touched))


def _superseded(person_id: int, touched: list[int], adds, changes, removes) -> set[int]:
    """Competencies whose state must be rebuilt because a re-test supersedes part of their evidence:
    an answer from before a re-test changed, taken back or added late (`mastery.build` weighs it as
    superseded; adding or removing it at full weight would not). One statement."""
    latest = dict(db.session.execute(
        select(MasteryEvidence.competency_id, func.max(MasteryEvidence.answered_at))
        .where(MasteryEvidence.person_id == person_id, MasteryEvidence.source == Source.RETEST.value,
               MasteryEvidence.competency_id.in_(touched)).group_by(MasteryEvidence.competency_id)).all())
    if not latest:
        return set()
    found = {row.competency_id for row, _v in changes if row.competency_id in latest}
    found |= {row.competency_id for row in removes if row.competency_id in latest}
    found |= {cid for (_e, _q, cid), (_s, _l, _earned, when) in adds
              if cid in latest and when is not None and when <= latest[cid]}
    return found


def _values(row: MasteryEvidence) -> tuple:
    return (Source(row.source), row.level, row.earned, row.answered_at)


def _states(person_id: int, competency_ids: Iterable[int], config: Settings
            ) -> tuple[dict[int, State], dict[int, CompetencyMastery], set[int]]:
    """The stored states (empty where none), their rows, and the competencies whose stored state
    was built with other settings or cannot be read (to be rebuilt from their evidence)."""
    rows = {row.competency_id: row for row in db.session.scalars(select(CompetencyMastery).where(
        CompetencyMastery.person_id == person_id, CompetencyMastery.competency_id.in_(list(competency_ids))))}
    states, stale = {}, set()
    for cid in competency_ids:
        states[cid] = mastery.empty(config)
        if cid in rows:
            try:
                state = State.from_dict(rows[cid].state)
            except ValueError:
                stale.add(cid)
                continue
            if state.basis != config.basis:
                stale.add(cid)
            else:
                states[cid] = state
    return states, rows, stale


def _write_evidence(person_id: int, adds, changes, removes) -> None:
    if adds:
        db.session.execute(insert(MasteryEvidence), [
            {"person_id": person_id, "exam_item_id": exam_item, "quiz_item_id": quiz_item, "competency_id": cid,
             "source": str(source), "level": level, "earned": earned, "answered_at": when}
            for (exam_item, quiz_item, cid), (source, level, earned, when) in adds])
    if changes:
        db.session.execute(update(MasteryEvidence), [
            {"id": row.id, "source": str(source), "level": level, "earned": earned, "answered_at": when}
            for row, (source, level, earned, when) in changes])
    if removes:
        db.session.execute(delete(MasteryEvidence).where(MasteryEvidence.id.in_([row.id for row in removes])))


def evidence_of(person_id: int, competency_ids: Iterable[int] | None = None) -> list[Evidence]:
    """The stored evidence of a person (of some competencies), as the estimator's `Evidence`."""
    query = select(MasteryEvidence.competency_id, MasteryEvidence.source, MasteryEvidence.level,
                   MasteryEvidence.earned, MasteryEvidence.answered_at).where(MasteryEvidence.person_id == person_id)
    if competency_ids is not None:
        query = query.where(MasteryEvidence.competency_id.in_(list(competency_ids)))
    return [as_evidence(*row) for row in db.session.execute(query)]


def _built(person_id: int, competency_ids: Iterable[int], config: Settings) -> dict[int, State]:
    ids = list(competency_ids)
    built = mastery.build_all(evidence_of(person_id, ids), config)
    return {cid: built.get(cid, mastery.empty(config)) for cid in ids}


def save_states(person_id: int, states: dict[int, State], rows: dict[int, CompetencyMastery],
                config: Settings, *, now: datetime) -> None:
    """Store each state with its estimate as of `now`: new rows in one INSERT, the others in one UPDATE."""
    new, old = [], []
    for cid, state in states.items():
        guess = mastery.estimate(state, config, now=now)
        values = {"state": state.to_dict(), "level": guess.level, "ceiling": guess.ceiling, "score": guess.score,
                  "confidence": guess.confidence, "evidence_count": sum(state.count), "updated_at": now}
        if cid in rows:
            old.append(values | {"id": rows[cid].id})
        else:
            new.append(values | {"person_id": person_id, "competency_id": cid})
    if new:
        db.session.execute(insert(CompetencyMastery), new)
    if old:
        db.session.execute(update(CompetencyMastery), old)
