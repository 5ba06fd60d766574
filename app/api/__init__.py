"""JSON API v1 (../shared/API.md): taking exams from the exam page, phones and scripts.

flask-smorest documents it at /api/v1/openapi.json. Requests authenticate with the login session
(writes then need `X-CSRFToken`) or with `Authorization: Bearer <token>` (`auth/tokens.py`; no
CSRF, and the session cookie is then ignored). Errors use the house's shape from app/errors.py.
"""

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint


class Api(SmorestApi):
    def _register_error_handlers(self):
        """Leave errors to app/errors.py: `{"error": "<中文>", "status": n}` everywhere."""


bp = Blueprint("api", __name__, url_prefix="/api/v1", description="考试作答接口")

from app.api import routes  # noqa: E402,F401 - registers the views


def register(app: Flask) -> None:
    """Register the blueprint through flask-smorest, which also documents it."""
    app.config.setdefault("API_TITLE", "训练考试平台接口")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    Api(app).register_blueprint(bp)  # one Api per app: the tests build many apps
