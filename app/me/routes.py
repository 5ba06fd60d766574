"""A person's own pages; each shows only the logged-in person's data."""

from flask import render_template
from flask_login import current_user, login_required

from app.me import bp
from app.org import people


@bp.get("/profile")
@login_required
def profile():
    links = people.mentor_links_of(current_user.id)
    return render_template("me/profile.html", person=current_user.person, links=links)
