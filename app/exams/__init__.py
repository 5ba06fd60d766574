"""Online exams: blueprints, exams, papers drawn per attempt, taking, the sweep."""

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")

from app.exams import (  # noqa: E402,F401
    routes_build,
    routes_live,
    routes_manage,
    routes_practice,
    routes_results,
    routes_trainee,
)


def init_app(app) -> None:
    """The area's event subscriptions (receivers.py)."""
    from app.exams import receivers

    receivers.init_app(app)
