"""The trainee's study pages."""

from flask import render_template
from flask_login import login_required

from app.study import bp


@bp.get("/")
@login_required
def my_learning():
    return render_template("study/my_learning.html")
