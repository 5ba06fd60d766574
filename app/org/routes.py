"""Org unit tree, workforce and roster import pages (admins, within their scope)."""

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.auth.scope import current_scope, role_required
from app.errors import DomainError
from app.org import bp, people, roster, services
from app.org.forms import ConfirmImportForm, GradeForm, ImportForm, PostForm, UnitForm
from app.org.roster_file import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    return render_template("org/workforces.html", workforces=services.workforces(), post_form=PostForm(),
                           grade_form=GradeForm(), editable=current_scope().is_global)


@bp.post("/workforces/<int:workforce_id>/posts")
@role_required("admin")
def post_create(workforce_id: int):
    form = PostForm()
    if form.validate_on_submit():
        services.add_post(current_user.id, current_scope(), workforce_id, code=form.code.data, name=form.name.data)
        flash("岗位已添加。", "success")
    return redirect(url_for("org.workforces"))


@bp.post("/workforces/<int:workforce_id>/grades")
@role_required("admin")
def grade_create(workforce_id: int):
    form = GradeForm()
    if form.validate_on_submit():
        services.add_grade(current_user.id, current_scope(), workforce_id, name=form.name.data)
        flash("等级已添加。", "success")
    return redirect(url_for("org.workforces"))


@bp.get("/import")
@role_required("admin")
def import_start():
    return render_template("org/import.html", form=ImportForm())


@bp.get("/import/template.xlsx")
@role_required("admin")
def import_template():
    posts, grades = people.posts_and_grades()
    data = build_template([p.name for p in posts], sorted({g.name for g in grades}))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name="人员名册导入模板.xlsx")


@bp.post("/import")
@role_required("admin")
def import_preview():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("org/import.html", form=form), 400
    upload = form.file.data
    try:
        result = roster.preview(current_user.id, current_scope(), upload.filename, upload.read())
    except DomainError as error:
        form.file.errors.append(error.message)
        return render_template("org/import.html", form=form), 400
    return render_template("org/import_preview.html", preview=result, form=ConfirmImportForm())


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
