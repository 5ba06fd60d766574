"""Blueprint (组卷规则) pages for instructors and admins: list, editor, pool sizes, picker, sample paper."""

from flask import flash, jsonify, redirect, render_template, request, url_for

from app import clock
from app.auth.scope import role_required
from app.bank.editor import type_labels
from app.errors import DomainError
from app.exams import blueprints, bp, overview, picker
from app.exams.access import blueprint_to_change
from app.exams.forms import RuleForm
from app.exams.pools import source_label
from app.exams.web import blueprint_data, blueprint_form, form_errors, rule_data, viewer
from app.formkit import optional_int

BUILDERS = ("instructor", "admin")


@bp.get("/blueprints")
@role_required(*BUILDERS)
def blueprint_list():
    return render_template("exams/blueprints.html", rows=blueprints.list_blueprints(viewer()))


def _editor(form, options, blueprint=None, problems=(), status=200):
    chosen = picker.questions_by_id(i for entry in form.rules for i in rule_data(entry.form).question_ids)
    return render_template("exams/blueprint_form.html", form=form, options=options, blueprint=blueprint,
                           problems=problems, chosen=chosen, blank=RuleForm(prefix="rules-__i__-")), status


@bp.route("/blueprints/new", methods=["GET", "POST"])
@role_required(*BUILDERS)
def blueprint_new():
    form, options = blueprint_form(viewer())
    if not form.validate_on_submit():
        return _editor(form, options, problems=form_errors(form), status=400 if form.errors else 200)
    try:
        blueprint = blueprints.create_blueprint(viewer(), blueprint_data(form))
    except blueprints.InvalidBlueprint as error:
        return _editor(form, options, problems=error.problems, status=400)
    flash("组卷规则已保存。", "success")
    return redirect(url_for("exams.blueprint_page", blueprint_id=blueprint.id))


@bp.route("/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
@role_required(*BUILDERS)
def blueprint_edit(blueprint_id: int):
    blueprint = blueprint_to_change(viewer(), blueprint_id)
    form, options = blueprint_form(viewer(), blueprint)
    if not form.validate_on_submit():
        return _editor(form, options, blueprint, form_errors(form), status=400 if form.errors else 200)
    try:
        blueprints.update_blueprint(viewer(), blueprint_id, blueprint_data(form), now=clock.now())
    except DomainError as error:
        return _editor(form, options, blueprint, getattr(error, "problems", [error.message]), error.status_code)
    flash("组卷规则已保存。", "success")
    return redirect(url_for("exams.blueprint_page", blueprint_id=blueprint_id))


@bp.get("/blueprints/<int:blueprint_id>")
@role_required(*BUILDERS)
def blueprint_page(blueprint_id: int):
    blueprint = blueprint_to_change(viewer(), blueprint_id)
    return render_template("exams/blueprint.html", blueprint=blueprint, sizes=picker.pool_sizes(blueprint),
                           exams=blueprints.exams_using(blueprint.id), type_labels=type_labels(),
                           source_labels=[source_label(rule) for rule in blueprint.rules],
                           owner=blueprints.owner_labels([blueprint.owner_unit_id])[blueprint.owner_unit_id])


@bp.get("/blueprints/<int:blueprint_id>/preview")
@role_required(*BUILDERS)
def blueprint_preview(blueprint_id: int):
    blueprint, questions, problems = overview.sample_blueprint_paper(viewer(), blueprint_id)
    return render_template("exams/preview.html", title=blueprint.title, questions=questions, problems=problems,
                           back=url_for("exams.blueprint_page", blueprint_id=blueprint_id))


@bp.post("/blueprints/<int:blueprint_id>/delete")
@role_required(*BUILDERS)
def blueprint_delete(blueprint_id: int):
    blueprints.delete_blueprint(viewer(), blueprint_id)
    flash("组卷规则已删除。", "success")
    return redirect(url_for("exams.blueprint_list"))


@bp.get("/blueprints/pool")
@role_required(*BUILDERS)
def blueprint_pool():
    rule = RuleForm(request.args)
    owner = optional_int(request.args.get("owner"))
    return jsonify(picker.pool_size(viewer(), owner, rule_data(rule)))


@bp.get("/blueprints/questions")
@role_required(*BUILDERS)
def blueprint_questions():
    owner, args = optional_int(request.args.get("owner")), request.args
    return jsonify(questions=picker.search_questions(viewer(), owner, args.get("q", ""), args.get("qtype", "")))
