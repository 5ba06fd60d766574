"""Blueprints (组卷规则) in an author's scope: rule rows checked whole, saved whole, pools counted.

A blueprint's rules are checked together and saved together: one bad row refuses the whole save
with every problem named by its rule number, and nothing changes. Changing a blueprint that a
published exam uses republishes that exam (its dry run must pass) while nobody has started it;
once anyone has, the change is refused, since the paper and its points may not change then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit import record
from app.bank.categories import may_edit
from app.bank.editor import type_labels
from app.errors import Conflict, DomainError
from app.exams import publishing
from app.exams.access import (
    Viewer,
    blueprint_to_change,
    blueprints_clause,
    owner_scope,
    owner_unit_for,
)
from app.extensions import db
from app.models import (
    Blueprint,
    BlueprintRule,
    Competency,
    Exam,
    OrgUnit,
    Question,
    QuestionCategory,
)
from app.models.exams import ExamStatus, SourceKind
from app.trees import full_names
from question_bank import QuestionBankError, points_to_units

MAX_RULES = 50
MAX_COUNT = 500
MAX_FIXED = 300
MAX_POINTS_UNITS = 100 * 100


class InvalidBlueprint(DomainError):
    """The rule rows have problems: one Chinese sentence each in `problems`."""

    def __init__(self, problems: list[str]):
        super().__init__("组卷规则有误：" + "；".join(problems), problems=problems)
        self.problems = problems


@dataclass(frozen=True)
class RuleData:
    """One rule row as the form gives it (text where a person types)."""

    section: str = ""
    source_kind: str = SourceKind.CATEGORY
    category_id: int | None = None
    include_subcategories: bool = True
    competency_id: int | None = None
    tag: str = ""
    question_ids: tuple[int, ...] = ()
    qtype: str = "single"
    difficulty_min: int | None = None
    difficulty_max: int | None = None
    count: int | None = None
    points: str = ""


@dataclass(frozen=True)
class BlueprintData:
    title: str
    rules: list[RuleData] = field(default_factory=list)
    owner_unit_id: int | None = None  # 0: global; None: not chosen (the author's first unit)


def list_blueprints(viewer: Viewer) -> list[dict]:
    """The blueprints the viewer may change, newest first, with owner, size and use."""
    blueprints = list(db.session.scalars(
        select(Blueprint).where(blueprints_clause(viewer)).options(selectinload(Blueprint.rules))
        .order_by(Blueprint.updated_at.desc(), Blueprint.id.desc())))
    used = dict(db.session.execute(select(Exam.blueprint_id, func.count()).where(
        Exam.blueprint_id.in_([b.id for b in blueprints])).group_by(Exam.blueprint_id)).all())
    owners = owner_labels(b.owner_unit_id for b in blueprints)
    return [{"blueprint": b, "owner": owners.get(b.owner_unit_id, "全局"), "exams": used.get(b.id, 0),
             "questions": sum(rule_count(r) for r in b.rules), "points": sum(rule_count(r) * r.points for r in b.rules)}
            for b in blueprints]


def exams_using(blueprint_id: int) -> list[Exam]:
    return list(db.session.scalars(select(Exam).where(Exam.blueprint_id == blueprint_id).order_by(Exam.id.desc())))


def owner_labels(unit_ids) -> dict[int | None, str]:
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_({u for u in unit_ids if u}))))
    return {None: "全局"} | full_names(OrgUnit, units)


def rule_count(rule: BlueprintRule) -> int:
    return len(rule.question_ids or []) if rule.source_kind == SourceKind.FIXED else rule.count


def _number(value, low: int, high: int) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high else None


def _source(number: int, rule: RuleData, scope, problems: list[str]) -> dict:
    kind, say = rule.source_kind, problems.append
    values = {"source_kind": kind, "category_id": None, "include_subcategories": True, "competency_id": None,
              "tag": "", "question_ids": []}
    if kind == SourceKind.CATEGORY:
        category = db.session.get(QuestionCategory, rule.category_id) if rule.category_id else None
        if not may_edit(scope, category):
            say(f"第{number}条规则：请选择所属单位题库中的分类")
        values.update(category_id=rule.category_id, include_subcategories=bool(rule.include_subcategories))
    elif kind == SourceKind.COMPETENCY:
        competency = db.session.get(Competency, rule.competency_id) if rule.competency_id else None
        if competency is None or not competency.active:
            say(f"第{number}条规则：请选择知识点")
        values["competency_id"] = rule.competency_id
    elif kind == SourceKind.TAG:
        tag = (rule.tag or "").strip()
        if not tag or len(tag) > 100:
            say(f"第{number}条规则：请填写标签（不超过 100 个字）")
        values["tag"] = tag
    elif kind == SourceKind.FIXED:
        values["question_ids"] = _fixed(number, rule, scope, problems)
    else:
        say(f"第{number}条规则：请选择题目来源")
    return values


def _fixed(number: int, rule: RuleData, scope, problems: list[str]) -> list[int]:
    ids = list(rule.question_ids)
    if not ids or len(ids) > MAX_FIXED:
        problems.append(f"第{number}条规则：请选择 1 到 {MAX_FIXED} 道指定题目")
        return ids
    if len(set(ids)) != len(ids):
        problems.append(f"第{number}条规则：同一道题不能选两次")
    found = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(selectinload(Question.category)))}
    outside = [i for i in ids if i not in found or not may_edit(scope, found[i].category)]
    if outside:
        problems.append(f"第{number}条规则：试题 {'、'.join(f'#{i}' for i in outside[:10])} 不存在或不在所属单位的题库中")
    wrong = [i for i in ids if i in found and found[i].qtype != rule.qtype]
    if wrong:
        problems.append(f"第{number}条规则：试题 {'、'.join(f'#{i}' for i in wrong[:10])} 不是"
                        f"{type_labels().get(rule.qtype, '')}题")
    return ids


def check_draw(number: int, rule: RuleData, scope) -> tuple[dict, list[str]]:
    """What a rule draws (type, difficulty band, source, count): its column values and problems."""
    problems: list[str] = []
    if rule.qtype not in type_labels():
        problems.append(f"第{number}条规则：请选择题型")
    low, high = (_number(rule.difficulty_min, 1, 5), _number(rule.difficulty_max, 1, 5))
    if (rule.difficulty_min is not None and low is None) or (rule.difficulty_max is not None and high is None):
        problems.append(f"第{number}条规则：难度应在 1 到 5 之间")
    elif low is not None and high is not None and low > high:
        problems.append(f"第{number}条规则：难度下限不能高于上限")
    values = _source(number, rule, scope, problems)
    count = len(values["question_ids"]) if rule.source_kind == SourceKind.FIXED else _number(rule.count, 1, MAX_COUNT)
    if count is None:
        problems.append(f"第{number}条规则：题目数量应为 1 到 {MAX_COUNT} 的整数")
    values.update(position=number, qtype=rule.qtype, difficulty_min=low, difficulty_max=high, count=count or 0)
    return values, problems


def check_rule(number: int, rule: RuleData, scope) -> tuple[dict, list[str]]:
    """The rule's column values and its problems (empty when it can be saved)."""
    values, problems = check_draw(number, rule, scope)
    section = (rule.section or "").strip()
    if not section or len(section) > 100:
        problems.insert(0, f"第{number}条规则：请填写大题名称（如“一、单选题”，不超过 100 个字）")
    try:
        points = points_to_units(rule.points or "")
    except (QuestionBankError, ValueError, ArithmeticError):
        points = None
    if points is None or not 0 < points <= MAX_POINTS_UNITS:
        problems.append(f"第{number}条规则：每题分值应大于 0、不超过 100 分，最多两位小数")
    values.update(section=section, points=points or 0)
    return values, problems


def _checked(data: BlueprintData, owner_unit_id: int | None) -> tuple[str, list[dict]]:
    problems: list[str] = []
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        problems.append("请填写组卷规则名称（不超过 200 个字）")
    if not data.rules or len(data.rules) > MAX_RULES:
        problems.append(f"请添加 1 到 {MAX_RULES} 条规则")
    scope = owner_scope(owner_unit_id)
    rows = []
    for number, rule in enumerate(data.rules[:MAX_RULES], start=1):
        values, found = check_rule(number, rule, scope)
        rows.append(values)
        problems += found
    if problems:
        raise InvalidBlueprint(problems)
    return title, rows


def _summary(rows: list[dict]) -> list[dict]:
    return [{k: row[k] for k in ("section", "source_kind", "qtype", "count", "points")} for row in rows]


def create_blueprint(viewer: Viewer, data: BlueprintData) -> Blueprint:
    """Create a blueprint owned by the author's chosen scope unit."""
    owner = owner_unit_for(viewer, data.owner_unit_id)
    title, rows = _checked(data, owner)
    blueprint = Blueprint(title=title, owner_unit_id=owner, created_by_id=viewer.person_id,
                          rules=[BlueprintRule(**row) for row in rows])
    db.session.add(blueprint)
    record("blueprint_create", blueprint, actor_id=viewer.person_id, title=title, rules=_summary(rows))
    db.session.commit()
    return blueprint


def update_blueprint(viewer: Viewer, blueprint_id: int, data: BlueprintData, *, now: datetime) -> Blueprint:
    """Save the blueprint's title and rules whole; republish the published exams that use it."""
    blueprint = blueprint_to_change(viewer, blueprint_id)
    title, rows = _checked(data, blueprint.owner_unit_id)
    exams = list(db.session.scalars(select(Exam).where(Exam.blueprint_id == blueprint.id).order_by(Exam.id)))
    paper_changed = [_values(r) for r in blueprint.rules] != [_values(r) for r in rows]
    started = [e.title for e in exams if publishing.has_attempts(e.id)]
    if paper_changed and started:
        raise Conflict(f"考试「{'」「'.join(started)}」已有人开始作答，不能再修改它所用组卷规则的题目或分值；"
                       "请新建一份组卷规则，再用它新建考试。")
    blueprint.title = title
    existing = list(blueprint.rules)
    for row, rule in zip(rows, existing, strict=False):
        for name, value in row.items():
            setattr(rule, name, value)
    blueprint.rules.extend(BlueprintRule(**row) for row in rows[len(existing):])
    for rule in existing[len(rows):]:
        blueprint.rules.remove(rule)
    db.session.flush()
    record("blueprint_update", blueprint, actor_id=viewer.person_id, title=title, rules=_summary(rows))
    if paper_changed:
        _republish([e for e in exams if e.status == ExamStatus.PUBLISHED], viewer.person_id, now)
    db.session.commit()
    return blueprint


def _values(rule) -> dict:
    row = rule if isinstance(rule, dict) else {c: getattr(rule, c) for c in (
        "position", "section", "source_kind", "category_id", "include_subcategories", "competency_id", "tag",
        "question_ids", "qtype", "difficulty_min", "difficulty_max", "count", "points")}
    return {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in row.items()}


def _republish(exams: list[Exam], actor_id: int, now: datetime) -> None:
    problems = []
    for exam in exams:
        try:
            publishing.freeze_and_publish(exam, actor_id=actor_id, now=now)
        except publishing.BlueprintShort as short:
            problems += [f"考试「{exam.title}」{problem}" for problem in short.problems]
    if problems:
        db.session.rollback()
        raise publishing.BlueprintShort(problems)


def delete_blueprint(viewer: Viewer, blueprint_id: int) -> None:
    """Delete a blueprint no exam uses."""
    blueprint = blueprint_to_change(viewer, blueprint_id)
    if db.session.scalar(select(Exam.id).where(Exam.blueprint_id == blueprint.id).limit(1)) is not None:
        raise Conflict("这份组卷规则已被考试使用，不能删除。")
    record("blueprint_delete", blueprint, actor_id=viewer.person_id, title=blueprint.title)
    db.session.delete(blueprint)
    db.session.commit()
