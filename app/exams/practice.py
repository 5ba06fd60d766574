"""Practice: N questions of a source, least-seen first, timed or not, through the exam machinery.

`start_practice` makes a hidden practice `Exam` for the trainee alone (its audience is that person)
over a hidden blueprint of fixed rules, one per question type, publishes it (the pools are frozen
as for any exam) and starts its one attempt with `attempts.start`: saving, the 核对 of a slot
(`checks.py`), submitting and the sweep are those of every exam. `PracticeSource` remembers what it
was drawn from. Which questions: the source's usable questions (`practice_sources.pool`), those the
person has seen least often in any earlier attempt first, at random among equals.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.audit import record
from app.errors import Conflict, Unprocessable
from app.exams import attempts as taking
from app.exams import practice_sources
from app.exams.publishing import freeze_and_publish
from app.extensions import db
from app.formkit import as_id
from app.models import (
    Attempt,
    AttemptItem,
    Blueprint,
    BlueprintRule,
    Exam,
    ExamAudience,
    PracticeSource,
    Question,
)
from app.models.exams import AttemptState, ExamKind, ReviewTiming, SourceKind
from app.models.practice import PracticeSourceKind
from question_bank.mastery import level_for
from question_bank.registry import get_type

COUNTS = (10, 20, 50)
MINUTES_PER_QUESTION = 1  # a timed practice
RETEST_MINUTES_PER_QUESTION = 2
OPEN_DAYS = 7  # an untimed practice stays open this long; then the sweep hands it in
NUMERALS = "一二三四五六七八九十"
POINTS = 100  # units per question: a practice's score is its number of correct answers


def seen_counts(person_id: int) -> dict[int, int]:
    """How often the person was shown each question, in any attempt of any exam (bounded by their
    own history, so no list of a large pool's ids goes into the query)."""
    return dict(db.session.execute(
        select(AttemptItem.question_id, func.count()).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.person_id == person_id).group_by(AttemptItem.question_id)).all())


def choose(question_ids, seen: dict[int, int], count: int, seed: int) -> list[int]:
    """`count` of the questions, least seen first, at random (by the seed) among equally seen ones."""
    rng = random.Random(seed)  # noqa: S311 - the order of practice questions, not a secret
    keyed = sorted((seen.get(q, 0), rng.random(), q) for q in question_ids)
    return [q for _seen_count, _r, q in keyed[:count]]


def _paper(question_ids: list[int]) -> list[BlueprintRule]:
    """One fixed rule per question type, in the engine's menu order (单选, 多选, 判断 …)."""
    types = dict(db.session.execute(select(Question.id, Question.qtype).where(Question.id.in_(question_ids))).all())
    by_type: dict[str, list[int]] = {}
    for question_id in question_ids:
        by_type.setdefault(types[question_id], []).append(question_id)
    ordered = sorted(by_type, key=lambda code: get_type(code).order)
    return [BlueprintRule(position=n, section=f"{NUMERALS[(n - 1) % 10]}、{get_type(code).label}题",
                          source_kind=SourceKind.FIXED, question_ids=by_type[code], qtype=code,
                          count=len(by_type[code]), points=POINTS)
            for n, code in enumerate(ordered, start=1)]


def start_practice(person_id: int, kind: str, source_id: int | None, count: int, timed: bool,
                   *, now: datetime, seed: int | None = None) -> Attempt:
    """Make the person's practice of a source and start it; returns the attempt (commits).

    404 for a source outside the person's scope, 422 for a count not offered, 409 when the source
    has no usable question now.
    """
    if count not in COUNTS:
        raise Unprocessable("请选择 10、20 或 50 题。")
    name, pool = practice_sources.pool(person_id, kind, source_id, now=now)
    if not pool:
        raise Conflict(f"「{name}」现在没有可以练习的题目。")
    seed = secrets.randbits(62) if seed is None else seed
    chosen = choose(pool, seen_counts(person_id), count, seed)
    minutes = len(chosen) * MINUTES_PER_QUESTION if timed else OPEN_DAYS * 24 * 60
    exam = _hidden_exam(person_id, f"练习：{name}", chosen, kind=ExamKind.PRACTICE, minutes=minutes, now=now,
                        answers=True)
    source = PracticeSource(person_id=person_id, exam_id=exam.id, source_kind=kind, source_id=source_id or None,
                            source_name=name[:200], question_count=len(chosen), timed=timed, created_at=now)
    db.session.add(source)
    record("practice_start", exam, actor_id=person_id, source=kind, source_id=source_id or None,
           questions=len(chosen), timed=timed)
    db.session.commit()
    attempt, _created = taking.start(exam.id, person_id, now=now, seed=seed)
    return attempt


def _hidden_exam(person_id: int, title: str, chosen: list[int], *, kind: str, minutes: int, now: datetime,
                 answers: bool) -> Exam:
    """A hidden exam of the chosen questions for the person alone, published (pools frozen); flushed."""
    title = title[:200]
    blueprint = Blueprint(title=title, hidden=True, owner_unit_id=None, created_by_id=person_id,
                          rules=_paper(chosen))
    exam = Exam(title=title, kind=kind, hidden=True, blueprint=blueprint, owner_unit_id=None,
                created_by_id=person_id, opens_at=now, closes_at=now + timedelta(days=OPEN_DAYS),
                duration_minutes=minutes, attempts_allowed=1, shuffle_questions=False, shuffle_options=True,
                review_timing=ReviewTiming.ON_SUBMIT, review_score=True, review_correctness=True,
                review_answers=answers, review_explanations=answers,
                audience=[ExamAudience(person_id=person_id)])
    db.session.add(exam)
    db.session.flush()
    freeze_and_publish(exam, actor_id=person_id, now=now)
    return exam


def start_retest(person_id: int, competency_id: int, level: int, count: int, *, default_level: int,
                 now: datetime, record_start: Callable[[Exam], None], seed: int | None = None,
                 pass_percent: int = 60) -> Attempt:
    """A re-test (复测) of one competency: `count` of its questions the person may practise, those at
    `level` first (by difficulty, `question_bank.mastery.level_for`), then the nearest levels, least
    seen first. A hidden *formal* exam (no 核对, answers not shown afterwards, timed), so its answers
    count as formal evidence of mastery. `record_start(exam)` adds the caller's rows before the commit;
    404 for a competency outside the person's practice scope, 409 without usable questions."""
    name, pool = practice_sources.pool(person_id, PracticeSourceKind.COMPETENCY, competency_id, now=now)
    if not pool:
        raise Conflict(f"「{name}」现在没有可以用来复测的题目，请联系单位管理员。")
    seed = secrets.randbits(62) if seed is None else seed
    difficulty = dict(db.session.execute(select(Question.id, Question.difficulty).where(Question.id.in_(pool))).all())
    distance = {q: abs(level_for(difficulty.get(q), default_level) - level) for q in pool}
    seen = seen_counts(person_id)
    chosen: list[int] = []
    for step in sorted(set(distance.values())):
        chosen += choose([q for q in pool if distance[q] == step], seen, count - len(chosen), seed)
        if len(chosen) >= count:
            break
    exam = _hidden_exam(person_id, f"复测：{name}", chosen, kind=ExamKind.FORMAL,
                        minutes=len(chosen) * RETEST_MINUTES_PER_QUESTION, now=now, answers=False)
    exam.pass_percent = pass_percent
    record_start(exam)
    record("retest_start", exam, actor_id=person_id, competency_id=competency_id, level=level, questions=len(chosen))
    db.session.commit()
    attempt, _created = taking.start(exam.id, person_id, now=now, seed=seed)
    return attempt


def parse_source(value: str) -> tuple[str, int | None]:
    """A form's `kind:id` as (kind, id or None); 422 for anything else."""
    kind, _sep, number = (value or "").partition(":")
    source_id = as_id(number)
    if kind not in PracticeSourceKind.labels() or (source_id is None and number != "0"):
        raise Unprocessable("请选择要练习的内容。")
    return kind, source_id


@dataclass(frozen=True)
class PastPractice:
    source: PracticeSource
    attempt: Attempt | None

    @property
    def in_progress(self) -> bool:
        return self.attempt is not None and self.attempt.state == AttemptState.IN_PROGRESS


def history(person_id: int, *, limit: int = 20) -> list[PastPractice]:
    """The person's latest generated practices with their attempts (two queries)."""
    sources = list(db.session.scalars(select(PracticeSource).where(PracticeSource.person_id == person_id)
                                      .order_by(PracticeSource.created_at.desc(), PracticeSource.id.desc())
                                      .limit(limit)))
    by_exam = {a.exam_id: a for a in db.session.scalars(
        select(Attempt).where(Attempt.person_id == person_id, Attempt.exam_id.in_([s.exam_id for s in sources])))}
    return [PastPractice(source, by_exam.get(source.exam_id)) for source in sources]
