"""Export a course back to the course_content folder format, as a zip archive."""

from __future__ import annotations

import io
import json
import re
import zipfile

from app.auth.scope import Scope
from app.curriculum.assets import asset_location, relative_image
from app.curriculum.services import get_course
from app.errors import DomainError
from app.hours import format_hours
from app.models import Course, Lesson

_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _string(text: str) -> str:
    """Return text as a TOML basic string (JSON escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def _strings(items) -> str:
    return "[" + ", ".join(_string(item) for item in items) + "]"


def course_toml(course: Course, lessons: list[Lesson]) -> str:
    """Return the course.toml text of a course and the given lessons."""
    lines = [f"title = {_string(course.title)}", f"workforces = {_strings(course.workforces)}",
             f"kind = {_string(course.kind_label)}", f"credit_hours = {format_hours(course.credit_tenths)}",
             f"summary = {_string(course.summary)}"]
    for lesson in lessons:
        lines += ["", "[[lesson]]", f"file = {_string(lesson.file)}",
                  f"title = {_string(lesson.title)}", f"min_minutes = {lesson.min_minutes}"]
        if lesson.quiz:
            lines.append(f"quiz = {_strings(lesson.quiz)}")
        if lesson.competency_links:
            lines.append("[lesson.competencies]")
            lines += [f"{_string(link.competency.code)} = {_string(link.level.label)}"
                      for link in sorted(lesson.competency_links, key=lambda link: link.competency.position)]
    return "\n".join(lines) + "\n"


def _images(course: Course, lessons: list[Lesson]) -> dict[str, bytes]:
    """Return the images the lessons refer to that exist, by their course-relative path."""
    found = {}
    for lesson in lessons:
        for src in _IMAGE.findall(lesson.body or ""):
            path = relative_image(src)
            location = asset_location(course.slug, path) if path else None
            if location is None:
                continue
            file = location[0] / location[1]
            if file.resolve().is_relative_to(location[0].resolve()) and file.is_file():
                found[path] = file.read_bytes()
    return found


def export_course(scope: Scope, course_id: int) -> tuple[str, bytes]:
    """Return (file name, zip bytes) of the course folder: course.toml, NN-*.md and images."""
    course = get_course(scope, course_id)
    lessons = [lesson for lesson in course.lessons if lesson.active]
    if not lessons:
        raise DomainError("这门课程还没有课时，请先添加课时再导出。")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{course.slug}/course.toml", course_toml(course, lessons))
        for lesson in lessons:
            archive.writestr(f"{course.slug}/{lesson.file}", lesson.body or "")
        for path, data in sorted(_images(course, lessons).items()):
            archive.writestr(f"{course.slug}/{path}", data)
    return f"{course.slug}.zip", buffer.getvalue()
