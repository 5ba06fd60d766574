"""The live view (监考): the audience's progress, refreshed by a poll of its JSON; add time, close now."""

from flask import flash, jsonify, redirect, render_template, url_for

from app import clock
from app.auth.scope import role_required
from app.errors import DomainError
from app.exams import bp, live, proctoring
from app.exams.forms import AddTimeForm, CloseForm
from app.exams.web import form_errors, viewer

BUILDERS = ("instructor", "admin")


@bp.get("/manage/<int:exam_id>/live")
@role_required(*BUILDERS)
def live_page(exam_id: int):
    now = clock.now()
    exam, rows, counts = live.live_rows(viewer(), exam_id, now=now)
    return render_template("exams/live.html", exam=exam, rows=rows, counts=counts, states=live.STATES,
                           now_text=clock.format_local_dt(now, "HH:mm:ss"))


@bp.get("/manage/<int:exam_id>/live.json")
@role_required(*BUILDERS)
def live_json(exam_id: int):
    now = clock.now()
    _exam, rows, counts = live.live_rows(viewer(), exam_id, now=now)
    return jsonify(at=clock.format_local_dt(now, "HH:mm:ss"), counts=counts, rows=[r.as_json() for r in rows])


def _checked(form):
    if not form.validate_on_submit():
        raise DomainError("；".join(form_errors(form)) or "请检查填写的内容。")
    return form


@bp.post("/manage/<int:exam_id>/live/<int:person_id>/time")
@role_required(*BUILDERS)
def live_add_time(exam_id: int, person_id: int):
    form = _checked(AddTimeForm())
    attempt = proctoring.add_time(viewer(), exam_id, person_id, form.minutes.data, form.reason.data, now=clock.now())
    flash(f"已加时 {form.minutes.data} 分钟" + ("，正在进行的作答已延长。" if attempt else "，开始作答时生效。"), "success")
    return redirect(url_for("exams.live_page", exam_id=exam_id))


@bp.post("/manage/<int:exam_id>/live/<int:person_id>/close")
@role_required(*BUILDERS)
def live_close(exam_id: int, person_id: int):
    form = _checked(CloseForm())
    proctoring.close_now(viewer(), exam_id, person_id, form.reason.data, now=clock.now())
    flash("已为该人员收卷并评分。", "success")
    return redirect(url_for("exams.live_page", exam_id=exam_id))
