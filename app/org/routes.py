"""Org unit tree, workforce and roster import pages (admins, within their scope)."""

import io

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app import uploads
from app.auth.scope import current_scope, role_required
from app.celery_app import run_in_background
from app.errors import DomainError
from app.models.people import ImportStatus, PersonStatus
from app.org import bp, people, roster, roster_batches, services
from app.org.forms import ConfirmImportForm, ImportForm, UnitForm
from app.org.roster_file import build_template
from app.org.tasks import preview_roster_task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
bp.register_error_handler(RequestEntityTooLarge, uploads.too_large_page)


@bp.get("/units")
@role_required("admin")
def units():
    scope = current_scope()
    return render_template("org/units.html", tree=services.unit_tree(scope), form=UnitForm(),
                           unit_options=services.unit_options(scope), can_add_root=scope.is_global)


@bp.post("/units")
@role_required("admin")
def unit_create():
    form = UnitForm()
    if form.validate_on_submit():
        parent_id = request.form.get("parent_id", type=int)
        unit = services.create_unit(current_user.id, current_scope(), parent_id=parent_id,
                                    name=form.name.data, kind=form.kind.data)
        flash(f"已添加单位“{unit.name}”。", "success")
    else:
        flash("请填写单位名称。", "danger")
    return redirect(url_for("org.units"))


@bp.post("/units/<int:unit_id>")
@role_required("admin")
def unit_update(unit_id: int):
    form = UnitForm()
    if form.validate_on_submit():
        services.rename_unit(current_user.id, current_scope(), unit_id, name=form.name.data, kind=form.kind.data)
        flash("单位已更新。", "success")
    return redirect(url_for("org.units"))


@bp.post("/units/move")
@role_required("admin")
def unit_move():
    services.move_unit(current_user.id, current_scope(), request.form.get("unit_id", type=int),
                       request.form.get("parent_id", type=int))
    flash("单位已移动。", "success")
    return redirect(url_for("org.units"))


@bp.post("/units/<int:unit_id>/delete")
@role_required("admin")
def unit_delete(unit_id: int):
    services.delete_unit(current_user.id, current_scope(), unit_id)
    flash("单位已删除。", "success")
    return redirect(url_for("org.units"))


@bp.get("/workforces")
@role_required("admin")
def workforces():
    return render_template("org/workforces.html", workforces=services.workforces())


@bp.get("/import")
@role_required("admin")
def import_start():
    return _import_page(ImportForm())


def _import_page(form: ImportForm, status: int = 200):
    return render_template("org/import.html", form=form, limits=roster_batches.limits(),
                           max_size=uploads.max_size_text()), status


@bp.get("/import/template.xlsx")
@role_required("admin")
def import_template():
    posts, grades = people.posts_and_grades()
    data = build_template([p.name for p in posts], sorted({g.name for g in grades}),
                          roster.template_example(current_scope()))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name="人员名册导入模板.xlsx")


@bp.post("/import")
@role_required("admin")
def import_preview():
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 400)
    upload = form.file.data
    try:
        batch_id = roster_batches.stage(current_user.id, upload.filename or "upload", uploads.read_upload(upload),
                                        uploads.upload_dir())
    except DomainError as error:
        form.file.errors.append(error.message)
        return _import_page(form, error.status_code)
    run_in_background(preview_roster_task, batch_id, str(uploads.upload_dir()))  # after the commit
    return redirect(url_for("org.import_show", batch_id=batch_id))


@bp.get("/import/<int:batch_id>")
@role_required("admin")
def import_show(batch_id: int):
    batch = roster.get_batch(current_user.id, batch_id)
    if batch.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.FAILED):
        return render_template("org/import_progress.html", batch=batch, percent=uploads.percent(batch))
    return render_template("org/import_preview.html", batch=batch, form=ConfirmImportForm(),
                           status_labels=PersonStatus.labels())


@bp.get("/import/<int:batch_id>/progress")
@role_required("admin")
def import_progress(batch_id: int):
    batch = roster.get_batch(current_user.id, batch_id)
    response = make_response(render_template("org/_progress.html", batch=batch, percent=uploads.percent(batch)))
    if batch.status not in uploads.WAITING:
        response.headers["HX-Redirect"] = url_for("org.import_show", batch_id=batch.id)
    return response


@bp.post("/import/<int:batch_id>/confirm")
@role_required("admin")
def import_confirm(batch_id: int):
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash("请设置初始密码。", "danger")
        return redirect(url_for("org.import_start"))
    count = roster.confirm(current_user.id, current_scope(), batch_id, initial_password=form.initial_password.data,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    flash(f"已导入 {count} 名人员。他们首次登录时须修改初始密码。", "success")
    return redirect(url_for("org.people"))
