"""The admin's button 按培训大纲生成培训任务 (POST) and the page of the background job it starts."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.celery_app import run_in_background
from app.study import bp, generate
from app.study.tasks import generate_assignments_task

# Where the job's page offers to go back to (a fixed list: never a URL from the form).
BACK = {"home": ("main.index", "返回首页"), "compliance": ("study.admin_compliance", "返回培训完成情况"),
        "assignments": ("study.admin_assignments", "返回培训任务")}


@bp.post("/admin/assignments/generate")
@role_required("admin")
def admin_generate():
    job, started = generate.start(current_user.id, current_scope(), now=clock.now())
    job_id = job.id
    if started:
        run_in_background(generate_assignments_task, job_id)  # after the commit
    else:
        flash("您管理范围内已有一次生成正在进行，下面是它的进度；它完成后可以再生成。", "info")
    back = request.form.get("back", "")
    return redirect(url_for("study.admin_generate_job", job_id=job_id, **({"back": back} if back in BACK else {})))


@bp.get("/admin/assignments/generate/<int:job_id>")
@role_required("admin")
def admin_generate_job(job_id: int):
    view = generate.job_view(current_scope(), job_id, now=clock.now())
    back_key = request.args.get("back", "")
    return render_template("study/generate_job.html", view=view, job=view.job, percent=view.percent,
                           back_key=back_key if back_key in BACK else None, back=BACK.get(back_key))


@bp.get("/admin/assignments/generate/<int:job_id>/progress")
@role_required("admin")
def admin_generate_progress(job_id: int):
    view = generate.job_view(current_scope(), job_id, now=clock.now())
    job = view.job
    response = make_response(render_template("study/_generate_progress.html", job=job, percent=view.percent))
    if job.status not in generate.WAITING or view.stalled:  # the page shows the result or the restart
        response.headers["HX-Redirect"] = url_for("study.admin_generate_job", job_id=job.id, **request.args)
    return response
