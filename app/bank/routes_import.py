"""The import wizard's pages: upload, parse progress, preview, confirm; and the template download."""

import io

from flask import (
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
from app.bank import bp, categories, editor, staging, wizard
from app.bank.forms import ConfirmImportForm, ImportForm
from app.bank.tasks import parse_bank_import_task
from app.celery_app import run_in_background
from app.errors import DomainError
from app.models.people import ImportStatus
from question_bank.formats import build_xlsx_template

INSTRUCTOR = "instructor"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope():
    return current_scope(INSTRUCTOR)


bp.register_error_handler(RequestEntityTooLarge, uploads.too_large_page)


def _import_page(form: ImportForm, status: int = 200):
    return render_template("bank/import.html", form=form, limits=staging.limits(),
                           max_size=uploads.max_size_text()), status


def _import_form() -> ImportForm:
    form = ImportForm()
    form.category_id.choices = categories.choices_for(_scope())
    return form


@bp.get("/import")
@role_required(INSTRUCTOR)
def import_start():
    form = _import_form()
    form.category_id.data = request.args.get("category_id", type=int)
    return _import_page(form)


@bp.get("/import/template.xlsx")
@role_required(INSTRUCTOR)
def import_template():
    return send_file(io.BytesIO(build_xlsx_template()), mimetype=XLSX, as_attachment=True,
                     download_name="试题导入模板.xlsx")


@bp.post("/import")
@role_required(INSTRUCTOR)
def import_upload():
    form = _import_form()
    if not form.validate_on_submit():
        return _import_page(form, 400)
    upload = form.file.data
    try:
        batch_id = staging.stage(current_user.id, _scope(), category_id=form.category_id.data,
                                 filename=upload.filename or "upload", data=uploads.read_upload(upload),
                                 upload_dir=uploads.upload_dir())
    except DomainError as error:
        form.file.errors = [*form.file.errors, error.message]
        return _import_page(form, error.status_code)
    run_in_background(parse_bank_import_task, batch_id, str(uploads.upload_dir()))  # after the commit
    options = {k: "y" for k in ("skip_invalid", "use_file_categories") if getattr(form, k).data}
    return redirect(url_for("bank.import_show", batch_id=batch_id, **options))


@bp.get("/import/<int:batch_id>")
@role_required(INSTRUCTOR)
def import_show(batch_id: int):
    batch = staging.own_batch(current_user.id, _scope(), batch_id)
    if batch.status != ImportStatus.PREVIEWED:
        return render_template("bank/import_progress.html", batch=batch, percent=staging.percent(batch))
    form = ConfirmImportForm(skip_invalid=request.args.get("skip_invalid") == "y",
                             use_file_categories=request.args.get("use_file_categories") == "y")
    return render_template("bank/import_preview.html", batch=batch, summary=wizard.summary(batch), form=form,
                           existing=wizard.existing_titles(batch), types=editor.type_labels())


@bp.get("/import/<int:batch_id>/progress")
@role_required(INSTRUCTOR)
def import_progress(batch_id: int):
    batch = staging.own_batch(current_user.id, _scope(), batch_id)
    response = make_response(render_template("bank/_progress.html", batch=batch, percent=staging.percent(batch)))
    if batch.status not in staging.WAITING:
        response.headers["HX-Redirect"] = url_for("bank.import_show", batch_id=batch.id, **request.args)
    return response


@bp.post("/import/<int:batch_id>/confirm")
@role_required(INSTRUCTOR)
def import_confirm(batch_id: int):
    form = ConfirmImportForm()
    form.validate_on_submit()
    count, skipped = wizard.confirm(current_user.id, _scope(), batch_id, skip_invalid=form.skip_invalid.data,
                                    import_duplicates=form.duplicates.data == "import",
                                    use_file_categories=form.use_file_categories.data)
    flash(f"导入 {count} 题，跳过 {skipped} 题。导入的试题为草稿，审核后才能用于组卷。", "success")
    return redirect(url_for("bank.index"))
