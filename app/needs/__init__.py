"""Area 'needs' (缺什么补什么): mastery per competency, gaps against the post's syllabus, 我的能力画像."""

from flask import Blueprint, Flask

bp = Blueprint("needs", __name__, url_prefix="/needs")

from app.needs import routes, routes_diagnostic  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Keep mastery in step with graded exam attempts and lesson quizzes."""
    from app.needs import receivers

    receivers.init_app(app)
