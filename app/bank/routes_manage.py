"""Bank pages for categories, regulation review, import and export."""

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.auth.scope import current_scope, role_required
from app.bank import bp, browse, categories, exports, review
from app.bank.forms import CategoryForm, ReviewForm
from app.errors import DomainError
from app.formkit import ids, local_path
from app.org.services import unit_options

INSTRUCTOR = "instructor"


def _scope():
    return current_scope(INSTRUCTOR)


def _owner_choices(scope) -> list[tuple[int, str]]:
    blank = [(0, "不属于任何单位（仅全局教官可编辑）")] if scope.is_global else []
    return blank + unit_options(scope)


@bp.get("/categories")
@role_required(INSTRUCTOR)
def category_tree():
    scope = _scope()
    return render_template("bank/categories.html", tree=categories.tree(scope), form=CategoryForm(),
                           owners=_owner_choices(scope))


@bp.post("/categories")
@role_required(INSTRUCTOR)
def category_create():
    form = CategoryForm()
    if not form.validate_on_submit():
        raise DomainError("请填写分类名称（不超过 100 个字）。")
    category = categories.create_category(current_user.id, _scope(), parent_id=request.form.get("parent_id", type=int),
                                          name=form.name.data, owner_unit_id=request.form.get("owner_unit_id", type=int))
    flash(f"已添加分类“{category.name}”。", "success")
    return redirect(url_for("bank.category_tree"))


@bp.post("/categories/<int:category_id>")
@role_required(INSTRUCTOR)
def category_rename(category_id: int):
    form = CategoryForm()
    if not form.validate_on_submit():
        raise DomainError("请填写分类名称（不超过 100 个字）。")
    categories.rename_category(current_user.id, _scope(), category_id, name=form.name.data)
    flash("分类已改名。", "success")
    return redirect(url_for("bank.category_tree"))


@bp.post("/categories/<int:category_id>/delete")
@role_required(INSTRUCTOR)
def category_delete(category_id: int):
    categories.delete_category(current_user.id, _scope(), category_id)
    flash("分类已删除。", "success")
    return redirect(url_for("bank.category_tree"))


@bp.get("/review")
@role_required(INSTRUCTOR)
def review_page():
    scope, basis = _scope(), request.args.get("basis", "").strip()
    return render_template("bank/review.html", form=ReviewForm(basis=basis), matches=review.preview(scope, basis),
                           basis=basis, flagged=review.flagged(scope, request.args.get("page", 1, type=int), 20))


@bp.post("/review")
@role_required(INSTRUCTOR)
def review_flag():
    form = ReviewForm()
    if not form.validate_on_submit():
        raise DomainError("请填写法规名称或条款，以及复核原因。")
    count = review.flag_citing(current_user.id, _scope(), form.basis.data, form.reason.data)
    flash(f"已将 {count} 道引用该法规的试题标记为待复核；复核通过前它们不会用于组卷。", "success")
    return redirect(url_for("bank.review_page"))


@bp.post("/questions/<int:question_id>/reapprove")
@role_required(INSTRUCTOR)
def question_reapprove(question_id: int):
    review.reapprove(current_user.id, _scope(), question_id)
    flash("已确认复核通过。", "success")
    return redirect(local_path(request.form.get("next"), url_for("bank.question_detail", question_id=question_id)))


@bp.get("/export")
@role_required(INSTRUCTOR)
def export_download():
    result = exports.export_selection(_scope(), browse.Filters.from_args(request.args),
                                      request.args.get("fmt", "xlsx"), ids(request.args.getlist("question_id")))
    if result.skipped:
        flash(f"该格式无法表示 {len(result.skipped)} 道试题，已跳过：" + "；".join(result.skipped[:10]), "warning")
    return send_file(io.BytesIO(result.content), mimetype=result.media_type, as_attachment=True,
                     download_name=result.filename)
