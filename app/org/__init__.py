"""Organisation: units, workforces, posts, grades, people, roles, mentors, roster import."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from app.org import routes, routes_people  # noqa: E402,F401
