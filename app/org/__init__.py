"""Organisation: units, workforces, posts, grades, people, roles, mentors, roster import."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from app.org import labels, routes, routes_people  # noqa: E402,F401

bp.add_app_template_filter(labels.unit_label, "unit_label")
