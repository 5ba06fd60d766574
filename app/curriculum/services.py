"""Courses for instructors: which ones a scope reaches, listing, reading and the competency tree.

An instructor scoped to a unit subtree sees the courses of that unit's workforce (辅警,
社区工作者 or 组工干部) and edits those whose workforces all lie in their scope (`may_edit_course`);
a global instructor sees and edits every course.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import selectinload

from app.auth.scope import Scope, scope_of
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Competency, Course, Lesson, LessonCompetency, OrgUnit, Question, Workforce
from app.models.people import Person
from app.trees import TreeNode, ancestor_ids, build_forest

PER_PAGE = 20


def allowed_workforces(scope: Scope) -> set[str] | None:
    """Return the workforce codes the scope reaches (None: all of them)."""
    if scope.is_global:
        return None
    unit_ids = {i for path in scope.paths for i in ancestor_ids(path)}
    if not unit_ids:
        return set()
    rows = db.session.execute(
        select(OrgUnit.path, OrgUnit.depth, Workforce.code).join(Workforce)
        .where(OrgUnit.id.in_(unit_ids))
    ).all()
    codes = set()
    for path in scope.paths:  # the nearest unit on the path that names a workforce
        on_path = [(depth, code) for unit_path, depth, code in rows if path.startswith(unit_path)]
        if on_path:
            codes.add(max(on_path)[1])
    return codes


def _workforce_clause(codes):
    column = cast(Course.workforces, String)
    return or_(*(column.contains(f'"{code}"', autoescape=True) for code in codes))


def covers(scope: Scope, course: Course | None) -> bool:
    """Return whether the course exists and lies inside the scope."""
    if course is None:
        return False
    codes = allowed_workforces(scope)
    return codes is None or bool(codes.intersection(course.workforces))


SHARED_BEYOND_SCOPE = ("该课程同时面向您管理范围以外的队伍，您可以查看和导出，"
                       "修改请联系管理范围覆盖这些队伍的教官。")


def may_edit_course(scope: Scope, course: Course | None) -> bool:
    """The one rule for changing a course or its lessons: every workforce of the course lies in
    the scope (a global scope edits everything). A shared course is read-only to a narrower scope,
    so nobody can strip the workforces outside their reach."""
    if course is None:
        return False
    codes = allowed_workforces(scope)
    return codes is None or set(course.workforces) <= codes


def person_workforces(person: Person) -> set[str]:
    """Return the workforce codes a person trains in: their unit's (nearest on its path) and their post's."""
    codes = allowed_workforces(Scope((person.unit.path,))) or set()
    if person.post is not None:
        codes.add(person.post.workforce.code)
    return codes


def may_see_course(person: Person, course: Course | None) -> bool:
    """Return whether the person may see the course's material: an instructor or admin whose scope
    covers it, or anyone of a workforce the course is for while it is active."""
    if course is None:
        return False
    if any(covers(scope_of(person.roles, role), course) for role in ("instructor", "admin")
           if person.has_role(role)):
        return True
    return course.active and bool(person_workforces(person).intersection(course.workforces))


def workforce_options(scope: Scope) -> list[tuple[str, str]]:
    """Return (code, name) of the workforces the scope may choose for a course."""
    codes = allowed_workforces(scope)
    rows = db.session.execute(select(Workforce.code, Workforce.name).order_by(Workforce.id)).all()
    return [(code, name) for code, name in rows if codes is None or code in codes]


def workforce_names() -> dict[str, str]:
    """Return {code: name} of every workforce: pages show a course's workforces by name, never by code."""
    return dict(db.session.execute(select(Workforce.code, Workforce.name)).all())


@dataclass
class CourseFilter:
    workforce: str = ""
    kind: str = ""
    q: str = ""


def list_courses(scope: Scope, filters: CourseFilter, page: int = 1):
    """Return a page of the scope's courses, filtered by workforce, kind and title."""
    codes = allowed_workforces(scope)
    query = select(Course).order_by(Course.active.desc(), Course.slug)
    if codes is not None:
        query = query.where(_workforce_clause(codes)) if codes else query.where(Course.id < 0)
    if filters.workforce:
        query = query.where(_workforce_clause([filters.workforce]))
    if filters.kind:
        query = query.where(Course.kind == filters.kind)
    if filters.q:
        query = query.where(Course.title.contains(filters.q.strip(), autoescape=True))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def editable_course_ids(scope: Scope, courses) -> set[int]:
    """Return the ids of the courses the scope may edit (`may_edit_course`), in one look-up."""
    codes = allowed_workforces(scope)
    return {course.id for course in courses if codes is None or set(course.workforces) <= codes}


def editable_courses(scope: Scope, *, limit: int = 6) -> tuple[list[Course], int]:
    """Return the first active courses the scope may edit (by title) and how many there are.

    Whether a course is editable is decided in Python (`may_edit_course`'s rule) over the scope's
    active courses: two statements, and a catalogue holds tens of courses, not thousands.
    """
    codes = allowed_workforces(scope)
    if codes is not None and not codes:
        return [], 0
    query = select(Course).where(Course.active).order_by(Course.title, Course.id)
    if codes is not None:
        query = query.where(_workforce_clause(codes))
    courses = [c for c in db.session.scalars(query) if codes is None or set(c.workforces) <= codes]
    return courses[:limit], len(courses)


def lesson_counts(course_ids: list[int]) -> dict[int, int]:
    """Return the number of active lessons per course."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Lesson.course_id, db.func.count()).where(Lesson.course_id.in_(course_ids),
                                                         Lesson.active.is_(True))
        .group_by(Lesson.course_id)
    ).all()
    return dict(rows)


def get_course(scope: Scope, course_id: int) -> Course:
    """Return the course if it lies inside the scope, else raise NotFound."""
    course = db.session.get(Course, course_id)
    if not covers(scope, course):
        raise NotFound("课程不存在或不在您的管理范围内。")
    return course


def get_lesson(scope: Scope, lesson_id: int) -> Lesson:
    """Return the lesson if its course lies inside the scope, else raise NotFound."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not covers(scope, lesson.course):
        raise NotFound("课时不存在或不在您的管理范围内。")
    return lesson


def course_to_edit(scope: Scope, course_id: int) -> Course:
    """Return the course if the scope may edit it: NotFound outside the scope, Forbidden when it is
    shared with workforces beyond it."""
    course = get_course(scope, course_id)
    if not may_edit_course(scope, course):
        raise Forbidden(SHARED_BEYOND_SCOPE)
    return course


def lesson_to_edit(scope: Scope, lesson_id: int) -> Lesson:
    """Return the lesson if the scope may edit its course (see `course_to_edit`)."""
    lesson = get_lesson(scope, lesson_id)
    if not may_edit_course(scope, lesson.course):
        raise Forbidden(SHARED_BEYOND_SCOPE)
    return lesson


@dataclass
class CourseDetail:
    course: Course
    lessons: list[Lesson]
    known_questions: set[str] = field(default_factory=set)
    editable: bool = True


def lessons_with_competencies(course_id: int) -> list[Lesson]:
    """Return a course's lessons in order with their competency links (and competencies) loaded."""
    return list(db.session.scalars(
        select(Lesson).where(Lesson.course_id == course_id).order_by(Lesson.position)
        .options(selectinload(Lesson.competency_links).joinedload(LessonCompetency.competency))))


def course_detail(scope: Scope, course_id: int) -> CourseDetail:
    """Return a course with its lessons in order, their competencies and the quiz questions known."""
    course = get_course(scope, course_id)
    lessons = lessons_with_competencies(course.id)
    qids = {qid for lesson in lessons for qid in lesson.quiz}
    known = set(db.session.scalars(
        select(Question.external_id).where(Question.external_id.in_(qids)))) if qids else set()
    return CourseDetail(course, lessons, known, may_edit_course(scope, course))


def competency_tree() -> list[TreeNode]:
    """Return every active competency as a forest in file order."""
    return build_forest(db.session.scalars(
        select(Competency).where(Competency.active).order_by(Competency.position, Competency.code)))
