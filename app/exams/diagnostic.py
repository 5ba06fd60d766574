"""The adaptive diagnostic (摸底测试) through the exam machinery: one question at a time.

`start` makes a hidden `Exam` of kind `diagnostic` for one person (its audience is that person)
over a hidden blueprint whose one fixed rule is the first question, publishes it and starts its
attempt with `attempts.start`, so the attempt begins with one slot. Each `answer` stores and grades
the current slot at once with the engine (`question_bank.marking.mark`, as a practice's 核对, but
nothing of the key is returned), then asks the pure rule (`question_bank.diagnostic`) what comes
next and appends that slot; when every competency has stopped, the attempt is handed in through
`attempts.submit`, so `attempt_finished` fires and needs records the answers as source
`diagnostic`. The levels stored on the `Diagnostic` are the rule's `Stop` levels.

Which question: a usable, automatically graded question with a difficulty, linked to the
competency, in a bank category the person may practise (`practice_sources.categories_clause`); at
the level the rule asks (`mastery.DIFFICULTY_LEVEL`), else the nearest level; never one already
asked; least seen by the person first, at random among equals. A competency without any such
question is skipped (`Diagnostic.skipped`); one whose questions run out stops (`exhausted`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit import record
from app.errors import Conflict, NotFound, Unprocessable
from app.exams import attempts as taking
from app.exams.diagnostic_questions import candidates, pick
from app.exams.practice import POINTS, seen_counts
from app.exams.publishing import freeze_and_publish
from app.exams.questions import question_of, version_text
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Blueprint,
    BlueprintRule,
    Competency,
    Diagnostic,
    Exam,
    ExamAudience,
    Person,
    Question,
    QuestionVersion,
)
from app.models.exams import AttemptState, ExamKind, ReviewTiming, SourceKind
from app.qtypes import adapter_for
from question_bank import diagnostic as rule
from question_bank import question_from_dict
from question_bank.marking import mark
from question_bank.mastery import Settings
from question_bank.scoring import GradingPolicy

OPEN_DAYS = 7  # an unfinished diagnostic stays open this long; then the sweep hands it in
TITLE = "摸底测试"
NOTHING_TO_ASK = "您岗位要求的能力项目前都没有可用的题目，暂时无法进行摸底测试。"


def _targets(diagnostic: Diagnostic) -> dict[int, int]:
    """The competencies still asked about (skipped and exhausted ones left out), in the stored order."""
    out = set(diagnostic.skipped) | set(diagnostic.exhausted)
    return {int(cid): int(level) for cid, level in diagnostic.targets.items() if int(cid) not in out}


def answers_so_far(diagnostic: Diagnostic, items: dict[int, AttemptItem]) -> dict[int, list[rule.Answer]]:
    """Per competency, the graded answers in the order asked (an unanswered slot is left out)."""
    found: dict[int, list[rule.Answer]] = {}
    for slot, competency_id, level in diagnostic.asked:
        item = items.get(slot)
        if item is not None and item.checked_at is not None and item.points:
            found.setdefault(competency_id, []).append(rule.Answer(level, min(max((item.score or 0) / item.points, 0.0), 1.0)))
    return found


def start(person_id: int, targets: dict[int, int], *, max_per_competency: int, settings: Settings, now: datetime,
          seed: int | None = None) -> Diagnostic:
    """The person's diagnostic in progress, or a new one over `targets` (competency id → level); commits."""
    current = in_progress(person_id, now=now)
    if current is not None:
        return current
    if not targets:
        raise Unprocessable("您的岗位还没有规定能力要求，无需摸底测试。")
    person = db.session.get(Person, person_id)
    pools = candidates(person, targets)
    skipped = [cid for cid in targets if not pools.get(cid)]
    asking = {cid: level for cid, level in targets.items() if cid not in skipped}
    if not asking:
        raise Conflict(NOTHING_TO_ASK)
    seed = random.SystemRandom().getrandbits(62) if seed is None else seed
    rules = rule.Rules(max_questions=max_per_competency)
    competency_id, level = rule.next_question(asking, {}, rules, settings)
    first = pick(pools[competency_id], level, set(), seen_counts(person_id), seed)
    blueprint = Blueprint(title=TITLE, hidden=True, owner_unit_id=None, created_by_id=person_id, rules=[
        BlueprintRule(position=1, section=TITLE, source_kind=SourceKind.FIXED, question_ids=[first.question_id],
                      qtype=db.session.get(Question, first.question_id).qtype, count=1, points=POINTS)])
    exam = Exam(title=TITLE, kind=ExamKind.DIAGNOSTIC, hidden=True, blueprint=blueprint, owner_unit_id=None,
                created_by_id=person_id, opens_at=now, closes_at=now + timedelta(days=OPEN_DAYS),
                duration_minutes=OPEN_DAYS * 24 * 60, attempts_allowed=1, shuffle_questions=False,
                shuffle_options=False, review_timing=ReviewTiming.ON_SUBMIT, review_score=False,
                review_correctness=False, review_answers=False, review_explanations=False,
                audience=[ExamAudience(person_id=person_id)])
    db.session.add(exam)
    db.session.flush()
    freeze_and_publish(exam, actor_id=person_id, now=now)
    diagnostic = Diagnostic(person_id=person_id, exam_id=exam.id, post_id=person.post_id,
                            targets={str(cid): int(level) for cid, level in targets.items()}, skipped=skipped,
                            exhausted=[], asked=[[1, competency_id, first.level]],
                            max_per_competency=max_per_competency, created_at=now)
    db.session.add(diagnostic)
    record("diagnostic_start", exam, actor_id=person_id, competencies=len(asking), skipped=len(skipped))
    db.session.commit()
    attempt, _created = taking.start(exam.id, person_id, now=now, seed=seed)
    db.session.execute(AttemptItem.__table__.update().where(AttemptItem.attempt_id == attempt.id)
                       .values(option_order=[], section=_section(competency_id)))  # letters are the own keys
    db.session.commit()
    return diagnostic


def _section(competency_id: int) -> str:
    return (db.session.get(Competency, competency_id).name or TITLE)[:100]


def in_progress(person_id: int, *, now: datetime) -> Diagnostic | None:
    """The person's unfinished diagnostic whose attempt is still open, if any."""
    row = db.session.execute(
        select(Diagnostic, Attempt).join(Attempt, Attempt.exam_id == Diagnostic.exam_id)
        .where(Diagnostic.person_id == person_id, Diagnostic.finished_at.is_(None),
               Attempt.state == AttemptState.IN_PROGRESS)
        .order_by(Diagnostic.id.desc()).limit(1)).first()
    if row is None or taking.is_closed(row.Attempt, row.Diagnostic.exam, now):
        return None
    return row.Diagnostic


def own(diagnostic_id: int, person_id: int) -> tuple[Diagnostic, Attempt]:
    """The person's own diagnostic and its attempt; anyone else's is 404."""
    diagnostic = db.session.get(Diagnostic, diagnostic_id)
    if diagnostic is None or diagnostic.person_id != person_id:
        raise NotFound("摸底测试不存在。")
    attempt = db.session.scalar(select(Attempt).where(Attempt.exam_id == diagnostic.exam_id,
                                                      Attempt.person_id == person_id))
    if attempt is None:
        raise NotFound("摸底测试不存在。")
    return diagnostic, attempt


def items_of(attempt_id: int) -> dict[int, AttemptItem]:
    return {item.slot: item for item in db.session.scalars(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))}


@dataclass(frozen=True)
class Current:
    """The question to answer now (None once finished), with the progress: answered, at most in all."""

    diagnostic: Diagnostic
    item: AttemptItem | None
    data: dict | None
    answered: int
    at_most: int

    @property
    def public(self) -> dict:
        """The question as a trainee sees it: no key, no explanation."""
        return question_from_dict(self.data).public_dict()


def current(diagnostic_id: int, person_id: int, *, settings: Settings, now: datetime) -> Current:
    """The question to answer now; none once finished, or once its time ran out (the offer starts anew)."""
    diagnostic, attempt = own(diagnostic_id, person_id)
    items = items_of(attempt.id)
    answers = answers_so_far(diagnostic, items)
    answered = sum(len(a) for a in answers.values())
    left = rule.questions_left_at_most(_targets(diagnostic), answers,
                                       rule.Rules(max_questions=diagnostic.max_per_competency), settings)
    item = items.get(diagnostic.asked[-1][0]) if diagnostic.asked else None
    if diagnostic.finished_at is not None or item is None or item.checked_at is not None \
            or taking.is_closed(attempt, db.session.get(Exam, attempt.exam_id), now):
        return Current(diagnostic, None, None, answered, answered)
    data = db.session.get(QuestionVersion, item.question_version_id).data
    return Current(diagnostic, item, data, answered, answered + max(left, 1))


def answer(diagnostic_id: int, person_id: int, slot: int, response: object, *, settings: Settings,
           now: datetime) -> Diagnostic:
    """Store and grade the answer to the current slot, then append the next question or finish (commits).

    A repeated answer to a slot already graded changes nothing; 409 once the attempt is closed, 422
    for a response the question cannot take. Nothing of the key is returned.
    """
    diagnostic, attempt = own(diagnostic_id, person_id)
    db.session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    exam = db.session.get(Exam, attempt.exam_id)
    if diagnostic.finished_at is not None or taking.is_closed(attempt, exam, now):
        raise Conflict(taking.CLOSED)
    row = db.session.execute(
        select(AttemptItem, version_text).join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.slot == slot)).one_or_none()
    if row is None:
        raise NotFound("题目不存在。")
    item, text = row
    if item.checked_at is not None or slot != diagnostic.asked[-1][0]:
        db.session.rollback()
        return diagnostic
    question = question_of(text)
    if response is None or response in ("", []):
        raise Unprocessable("请先作答，再提交。")
    problem = question.response_problem(response)
    if problem:
        raise Unprocessable(problem)
    score = mark(question, response, item.points, GradingPolicy(multi=exam.multi_policy))
    item.response, item.seq, item.saved_at = response, item.seq + 1, now
    item.score, item.status, item.checked_at = score.earned, score.status, now
    db.session.flush()
    record("diagnostic_answer", attempt, actor_id=person_id, slot=slot, status=score.status)
    if _ask_next(diagnostic, attempt, now=now, settings=settings):
        db.session.commit()
        return diagnostic
    taking.submit(attempt.id, person_id, now=now)  # commits the levels with the hand-in; announces
    return diagnostic


def answer_form(diagnostic_id: int, person_id: int, slot: int | None, values: list[str], *, settings: Settings,
                now: datetime) -> Diagnostic:
    """`answer` from the question page's form: the submitted values through the type's web adapter."""
    _diagnostic, attempt = own(diagnostic_id, person_id)
    data = db.session.scalar(select(QuestionVersion.data).join(
        AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.slot == slot)) if slot else None
    if data is None:
        raise NotFound("题目不存在。")
    return answer(diagnostic_id, person_id, slot, adapter_for(data["type"]).response(values), settings=settings,
                  now=now)


def _ask_next(diagnostic: Diagnostic, attempt: Attempt, *, now: datetime, settings: Settings) -> bool:
    """Append the next slot (True), or store the levels assigned when every competency stopped (False)."""
    rules = rule.Rules(max_questions=diagnostic.max_per_competency)
    items = items_of(attempt.id)
    answers = answers_so_far(diagnostic, items)
    used = {item.question_id for item in items.values()}
    pools = None
    while (following := rule.next_question(_targets(diagnostic), answers, rules, settings)) is not None:
        competency_id, level = following
        if pools is None:
            pools = candidates(db.session.get(Person, diagnostic.person_id), _targets(diagnostic))
        useful = rule.useful_levels(_targets(diagnostic)[competency_id], answers.get(competency_id, []), level,
                                    rules, settings)
        chosen = pick(pools.get(competency_id, []), level, used, seen_counts(diagnostic.person_id),
                      attempt.seed + len(items), useful)
        if chosen is None:
            diagnostic.exhausted = [*diagnostic.exhausted, competency_id]
            continue
        slot = max(items) + 1
        db.session.add(AttemptItem(attempt_id=attempt.id, slot=slot, section=_section(competency_id), rule=1,
                                   question_id=chosen.question_id, question_version_id=chosen.version_id,
                                   option_order=[], points=POINTS, seq=0))
        attempt.max_score = (attempt.max_score or 0) + POINTS
        diagnostic.asked = [*diagnostic.asked, [slot, competency_id, chosen.level]]
        return True
    diagnostic.levels = {str(cid): level for cid, level in assigned(diagnostic, answers, settings).items()}
    diagnostic.finished_at = now
    record("diagnostic_finish", attempt, actor_id=diagnostic.person_id, levels=diagnostic.levels)
    return False


def assigned(diagnostic: Diagnostic, answers: dict[int, list[rule.Answer]], settings: Settings) -> dict[int, int | None]:
    """The level the rule assigns each competency asked about (None when too few answers)."""
    return {cid: stop.level if stop is not None else None for cid, stop in decisions(diagnostic, answers, settings).items()}


def decisions(diagnostic: Diagnostic, answers: dict[int, list[rule.Answer]],
              settings: Settings) -> dict[int, rule.Stop | None]:
    """Each competency's `Stop` (None while it would still ask): decided, or not (at most N questions, or
    its useful questions ran out), with the estimate from its answers."""
    found = {}
    for cid, target in diagnostic.targets.items():
        cid = int(cid)
        if cid in diagnostic.skipped:
            continue
        given = answers.get(cid, [])
        limit = diagnostic.max_per_competency if cid not in diagnostic.exhausted else max(len(given), 1)
        decision = rule.step(int(target), given, rule.Rules(max_questions=limit), settings)
        found[cid] = decision if isinstance(decision, rule.Stop) else None
    return found
