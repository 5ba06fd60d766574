"""Area 'bank' (see DESIGN.md)."""

from flask import Blueprint

bp = Blueprint("bank", __name__, url_prefix="/bank")

from app.bank import routes, routes_import, routes_manage  # noqa: E402,F401
