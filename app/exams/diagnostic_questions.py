"""Which question a diagnostic asks next (exams/diagnostic.py): the candidates per competency and the pick.

A candidate is a usable, automatically graded question with a difficulty (its level:
`mastery.DIFFICULTY_LEVEL`), linked to the competency, in a bank category the person may practise
(`practice_sources.categories_clause`), in its current version. The pick: never one already asked;
the level asked, else the nearest (the lower first) among the levels still undecided
(`question_bank.diagnostic.useful_levels`: an answer at a level already decided would change nothing);
least seen by the person; at random among equals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import and_, select

from app.bank.questions import usable
from app.exams.practice_sources import categories_clause
from app.extensions import db
from app.models import Person, Question, QuestionVersion, question_competency
from question_bank.mastery import DIFFICULTY_LEVEL
from question_bank.types import all_types


@dataclass(frozen=True)
class Candidate:
    question_id: int
    version_id: int
    level: int


def _auto_graded() -> list[str]:
    return [cls.code for cls in all_types() if cls.auto_graded]


def candidates(person: Person, competency_ids) -> dict[int, list[Candidate]]:
    """Per competency, the questions it may ask the person (one statement)."""
    rows = db.session.execute(
        select(question_competency.c.competency_id, Question.id, QuestionVersion.id, Question.difficulty)
        .join(Question, Question.id == question_competency.c.question_id)
        .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                    QuestionVersion.number == Question.current_number))
        .where(question_competency.c.competency_id.in_(list(competency_ids)), Question.difficulty.in_(DIFFICULTY_LEVEL),
               Question.qtype.in_(_auto_graded()), categories_clause(person))
        .where(usable())
        .order_by(question_competency.c.competency_id, Question.id)).all()
    found: dict[int, list[Candidate]] = {}
    for competency_id, question_id, version_id, difficulty in rows:
        found.setdefault(competency_id, []).append(Candidate(question_id, version_id, DIFFICULTY_LEVEL[difficulty]))
    return found


def pick(pool: list[Candidate], level: int, used: set[int], seen: dict[int, int], seed: int,
         useful: range | None = None) -> Candidate | None:
    """The question to ask at `level`: never one in `used`; the nearest level within `useful` (levels a
    question could still decide something at; any when None), least seen, then at random."""
    rng = random.Random(seed)  # noqa: S311 - the order of diagnostic questions, not a secret
    keyed = sorted((abs(c.level - level), c.level, seen.get(c.question_id, 0), rng.random(), c.question_id, c)
                   for c in pool if c.question_id not in used and (useful is None or c.level in useful))
    return keyed[0][-1] if keyed else None
