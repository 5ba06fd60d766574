"""重新评分 under 考试管理: pick a question, choose the fix, preview, confirm, the run's result."""

from flask import flash, make_response, redirect, render_template, request, url_for

from app import clock
from app.auth.scope import role_required
from app.celery_app import run_in_background
from app.errors import DomainError
from app.exams import bp, regrade, regrade_jobs, regrade_pages
from app.exams.forms import RegradeForm
from app.exams.tasks import regrade_task
from app.exams.web import fix_input, form_errors, viewer

BUILDERS = ("instructor", "admin")


@bp.get("/manage/<int:exam_id>/regrade")
@role_required(*BUILDERS)
def regrade_list(exam_id: int):
    return render_template("exams/regrade.html", **regrade_pages.exam_questions(viewer(), exam_id))


def _fix_page(exam_id: int, question_id: int, form: RegradeForm, problems=(), status: int = 200):
    found = regrade.target(viewer(), exam_id, question_id)
    return render_template("exams/regrade_question.html", t=found, form=form, problems=problems,
                           kinds=regrade_pages.engine.KINDS), status


@bp.get("/manage/<int:exam_id>/regrade/<int:question_id>")
@role_required(*BUILDERS)
def regrade_question(exam_id: int, question_id: int):
    return _fix_page(exam_id, question_id, RegradeForm())


@bp.post("/manage/<int:exam_id>/regrade/<int:question_id>/preview")
@role_required(*BUILDERS)
def regrade_preview(exam_id: int, question_id: int):
    form = RegradeForm()
    if not form.validate_on_submit():
        return _fix_page(exam_id, question_id, form, form_errors(form), 400)
    try:
        found = regrade_pages.preview(viewer(), exam_id, question_id, fix_input(form))
    except DomainError as error:
        return _fix_page(exam_id, question_id, form, [error.message], error.status_code)
    return render_template("exams/regrade_preview.html", p=found, t=found.target, form=form,
                           background_above=regrade_jobs.BACKGROUND_ABOVE)


@bp.post("/manage/<int:exam_id>/regrade/<int:question_id>/apply")
@role_required(*BUILDERS)
def regrade_apply(exam_id: int, question_id: int):
    form = RegradeForm()
    if not form.validate_on_submit():
        return _fix_page(exam_id, question_id, form, form_errors(form), 400)
    try:
        job = regrade_jobs.apply(viewer(), exam_id, question_id, fix_input(form), now=clock.now())
    except DomainError as error:
        return _fix_page(exam_id, question_id, form, [error.message], error.status_code)
    job_id = job.id
    if job.background:
        run_in_background(regrade_task, job_id)  # after the commit
        flash("答卷较多，正在后台重新评分；可以离开本页，稍后回来查看结果。", "info")
    return redirect(url_for("exams.regrade_job", exam_id=exam_id, job_id=job_id))


@bp.get("/manage/<int:exam_id>/regrade/runs/<int:job_id>")
@role_required(*BUILDERS)
def regrade_job(exam_id: int, job_id: int):
    view = regrade_jobs.job_view(viewer(), exam_id, job_id, now=clock.now())
    return render_template("exams/regrade_job.html", view=view, job=view.job, exam=view.exam)


@bp.get("/manage/<int:exam_id>/regrade/runs/<int:job_id>/progress")
@role_required(*BUILDERS)
def regrade_progress(exam_id: int, job_id: int):
    view = regrade_jobs.job_view(viewer(), exam_id, job_id, now=clock.now())
    response = make_response(render_template("exams/_regrade_progress.html", job=view.job, percent=view.percent))
    if view.job.status not in regrade_jobs.WAITING or view.stalled:  # the page shows the result
        response.headers["HX-Redirect"] = url_for("exams.regrade_job", exam_id=exam_id, job_id=job_id, **request.args)
    return response
