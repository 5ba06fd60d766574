"""The trainee's practice page (练习), starting a practice, and the 错题本."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.errors import Conflict, Unprocessable
from app.exams import bp, practice, practice_sources, wrong_book_page
from app.exams.forms import PracticeForm
from app.exams.web import form_errors
from app.extensions import durable_writes


@bp.get("/practice")
@login_required
def practice_page():
    form = PracticeForm(source=request.args.get("source", ""))
    return render_template("exams/practice.html", form=form, history=practice.history(current_user.id),
                           sources=practice_sources.sources(current_user.id, now=clock.now()))


@bp.post("/practice/start")
@login_required
@durable_writes
def practice_start():
    form = PracticeForm()
    if not form.validate_on_submit():
        flash("；".join(form_errors(form)) or "提交的内容不完整，请重试。", "danger")
        return redirect(url_for("exams.practice_page"))
    try:  # a source outside the person's scope is 404 (not caught)
        kind, source_id = practice.parse_source(form.source.data)
        attempt = practice.start_practice(current_user.id, kind, source_id, int(form.count.data),
                                          form.timed.data == "1", now=clock.now())
    except (Conflict, Unprocessable) as error:
        flash(error.message, "danger")
        return redirect(url_for("exams.practice_page"))
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/wrong-book")
@login_required
def wrong_book():
    tab = wrong_book_page.MASTERED if request.args.get("tab") == wrong_book_page.MASTERED else wrong_book_page.OPEN
    groups, pagination = wrong_book_page.book(current_user.id, tab, page=request.args.get("page", 1, type=int))
    return render_template("exams/wrong_book.html", tab=tab, groups=groups, pagination=pagination, args=request.args,
                           counts=wrong_book_page.counts(current_user.id), form=PracticeForm(source="wrong_book:0"))
