"""The trainee's own pages: 我的档案 (我的学习 lives in study, 我的培训班 in classes)."""

from flask import Blueprint

bp = Blueprint("me", __name__, url_prefix="/me")

from app.me import routes, routes_tokens  # noqa: E402,F401
