"""Area 'study' (see DESIGN.md)."""

from flask import Blueprint

bp = Blueprint("study", __name__, url_prefix="/study")

from app.study import cli, routes  # noqa: E402,F401
