"""Curriculum: competencies, syllabi, courses and lessons, loaded from course_content/."""

from flask import Blueprint

bp = Blueprint("curriculum", __name__, url_prefix="/curriculum")

from app.curriculum import routes, routes_lessons  # noqa: E402,F401
