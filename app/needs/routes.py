"""我的能力画像 (the trainee's own) and a person's 能力画像 for their admins and mentors (read-only)."""

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from app import clock
from app.needs import bp
from app.needs.access import person_to_view
from app.needs.diagnostic import latest_finished
from app.needs.evidence_list import evidence_page
from app.needs.profile import profile


def _page() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/me")
@login_required
def me():
    person = current_user.person
    return render_template("needs/profile.html", profile=profile(person, now=clock.now(), own=True),
                           last_diagnostic=latest_finished(person.id))


@bp.get("/me/competencies/<int:competency_id>")
@login_required
def my_evidence(competency_id: int):
    page = evidence_page(current_user.person, competency_id, now=clock.now(), page=_page(),
                         per_page=current_app.config["PER_PAGE"])
    return render_template("needs/evidence.html", page=page, own=True)


@bp.get("/people/<int:person_id>")
@login_required
def person_profile(person_id: int):
    person = person_to_view(current_user.id, current_user.person.roles, person_id)
    return render_template("needs/profile.html", profile=profile(person, now=clock.now(), own=person.id == current_user.id))


@bp.get("/people/<int:person_id>/competencies/<int:competency_id>")
@login_required
def person_evidence(person_id: int, competency_id: int):
    person = person_to_view(current_user.id, current_user.person.roles, person_id)
    page = evidence_page(person, competency_id, now=clock.now(), page=_page(), per_page=current_app.config["PER_PAGE"])
    return render_template("needs/evidence.html", page=page, own=person.id == current_user.id)
