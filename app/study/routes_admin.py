"""Admin pages: assignments in scope (list, xlsx, completion by unit), handing out courses, 学时 ledgers
and the people behind 培训完成情况's 学时 figures."""

import io
import re

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.errors import DomainError
from app.formkit import as_id, choices
from app.models.study import AssignmentStatus
from app.study import assignments, bp, compliance, compliance_sections, credits, ledger
from app.study.forms import AssignForm, ReverseForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _assign_form(scope) -> AssignForm:
    form = AssignForm()
    units, posts, courses = assignments.form_options(scope)
    form.course_id.choices = choices(courses)
    form.unit_id.choices = choices([(0, "—")] + units)
    form.post_id.choices = choices([(0, "—")] + posts)
    return form


def _number(args, name: str, high: int = 2**31 - 1) -> int | None:
    """Return a whole-number query argument (None when absent, malformed or 0); 400 outside 1..high."""
    value = args.get(name, type=int)
    if value and not 0 < value <= high:  # a huge number would overflow the database's integers
        raise DomainError("筛选条件中的数字超出范围，请检查链接或重新选择。")
    return value or None


def _list_filter(args) -> assignments.AssignmentFilter:
    return assignments.AssignmentFilter(
        status=AssignmentStatus.parse(args.get("status", "")) or "", course_id=_number(args, "course_id"), unit_id=_number(args, "unit_id"),
        year=_number(args, "year", 9999), direct=args.get("direct") == "1")


@bp.get("/admin/assignments")
@role_required("admin")
def admin_assignments():
    scope, args, filters = current_scope(), request.args, _list_filter(request.args)
    pagination = assignments.list_in_scope(scope, filters, today=clock.today(),
                                           page=args.get("page", 1, type=int), per_page=current_app.config["PER_PAGE"])
    return render_template("study/admin_assignments.html", pagination=pagination, form=_assign_form(scope),
                           statuses=AssignmentStatus, status=filters.status, today=clock.today(), args=args)


@bp.get("/admin/assignments.xlsx")
@role_required("admin")
def admin_assignments_xlsx():
    today = clock.today()
    data = compliance.export_xlsx(current_scope(), _list_filter(request.args), today=today)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"培训任务-{today}.xlsx")


@bp.get("/admin/compliance")
@role_required("admin")
def admin_compliance():
    args = request.args
    scope = current_scope()
    view, years, courses = compliance.overview_page(
        scope, today=clock.today(), year=_number(args, "year", 9999),
        course_id=_number(args, "course_id"), unit_id=_number(args, "unit_id"))
    return render_template("study/admin_compliance.html", view=view, years=years, courses=courses,
                           statuses=AssignmentStatus, sections=compliance_sections.sections(scope, view))


@bp.post("/admin/assignments")
@role_required("admin")
def admin_assign():
    scope = current_scope()
    form = _assign_form(scope)
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("study.admin_assignments"))
    target = form.target.data
    created, skipped = assignments.assign_course(
        current_user.id, scope, course_id=form.course_id.data, due_on=form.due_on.data,
        today=clock.today(), unit_id=form.unit_id.data if target == "unit" else None,
        post_id=form.post_id.data if target == "post" else None,
        staff_nos=re.split(r"[\s,，、;；]+", form.staff_nos.data or "") if target == "staff" else None,
        restudy=form.restudy.data)
    flash(f"已下达 {created} 项培训任务" + (f"，{skipped} 人已有该任务，未重复下达。" if skipped else "。"), "success")
    return redirect(url_for("study.admin_assignments"))


@bp.post("/admin/assignments/<int:assignment_id>/delete")
@role_required("admin")
def admin_assignment_delete(assignment_id: int):
    assignments.delete_assignment(current_user.id, current_scope(), assignment_id)
    flash("培训任务已撤销，学员已有的学习记录保留。", "success")
    return redirect(url_for("study.admin_assignments"))


@bp.get("/admin/people/<int:person_id>/credits")
@role_required("admin")
def admin_person_credits(person_id: int):
    today = clock.today()
    page = ledger.person_ledger(current_scope(), person_id, _number(request.args, "year", 9999), today=today)
    return render_template("study/admin_credits.html", page=page, form=ReverseForm(),
                           tasks=assignments.of_person(page.person.id, page.year), today=today)


@bp.post("/admin/credits/<int:entry_id>/reverse")
@role_required("admin")
def admin_credit_reverse(entry_id: int):
    form = ReverseForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    entry = ledger.reverse_entry(current_user.id, current_scope(), entry_id, reason=reason, now=clock.now())
    flash("已冲正该学时记录。", "success")
    return redirect(url_for("study.admin_person_credits", person_id=entry.person_id, year=entry.year))


@bp.get("/admin/credits/people")
@role_required("admin")
def admin_credit_people():
    args = request.args
    met, source = args.get("met"), args.get("source")
    filters = credits.CreditFilter(
        year=min(max(args.get("year", clock.today().year, type=int), 1900), 2099), unit_id=as_id(args.get("unit_id")),
        direct=args.get("direct") == "1", post_id=as_id(args.get("post_id")),
        met=None if met not in ("0", "1") else met == "1",
        source=source if source in credits.SOURCES else None, ref=as_id(args.get("ref")) or 0)
    pagination = credits.people(current_scope(), filters, page=args.get("page", 1, type=int),
                                per_page=current_app.config["PER_PAGE"])
    return render_template("study/credit_people.html", pagination=pagination, filters=filters,
                           source=credits.source_label(filters))
