"""The trainee's pages: 我的培训班, check-in with a code (rate-limited) and the evaluation survey."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.classes import attendance, bp, evaluation
from app.classes.forms import CheckInForm, EvaluationForm
from app.classes.mine import my_classes
from app.classes.qr import prefill_code
from app.errors import DomainError
from app.extensions import limiter


def _checkin_key() -> str:
    return f"class-checkin:{current_user.id if current_user.is_authenticated else 'anonymous'}"


@bp.get("/mine")
@login_required
def mine():
    # The QR code on the trainer's page links here with ?code=; the trainee still presses 签到 (POST).
    form = CheckInForm(code=prefill_code(request.args.get("code")))
    return render_template("classes/mine.html", items=my_classes(current_user.id, now=clock.now()), form=form)


@bp.post("/checkin")
@login_required
@limiter.limit(lambda: current_app.config["CLASS_CHECKIN_RATE_LIMIT"], key_func=_checkin_key)
def check_in():
    form = CheckInForm()
    try:
        if not form.validate_on_submit():
            raise DomainError("请输入签到码。")
        session, new = attendance.check_in(current_user.id, form.code.data, now=clock.now())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        title = session.training_class.title
        flash(f"签到成功：{title}。" if new else f"您已签到过：{title}，无需重复签到。", "success")
    return redirect(url_for("classes.mine"))


@bp.route("/<int:class_id>/evaluate", methods=["GET", "POST"])
@login_required
def evaluate(class_id: int):
    form = EvaluationForm()
    if form.validate_on_submit():
        ratings = {name: getattr(form, name).data for name in evaluation.RATINGS}
        evaluation.submit(current_user.id, class_id, ratings=ratings, comment=form.comment.data, now=clock.now())
        flash("感谢您的评估！", "success")
        return redirect(url_for("classes.mine"))
    klass, reason = evaluation.evaluation_page(current_user.id, class_id, now=clock.now())
    return render_template("classes/evaluate.html", klass=klass, reason=reason, form=form), 400 if form.errors else 200
