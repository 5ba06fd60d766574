"""三本台账 (admins): the organisation, post and person ledgers, their xlsx files, and acting on a row."""

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.errors import DomainError
from app.formkit import as_id, choices
from app.needs import bp, completion, ledger_actions, ledger_export, ledgers, person_ledger
from app.needs.forms import RowAssignForm, RowClassForm
from app.org.services import unit_options

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter(values) -> person_ledger.PersonFilter:
    which = values.get("which", "")
    return person_ledger.PersonFilter(as_id(values.get("unit_id")), as_id(values.get("competency_id")),
                                      as_id(values.get("post_id")), which if which in person_ledger.WHICH else "")


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"{name}-{clock.today()}.xlsx")


@bp.get("/ledgers")
@role_required("admin")
def ledger_organisation():
    scope = current_scope()
    ledger = ledgers.organisation_ledger(scope, _filter(request.args).unit_id)
    return render_template("needs/ledgers.html", ledger=ledger, units=unit_options(scope), tab="organisation")


@bp.get("/ledgers/posts")
@role_required("admin")
def ledger_posts():
    scope = current_scope()
    ledger = ledgers.post_ledger(scope, _filter(request.args).unit_id)
    return render_template("needs/ledgers_posts.html", ledger=ledger, units=unit_options(scope), tab="posts")


@bp.get("/ledgers/people")
@role_required("admin")
def ledger_people():
    scope, filters = current_scope(), _filter(request.args)
    pagination = person_ledger.person_ledger(scope, filters, page=request.args.get("page", 1, type=int),
                                             per_page=current_app.config["PER_PAGE"])
    return render_template("needs/ledgers_people.html", pagination=pagination, filters=filters, tab="people",
                           names=person_ledger.filter_names(filters), units=unit_options(scope),
                           which=person_ledger.WHICH)


@bp.get("/ledgers/<any(organisation, posts, people):kind>.xlsx")
@role_required("admin")
def ledger_xlsx(kind: str):
    scope, filters = current_scope(), _filter(request.args)
    if kind == "people":
        return _xlsx(ledger_export.people_xlsx(scope, filters), "人员台账")
    write = ledger_export.organisation_xlsx if kind == "organisation" else ledger_export.posts_xlsx
    return _xlsx(write(scope, filters.unit_id), "组织台账" if kind == "organisation" else "岗位台账")


def _forms(row: ledger_actions.RowPeople, filters: person_ledger.PersonFilter) -> tuple[RowAssignForm, RowClassForm]:
    assign, klass = RowAssignForm(data=filters.args()), RowClassForm(data=filters.args())
    assign.course_id.choices = choices(row.courses)
    klass.class_unit_id.choices = choices(row.units)
    if not klass.title.data:
        klass.title.data = f"「{row.competency.name}」补差培训班"
    if row.unit is not None and not klass.class_unit_id.data:
        klass.class_unit_id.data = row.unit.id
    return assign, klass


@bp.get("/ledgers/act")
@role_required("admin")
def ledger_act():
    filters = _filter(request.args)
    row = ledger_actions.row_people(current_scope(), unit_id=filters.unit_id, competency_id=filters.competency_id,
                                    post_id=filters.post_id)
    assign, klass = _forms(row, filters)
    return render_template("needs/ledger_act.html", row=row, filters=filters, assign=assign, klass=klass,
                           limit=ledger_actions.PREVIEW_LIMIT)


def _refused(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


@bp.post("/ledgers/act/assign")
@role_required("admin")
def ledger_assign():
    form, filters = RowAssignForm(), _filter(request.form)
    if not form.validate_on_submit():
        raise DomainError(_refused(form))
    created, skipped = ledger_actions.assign_from_row(
        current_user.id, current_scope(), unit_id=filters.unit_id, competency_id=filters.competency_id,
        post_id=filters.post_id, course_id=form.course_id.data, due_on=form.due_on.data, today=clock.today())
    flash(f"已下达 {created} 项培训任务" + (f"，{skipped} 人已有该任务，未重复下达。" if skipped else "。"), "success")
    return redirect(url_for("needs.ledger_people", **filters.args(which="below")))


@bp.post("/ledgers/act/class")
@role_required("admin")
def ledger_class():
    form, filters = RowClassForm(), _filter(request.form)
    if not form.validate_on_submit():
        raise DomainError(_refused(form))
    klass, done = ledger_actions.class_from_row(
        current_user.id, current_scope(), unit_id=filters.unit_id, competency_id=filters.competency_id,
        post_id=filters.post_id, title=form.title.data, class_unit_id=form.class_unit_id.data,
        kind=form.kind.data, credit_hours=form.credit_hours.data)
    flash(f"已创建培训班（草稿），报名 {done.added} 人。请添加课次后发布。", "success")
    return redirect(url_for("classes.detail", class_id=klass.id))


@bp.get("/exam-outcomes")
@role_required("admin")
def outcome_people():
    args = request.args
    passed, post = args.get("passed"), args.get("post_id")
    filters = completion.OutcomeFilter(
        year=min(max(args.get("year", clock.today().year, type=int), 1900), 2099), unit_id=as_id(args.get("unit_id")),
        direct=args.get("direct") == "1", post_id=0 if post == "0" else as_id(post), exam_id=as_id(args.get("exam_id")),
        passed=None if passed not in ("0", "1") else passed == "1")
    pagination = completion.outcome_people(current_scope(), filters, page=args.get("page", 1, type=int),
                                           per_page=current_app.config["PER_PAGE"])
    return render_template("needs/outcome_people.html", pagination=pagination, filters=filters)
