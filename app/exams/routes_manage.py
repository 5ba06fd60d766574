"""Exam pages for instructors and admins (考试管理): list, form, exam page, publish, overrides."""

from flask import current_app, flash, redirect, render_template, request, url_for

from app import clock
from app.auth.scope import current_scope, role_required
from app.errors import DomainError
from app.exams import analysis_page, bp, editing, overrides, overview
from app.exams.access import exam_to_change
from app.exams.forms import OverrideForm
from app.exams.publishing import BlueprintShort, has_attempts
from app.exams.web import exam_data, exam_form, form_errors, viewer

BUILDERS = ("instructor", "admin")


@bp.get("/manage")
@role_required(*BUILDERS)
def manage_list():
    pagination, started = overview.list_exams(viewer(), page=request.args.get("page", 1, type=int),
                                              per_page=current_app.config["PER_PAGE"])
    return render_template("exams/list.html", pagination=pagination, started=started)


def _form_page(form, exam=None, problems=(), status=200):
    return render_template("exams/form.html", form=form, exam=exam, problems=problems,
                           started=bool(exam) and has_attempts(exam.id)), status


@bp.route("/manage/new", methods=["GET", "POST"])
@role_required(*BUILDERS)
def exam_new():
    form = exam_form(viewer())
    if not form.validate_on_submit():
        return _form_page(form, problems=form_errors(form), status=400 if form.errors else 200)
    try:
        exam = editing.create_exam(viewer(), exam_data(form))
    except editing.InvalidExam as error:
        return _form_page(form, problems=error.problems, status=400)
    flash("考试已保存为草稿。确认设置后点击“发布”。", "success")
    return redirect(url_for("exams.exam_page", exam_id=exam.id))


@bp.route("/manage/<int:exam_id>/edit", methods=["GET", "POST"])
@role_required(*BUILDERS)
def exam_edit(exam_id: int):
    exam = exam_to_change(viewer(), exam_id)
    form = exam_form(viewer(), exam)
    if not form.validate_on_submit():
        return _form_page(form, exam, form_errors(form), status=400 if form.errors else 200)
    try:
        _exam, republished = editing.update_exam(viewer(), exam_id, exam_data(form), now=clock.now())
    except DomainError as error:
        return _form_page(form, exam, getattr(error, "problems", [error.message]), error.status_code)
    flash("考试设置已保存" + ("，并已按新设置重新发布（新版本）。" if republished else "。"), "success")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


@bp.get("/manage/<int:exam_id>")
@role_required(*BUILDERS)
def exam_page(exam_id: int):
    return render_template("exams/exam.html", **overview.exam_page(viewer(), exam_id, now=clock.now()),
                           override_form=OverrideForm(), problems=[])


@bp.get("/manage/<int:exam_id>/analysis")
@role_required(*BUILDERS)
def exam_analysis(exam_id: int):
    return render_template("exams/analysis.html", **analysis_page.analysis_page(
        viewer(), exam_id, bank_scope=current_scope("instructor"), now=clock.now()))


@bp.post("/manage/<int:exam_id>/publish")
@role_required(*BUILDERS)
def exam_publish(exam_id: int):
    try:
        exam = editing.publish_exam(viewer(), exam_id, now=clock.now())
    except BlueprintShort as short:
        return render_template("exams/exam.html", **overview.exam_page(viewer(), exam_id, now=clock.now()),
                               override_form=OverrideForm(), problems=short.problems), 409
    flash(f"考试已发布（第 {exam.version} 版）。", "success")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


@bp.post("/manage/<int:exam_id>/withdraw")
@role_required(*BUILDERS)
def exam_withdraw(exam_id: int):
    editing.withdraw_exam(viewer(), exam_id, now=clock.now())
    flash("考试已撤回，考生不能再开始作答。", "success")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


@bp.get("/manage/<int:exam_id>/preview")
@role_required(*BUILDERS)
def exam_preview(exam_id: int):
    exam, questions, problems = overview.sample_exam_paper(viewer(), exam_id)
    return render_template("exams/preview.html", title=exam.title, questions=questions, problems=problems,
                           back=url_for("exams.exam_page", exam_id=exam_id))


@bp.post("/manage/<int:exam_id>/overrides")
@role_required(*BUILDERS)
def override_set(exam_id: int):
    form = OverrideForm()
    if not form.validate_on_submit():
        raise DomainError("；".join(form_errors(form)) or "请检查填写的内容。")
    overrides.set_override(viewer(), exam_id, overrides.OverrideData(
        staff_no=form.staff_no.data, extra_minutes=form.extra_minutes.data, closes_local=form.closes_at.data,
        extra_attempts=form.extra_attempts.data, reason=form.reason.data))
    flash("已保存个别调整。", "success")
    return redirect(url_for("exams.exam_page", exam_id=exam_id) + "#overrides")


@bp.post("/manage/<int:exam_id>/overrides/<int:override_id>/delete")
@role_required(*BUILDERS)
def override_remove(exam_id: int, override_id: int):
    overrides.remove_override(viewer(), exam_id, override_id)
    flash("已取消个别调整。", "success")
    return redirect(url_for("exams.exam_page", exam_id=exam_id) + "#overrides")
