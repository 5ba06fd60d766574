"""Question bank pages for instructors."""

from app.auth.scope import role_required
from app.bank import bp
from app.main.routes import _upcoming


@bp.get("/")
@role_required("instructor")
def index():
    return _upcoming("bank")
