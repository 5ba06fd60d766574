"""Question bank pages for instructors: browser, questions, versions, status, preview."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.scope import current_scope, role_required
from app.bank import bp, browse, editor, questions
from app.bank.categories import choices_for
from app.bank.forms import EXPORT_FORMATS
from app.errors import DomainError
from app.formkit import ids, local_path
from app.models.bank import QuestionStatus
from app.qtypes import adapter_for
from app.rendering import render_markdown

INSTRUCTOR = "instructor"


def _scope():
    return current_scope(INSTRUCTOR)


@bp.get("/")
@role_required(INSTRUCTOR)
def index():
    scope, filters = _scope(), browse.Filters.from_args(request.args)
    pagination = browse.page(scope, filters, request.args.get("page", 1, type=int), 20)
    return render_template("bank/index.html", pagination=pagination, args=request.args,
                           categories=choices_for(scope), types=editor.type_labels(), statuses=QuestionStatus.labels(),
                           formats=EXPORT_FORMATS)


@bp.post("/status")
@role_required(INSTRUCTOR)
def bulk_status():
    changed, refused = browse.change_status(current_user.id, _scope(), ids(request.form.getlist("question_id")),
                                            request.form.get("status", ""))
    flash(f"已更新 {changed} 道试题的状态。", "success")
    if refused:
        flash("未更新：" + "；".join(refused[:20]), "warning")
    return redirect(local_path(request.form.get("next"), url_for("bank.index")))


@bp.get("/questions/<int:question_id>")
@role_required(INSTRUCTOR)
def question_detail(question_id: int):
    question, history = questions.versions(_scope(), question_id)
    return render_template("bank/question.html", question=question, history=history, types=editor.type_labels())


def _editor(qtype: str, values: dict, *, question=None, error: str = "", status: int = 200):
    return render_template("bank/editor.html", qtype=qtype, adapter=adapter_for(qtype), values=values,
                           question=question, error=error, categories=choices_for(_scope()),
                           types=editor.type_labels()), status


@bp.get("/questions/new")
@role_required(INSTRUCTOR)
def question_new():
    qtype = request.args.get("type", "single")
    if qtype not in editor.type_labels():
        qtype = "single"
    return _editor(qtype, {"category_id": request.args.get("category_id", type=int)})


@bp.post("/questions/new")
@role_required(INSTRUCTOR)
def question_create():
    qtype, form = request.form.get("qtype", ""), request.form
    try:
        question = questions.create_question(current_user.id, _scope(), form.get("category_id", type=int),
                                             editor.data_from_form(qtype, form),
                                             allow_duplicate=form.get("allow_duplicate") == "1")
    except DomainError as error:
        return _editor(qtype, editor.form_values(qtype, form), error=error.message, status=error.status_code)
    flash("试题已保存（草稿）。", "success")
    return redirect(url_for("bank.question_detail", question_id=question.id))


@bp.get("/questions/<int:question_id>/edit")
@role_required(INSTRUCTOR)
def question_edit(question_id: int):
    question = questions.get_question(_scope(), question_id)
    values = editor.form_from_data(question.data) | {"category_id": question.category_id}
    return _editor(question.qtype, values, question=question)


@bp.post("/questions/<int:question_id>/edit")
@role_required(INSTRUCTOR)
def question_update(question_id: int):
    question, form = questions.get_question(_scope(), question_id), request.form
    try:
        data = editor.data_from_form(question.qtype, form, previous=question.data)
        questions.update_question(current_user.id, _scope(), question_id, data,
                                  note=form.get("note", ""), category_id=form.get("category_id", type=int),
                                  allow_duplicate=form.get("allow_duplicate") == "1")
    except DomainError as error:
        return _editor(question.qtype, editor.form_values(question.qtype, form, previous=question.data), question=question,
                       error=error.message, status=error.status_code)
    flash("已保存为新版本；以前的版本保持不变。", "success")
    return redirect(url_for("bank.question_detail", question_id=question_id))


@bp.post("/preview")
@role_required(INSTRUCTOR)
def preview():
    return str(render_markdown(request.form.get("stem", "")))
