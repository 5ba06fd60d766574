"""A person's own pages; each shows only the logged-in person's data."""

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.me import bp
from app.org import people


@bp.get("/profile")
@login_required
def profile():
    links = people.mentor_links_of(current_user.id)
    return render_template("me/profile.html", person=current_user.person, links=links)


@bp.get("/exams")
@login_required
def exams():
    """The old address of 我的考试, which now lives with the exams."""
    return redirect(url_for("exams.mine"), 301)
