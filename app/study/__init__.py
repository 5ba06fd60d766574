"""Area 'study' (see DESIGN.md)."""

from flask import Blueprint, Flask

bp = Blueprint("study", __name__, url_prefix="/study")

from app.study import routes, routes_admin, routes_generate  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Subscribe study to the events of other areas; keep the 培训完成情况 counters in every session."""
    from app.study import credit_tallies, credits, receivers, tallies

    receivers.init_app(app)
    tallies.init_app(app)
    credit_tallies.init_app(app)
    credits.init_app(app)
