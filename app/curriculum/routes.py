"""Course and lesson pages for instructors."""

from app.auth.scope import role_required
from app.curriculum import bp
from app.main.routes import _upcoming


@bp.get("/courses")
@role_required("instructor")
def courses():
    return _upcoming("courses")
