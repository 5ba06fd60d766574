"""Previewing and publishing an exam: the dry run of the draw, then its pools frozen."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import exists, func, select

from app.audit import record
from app.errors import Conflict, DomainError, NotFound
from app.exams import pools
from app.extensions import db
from app.models import Attempt, Exam, ExamOverride
from app.models.exams import ExamStatus
from question_bank import assembly


class BlueprintShort(DomainError):
    """The pools cannot fill the paper: one Chinese reason per rule in `problems`."""

    status_code = 409

    def __init__(self, problems: list[str]):
        super().__init__("无法组卷：" + "；".join(problems), problems=problems)
        self.problems = problems


def has_attempts(exam_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Attempt.exam_id == exam_id))))


def preview(exam_id: int) -> assembly.Paper:
    """Draw one sample paper from the bank as it is now (nothing stored)."""
    exam = _exam(exam_id)
    blueprint = pools.resolve(exam)
    problems = assembly.dry_run(blueprint)
    if problems:
        raise BlueprintShort(problems)
    return assembly.draw(blueprint, secrets.randbits(62))


def publish(exam_id: int, *, actor_id: int | None, now: datetime) -> Exam:
    """Dry-run the draw and, when every rule can be filled, freeze the pools and publish.

    Refused once someone has started: the paper of an exam with attempts never changes.
    """
    exam = _exam(exam_id)
    freeze_and_publish(exam, actor_id=actor_id, now=now)
    db.session.commit()
    return exam


def freeze_and_publish(exam: Exam, *, actor_id: int | None, now: datetime) -> None:
    """`publish` without the commit (flushes), for services that publish inside their own change
    (an edit of a published exam's paper before anyone started republishes it)."""
    if has_attempts(exam.id):
        raise Conflict("已有人开始作答，不能重新发布；如需修改试卷，请复制为新考试。")
    if exam.closes_at <= exam.opens_at:
        raise DomainError("考试的结束时间应晚于开始时间。")
    blueprint = pools.resolve(exam)
    problems = assembly.dry_run(blueprint)
    if problems:
        raise BlueprintShort(problems)
    republished = exam.status == ExamStatus.PUBLISHED
    pools.freeze(exam, blueprint)
    if republished:
        exam.version += 1
    exam.status = ExamStatus.PUBLISHED
    exam.published_at = now
    record("exam_publish", exam, actor_id=actor_id, version=exam.version,
           questions=sum(rule.count for rule in blueprint.rules))


def _exam(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise NotFound("考试不存在。")
    return exam


def is_over(exam: Exam, now: datetime) -> bool:
    """Whether the exam's window and every person's later close (an override) have passed."""
    later = db.session.scalar(select(func.max(ExamOverride.closes_at)).where(ExamOverride.exam_id == exam.id))
    return now >= max(exam.closes_at, later or exam.closes_at)
