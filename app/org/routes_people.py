"""People pages: list, detail, create, edit, roles, mentors, password reset."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import OUT_OF_REACH, current_scope, person_to_manage, role_required
from app.errors import DomainError
from app.formkit import choices
from app.models.people import PersonStatus, Role
from app.org import bp, people, services
from app.org.forms import MentorForm, PersonForm, RoleForm


def _filters() -> people.PeopleFilter:
    args = request.args
    return people.PeopleFilter(
        q=args.get("q", "")[:50], unit_id=args.get("unit_id", type=int), post_id=args.get("post_id", type=int),
        workforce_id=args.get("workforce_id", type=int), status=args.get("status", ""), role=args.get("role", ""),
    )


@bp.get("/people", endpoint="people")
@role_required("admin")
def people_list():
    scope = current_scope()
    pagination = people.search_people(scope, _filters(), page=request.args.get("page", 1, type=int),
                                      per_page=current_app.config["PER_PAGE"])
    posts, _grades = people.posts_and_grades()
    return render_template("org/people.html", pagination=pagination, units=services.unit_options(scope), posts=posts,
                           workforces=services.workforces(), statuses=PersonStatus.labels(), roles=Role.labels(), args=request.args)



def _person_form(scope, obj=None) -> PersonForm:
    form = PersonForm(obj=obj)
    posts, grades = people.posts_and_grades()
    form.unit_id.choices = choices(services.unit_options(scope))
    form.post_id.choices = choices([(0, "（未设置）")] + [(p.id, f"{p.workforce.name} · {p.name}") for p in posts])
    form.grade_id.choices = choices([(0, "（未设置）")] + [(g.id, f"{g.workforce.name} · {g.name}") for g in grades])
    return form


def _data(form: PersonForm) -> people.PersonData:
    return people.PersonData(
        staff_no=form.staff_no.data, name=form.name.data, unit_id=form.unit_id.data, phone=form.phone.data or "",
        email=form.email.data or "",
        post_id=form.post_id.data or None, grade_id=form.grade_id.data or None,
        joined_on=form.joined_on.data, status=form.status.data,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@role_required("admin")
def person_new():
    scope = current_scope()
    form = _person_form(scope)
    if form.validate_on_submit():
        try:
            person, temporary = people.create_person(current_user.id, scope, _data(form))
        except DomainError as error:
            form.staff_no.errors.append(error.message)
        else:
            flash(f"已添加 {person.name}。初始密码：{temporary}（仅显示一次，首次登录须修改）", "success")
            return redirect(url_for("org.person_detail", person_id=person.id))
    return render_template("org/person_form.html", form=form, person=None), 400 if form.errors else 200


@bp.get("/people/<int:person_id>")
@role_required("admin")
def person_detail(person_id: int):
    scope = current_scope()
    person = people.get_person(scope, person_id)
    role_form = RoleForm()
    role_form.scope_unit_id.choices = choices(
        ([(0, "（不限范围）")] if scope.is_global else []) + services.unit_options(scope))
    return render_template("org/person_detail.html", person=person, role_form=role_form,
                           mentor_form=MentorForm(), links=people.mentor_links_of(person.id),
                           can_manage=scope.can_manage(person), out_of_reach=OUT_OF_REACH)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def person_edit(person_id: int):
    scope = current_scope()
    person = person_to_manage(scope, person_id)
    form = _person_form(scope, obj=person)
    if request.method == "GET":
        form.post_id.data, form.grade_id.data = person.post_id or 0, person.grade_id or 0
    if form.validate_on_submit():
        try:
            people.update_person(current_user.id, scope, person.id, _data(form))
        except DomainError as error:
            form.staff_no.errors.append(error.message)
        else:
            flash("已保存。", "success")
            return redirect(url_for("org.person_detail", person_id=person.id))
    return render_template("org/person_form.html", form=form, person=person), 400 if form.errors else 200


@bp.post("/people/<int:person_id>/roles")
@role_required("admin")
def role_grant(person_id: int):
    form = RoleForm()
    people.grant_role(current_user.id, current_scope(), person_id, role=form.role.data,
                      scope_unit_id=request.form.get("scope_unit_id", type=int) or None)
    flash("已授予角色。", "success")
    return redirect(url_for("org.person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/roles/<int:grant_id>/revoke")
@role_required("admin")
def role_revoke(person_id: int, grant_id: int):
    people.revoke_role(current_user.id, current_scope(), person_id, grant_id)
    flash("已撤销角色。", "success")
    return redirect(url_for("org.person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/mentors")
@role_required("admin")
def mentor_add(person_id: int):
    form = MentorForm()
    if form.validate_on_submit():
        people.add_mentor(current_user.id, current_scope(), person_id,
                          mentor_staff_no=form.mentor_staff_no.data, kind=form.kind.data,
                          today=clock.today())
        flash("已添加导师/包联关系。", "success")
    return redirect(url_for("org.person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/mentors/<int:link_id>/delete")
@role_required("admin")
def mentor_remove(person_id: int, link_id: int):
    people.remove_mentor(current_user.id, current_scope(), person_id, link_id)
    flash("已解除关系。", "success")
    return redirect(url_for("org.person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/password")
@role_required("admin")
def password_reset(person_id: int):
    temporary = people.reset_password(current_user.id, current_scope(), person_id)
    flash(f"密码已重置为：{temporary}（仅显示一次，该人员下次登录须修改）", "warning")
    return redirect(url_for("org.person_detail", person_id=person_id))
