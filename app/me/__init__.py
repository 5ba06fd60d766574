"""The trainee's own pages: 我的学习, 我的考试, 我的档案."""

from flask import Blueprint

bp = Blueprint("me", __name__, url_prefix="/me")

from app.me import routes, routes_tokens  # noqa: E402,F401
