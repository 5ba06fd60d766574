"""我的培训计划 (`/needs/plan`), its re-tests, a person's plan for their admins and mentors, and the
谈心谈话记录 (`/needs/people/<id>/notes`)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.extensions import db
from app.formkit import refuse_control_characters
from app.needs import bp, mentor_notes, plans, retests
from app.needs.access import person_to_view
from app.needs.forms import MentorNoteForm
from app.needs.plan_page import plan_page


@bp.get("/plan")
@login_required
def plan():
    return render_template("needs/plan.html", page=plan_page(current_user.person, now=clock.now(), own=True))


@bp.post("/plan")
@login_required
def make_plan():
    plans.create_own_plan(current_user.id, now=clock.now())
    flash("已按您的能力差距和岗位必修课程生成培训计划。", "success")
    return redirect(url_for("needs.plan"))


@bp.post("/plan/retests/<int:competency_id>")
@login_required
def start_retest(competency_id: int):
    attempt = retests.start(current_user.id, competency_id, now=clock.now())
    return redirect(url_for("exams.take", attempt_id=attempt.id))


@bp.get("/people/<int:person_id>/plan")
@login_required
def person_plan(person_id: int):
    person = person_to_view(current_user.id, current_user.person.roles, person_id)
    page = plan_page(person, now=clock.now(), own=person.id == current_user.id)
    return render_template("needs/plan.html", page=page)


def _notes(person_id: int, form: MentorNoteForm):
    person = mentor_notes.person_for_notes(current_user.id, current_user.person.roles, person_id)
    notes = mentor_notes.notes_page(person.id, page=request.args.get("page", 1, type=int),
                                    per_page=current_app.config["PER_PAGE"])
    return render_template("needs/notes.html", person=person, notes=notes, form=form)


@bp.get("/people/<int:person_id>/notes")
@login_required
def notes(person_id: int):
    return _notes(person_id, MentorNoteForm(talked_on=clock.today()))


@bp.post("/people/<int:person_id>/notes")
@login_required
def add_note(person_id: int):
    refuse_control_characters()
    form = MentorNoteForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _notes(person_id, form), 422
    mentor_notes.add_note(current_user.id, current_user.person.roles, person_id, form.talked_on.data,
                          form.text.data, now=clock.now())
    flash("谈心谈话记录已保存。", "success")
    return redirect(url_for("needs.notes", person_id=person_id))
