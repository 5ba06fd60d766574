"""Taking an exam: start (idempotent), save one answer (sequence-numbered), submit (idempotent).

Every function takes `now` (UTC) from its caller and commits. The paper is drawn at start from a
seed stored with the attempt and persisted slot by slot with the question versions and option
orders; from then on only the stored rows are read. A 2xx for a save means the row is committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.passwords import verify_password
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.events import announce, attempt_finished
from app.exams import pools
from app.exams.audience import in_audience
from app.exams.questions import question_of, version_text
from app.extensions import db, writing
from app.models import Attempt, AttemptItem, Exam, ExamOverride, Person, QuestionVersion
from app.models.exams import AttemptState, ExamStatus
from question_bank.assembly import PoolTooSmall, draw, to_own_keys
from question_bank.marking import mark_paper
from question_bank.scoring import GradingPolicy

CLOSED = "本次作答已结束，不能再修改答案。"
CHECKED = "这道题已经核对过答案，不能再修改。"


# The statements of a start and a save, built once: building one costs more than running it.
_OVERRIDE = select(ExamOverride).where(ExamOverride.exam_id == bindparam("exam_id"),
                                       ExamOverride.person_id == bindparam("person_id"))
_ATTEMPTS = select(Attempt).where(Attempt.exam_id == bindparam("exam_id"), Attempt.person_id == bindparam("person_id"))
_SAVE_ROW = (select(AttemptItem.id, AttemptItem.seq, AttemptItem.option_order, version_text,
                    Attempt.person_id, Attempt.state, Attempt.deadline, Exam.grace_seconds, AttemptItem.checked_at)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(Exam, Exam.id == Attempt.exam_id)
             .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
             .where(AttemptItem.attempt_id == bindparam("attempt_id"), AttemptItem.slot == bindparam("slot"))
             # PostgreSQL: a submit's claim waits for this save's commit (and a save after a claim sees
             # it finished), so a grade never misses an acknowledged answer. SQLite's IMMEDIATE does it.
             .with_for_update(read=True, of=Attempt))
_SAVE = (update(AttemptItem).where(AttemptItem.id == bindparam("item_id"), AttemptItem.seq < bindparam("new_seq"))
         .values(seq=bindparam("new_seq"), response=bindparam("own", type_=AttemptItem.response.type),
                 saved_at=bindparam("now", type_=AttemptItem.saved_at.type))
         .execution_options(synchronize_session=False))


def override_for(exam_id: int, person_id: int) -> ExamOverride | None:
    return db.session.scalar(_OVERRIDE, {"exam_id": exam_id, "person_id": person_id})


def closes_at(exam: Exam, override: ExamOverride | None) -> datetime:
    return override.closes_at if override and override.closes_at else exam.closes_at


def deadline_for(exam: Exam, override: ExamOverride | None, started_at: datetime) -> datetime:
    """min(start + duration (+ extra minutes), the window's close (or the person's later close))."""
    minutes = exam.duration_minutes + (override.extra_minutes if override else 0)
    return min(started_at + timedelta(minutes=minutes), closes_at(exam, override))


def attempts_allowed(exam: Exam, override: ExamOverride | None) -> int:
    return exam.attempts_allowed + (override.extra_attempts if override else 0)


def _exam_for(exam_id: int, person: Person) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.status != ExamStatus.PUBLISHED or not in_audience(exam, person):
        raise NotFound("考试不存在，或您不在本场考试的范围内。")
    return exam


def _open_attempt(exam_id: int, person_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).filter_by(exam_id=exam_id, person_id=person_id,
                                                       state=AttemptState.IN_PROGRESS))


def start(exam_id: int, person_id: int, *, now: datetime, password: str | None = None,
          seed: int | None = None) -> tuple[Attempt, bool]:
    """Start the person's next attempt, or return the one in progress; (attempt, created).

    The paper's seed is random unless given (the demo gives one, so its papers are reproducible).

    Everything is read and the paper drawn before the write, which is only the inserts (`writing()`:
    under `@reads_first` the write lock is held for them alone). Idempotent: an attempt in progress
    is returned as it is; two simultaneous starts both try to insert the same (exam, person, number)
    and the loser returns the winner's attempt.
    """
    person = db.session.get(Person, person_id)
    exam = _exam_for(exam_id, person)
    earlier = db.session.scalars(_ATTEMPTS, {"exam_id": exam_id, "person_id": person_id}).all()
    current = next((a for a in earlier if a.state == AttemptState.IN_PROGRESS), None)
    if current is not None and not is_closed(current, exam, now):
        return current, False
    override = override_for(exam_id, person_id)
    if now < exam.opens_at:
        raise Forbidden("考试尚未开始。")
    if now >= closes_at(exam, override):
        raise Forbidden("考试已经结束。")
    used = len(earlier)
    if used >= attempts_allowed(exam, override):
        raise Forbidden("您已用完本场考试的作答次数。")
    if exam.password_hash and not verify_password(exam.password_hash, password or ""):
        raise Forbidden("考试密码不正确。")
    attempt, items = _draw_attempt(exam, person_id, used + 1, override, now=now, seed=seed,
                                   seen=_seen_counts(exam_id, person_id) if earlier else {})
    overdue_id = current.id if current is not None else None
    try:
        with writing():
            closed_now = overdue_id is not None and _close_if_overdue(
                db.session.get(Attempt, overdue_id), db.session.get(Exam, exam_id), now)
            db.session.add(attempt)
            db.session.flush()
            db.session.execute(AttemptItem.__table__.insert(), [item | {"attempt_id": attempt.id} for item in items])
            db.session.commit()
    except IntegrityError:  # another request inserted this (exam, person, number) first
        db.session.rollback()
        winner = _open_attempt(exam_id, person_id)
        if winner is None:
            raise Conflict("开始考试时发生冲突，请刷新后重试。") from None
        return winner, False
    if closed_now:
        announce(attempt_finished, attempt_id=overdue_id)
    return attempt, True


def _seen_counts(exam_id: int, person_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(AttemptItem.question_id, func.count())
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.exam_id == exam_id, Attempt.person_id == person_id)
        .group_by(AttemptItem.question_id))
    return dict(rows.all())


def _draw_attempt(exam: Exam, person_id: int, number: int, override, *, now: datetime,
                  seed: int | None, seen: dict[int, int]) -> tuple[Attempt, list[dict]]:
    """The new attempt (not yet added) and its slots' rows (without `attempt_id`), drawn from the pools."""
    seed = secrets.randbits(62) if seed is None else seed
    try:
        paper = draw(pools.frozen_blueprint(exam), seed, seen)
    except PoolTooSmall as error:
        raise Conflict("本场考试的题库不足以组卷：" + "；".join(error.problems)) from None
    attempt = Attempt(exam=exam, person_id=person_id, number=number, exam_version=exam.version,
                      seed=seed, started_at=now, deadline=deadline_for(exam, override, now),
                      expected_facility=paper.expected_facility, max_score=paper.max_points)
    items = [{"slot": item.slot, "section": item.section, "rule": item.rule, "question_id": item.question_id,
              "question_version_id": item.version_id, "option_order": list(item.option_order),
              "points": item.points, "seq": 0} for item in paper.items]
    return attempt, items


def own_attempt(attempt_id: int, person_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.person_id != person_id:
        raise NotFound("作答记录不存在。")
    return attempt


def is_closed(attempt: Attempt, exam: Exam, now: datetime) -> bool:
    """Closed: submitted, or past the deadline plus the grace for saves in flight."""
    return attempt.state != AttemptState.IN_PROGRESS or \
        now > attempt.deadline + timedelta(seconds=exam.grace_seconds)


def save_answer(attempt_id: int, person_id: int, slot: int, seq: object, response: object,
                *, now: datetime) -> dict:
    """Store one answer if `seq` is newer than the stored one; the row is committed on return.

    Responses arrive in the letters the trainee saw and are stored in the question's own keys.
    A stale or reordered save (seq not greater) raises Conflict carrying the stored seq; a save of
    a checked slot raises Conflict with `checked`.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**31:
        raise Unprocessable("序号（seq）应为正整数。")
    row = db.session.execute(_SAVE_ROW, {"attempt_id": attempt_id, "slot": slot}).one_or_none()
    if row is None or row.person_id != person_id:
        raise NotFound("题目不存在。")
    if row.state != AttemptState.IN_PROGRESS or now > row.deadline + timedelta(seconds=row.grace_seconds):
        raise Conflict(CLOSED)
    if row.checked_at is not None:  # a practice's 核对 showed the answer: it is final (exams/checks.py)
        raise Conflict(CHECKED, checked=True)
    own = to_own_keys(response, row.option_order)
    problem = question_of(row[3]).response_problem(own)
    if problem:
        raise Unprocessable(problem)
    changed = db.session.execute(_SAVE, {"item_id": row.id, "new_seq": seq, "own": own, "now": now}).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict("这次保存晚于更新的一次保存，已忽略。", seq=row.seq)
    db.session.commit()
    return {"slot": slot, "seq": seq, "saved_at": now, "deadline": row.deadline}


def submit(attempt_id: int, person_id: int, *, now: datetime, by: str = "trainee") -> Attempt:
    """Finish and grade the attempt once; a repeat returns it unchanged."""
    attempt = own_attempt(attempt_id, person_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        return attempt
    exam = db.session.get(Exam, attempt.exam_id)
    if by == "trainee" and now >= attempt.deadline:
        by = "timeout"  # the page submits itself at zero: recorded as time running out, at the deadline
    finished = _finish(attempt, exam, now=min(now, attempt.deadline) if by == "timeout" else now, by=by)
    db.session.commit()
    if finished:
        announce(attempt_finished, attempt_id=attempt.id)
    return attempt


def _finish(attempt: Attempt, exam: Exam, *, now: datetime, by: str) -> bool:
    """Grade from the stored answers and mark the attempt finished (flushes; caller commits).

    The state change is a conditional UPDATE, so of two simultaneous submits only one grades.
    """
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == AttemptState.IN_PROGRESS)
        .values(state=AttemptState.FINISHED, submitted_at=now, submitted_by=by)).rowcount
    if not claimed:
        db.session.refresh(attempt)
        return False
    items = db.session.execute(
        select(AttemptItem, version_text)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.slot)).all()
    policy = GradingPolicy(multi=exam.multi_policy)
    result = mark_paper(((question_of(text), item.response, item.points) for item, text in items),
                        exam.pass_percent, policy)
    db.session.execute(update(AttemptItem), [
        {"id": item.id, "score": score.earned, "status": score.status}
        for (item, _data), score in zip(items, result.scores, strict=True)])
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(
        score=result.score, max_score=result.max_score, passed=result.passed,
        pending_manual=result.pending))
    db.session.refresh(attempt)
    return True


def _close_if_overdue(attempt: Attempt, exam: Exam, now: datetime) -> bool:
    """Grade an attempt whose time (and grace) ran out; True when it was closed now."""
    if attempt.state != AttemptState.IN_PROGRESS or not is_closed(attempt, exam, now):
        return False
    return _finish(attempt, exam, now=attempt.deadline, by="timeout")


def close_overdue(*, now: datetime, limit: int = 500) -> list[int]:
    """The sweep: grade every attempt past its deadline and grace, one commit each."""
    closed = []
    candidates = db.session.execute(
        select(Attempt.id, Attempt.exam_id).where(Attempt.state == AttemptState.IN_PROGRESS,
                                                  Attempt.deadline < now).limit(limit)).all()
    for attempt_id, exam_id in candidates:
        attempt, exam = db.session.get(Attempt, attempt_id), db.session.get(Exam, exam_id)
        if _close_if_overdue(attempt, exam, now):
            db.session.commit()
            announce(attempt_finished, attempt_id=attempt_id)
            closed.append(attempt_id)
        else:
            db.session.rollback()
    return closed


def close_if_overdue(attempt_id: int, *, now: datetime) -> Attempt:
    """On any access: close this attempt if its time ran out (commits when it did)."""
    attempt = db.session.get(Attempt, attempt_id)
    exam = db.session.get(Exam, attempt.exam_id)
    if _close_if_overdue(attempt, exam, now):
        db.session.commit()
        announce(attempt_finished, attempt_id=attempt_id)
    return attempt


LEAVING = frozenset({"hidden", "blur", "fullscreen_exit"})
RETURNING = frozenset({"visible", "focus"})
EVENT_KINDS = LEAVING | RETURNING | {"paste"}


def record_events(attempt_id: int, person_id: int, events: Iterable[dict], *, now: datetime) -> Attempt:
    """Log integrity evidence with the server's time; past the 切屏 limit, submit and flag.

    A switch (切屏) is leaving the page after having been on it: a `blur` that a `hidden` follows
    counts once.
    """
    from app.models import AttemptEvent

    attempt = own_attempt(attempt_id, person_id)
    exam = db.session.get(Exam, attempt.exam_id)
    if is_closed(attempt, exam, now):
        raise Conflict(CLOSED)
    last = db.session.scalar(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt.id,
                                                             AttemptEvent.kind.in_(LEAVING | RETURNING))
                             .order_by(AttemptEvent.id.desc()).limit(1))
    away = last in LEAVING
    for event in events:
        kind = event.get("type") if isinstance(event, dict) else None
        if kind not in EVENT_KINDS:
            raise Unprocessable("未知的事件类型。")
        client_time = event.get("client_time")
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind=kind, server_time=now,
                                    client_time=str(client_time)[:40] if client_time else ""))
        if kind in LEAVING and not away:
            attempt.switches += 1
        away = kind in LEAVING if kind != "paste" else away
    limit = exam.switch_limit
    if limit is not None and attempt.switches > limit:
        attempt.flagged = True
        db.session.flush()
        finished = _finish(attempt, exam, now=now, by="switches")
        db.session.commit()
        if finished:
            announce(attempt_finished, attempt_id=attempt.id)
        return attempt
    db.session.commit()
    return attempt


def finish_now(attempt_id: int, *, now: datetime, by: str) -> bool:
    """Finish and grade an attempt in progress on someone else's word (a proctor's "close now").

    Commits (with whatever the caller added, e.g. its audit entry) and announces; False when the
    attempt had already finished. Past the deadline it finishes at the deadline, as a timeout does.
    """
    attempt = db.session.get(Attempt, attempt_id)
    exam = db.session.get(Exam, attempt.exam_id)
    finished = _finish(attempt, exam, now=min(now, attempt.deadline), by=by)
    db.session.commit()
    if finished:
        announce(attempt_finished, attempt_id=attempt.id)
    return finished
