"""Lesson pages for instructors (edit, preview, reorder, images), course export, lesson assets."""

import io

from flask import (
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from app.auth.scope import current_scope, role_required
from app.curriculum import bp, editing, services
from app.curriculum.assets import render_lesson, render_lesson_body, visible_asset
from app.curriculum.export import export_course
from app.curriculum.forms import ImageForm, LessonForm
from app.errors import DomainError


def _scope():
    return current_scope("instructor")


def _fields(form: LessonForm) -> editing.LessonFields:
    return editing.LessonFields(title=form.title.data, min_minutes=form.min_minutes.data,
                                body=form.body.data)


def _save_lesson(form: LessonForm, course_id: int, lesson_id: int | None):
    """Create or update from a submitted form; return the lesson, or None after flashing why."""
    if not form.validate_on_submit():
        return None
    try:
        if lesson_id is None:
            return editing.create_lesson(current_user.id, _scope(), course_id, _fields(form))
        return editing.update_lesson(current_user.id, _scope(), lesson_id, _fields(form))
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        flash(error.message, "danger")
        return None


@bp.route("/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
@role_required("instructor")
def lesson_new(course_id: int):
    course = services.course_to_edit(_scope(), course_id)
    form = LessonForm()
    lesson = _save_lesson(form, course.id, None) if request.method == "POST" else None
    if lesson is not None:
        flash(f"已添加课时“{lesson.title}”。", "success")
        return redirect(url_for("curriculum.lesson_edit", lesson_id=lesson.id))
    status = 400 if request.method == "POST" else 200
    return render_template("curriculum/lesson_form.html", form=form, course=course, lesson=None,
                           image_form=None), status


@bp.route("/lessons/<int:lesson_id>", methods=["GET", "POST"])
@role_required("instructor")
def lesson_edit(lesson_id: int):
    lesson = services.lesson_to_edit(_scope(), lesson_id)
    form = LessonForm(obj=lesson)
    if request.method == "POST" and _save_lesson(form, lesson.course_id, lesson.id) is not None:
        flash("课时已保存。", "success")
        return redirect(url_for("curriculum.lesson_edit", lesson_id=lesson.id))
    status = 400 if request.method == "POST" else 200
    return render_template("curriculum/lesson_form.html", form=form, course=lesson.course,
                           lesson=lesson, image_form=ImageForm(), preview=render_lesson(lesson)), status


@bp.post("/courses/<int:course_id>/preview")
@role_required("instructor")
def lesson_preview(course_id: int):
    course = services.course_to_edit(_scope(), course_id)
    html = render_lesson_body(course.slug, request.form.get("body", ""))
    return render_template("curriculum/_preview.html", html=html)


@bp.post("/lessons/<int:lesson_id>/move")
@role_required("instructor")
def lesson_move(lesson_id: int):
    try:
        lesson = editing.move_lesson(current_user.id, _scope(), lesson_id,
                                     request.form.get("direction", ""))
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        flash(error.message, "warning")
        lesson = services.get_lesson(_scope(), lesson_id)
    return redirect(url_for("curriculum.course_detail", course_id=lesson.course_id))


@bp.post("/lessons/<int:lesson_id>/images")
@role_required("instructor")
def lesson_image(lesson_id: int):
    form = ImageForm()
    try:
        if not form.validate_on_submit():
            raise DomainError("请选择要上传的图片文件。")
        reference = editing.attach_image(current_user.id, _scope(), lesson_id,
                                         form.image.data.filename, form.image.data.read())
        flash(f"图片已上传并插入正文末尾：{reference}", "success")
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        flash(error.message, "danger")
    return redirect(url_for("curriculum.lesson_edit", lesson_id=lesson_id))


@bp.get("/courses/<int:course_id>/export.zip")
@role_required("instructor")
def course_export(course_id: int):
    name, data = export_course(_scope(), course_id)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=name)


@bp.get("/assets/<slug>/<path:path>")
@login_required
def asset(slug: str, path: str):
    folder, name, mimetype = visible_asset(current_user.id, slug, path)
    response = send_from_directory(folder, name, mimetype=mimetype, max_age=3600)
    response.cache_control.public = False
    response.cache_control.private = True  # the browser may keep it; no shared cache may
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
