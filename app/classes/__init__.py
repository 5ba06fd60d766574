"""Area 'classes': offline training classes (培训班), check-in, attendance 学时 and evaluations."""

from flask import Blueprint

bp = Blueprint("classes", __name__, url_prefix="/classes")

from app.classes import routes, routes_trainee  # noqa: E402,F401
