"""The trainee's pages: 我的考试, starting an exam, the exam page (its script talks to /api/v1), the result."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.errors import Conflict, Forbidden
from app.exams import attempts, bp
from app.exams.mine import attempt_page, my_exams, result_page
from app.extensions import durable_writes, reads_first, writes_on_read
from app.models.exams import AttemptState


@bp.get("/mine")
@login_required
def mine():
    return render_template("exams/mine.html", groups=my_exams(current_user.id, now=clock.now()))


@bp.post("/<int:exam_id>/start")
@login_required
@durable_writes
@reads_first
def start(exam_id: int):
    try:
        attempt, _created = attempts.start(exam_id, current_user.id, now=clock.now(),
                                           password=request.form.get("password"))
    except (Forbidden, Conflict) as error:  # not open, no attempts left, wrong password: say so on 我的考试
        flash(error.message, "danger")
        return redirect(url_for("exams.mine"))
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    shell = attempt_page(attempt_id, current_user.id, now=clock.now())
    if shell.attempt.state != AttemptState.IN_PROGRESS:
        return redirect(url_for("exams.result", attempt_id=attempt_id))
    return render_template("exams/take.html", shell=shell)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
@writes_on_read
def result(attempt_id: int):
    page = result_page(attempt_id, current_user.id, now=clock.now())
    if page.attempt.state == AttemptState.IN_PROGRESS:
        return redirect(url_for("exams.take", attempt_id=attempt_id))
    return render_template("exams/result.html", page=page)
