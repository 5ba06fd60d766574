"""A blueprint's rules as pools of usable questions: resolved from the bank, frozen at publishing.

`resolve(exam)` searches the bank (the preview and the publishing dry run), with each question's
facility measured by earlier exams where it has enough graded answers; `freeze(exam)`
stores the pools as `ExamPoolEntry` rows; `frozen_blueprint(exam)` reads them back as the engine's
`assembly.Blueprint`, cached in memory per frozen pool (`Exam.pool_key`), so a start costs no
search of the bank whatever its size.

A blueprint owned by a unit draws only from bank categories owned by that unit or below it (the
bank's own scope rule); a blueprint without an owner (a global author's) draws from the whole bank.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from threading import Lock

from sqlalchemy import and_, delete, func, select

from app.bank.questions import usable
from app.extensions import db
from app.models import (
    Blueprint,
    BlueprintRule,
    Competency,
    Exam,
    ExamItemStat,
    ExamPoolEntry,
    OrgUnit,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    question_competency,
)
from app.models.exams import SourceKind
from question_bank import assembly

_CACHE_SIZE = 64
_cache: OrderedDict[str, assembly.Blueprint] = OrderedDict()
_cache_lock = Lock()


def source_label(rule: BlueprintRule) -> str:
    """Name a rule's source for people: 分类「…」, 知识点「…」, 标签「…」 or 指定题目."""
    if rule.source_kind == SourceKind.CATEGORY:
        category = db.session.get(QuestionCategory, rule.category_id)
        name = category.name if category else "（已删除）"
        return f"分类「{name}」" + ("及其子分类" if rule.include_subcategories else "")
    if rule.source_kind == SourceKind.COMPETENCY:
        competency = db.session.get(Competency, rule.competency_id)
        return f"知识点「{competency.name if competency else '（已删除）'}」"
    if rule.source_kind == SourceKind.TAG:
        return f"标签「{rule.tag}」"
    return "指定题目"


def owner_path(owner_unit_id: int | None) -> str | None:
    """The path of a blueprint's owner unit (None: no owner, the whole bank)."""
    unit = db.session.get(OrgUnit, owner_unit_id) if owner_unit_id else None
    return unit.path if unit else None


def _measured():
    """Per question version: graded answers over every exam that stored its item statistics, and
    the answers-weighted sum of the facility each exam measured."""
    return (select(ExamItemStat.question_version_id.label("version_id"),
                   func.sum(ExamItemStat.answers).label("answers"),
                   func.sum(ExamItemStat.facility * ExamItemStat.answers).label("weighted"))
            .group_by(ExamItemStat.question_version_id).subquery())


def _rule_query(rule: BlueprintRule, within: str | None = None):
    measured = _measured()
    query = (select(Question.id, QuestionVersion.id, Question.difficulty, QuestionVersion.data,
                    measured.c.answers, measured.c.weighted)
             .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                         QuestionVersion.number == Question.current_number))
             .outerjoin(measured, measured.c.version_id == QuestionVersion.id)
             .where(usable(), Question.qtype == rule.qtype))
    if within is not None:
        query = query.where(Question.category_id.in_(
            select(QuestionCategory.id).join(OrgUnit, OrgUnit.id == QuestionCategory.owner_unit_id)
            .where(OrgUnit.path.startswith(within, autoescape=True))))
    if rule.difficulty_min is not None:
        query = query.where(Question.difficulty >= rule.difficulty_min)
    if rule.difficulty_max is not None:
        query = query.where(Question.difficulty <= rule.difficulty_max)
    if rule.source_kind == SourceKind.CATEGORY:
        category = db.session.get(QuestionCategory, rule.category_id)
        if category is None:
            return None
        if rule.include_subcategories:
            query = (query.join(QuestionCategory, QuestionCategory.id == Question.category_id)
                     .where(QuestionCategory.path.startswith(category.path, autoescape=True)))
        else:
            query = query.where(Question.category_id == category.id)
    elif rule.source_kind == SourceKind.COMPETENCY:
        query = (query.join(question_competency, question_competency.c.question_id == Question.id)
                 .where(question_competency.c.competency_id == rule.competency_id))
    elif rule.source_kind == SourceKind.TAG:
        query = (query.join(QuestionTag, QuestionTag.question_id == Question.id)
                 .where(QuestionTag.tag == rule.tag))
    else:
        query = query.where(Question.id.in_([int(i) for i in rule.question_ids or []]))
    return query.order_by(Question.id)


def rule_pool(rule: BlueprintRule, within: str | None = None) -> tuple[assembly.PoolQuestion, ...]:
    """The usable questions a rule draws from now, inside the owner path `within` (None: anywhere).

    A question's facility is measured once its current version has `assembly.MIN_MEASURED_ANSWERS`
    graded answers in exams whose item statistics were stored, from its difficulty otherwise.
    """
    query = _rule_query(rule, within)
    if query is None:
        return ()
    found = {}
    for question_id, version_id, difficulty, data, answers, weighted in db.session.execute(query):
        keys = tuple(option["key"] for option in (data or {}).get("options", ()))
        measured = weighted / answers if answers else None
        found[question_id] = assembly.PoolQuestion(
            question_id, version_id, assembly.expected_facility(difficulty, measured, answers or 0), keys)
    if rule.source_kind == SourceKind.FIXED:
        return tuple(found[int(i)] for i in rule.question_ids or [] if int(i) in found)
    return tuple(found.values())


def _engine_rule(rule: BlueprintRule, pool) -> assembly.Rule:
    fixed = rule.source_kind == SourceKind.FIXED
    count = len(rule.question_ids or []) if fixed else rule.count
    return assembly.Rule(rule.section, source_label(rule), rule.qtype, count, rule.points, tuple(pool), fixed)


def resolve_rules(blueprint: Blueprint) -> tuple[assembly.Rule, ...]:
    """The blueprint's rules with pools searched in the bank now."""
    within = owner_path(blueprint.owner_unit_id)
    return tuple(_engine_rule(rule, rule_pool(rule, within)) for rule in blueprint.rules)


def resolve(exam: Exam) -> assembly.Blueprint:
    """The exam's blueprint with pools searched in the bank now (preview, dry run, publishing)."""
    return _with_settings(exam, resolve_rules(exam.blueprint))


def _with_settings(exam: Exam, rules) -> assembly.Blueprint:
    return assembly.Blueprint(rules, shuffle_questions=exam.shuffle_questions,
                              shuffle_options=exam.shuffle_options, target=exam.target_facility,
                              tolerance=exam.tolerance)


def freeze(exam: Exam, blueprint: assembly.Blueprint) -> None:
    """Store the resolved pools for every paper of the exam (flushes; the caller commits)."""
    db.session.execute(delete(ExamPoolEntry).where(ExamPoolEntry.exam_id == exam.id))
    rows = []
    for number, rule in enumerate(blueprint.rules, start=1):
        for position, question in enumerate(rule.pool):
            rows.append({"exam_id": exam.id, "rule": number, "question_id": question.question_id,
                         "question_version_id": question.version_id, "facility": question.facility,
                         "option_keys": list(question.option_keys), "position": position})
    if rows:
        db.session.execute(ExamPoolEntry.__table__.insert(), rows)
    exam.pool_key = secrets.token_hex(16)


def frozen_blueprint(exam: Exam) -> assembly.Blueprint:
    """The exam's frozen pools as the engine's blueprint (one query on a cache miss, none after)."""
    with _cache_lock:
        cached = _cache.get(exam.pool_key)
        if cached is not None:
            _cache.move_to_end(exam.pool_key)
            return cached
    pools: dict[int, list] = {}
    rows = db.session.execute(
        select(ExamPoolEntry.rule, ExamPoolEntry.question_id, ExamPoolEntry.question_version_id,
               ExamPoolEntry.facility, ExamPoolEntry.option_keys)
        .where(ExamPoolEntry.exam_id == exam.id)
        .order_by(ExamPoolEntry.rule, ExamPoolEntry.position))
    for rule, question_id, version_id, facility, keys in rows:
        pools.setdefault(rule, []).append(assembly.PoolQuestion(question_id, version_id, facility, tuple(keys)))
    rules = tuple(_engine_rule(rule, pools.get(number, ()))
                  for number, rule in enumerate(exam.blueprint.rules, start=1))
    blueprint = _with_settings(exam, rules)
    with _cache_lock:
        _cache[exam.pool_key] = blueprint
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return blueprint
