"""Course pages for instructors: list, detail, create and edit, the competency tree."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.auth.scope import current_scope, role_required
from app.curriculum import bp, editing, services
from app.curriculum.forms import CourseForm
from app.errors import DomainError
from app.formkit import choices
from app.hours import format_hours
from app.models.curriculum import CreditKind


def _scope():
    return current_scope("instructor")


def _filters() -> services.CourseFilter:
    args = request.args
    return services.CourseFilter(workforce=args.get("workforce", "")[:20],
                                 kind=CreditKind.parse(args.get("kind", "")) or "", q=args.get("q", "")[:50])


@bp.get("/courses")
@role_required("instructor")
def courses():
    scope = _scope()
    pagination = services.list_courses(scope, _filters(), request.args.get("page", 1, type=int))
    counts = services.lesson_counts([course.id for course in pagination.items])
    editable = services.editable_course_ids(scope, pagination.items)
    return render_template("curriculum/courses.html", pagination=pagination, counts=counts,
                           editable=editable, names=services.workforce_names(),
                           workforces=services.workforce_options(scope), kinds=CreditKind,
                           args=request.args)


def _course_form(scope, obj=None) -> CourseForm:
    form = CourseForm(obj=obj)
    options = services.workforce_options(scope)
    form.workforces.choices = choices(options)
    if obj is not None and request.method == "GET":
        form.credit_hours.data = format_hours(obj.credit_tenths)
    return form


def _fields(form: CourseForm, slug: str | None = None) -> editing.CourseFields:
    return editing.CourseFields(slug=slug or form.slug.data, title=form.title.data,
                                workforces=form.workforces.data or [], kind=form.kind.data,
                                credit_hours=form.credit_hours.data, summary=form.summary.data)


def _save_course(form: CourseForm, course=None):
    """Create or update from a submitted form; return the course, or None after flashing why."""
    if not form.validate_on_submit():
        return None
    try:
        if course is None:
            return editing.create_course(current_user.id, _scope(), _fields(form), today=clock.today())
        return editing.update_course(current_user.id, _scope(), course.id, _fields(form, course.slug))
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        flash(error.message, "danger")
        return None


@bp.route("/courses/new", methods=["GET", "POST"])
@role_required("instructor")
def course_new():
    form = _course_form(_scope())
    course = _save_course(form) if request.method == "POST" else None
    if course is not None:
        flash(f"已创建课程“{course.title}”，现在可以添加课时。", "success")
        return redirect(url_for("curriculum.course_detail", course_id=course.id))
    status = 400 if request.method == "POST" else 200
    return render_template("curriculum/course_form.html", form=form, course=None), status


@bp.get("/courses/<int:course_id>")
@role_required("instructor")
def course_detail(course_id: int):
    detail = services.course_detail(_scope(), course_id)
    return render_template("curriculum/course_detail.html", detail=detail, course=detail.course,
                           read_only_reason=services.SHARED_BEYOND_SCOPE, names=services.workforce_names())


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@role_required("instructor")
def course_edit(course_id: int):
    course = services.course_to_edit(_scope(), course_id)
    form = _course_form(_scope(), course)
    if request.method == "POST" and _save_course(form, course) is not None:
        flash("课程已保存。", "success")
        return redirect(url_for("curriculum.course_detail", course_id=course.id))
    status = 400 if request.method == "POST" else 200
    return render_template("curriculum/course_form.html", form=form, course=course), status


@bp.get("/competencies")
@role_required("instructor")
def competencies():
    return render_template("curriculum/competencies.html", tree=services.competency_tree(),
                           names=services.workforce_names())
