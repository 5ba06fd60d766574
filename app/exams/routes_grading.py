"""阅卷: the essay queue of an exam, the next answer of a question, one answer with its score form."""

from flask import flash, redirect, render_template, request, url_for

from app import clock
from app.auth.scope import role_required
from app.errors import DomainError
from app.exams import bp, grading, grading_marks
from app.exams.forms import GradeForm
from app.exams.web import form_errors, viewer
from app.extensions import writes_on_read
from app.formkit import as_id

BUILDERS = ("instructor", "admin")


def _names() -> dict:
    """The 显示考生姓名 toggle, carried from page to page (names are hidden unless asked for)."""
    return {"names": 1} if request.args.get("names") == "1" else {}


@bp.get("/manage/<int:exam_id>/grading")
@role_required(*BUILDERS)
def grading_queue(exam_id: int):
    return render_template("exams/grading.html", **grading.queue_page(viewer(), exam_id, now=clock.now()),
                           names=_names())


@bp.get("/manage/<int:exam_id>/grading/questions/<int:question_id>")
@role_required(*BUILDERS)
@writes_on_read
def grading_next(exam_id: int, question_id: int):
    now = clock.now()
    grader = grading.grader_for(viewer(), exam_id, now=now)
    item_id = grading.claim_next(grader, question_id, now=now, after=as_id(request.args.get("after")))
    if item_id is None:
        flash("这道题没有待阅的答卷了（已全部阅完，或其余答卷正由其他阅卷人评分）。", "info")
        return redirect(url_for("exams.grading_queue", exam_id=exam_id, **_names()))
    return redirect(url_for("exams.grading_answer", exam_id=exam_id, item_id=item_id, **_names()))


@bp.route("/manage/<int:exam_id>/grading/answers/<int:item_id>", methods=["GET", "POST"])
@role_required(*BUILDERS)
@writes_on_read
def grading_answer(exam_id: int, item_id: int):
    now, form, problem, status = clock.now(), GradeForm(), None, 200
    grader = grading.grader_for(viewer(), exam_id, now=now)
    if form.validate_on_submit():
        try:
            saved = grading_marks.save_mark(grader, item_id, form.score.data, form.comment.data, now=now)
        except DomainError as error:  # a bad score, or another marker holds the answer: nothing changed
            problem, status = error.message, error.status_code
        else:
            flash(f"已保存：{form.score.data.strip()} 分。" + ("该考生的成绩已确定，已通知考生。" if saved.final else ""),
                  "success")
            return redirect(url_for("exams.grading_next", exam_id=exam_id, question_id=saved.question_id,
                                    after=item_id, **_names()))
    elif form.errors:
        problem, status = "；".join(form_errors(form)), 422
    page = grading.open_answer(grader, item_id, now=now, names=bool(_names()), claim=request.method == "GET")
    if request.method == "GET":
        form.score.data, form.comment.data = page.score, page.item.comment
    return render_template("exams/grading_answer.html", page=page, form=form, problem=problem,
                           names=_names()), status
