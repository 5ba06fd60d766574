"""Home page and the not-yet-open area pages."""

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth.scope import role_required
from app.main import bp
from app.org import services as org_services

UPCOMING = {
    "exams": ("考试", "组卷规则、考试发布与成绩"),
    "grading": ("阅卷", "简答题人工阅卷"),
    "stats": ("统计", "培训完成率与考试统计"),
    "appraisal": ("考核", "考核评定、公示与申诉"),
}


@bp.get("/")
@login_required
def index():
    summary = org_services.home_summary(current_user.person)
    return render_template("main/index.html", summary=summary)


# What of an upcoming area is open already: (endpoint, page name, what it shows).
AVAILABLE = {"stats": ("study.admin_compliance", "培训完成情况", "各单位培训任务的完成率")}


def _upcoming(key: str):
    title, scope = UPCOMING[key]
    return render_template("main/upcoming.html", title=title, scope=scope, available=AVAILABLE.get(key))


@bp.get("/favicon.ico")
def favicon():
    """Browsers that ignore the page's icon link still ask for /favicon.ico."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/instructor/exams")
@role_required("instructor")
def exams():
    return _upcoming("exams")


@bp.get("/instructor/grading")
@role_required("instructor")
def grading():
    return _upcoming("grading")


@bp.get("/admin/stats")
@role_required("admin")
def stats():
    return _upcoming("stats")


@bp.get("/admin/appraisal")
@role_required("admin")
def appraisal():
    return _upcoming("appraisal")
