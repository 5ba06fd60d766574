"""Area 'needs' (缺什么补什么): mastery per competency, gaps against the post's syllabus, 我的能力画像."""

from flask import Blueprint, Flask

bp = Blueprint("needs", __name__, url_prefix="/needs")

from app.needs import routes, routes_diagnostic, routes_ledgers, routes_plans  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Keep mastery in step with graded exam attempts and lesson quizzes."""
    from app.needs import completion, receivers

    receivers.init_app(app)
    completion.init_app(app)  # 培训完成情况's pass rates
