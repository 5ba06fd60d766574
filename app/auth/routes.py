"""Login, logout and password change pages."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services, throttle
from app.auth.forms import ChangePasswordForm, LoginForm
from app.errors import DomainError
from app.formkit import local_path


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the home page."""
    return local_path(target, url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        wait = throttle.wait_seconds(form.username.data, ip)
        if wait:  # refused before the password is checked, the same for unknown accounts
            flash(throttle.locked_message(wait), "danger")
            return render_template("auth/login.html", form=form), 429
        try:
            user = services.authenticate(form.username.data, form.password.data, ip=ip)
        except services.LoginFailed as failure:
            throttle.record_failure(form.username.data, ip)
            flash(failure.message, "danger")
        else:
            session.clear()  # a new session for the new login
            login_user(user)
            if user.person.must_change_password:
                flash("首次登录请先修改密码。", "warning")
                return redirect(url_for("auth.change_password", next=local_path(request.args.get("next"))))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.logout(current_user.session_id, current_user.id)
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user.id, form.current_password.data, form.new_password.data,
                min_length=current_app.config["PASSWORD_MIN_LENGTH"], session_id=current_user.session_id,
            )
        except DomainError as error:
            form.new_password.errors.append(error.message)
        else:
            flash("密码已修改。", "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/password.html", form=form)


@bp.before_app_request
def _force_password_change():
    """Send people who must change their password to the change page first."""
    if (
        current_user.is_authenticated
        and current_user.person.must_change_password
        and request.endpoint not in {"auth.change_password", "auth.logout", "static", "bootstrap.static"}
    ):
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.change_password", next=local_path(back)))
    return None
