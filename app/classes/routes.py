"""Admin pages for training classes (scoped): list, edit, sessions, enrolment, roster, summary."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.classes import attendance, bp, enrolment, evaluation, services
from app.classes.forms import AttendanceForm, ClassForm, EnrolForm, SessionForm
from app.classes.qr import checkin_qr_svg
from app.errors import DomainError
from app.formkit import choices
from app.hours import format_hours
from app.models.classes import ClassStatus


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


def _class_form(scope, klass=None) -> ClassForm:
    form = ClassForm(obj=klass) if klass is not None and request.method == "GET" else ClassForm()
    if klass is not None and request.method == "GET":
        form.credit_hours.data = format_hours(klass.credit_tenths)
        form.competencies.data = ", ".join(c.code for c in klass.competencies)
    form.unit_id.choices = choices(enrolment.form_options(scope)[0])
    return form


def _enrol_form(scope) -> EnrolForm:
    form = EnrolForm(prefix="enrol")  # the page also holds the class form with its own unit_id
    units, posts = enrolment.form_options(scope)
    form.unit_id.choices = choices([(0, "—")] + units)
    form.post_id.choices = choices([(0, "—")] + posts)
    return form


def _class_data(form) -> services.ClassData:
    return services.ClassData(title=form.title.data, unit_id=form.unit_id.data, kind=form.kind.data,
                              credit_hours=form.credit_hours.data, description=form.description.data,
                              competencies=form.competencies.data)


@bp.get("/")
@role_required("admin")
def index():
    status = ClassStatus.parse(request.args.get("status", ""))  # old links carry the Chinese label
    pagination = services.list_classes(current_scope(), status=status or "", page=request.args.get("page", 1, type=int),
                                       per_page=current_app.config["PER_PAGE"])
    return render_template("classes/index.html", pagination=pagination, statuses=ClassStatus, status=status)


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def create():
    scope, status = current_scope(), 200
    form = _class_form(scope)
    if form.validate_on_submit():
        try:
            klass = services.create_class(current_user.id, scope, _class_data(form))
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(error.message, "danger")
            status = 400
        else:
            flash("培训班已创建，请添加课次并报名学员，然后发布。", "success")
            return redirect(url_for("classes.detail", class_id=klass.id))
    return render_template("classes/form.html", form=form), 400 if form.errors else status


@bp.get("/<int:class_id>")
@role_required("admin")
def detail(class_id: int):
    scope = current_scope()
    klass, enrolled, attended = services.class_overview(scope, class_id)
    return render_template("classes/detail.html", klass=klass, form=_class_form(scope, klass), enrolled=enrolled,
                           attended=attended, session_form=SessionForm(), enrol_form=_enrol_form(scope))


@bp.post("/<int:class_id>")
@role_required("admin")
def update(class_id: int):
    scope = current_scope()
    form = _class_form(scope)
    if not form.validate_on_submit():
        raise DomainError(_errors(form) or "请检查填写的内容。")
    services.update_class(current_user.id, scope, class_id, _class_data(form))
    flash("培训班已保存。", "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.post("/<int:class_id>/sessions")
@role_required("admin")
def session_add(class_id: int):
    form = SessionForm()
    if not form.validate_on_submit():
        raise DomainError(_errors(form) or "请检查上课时间。")
    services.add_session(current_user.id, current_scope(), class_id, starts_local=form.starts_at.data,
                         ends_local=form.ends_at.data, place=form.place.data, trainer=form.trainer.data)
    flash("已添加课次，签到码已生成。", "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.post("/sessions/<int:session_id>/delete")
@role_required("admin")
def session_delete(session_id: int):
    class_id = services.delete_session(current_user.id, current_scope(), session_id)
    flash("课次已删除。", "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.get("/sessions/<int:session_id>/code")
@role_required("admin")
def session_code(session_id: int):
    session = services.get_session(current_scope(), session_id)
    open_now = attendance.window_open(session, clock.now())
    url = qr = None
    if open_now and session.training_class.status == ClassStatus.PUBLISHED:
        url = url_for("classes.mine", code=session.code, _external=True)
        qr = checkin_qr_svg(url)
    return render_template("classes/code.html", session=session, open_now=open_now, checkin_url=url, qr=qr)


@bp.post("/sessions/<int:session_id>/code")
@role_required("admin")
def session_code_regenerate(session_id: int):
    services.regenerate_code(current_user.id, current_scope(), session_id)
    flash("已更换签到码，旧签到码即时失效。", "success")
    return redirect(url_for("classes.session_code", session_id=session_id))


@bp.post("/<int:class_id>/enrolments/<int:person_id>/delete")
@role_required("admin")
def withdraw(class_id: int, person_id: int):
    enrolment.withdraw(current_user.id, current_scope(), class_id, person_id)
    flash("已取消该人员的报名。", "success")
    return redirect(url_for("classes.roster", class_id=class_id))


@bp.post("/<int:class_id>/enrol")
@role_required("admin")
def enrol(class_id: int):
    scope = current_scope()
    form = _enrol_form(scope)
    if not form.validate_on_submit():
        raise DomainError(_errors(form) or "请检查报名对象。")
    target = form.target.data
    result = enrolment.enrol(
        current_user.id, scope, class_id, unit_id=form.unit_id.data if target == "unit" else None,
        post_id=form.post_id.data if target == "post" else None,
        staff_nos=enrolment.split_staff_nos(form.staff_nos.data) if target == "staff" else None)
    message = f"新报名 {result.added} 人，已报名 {result.already} 人"
    if result.not_found:
        message += f"，{len(result.not_found)} 个工号不存在或不在您的管理范围内：{'、'.join(result.not_found[:20])}"
    flash(message + "。", "warning" if result.not_found else "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.post("/<int:class_id>/status")
@role_required("admin")
def set_status(class_id: int):
    klass = services.set_status(current_user.id, current_scope(), class_id, request.form.get("status", ""))
    flash("培训班已发布，学员可以在“我的培训班”看到。" if klass.status == ClassStatus.PUBLISHED else "培训班已结束。", "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.get("/<int:class_id>/roster")
@role_required("admin")
def roster(class_id: int):
    klass, pagination, marks = attendance.roster(current_scope(), class_id, page=request.args.get("page", 1, type=int),
                                                 per_page=current_app.config["PER_PAGE"])
    return render_template("classes/roster.html", klass=klass, pagination=pagination, marks=marks)


@bp.post("/<int:class_id>/attendance")
@role_required("admin")
def attendance_correct(class_id: int):
    form = AttendanceForm()
    if not form.validate_on_submit() or form.present.data not in ("1", "0"):
        raise DomainError("请求有误，请刷新名单后重试。")
    changed = attendance.correct(current_user.id, current_scope(), class_id, form.session_id.data, form.person_id.data,
                                 present=form.present.data == "1", now=clock.now())
    flash(("已补录签到。" if form.present.data == "1" else "已撤销签到并冲正学时。") if changed else "签到状态没有变化。",
          "success")
    return redirect(url_for("classes.roster", class_id=class_id, page=request.args.get("page", 1, type=int)))


@bp.get("/<int:class_id>/evaluations")
@role_required("admin")
def evaluations(class_id: int):
    klass, result = evaluation.summary(current_scope(), class_id)
    return render_template("classes/evaluations.html", klass=klass, summary=result, ratings=evaluation.RATINGS)
