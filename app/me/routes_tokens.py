"""A person's own API access tokens (for phone clients and scripts): list, create, revoke."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.auth import tokens
from app.errors import DomainError
from app.me import bp


@bp.get("/tokens")
@login_required
def tokens_page():
    return render_template("me/tokens.html", tokens=tokens.tokens_of(current_user.id), now=clock.now(),
                           new_token=None, max_days=tokens.MAX_DAYS, default_days=tokens.DEFAULT_DAYS)


@bp.post("/tokens")
@login_required
def token_create():
    days = request.form.get("days", "").strip()
    try:
        if not days.isascii() or not days.isdigit():
            raise DomainError(f"有效期应为 1 到 {tokens.MAX_DAYS} 天。")
        _token, text = tokens.create_token(current_user.id, name=request.form.get("name", ""), days=int(days[:4]),
                                           actor_id=current_user.id, now=clock.now())
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("me.tokens_page"))
    return render_template("me/tokens.html", tokens=tokens.tokens_of(current_user.id), now=clock.now(),
                           new_token=text, max_days=tokens.MAX_DAYS, default_days=tokens.DEFAULT_DAYS)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int):
    tokens.revoke_token(current_user.id, token_id, actor_id=current_user.id, now=clock.now())
    flash("令牌已撤销，使用它的设备将无法再访问。", "success")
    return redirect(url_for("me.tokens_page"))
