"""The home page per role and the entry pages of areas still to come."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.main import routes  # noqa: E402,F401
