"""What the exam pages show: the list of exams in reach, one exam's page, sample papers."""

from __future__ import annotations

import secrets
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.exams import audience_rows, pools, publishing
from app.exams.access import (
    Viewer,
    blueprint_to_change,
    exam_to_change,
    exam_to_watch,
    exams_clause,
    may_change,
    may_change_blueprint,
)
from app.exams.blueprints import owner_labels, rule_count
from app.exams.overrides import overrides_of
from app.extensions import db
from app.models import Attempt, Blueprint, Exam, QuestionVersion
from app.models.exams import AttemptState
from question_bank import assembly
from question_bank.assembly import OPTION_LETTERS


def list_exams(viewer: Viewer, *, page: int, per_page: int):
    """A page of the exams the viewer may change or watch, newest first, and attempts per exam."""
    query = (select(Exam).where(exams_clause(viewer)).options(selectinload(Exam.blueprint))
             .order_by(Exam.opens_at.desc(), Exam.id.desc()))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [exam.id for exam in pagination.items]
    started = dict(db.session.execute(select(Attempt.exam_id, func.count(func.distinct(Attempt.person_id)))
                                      .where(Attempt.exam_id.in_(ids)).group_by(Attempt.exam_id)).all())
    return pagination, started


def exam_page(viewer: Viewer, exam_id: int, *, now: datetime) -> dict:
    """Everything the exam's page shows, for someone who may change or watch it."""
    exam = exam_to_watch(viewer, exam_id)
    facilities = db.session.scalars(select(Attempt.expected_facility).where(
        Attempt.exam_id == exam.id, Attempt.state != AttemptState.ABANDONED))
    rules = exam.blueprint.rules
    return {"exam": exam, "may_change": may_change(viewer, exam), "audience": audience_rows.labels(exam),
            "blueprint_link": may_change_blueprint(viewer, exam.blueprint),
            "overrides": overrides_of(viewer, exam), "started": (started := publishing.has_attempts(exam.id)),
            "over": started and publishing.is_over(exam, now),
            "spread": assembly.spread([SimpleNamespace(expected_facility=f) for f in facilities]),
            "questions": sum(rule_count(r) for r in rules), "points_total": sum(rule_count(r) * r.points for r in rules),
            "owner": owner_labels([exam.owner_unit_id]).get(exam.owner_unit_id, "")}


def paper_questions(paper: assembly.Paper) -> list[dict]:
    """The paper's questions as a trainee would see them: options in the drawn order, lettered A, B…"""
    datas = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.data).where(
        QuestionVersion.id.in_([item.version_id for item in paper.items]))).all())
    shown = []
    for item in paper.items:
        data = dict(datas[item.version_id])
        if item.option_order:
            options = {option["key"]: option for option in data.get("options", ())}
            data["options"] = [options[key] | {"key": OPTION_LETTERS[i]} for i, key in enumerate(item.option_order)]
        shown.append({"slot": item.slot, "section": item.section, "points": item.points,
                      "question_id": item.question_id, "data": data})
    return shown


def sample_exam_paper(viewer: Viewer, exam_id: int) -> tuple[Exam, list[dict], list[str]]:
    """A sample paper of the exam from the bank as it is now: (exam, questions, problems)."""
    exam = exam_to_change(viewer, exam_id)
    try:
        return exam, paper_questions(publishing.preview(exam.id)), []
    except publishing.BlueprintShort as short:
        return exam, [], short.problems


def sample_blueprint_paper(viewer: Viewer, blueprint_id: int) -> tuple[Blueprint, list[dict], list[str]]:
    """A sample paper of a blueprint (questions and options shuffled as by default)."""
    blueprint = blueprint_to_change(viewer, blueprint_id)
    drawn = assembly.Blueprint(pools.resolve_rules(blueprint))
    problems = assembly.dry_run(drawn)
    if problems:
        return blueprint, [], problems
    return blueprint, paper_questions(assembly.draw(drawn, secrets.randbits(62))), []
