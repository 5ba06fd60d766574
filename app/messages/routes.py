"""The logged-in person's messages: the list, one message (read on opening), mark all read.

Only the owner sees a message (anyone else: 404). POSTs carry the CSRF token (CSRFProtect).
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.extensions import writes_on_read
from app.messages import bp, services


@bp.get("/")
@login_required
def index():
    pagination = services.messages_page(current_user.id, page=request.args.get("page", 1, type=int),
                                        per_page=current_app.config["PER_PAGE"])
    return render_template("messages/list.html", pagination=pagination)


@bp.get("/<int:message_id>")
@login_required
@writes_on_read
def show(message_id: int):
    message = services.open_message(current_user.id, message_id, now=clock.now())
    return render_template("messages/message.html", message=message)


@bp.post("/read-all")
@login_required
def read_all():
    changed = services.mark_all_read(current_user.id, now=clock.now())
    flash(f"已将 {changed} 条消息标为已读。" if changed else "没有未读消息。", "success")
    return redirect(url_for("messages.index"))
