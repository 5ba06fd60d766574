"""Area 'study' (see DESIGN.md)."""

from flask import Blueprint, Flask

bp = Blueprint("study", __name__, url_prefix="/study")

from app.study import routes, routes_admin, routes_generate  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Subscribe study to the events of other areas."""
    from app.study import receivers

    receivers.init_app(app)
