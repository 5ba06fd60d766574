"""What the blueprint editor asks the bank while one edits: pool sizes per rule, the question picker."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.bank.categories import in_scope_clause
from app.bank.editor import type_labels
from app.bank.questions import usable
from app.errors import NotFound
from app.exams import pools
from app.exams.access import Viewer, owner_scope
from app.exams.blueprints import RuleData, check_draw
from app.extensions import db
from app.formkit import as_id
from app.models import Blueprint, BlueprintRule, OrgUnit, Question, QuestionCategory


def usable_owner(viewer: Viewer, owner_unit_id: int | None) -> int | None:
    """An owner unit (0 or None: global) the viewer may build for; NotFound otherwise."""
    owner = owner_unit_id or None
    unit = db.session.get(OrgUnit, owner) if owner else None
    if (owner is None and not viewer.build.is_global) or (owner is not None and not viewer.build.covers(unit)):
        raise NotFound("所选单位不存在或不在您的管理范围内。")
    return owner


def pool_size(viewer: Viewer, owner_unit_id: int | None, rule: RuleData) -> dict:
    """How many usable questions one rule row would draw from now, or why it cannot be counted."""
    owner = usable_owner(viewer, owner_unit_id)
    values, problems = check_draw(1, rule, owner_scope(owner))
    if problems:
        return {"count": None, "needed": values["count"], "problem": problems[0].removeprefix("第1条规则：")}
    row = BlueprintRule(**values, section="", points=0)
    pool = pools.rule_pool(row, pools.owner_path(owner))
    return {"count": len(pool), "needed": values["count"], "source": pools.source_label(row), "problem": ""}


def pool_sizes(blueprint: Blueprint) -> list[int]:
    """The number of usable questions each rule of a saved blueprint draws from now."""
    within = pools.owner_path(blueprint.owner_unit_id)
    return [len(pools.rule_pool(rule, within)) for rule in blueprint.rules]


def search_questions(viewer: Viewer, owner_unit_id: int | None, text: str, qtype: str, *, limit: int = 20) -> list:
    """Questions of the owner's bank matching a stem fragment, an 编号 or #id (the fixed-paper picker)."""
    owner = usable_owner(viewer, owner_unit_id)
    text = (text or "").strip()[:100]
    query = (select(Question, usable().label("usable")).join(QuestionCategory)
             .where(in_scope_clause(owner_scope(owner))))
    if qtype:
        query = query.where(Question.qtype == qtype)
    if text:
        number = text.removeprefix("#")
        query = query.where(or_(Question.stem_text.contains(text, autoescape=True), Question.external_id == text,
                                Question.id == (as_id(number) or -1)))
    rows = db.session.execute(query.order_by(Question.id.desc()).limit(limit)).all()
    return [question_summary(q, ok) for q, ok in rows]


def question_summary(question: Question, ok: bool) -> dict:
    stem = question.stem_text or ""
    return {"id": question.id, "external_id": question.external_id or "", "usable": bool(ok),
            "stem": stem[:60] + ("…" if len(stem) > 60 else ""), "type": type_labels().get(question.qtype, "")}


def questions_by_id(ids) -> dict[int, dict]:
    """Summaries of the chosen questions of fixed rules, for the editor's lists."""
    ids = {int(i) for i in ids}
    rows = db.session.execute(select(Question, usable()).where(Question.id.in_(ids))).all() if ids else []
    return {q.id: question_summary(q, ok) for q, ok in rows}
