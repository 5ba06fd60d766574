"""In-app messages (消息): what the platform tells a person, their list, the unread badge."""

from flask import Blueprint, Flask

bp = Blueprint("messages", __name__, url_prefix="/messages")

from app.messages import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """The navigation bar's unread count, for base.html (one COUNT per page, only when asked)."""
    from app.messages.services import unread_for_current_user

    app.jinja_env.globals["unread_messages"] = unread_for_current_user
