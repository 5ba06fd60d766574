"""Editing courses and lessons in the browser: every change marks the course source "web".

Lessons keep their ids through edits and moves, because study records refer to lesson ids.
A lesson's file name always starts with its two-digit position, so an export lines up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import record
from app.auth.scope import Scope
from app.curriculum.assets import SLUG, image_problem, stored_name, upload_dir
from app.curriculum.services import allowed_workforces, course_to_edit, lesson_to_edit
from app.errors import Conflict, DomainError
from app.extensions import db
from app.hours import parse_hours
from app.models import Course, Lesson
from app.models.curriculum import CreditKind

MAX_LESSONS = 99  # lesson files are numbered with two digits
MAX_COURSE_HOURS = 1000  # 学时 of a course
MAX_SLUG = 80  # Course.slug's column length
CODE_ATTEMPTS = 3  # a generated code taken by a concurrent save is chosen again this many times


@dataclass
class CourseFields:
    slug: str
    title: str
    workforces: list[str]
    kind: str
    credit_hours: str
    summary: str


@dataclass
class LessonFields:
    title: str
    min_minutes: int
    body: str


def _mark_web(course: Course) -> None:
    course.source, course.content_hash = "web", ""


def _course_values(scope: Scope, fields: CourseFields) -> dict:
    title, summary = (fields.title or "").strip(), (fields.summary or "").strip()
    if not title or len(title) > 200:
        raise DomainError("课程名称不能为空，且不超过 200 个字。")
    if not summary:
        raise DomainError("请填写课程简介。")
    if fields.kind not in CreditKind.labels():
        raise DomainError("课程类型应为“必修”或“选修”。")
    allowed = allowed_workforces(scope)
    workforces = [code for code in fields.workforces if allowed is None or code in allowed]
    if not workforces or len(workforces) != len(fields.workforces):
        raise DomainError("请至少选择一个您管理范围内的队伍。")
    return {"title": title, "summary": summary, "kind": fields.kind, "workforces": workforces,
            "credit_tenths": parse_hours(fields.credit_hours, maximum=MAX_COURSE_HOURS, allow_zero=False)}


def _free_code(year: int) -> str:
    """Return the next unused generated course code of the year: c-2026-1, c-2026-2, …

    One past the highest number in use after the year's prefix, so it can equal no stored code
    (a stored "c-2026-07" counts as 7).
    """
    prefix = f"c-{year}-"
    taken = db.session.scalars(select(Course.slug).where(Course.slug.startswith(prefix, autoescape=True)))
    numbers = [int(rest) for slug in taken if (rest := slug[len(prefix):]).isascii() and rest.isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _chosen_code(text: str | None) -> str | None:
    """Return the instructor's own course code, checked, or None to generate one."""
    slug = (text or "").strip().lower()
    if not slug:
        return None
    if not SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise DomainError("课程代码只能用小写字母、数字和连字符（如 fj-night-duty），不超过 80 个字符；"
                          "也可以不填，由系统自动生成。")
    if db.session.scalar(select(Course.id).where(Course.slug == slug)):
        raise Conflict(f"课程代码“{slug}”已被其他课程使用，请换一个，或不填由系统自动生成。")
    return slug


def create_course(actor_id: int, scope: Scope, fields: CourseFields, *, today: date) -> Course:
    """Create a course in the browser (source "web").

    The course code (slug) is the instructor's own when they type one; left empty, it is generated
    as c-<year>-<n> (`_free_code`). Two saves at once may pick the same generated code: the loser's
    commit fails on the unique slug and it picks the next one.
    """
    chosen = _chosen_code(fields.slug)
    values = _course_values(scope, fields)
    for _ in range(CODE_ATTEMPTS):
        slug = chosen or _free_code(today.year)
        course = Course(slug=slug, source="web", content_hash="", **values)
        db.session.add(course)
        try:
            record("course_create", course, actor_id=actor_id, slug=slug, title=course.title)
            db.session.commit()
            return course
        except IntegrityError:
            db.session.rollback()
            if chosen:
                raise Conflict(f"课程代码“{slug}”已被其他课程使用，请换一个，或不填由系统自动生成。") from None
    raise Conflict("课程代码生成失败，请再保存一次。")


def update_course(actor_id: int, scope: Scope, course_id: int, fields: CourseFields) -> Course:
    """Change a course's title, workforces, kind, 学时 and summary."""
    course = course_to_edit(scope, course_id)
    values = _course_values(scope, fields)
    for key, value in values.items():
        setattr(course, key, value)
    _mark_web(course)
    record("course_update", course, actor_id=actor_id, **{k: v for k, v in values.items()})
    db.session.commit()
    return course


def _lesson_values(fields: LessonFields) -> dict:
    title = (fields.title or "").strip()
    if not title or len(title) > 200:
        raise DomainError("课时标题不能为空，且不超过 200 个字。")
    if not isinstance(fields.min_minutes, int) or not 1 <= fields.min_minutes <= 600:
        raise DomainError("最少学习分钟数须为 1 到 600 之间的整数。")
    return {"title": title, "min_minutes": fields.min_minutes, "body": fields.body or ""}


def create_lesson(actor_id: int, scope: Scope, course_id: int, fields: LessonFields) -> Lesson:
    """Append a lesson to a course."""
    course = course_to_edit(scope, course_id)
    values = _lesson_values(fields)
    position = max((lesson.position for lesson in course.lessons), default=0) + 1
    if position > MAX_LESSONS:
        raise DomainError(f"一门课程最多 {MAX_LESSONS} 个课时。")
    lesson = Lesson(position=position, file=f"{position:02d}-lesson.md", content_hash="", **values)
    course.lessons.append(lesson)
    _mark_web(course)
    record("lesson_create", lesson, actor_id=actor_id, course_id=course.id, title=lesson.title)
    db.session.commit()
    return lesson


def update_lesson(actor_id: int, scope: Scope, lesson_id: int, fields: LessonFields) -> Lesson:
    """Change a lesson's title, minimum minutes and Markdown body (its id stays)."""
    lesson = lesson_to_edit(scope, lesson_id)
    values = _lesson_values(fields)
    changed = [key for key, value in values.items() if getattr(lesson, key) != value]
    for key, value in values.items():
        setattr(lesson, key, value)
    lesson.content_hash = ""
    _mark_web(lesson.course)
    record("lesson_update", lesson, actor_id=actor_id, course_id=lesson.course_id, changed=changed)
    db.session.commit()
    return lesson


def _renumbered(file: str, position: int) -> str:
    return re.sub(r"^\d{2}", f"{position:02d}", file)


def move_lesson(actor_id: int, scope: Scope, lesson_id: int, direction: str) -> Lesson:
    """Swap a lesson with its neighbour ("up" or "down"), positions and file numbers together."""
    lesson = lesson_to_edit(scope, lesson_id)
    lessons = list(lesson.course.lessons)
    index = lessons.index(lesson)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(lessons):
        raise DomainError("课时已在最前或最后，无法再移动。")
    other = lessons[other_index]
    lesson.position, other.position = other.position, lesson.position
    old_files = lesson.file, other.file
    lesson.file = f"~{lesson.id}"  # a free name first: (course, file) is unique at every flush
    db.session.flush()
    other.file = _renumbered(old_files[1], other.position)
    db.session.flush()
    lesson.file = _renumbered(old_files[0], lesson.position)
    _mark_web(lesson.course)
    record("lesson_move", lesson, actor_id=actor_id, course_id=lesson.course_id,
           direction=direction, position=lesson.position)
    db.session.commit()
    return lesson


def attach_image(actor_id: int, scope: Scope, lesson_id: int, filename: str, data: bytes) -> str:
    """Store an image for a lesson, append it to the body, and return its Markdown reference."""
    lesson = lesson_to_edit(scope, lesson_id)
    problem = image_problem(filename or "", data)
    if problem:
        raise DomainError(problem)
    name = stored_name(filename, data)
    folder = upload_dir(lesson.course.slug)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    reference = f"![图片](assets/{name})"
    lesson.body = (lesson.body or "").rstrip("\n") + f"\n\n{reference}\n"
    lesson.content_hash = ""
    _mark_web(lesson.course)
    record("lesson_image", lesson, actor_id=actor_id, course_id=lesson.course_id, file=name,
           size=len(data))
    db.session.commit()
    return reference
