"""The home page (what each role should do now) and the favicon."""

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app import clock
from app.main import bp, home


@bp.get("/")
@login_required
def index():
    page = home.home_page(current_user.person, now=clock.now())
    return render_template("main/index.html", home=page)


@bp.get("/favicon.ico")
def favicon():
    """Browsers that ignore the page's icon link still ask for /favicon.ico."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
