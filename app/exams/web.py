"""What the exams area's routes share: the current viewer, forms filled with their choices, and the
translation of a submitted form into the services' data (no rules here: the services check them)."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import FieldList

from app import clock
from app.bank.categories import choices_for
from app.bank.editor import type_labels
from app.classes.enrolment import split_staff_nos
from app.exams import audience_rows
from app.exams.access import Viewer, blueprints_clause, owner_options, owner_scope, viewer_for
from app.exams.blueprints import BlueprintData, RuleData
from app.exams.editing import ExamData
from app.exams.forms import BlueprintForm, ExamForm, RegradeForm
from app.exams.regrade import FixInput
from app.extensions import db
from app.formkit import choices, ids
from app.models import Blueprint, Competency, Exam
from app.models.exams import SourceKind
from app.org.services import post_options, unit_options
from question_bank import units_to_points


def viewer() -> Viewer:
    return viewer_for(current_user.id, current_user.person.roles)


def form_errors(form) -> list[str]:
    """Every field error as "label：message"; a rule row's as "第 n 条规则 label：message"."""
    found = []
    for field in form:
        if isinstance(field, FieldList):
            for number, entry in enumerate(field.entries, start=1):
                found += [f"第 {number} 条规则 {sub.label.text}：{error}"
                          for sub in entry.form for error in sub.errors]
        else:
            found += [f"{field.label.text}：{error}" for error in field.errors if isinstance(error, str)]
    found += [str(error) for error in form.form_errors]
    return found


# --- blueprints ----------------------------------------------------------------------------------


def _ids(text: str | None) -> tuple[int, ...]:
    return tuple(ids((text or "").replace("，", ",").split(",")))


def rule_data(fields) -> RuleData:
    """A rule row from a form's entry (or any object with the same attributes)."""
    return RuleData(section=fields.section.data or "", source_kind=fields.source_kind.data or "",
                    category_id=fields.category_id.data, include_subcategories=bool(fields.include_subcategories.data),
                    competency_id=fields.competency_id.data, tag=fields.tag.data or "",
                    question_ids=_ids(fields.question_ids.data), qtype=fields.qtype.data or "",
                    difficulty_min=fields.difficulty_min.data, difficulty_max=fields.difficulty_max.data,
                    count=fields.count.data, points=fields.points.data or "")


def blueprint_data(form: BlueprintForm) -> BlueprintData:
    return BlueprintData(title=form.title.data or "", rules=[rule_data(entry.form) for entry in form.rules],
                         owner_unit_id=form.owner_unit_id.data)


def rule_choices(viewer_: Viewer, owner_unit_id: int | None, *, new: bool) -> dict:
    """The select options of a rule row: categories of the owner's bank, competencies, types."""
    scope = viewer_.build if new else owner_scope(owner_unit_id)
    competencies = db.session.execute(select(Competency.id, Competency.code, Competency.name)
                                      .where(Competency.active).order_by(Competency.code)).all()
    return {"categories": [(0, "请选择分类")] + choices_for(scope),
            "competencies": [(0, "请选择知识点")] + [(i, f"{code} {name}") for i, code, name in competencies],
            "qtypes": list(type_labels().items()), "sources": list(SourceKind.labels().items())}


def blueprint_form(viewer_: Viewer, blueprint: Blueprint | None = None) -> tuple[BlueprintForm, dict]:
    """The blueprint form (filled from the blueprint on a GET) and its rule options."""
    form = BlueprintForm()
    if blueprint is not None and request.method == "GET":
        form = BlueprintForm(data={"title": blueprint.title, "rules": [_rule_values(r) for r in blueprint.rules]})
    options = rule_choices(viewer_, blueprint.owner_unit_id if blueprint else None, new=blueprint is None)
    options["owners"] = owner_options(viewer_)
    form.owner_unit_id.choices = choices(options["owners"])
    for entry in form.rules:
        entry.form.category_id.choices = choices(options["categories"])
        entry.form.competency_id.choices = choices(options["competencies"])
        entry.form.qtype.choices = choices(options["qtypes"])
    return form, options


def _rule_values(rule) -> dict:
    return {"section": rule.section, "source_kind": rule.source_kind, "category_id": rule.category_id,
            "include_subcategories": rule.include_subcategories, "competency_id": rule.competency_id,
            "tag": rule.tag, "question_ids": ",".join(str(i) for i in rule.question_ids or []), "qtype": rule.qtype,
            "difficulty_min": rule.difficulty_min, "difficulty_max": rule.difficulty_max,
            "count": rule.count, "points": units_to_points(rule.points)}


# --- exams ---------------------------------------------------------------------------------------


def exam_form(viewer_: Viewer, exam: Exam | None = None) -> ExamForm:
    """The exam form with its options (filled from the exam on a GET)."""
    if exam is not None and request.method == "GET":
        form = ExamForm(obj=exam, data=_exam_values(exam))
        form.opens_at.data, form.closes_at.data = clock.to_local(exam.opens_at), clock.to_local(exam.closes_at)
    else:
        form = ExamForm()
        if request.method == "GET":
            form.blueprint_id.data = request.args.get("blueprint_id", type=int)
    scope = owner_scope(exam.owner_unit_id) if exam else viewer_.build
    form.owner_unit_id.choices = choices(owner_options(viewer_))
    reachable = blueprints_clause(viewer_) if exam is None else or_(blueprints_clause(viewer_),
                                                                     Blueprint.id == exam.blueprint_id)
    blueprints = db.session.execute(select(Blueprint.id, Blueprint.title).where(reachable)
                                    .order_by(Blueprint.title)).all()
    form.blueprint_id.choices = choices([(0, "请选择组卷规则")] + [tuple(row) for row in blueprints])
    form.unit_ids.choices = choices(unit_options(scope))
    form.post_ids.choices = choices(post_options())
    return form


def _exam_values(exam: Exam) -> dict:
    return {"layout": "one" if exam.one_per_page else "all",
            **{k: (v if k != "staff_nos" else "\n".join(v)) for k, v in audience_rows.form_values(exam).items()}}


def exam_data(form: ExamForm) -> ExamData:
    return ExamData(
        title=form.title.data or "", blueprint_id=form.blueprint_id.data, opens_local=form.opens_at.data,
        closes_local=form.closes_at.data, duration_minutes=form.duration_minutes.data, kind=form.kind.data,
        attempts_allowed=form.attempts_allowed.data, counting=form.counting.data, pass_percent=form.pass_percent.data,
        multi_policy=form.multi_policy.data, shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data, one_per_page=form.layout.data == "one",
        review_timing=form.review_timing.data, review_score=form.review_score.data,
        review_correctness=form.review_correctness.data, review_answers=form.review_answers.data,
        review_explanations=form.review_explanations.data, switch_limit=form.switch_limit.data,
        password=form.password.data or "", clear_password=form.clear_password.data,
        unit_ids=form.unit_ids.data or [], post_ids=form.post_ids.data or [],
        staff_nos=split_staff_nos(form.staff_nos.data), owner_unit_id=form.owner_unit_id.data)


# --- regrades ------------------------------------------------------------------------------------


def fix_input(form: RegradeForm) -> FixInput:
    return FixInput(kind=form.kind.data or "", reason=form.reason.data or "",
                    keys=tuple(form.keys.data or ()), blank_texts=tuple(entry.data or "" for entry in form.blanks))
