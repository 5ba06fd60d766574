"""Online exams: blueprints, exams, papers drawn per attempt, taking, the sweep, regrades."""

from flask import Blueprint, Flask

bp = Blueprint("exams", __name__, url_prefix="/exams")

from app.exams import (  # noqa: E402,F401
    routes_build,
    routes_grading,
    routes_live,
    routes_manage,
    routes_practice,
    routes_print,
    routes_regrade,
    routes_results,
    routes_trainee,
)


def init_app(app: Flask) -> None:
    """Subscribe exams to the events it reacts to (the 错题本, a late attempt graded with the regrade fixes)."""
    from app.exams import receivers

    receivers.init_app(app)
