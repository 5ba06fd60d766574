"""摸底测试: the offer, one question at a time, the result; and the admin's 要求完成摸底测试."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.auth.scope import current_scope, role_required
from app.errors import Conflict, Unprocessable
from app.exams import diagnostic as running
from app.extensions import durable_writes
from app.needs import bp, diagnostic, requirements
from app.needs.evidence import settings
from app.needs.forms import RequirementForm
from app.org.services import post_options, unit_options


@bp.get("/diagnostic")
@login_required
def diagnostic_offer():
    now = clock.now()
    return render_template("needs/diagnostic_offer.html",
                           offer=diagnostic.offer(current_user.person, now=now, today=clock.local_date(now)))


@bp.post("/diagnostic/start")
@login_required
@durable_writes
def diagnostic_start():
    try:
        started = diagnostic.start(current_user.person, now=clock.now())
    except (Conflict, Unprocessable) as error:
        flash(error.message, "danger")
        return redirect(url_for("needs.diagnostic_offer"))
    return redirect(url_for("needs.diagnostic_question", diagnostic_id=started.id))


@bp.get("/diagnostic/<int:diagnostic_id>")
@login_required
def diagnostic_question(diagnostic_id: int):
    page = running.current(diagnostic_id, current_user.id, settings=settings(), now=clock.now())
    if page.item is None and page.diagnostic.finished_at:
        return redirect(url_for("needs.diagnostic_result", diagnostic_id=diagnostic_id))
    if page.item is None:  # handed in by the sweep before it was finished
        return redirect(url_for("needs.diagnostic_offer"))
    return render_template("needs/diagnostic_question.html", page=page)


@bp.post("/diagnostic/<int:diagnostic_id>/answer")
@login_required
@durable_writes
def diagnostic_answer(diagnostic_id: int):
    try:
        running.answer_form(diagnostic_id, current_user.id, request.form.get("slot", type=int),
                            request.form.getlist("answer"),
                            settings=settings(), now=clock.now())
    except (Conflict, Unprocessable) as error:
        flash(error.message, "warning")
    return redirect(url_for("needs.diagnostic_question", diagnostic_id=diagnostic_id))


@bp.get("/diagnostic/<int:diagnostic_id>/result")
@login_required
def diagnostic_result(diagnostic_id: int):
    return render_template("needs/diagnostic_result.html", result=diagnostic.result(diagnostic_id, current_user.id))


def _requirement_form() -> RequirementForm:
    form = RequirementForm()
    form.unit_id.choices = [("", "请选择单位")] + unit_options(current_scope())
    form.post_id.choices = [("", "全部岗位")] + post_options()
    return form


@bp.route("/diagnostic/requirements", methods=["GET", "POST"])
@role_required("admin")
def diagnostic_requirements():
    form = _requirement_form()
    if form.validate_on_submit():
        now = clock.now()
        try:
            requirements.create(current_user.id, current_scope(), form.unit_id.data, form.post_id.data,
                                form.due_on.data, form.note.data, now=now, today=clock.local_date(now))
        except Unprocessable as error:
            flash(error.message, "danger")
        else:
            flash("已要求完成摸底测试。", "success")
            return redirect(url_for("needs.diagnostic_requirements"))
    return render_template("needs/diagnostic_requirements.html", form=form,
                           rows=requirements.listing(current_scope()), today=clock.today())


@bp.post("/diagnostic/requirements/<int:requirement_id>/withdraw")
@role_required("admin")
def diagnostic_requirement_withdraw(requirement_id: int):
    requirements.withdraw(current_user.id, current_scope(), requirement_id)
    flash("已撤销该要求。", "success")
    return redirect(url_for("needs.diagnostic_requirements"))
